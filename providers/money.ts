/**
 * Exact conversions between integer cents and decimal strings (reais), by string arithmetic only:
 * floating point must never touch money ("0.1 + 0.2"). Providers send totals as decimal strings
 * ("500.00", ActivePlatform) or numbers; Adiq uses 6-decimal amounts.
 */

const DECIMAL = /^(-)?(\d+)(?:\.(\d*))?$/;

function assertSafeCents(cents: number, label: string): void {
  if (!Number.isSafeInteger(cents)) throw new RangeError(`${label}: expected an integer number of cents, got ${cents}`);
}

/** Integer cents -> decimal string with `decimals` digits after the point: (500, 2) -> "5.00", (500, 6) -> "5.000000". */
export function centsToDecimal(cents: number, decimals: number): string {
  assertSafeCents(cents, 'centsToDecimal');
  if (!Number.isInteger(decimals) || decimals < 2)
    throw new RangeError(`centsToDecimal: decimals must be an integer >= 2, got ${decimals}`);
  const negative = cents < 0;
  const digits = String(Math.abs(cents)).padStart(3, '0');
  const whole = digits.slice(0, -2);
  const fraction = digits.slice(-2).padEnd(decimals, '0');
  return `${negative ? '-' : ''}${whole}.${fraction}`;
}

/** Integer cents -> reais string with two decimals: 50000 -> "500.00". */
export function centsToReais(cents: number): string {
  return centsToDecimal(cents, 2);
}

export interface ReaisToCentsOptions {
  /** Accept more than two decimals when the extra digits are zeros ("5.000000"); default false. */
  allowTrailingZeros?: boolean;
}

/**
 * Decimal reais (string or number) -> integer cents, exactly: "500.00" -> 50000, "1.5" -> 150, 12 -> 1200.
 * Rejects more than two decimals ("1.005") unless `allowTrailingZeros` and the extra digits are zeros.
 * Numbers are converted through their shortest decimal representation (String(n)), which is exact
 * for any value written with at most two decimals.
 */
export function reaisToCents(value: string | number, options: ReaisToCentsOptions = {}): number {
  if (typeof value === 'number' && !Number.isFinite(value))
    throw new RangeError(`reaisToCents: not a finite amount: ${value}`);
  const text = typeof value === 'number' ? String(value) : value.trim();
  if (/e/i.test(text)) throw new RangeError(`reaisToCents: exponent notation not supported: ${text}`);
  const match = DECIMAL.exec(text);
  if (!match) throw new RangeError(`reaisToCents: not a decimal amount: "${text}"`);
  const [, sign, whole, fraction = ''] = match;
  let fractionDigits = fraction;
  if (fractionDigits.length > 2) {
    const extra = fractionDigits.slice(2);
    if (!options.allowTrailingZeros || /[^0]/.test(extra)) {
      throw new RangeError(`reaisToCents: more than two decimals in "${text}"`);
    }
    fractionDigits = fractionDigits.slice(0, 2);
  }
  const cents = Number(`${whole}${fractionDigits.padEnd(2, '0')}`);
  assertSafeCents(cents, 'reaisToCents');
  return sign && cents !== 0 ? -cents : cents;
}
