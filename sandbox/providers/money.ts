/**
 * Amounts as the providers' documents write them, read by the sandbox on its own (not with the
 * engine's conversions, so a wrong engine conversion cannot pass against a sandbox that shares it).
 * Zspay `valor`: reais with at most two decimals ("10.00", 10.5); ActivePlatform totals and Adiq
 * amounts: decimals in reais whose extra digits are zeros ("360.0", 29.990000).
 */

const DECIMAL = /^(\d+)(?:\.(\d+))?$/;

/**
 * Reais as written (a string or a JSON number) -> whole cents, or undefined when the text is not a
 * plain decimal or holds a fraction of a cent (digits past the second decimal that are not zeros).
 */
export function centsOf(reais: string | number): number | undefined {
  // A JSON number prints as its shortest decimal ("5.99"), the digits the sender wrote.
  const match = DECIMAL.exec(typeof reais === 'number' ? String(reais) : reais.trim());
  if (!match) return undefined;
  const [, whole = '', fraction = ''] = match;
  if (/[^0]/.test(fraction.slice(2))) return undefined;
  const cents = Number(whole) * 100 + Number(fraction.slice(0, 2).padEnd(2, '0'));
  return Number.isSafeInteger(cents) ? cents : undefined;
}

/** Whole cents -> reais with two decimals, as Zspay writes `valor`: 1050 -> "10.50". */
export function reaisOf(cents: number): string {
  return `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;
}
