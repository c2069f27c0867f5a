/**
 * The one Adiq error mapper ("API-codes": 400, 401, 402, 500, each with a body
 * [{"tag": ..., "description": ...}]):
 *   400 -> InvalidRequestError, one field error per item (field = tag);
 *   401/403 -> ProviderAuthError naming ADIQ_CLIENT_ID / ADIQ_CLIENT_SECRET (the recurrence client
 *          first renews the token once, see client.ts);
 *   402 -> a decline ("Client Error"): hard or soft by the tag (return code), else the description's words;
 *   5xx -> TransientProviderError. 429 is handled by ProviderHttp (RateLimitedError).
 * Also the decline classification of billing answers and notifications, so it lives in one place.
 */
import { classifyDecline } from '../decline-codes';
import { bodyExcerpt, errorForStatus } from '../error-mapping';
import { HardDeclineError, SoftDeclineError, type FieldError, type ProviderError } from '../errors';
import type { ProviderErrorResponse } from '../http';
import { errorBodySchema, type AdiqErrorItem } from './schemas';

export const ADIQ_CREDENTIAL_SETTING = 'ADIQ_CLIENT_ID/ADIQ_CLIENT_SECRET';

/**
 * Soft or hard for an Adiq decline: the code first (the shared ABECS/text table), then the words
 * of the description (decline-phrases.ts). Unknown declines are soft (decline-codes.ts: a bounded
 * retry costs less than wrongly stopping a subscription); the document's own rule is the same
 * (teimosinha retries lack of balance, a canceled card blocks).
 */
export function classifyAdiqDecline(code: string | null | undefined, description?: string | null): 'soft' | 'hard' {
  return classifyDecline({ code, message: description });
}

/** The error items of a body, or [] when it is not the documented shape (a single item is accepted too). */
export function adiqErrorItems(data: unknown): AdiqErrorItem[] {
  const list = errorBodySchema.safeParse(Array.isArray(data) ? data : [data]);
  return list.success ? list.data.filter((item) => item.tag || item.description) : [];
}

export function mapAdiqError(response: ProviderErrorResponse): ProviderError {
  const items = adiqErrorItems(response.data);
  const message = items.length
    ? items.map((item) => [item.tag, item.description].filter(Boolean).join(': ')).join('; ')
    : bodyExcerpt(response.data);
  const code = items[0]?.tag ?? undefined;
  if (response.status === 402) {
    const details = {
      provider: 'adiq' as const,
      statusCode: 402,
      code,
      requestId: response.requestId,
      raw: response.data,
    };
    const kind = classifyAdiqDecline(code, items[0]?.description);
    return kind === 'hard'
      ? new HardDeclineError(`adiq declined (hard): ${message}`, details)
      : new SoftDeclineError(`adiq declined (soft): ${message}`, details);
  }
  const fieldErrors: FieldError[] = items.map((item) => ({
    field: item.tag ?? '(root)',
    message: item.description ?? 'invalid',
  }));
  return errorForStatus(
    response,
    { message, code, fieldErrors },
    { provider: 'adiq', authSetting: ADIQ_CREDENTIAL_SETTING, notFound: 'invalid_request' },
  );
}
