/**
 * Adiq's `orderNumber` ("Work Order or Request Number", at most 10 characters) from our own ids.
 * It is the only business key a subscription carries at Adiq, so it must be deterministic: the
 * same engine subscription always gets the same orderNumber, and a retried create finds it.
 */
import { createHash } from 'node:crypto';

export const ADIQ_ORDER_NUMBER_MAX = 10;

/**
 * A short id made of letters and digits (e.g. "1234567890") is used as is; anything longer is
 * replaced by the first 10 hex digits of its SHA-256 (2^40 values: collisions are negligible
 * at one merchant's scale, and a collision would be caught as a plan/vault mismatch on search).
 */
export function adiqOrderNumber(reference: string): string {
  if (/^[A-Za-z0-9]{1,10}$/.test(reference)) return reference;
  return createHash('sha256').update(reference, 'utf8').digest('hex').slice(0, ADIQ_ORDER_NUMBER_MAX).toUpperCase();
}
