/** Secret comparison for API keys and webhook URL secrets. */
import { createHash, timingSafeEqual } from 'node:crypto';

/** Constant-time comparison of secrets of any length (hashing first equalizes the lengths). */
export function secretsEqual(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}
