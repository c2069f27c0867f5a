/**
 * The one Zspay error mapper. Zspay answers failures with the envelope of the sales' "Exemplo de
 * erro": { success: false, error: { type, category, message }, message }, with an HTTP error
 * status or even 200, so the client runs 2xx `success: false` answers through here as well.
 *
 * - error.type "card_error" (e.g. category card_declined): a decline, whatever the HTTP status.
 *   Soft or hard by the acquirer code (error.code, when present), else the category, else the
 *   message's words ("Cartão cancelado" under the generic card_declined is hard); anything
 *   unknown counts as soft (decline-codes.ts explains why).
 * - category "insufficient_balance" (transfers): InvalidState.
 * - 401/403: ProviderAuth naming ZSPAY_TOKEN. 404/400: InvalidRequest with field errors.
 *   409/422: InvalidState. 5xx: Transient. (429 is handled by ProviderHttp.)
 */
import { classifyDecline } from '../decline-codes';
import { bodyExcerpt, errorForStatus } from '../error-mapping';
import { HardDeclineError, InvalidStateError, type FieldError, type ProviderError, SoftDeclineError } from '../errors';
import type { ProviderErrorResponse } from '../http';
import { errorEnvelopeSchema, type ErrorEnvelope } from './schemas';

export const ZSPAY_TOKEN_SETTING = 'ZSPAY_TOKEN';

export function mapZspayError(response: ProviderErrorResponse): ProviderError {
  const parsed = errorEnvelopeSchema.safeParse(response.data);
  const envelope: ErrorEnvelope | undefined = parsed.success ? parsed.data : undefined;
  const error = envelope?.error;
  const message = error?.message ?? envelope?.message ?? bodyExcerpt(response.data);
  const details = {
    provider: 'zspay' as const,
    statusCode: response.status,
    requestId: response.requestId,
    raw: response.data,
  };

  if (error?.type === 'card_error') {
    const acquirerCode = error.code === undefined ? undefined : String(error.code);
    // Both messages are read: the document shows them equal, but either may be the specific one.
    const words = [error.message, envelope?.message].filter(Boolean).join(' ');
    const kind = classifyDecline({ code: acquirerCode, category: error.category, message: words });
    const code = acquirerCode ?? error.category ?? 'card_error';
    const text = `zspay declined the card (${code}): ${message}`;
    return kind === 'hard'
      ? new HardDeclineError(text, { ...details, code })
      : new SoftDeclineError(text, { ...details, code });
  }
  if (error?.category === 'insufficient_balance') {
    return new InvalidStateError(`zspay HTTP ${response.status}: ${message}`, { ...details, code: error.category });
  }
  const fieldErrors: FieldError[] = (error?.fields ?? []).map((f) => ({
    field: f.field,
    message: f.message ?? message,
  }));
  // A 2xx `success: false` without a card error is a refusal of the request itself.
  const status = response.status < 400 ? 400 : response.status;
  return errorForStatus(
    { ...response, status },
    { message, code: error?.category ?? error?.type, fieldErrors },
    { provider: 'zspay', authSetting: ZSPAY_TOKEN_SETTING, notFound: 'invalid_request', conflict: 'invalid_state' },
  );
}
