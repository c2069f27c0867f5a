/** Secret comparison for API keys and webhook URL secrets. */
import { createHash, timingSafeEqual } from 'node:crypto';

/** Constant-time comparison of secrets of any length (hashing first equalizes the lengths). */
export function secretsEqual(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/**
 * The API key a request presents: `X-Api-Key: <key>`, or `Authorization: Bearer <key>` with the
 * scheme in any case (RFC 7235: auth schemes are case-insensitive) and any run of spaces after it.
 */
export function presentedKey(headers: Record<string, string | string[] | undefined>): string | undefined {
  const header = headers['x-api-key'];
  if (typeof header === 'string') return header;
  const authorization = headers.authorization;
  if (typeof authorization !== 'string') return undefined;
  const match = /^bearer +(\S+) *$/i.exec(authorization);
  return match?.[1];
}
