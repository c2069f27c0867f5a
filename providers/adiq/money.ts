/**
 * Adiq plan and payment `amount`: a decimal in REAIS, "12 integers and 6 decimals" ("Create plan"),
 * sent and received as a JSON number (5.99, 29.990000). Conversions go through exact decimal
 * strings (providers/money.ts); no arithmetic on floating point money.
 */
import { centsToDecimal, reaisToCents } from '../money';

/** Integers and decimals Adiq accepts in `amount`. */
export const ADIQ_AMOUNT_INTEGER_DIGITS = 12;
export const ADIQ_AMOUNT_DECIMALS = 6;
const AMOUNT_TEXT = /^\d{1,12}(\.\d{1,6})?$/;

/**
 * Integer cents -> the JSON number Adiq expects: 599 -> 5.99. The number is built from the exact
 * decimal string "5.990000"; a decimal of at most 15 significant digits survives the trip through
 * a double, so JSON.stringify writes it back exactly ("5.99"). Checked, never assumed.
 */
export function centsToAdiqAmount(cents: number): number {
  const decimal = centsToDecimal(cents, ADIQ_AMOUNT_DECIMALS);
  const amount = Number(decimal);
  if (reaisToCents(String(amount)) !== cents) {
    throw new RangeError(`centsToAdiqAmount: ${cents} cents cannot be written exactly as an Adiq amount`);
  }
  return amount;
}

/** Whether a number written as JSON fits Adiq's 12.6 decimal format. */
export function isAdiqAmount(amount: number): boolean {
  return Number.isFinite(amount) && amount >= 0 && AMOUNT_TEXT.test(String(amount));
}

/**
 * An Adiq amount -> integer cents, exactly (29.990000 -> 2999), or null when it has sub-cent digits
 * (Adiq allows six decimals; the engine bills whole cents, so such an amount needs a human).
 */
export function adiqAmountToCents(amount: number): number | null {
  try {
    return reaisToCents(String(amount), { allowTrailingZeros: true });
  } catch {
    return null;
  }
}
