/**
 * Signatures on the notifications the engine sends to merchants: HMAC-SHA256 over
 * `${timestamp}.${rawBody}`, sent as `Billing-Signature: t=<unix seconds>,v1=<hex>`. Merchants verify
 * with `verifyMerchantSignature` over the RAW body, in constant time, within a timestamp tolerance
 * (so a captured notification cannot be replayed later).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'Billing-Signature';
export const SEQUENCE_HEADER = 'Billing-Sequence';
export const EVENT_ID_HEADER = 'Billing-Event-Id';

function merchantSignatureDigest(secret: string, rawBody: string, timestampSeconds: number): string {
  return createHmac('sha256', secret).update(`${timestampSeconds}.${rawBody}`).digest('hex');
}

export function signMerchantPayload(secret: string, rawBody: string, timestampSeconds: number): string {
  return `t=${timestampSeconds},v1=${merchantSignatureDigest(secret, rawBody, timestampSeconds)}`;
}

export type SignatureCheck = { valid: true; timestamp: number } | { valid: false; reason: string };

export function verifyMerchantSignature(options: {
  rawBody: string;
  header: string | undefined;
  secret: string;
  toleranceSeconds?: number;
  nowSeconds?: number;
}): SignatureCheck {
  const { rawBody, header, secret } = options;
  if (!header) return { valid: false, reason: `missing ${SIGNATURE_HEADER} header` };
  const parts = Object.fromEntries(header.split(',').map((part) => part.trim().split('=', 2) as [string, string]));
  const timestamp = Number(parts.t);
  if (!Number.isInteger(timestamp) || !parts.v1) return { valid: false, reason: 'malformed signature header' };
  const tolerance = options.toleranceSeconds ?? 300;
  const now = options.nowSeconds ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - timestamp) > tolerance) return { valid: false, reason: 'timestamp outside the tolerance' };
  const expected = Buffer.from(merchantSignatureDigest(secret, rawBody, timestamp), 'hex');
  const given = Buffer.from(parts.v1, 'hex');
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    return { valid: false, reason: 'signature mismatch' };
  return { valid: true, timestamp };
}
