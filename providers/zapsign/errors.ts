/**
 * The one ZapSign error mapper. 401 = the partner token is missing or wrong; 403 = the partner
 * token is not the parent of the client account (the document's one rule), both naming
 * ZAPSIGN_PARTNER_TOKEN; 400 = field errors; 404 = unknown client; 5xx = Transient.
 */
import type { FieldError, ProviderError } from '../errors';
import { bodyExcerpt, errorForStatus } from '../error-mapping';
import type { ProviderErrorResponse } from '../http';
import { errorBodySchema } from './schemas';

export const ZAPSIGN_TOKEN_SETTING = 'ZAPSIGN_PARTNER_TOKEN';

export function mapZapSignError(response: ProviderErrorResponse): ProviderError {
  const parsed = errorBodySchema.safeParse(response.data);
  let message = bodyExcerpt(response.data);
  const fieldErrors: FieldError[] = [];
  if (parsed.success) {
    const body = parsed.data;
    if (typeof body.detail === 'string') {
      message = body.detail;
    } else {
      for (const [field, value] of Object.entries(body)) {
        for (const text of Array.isArray(value) ? value : [value]) fieldErrors.push({ field, message: String(text) });
      }
      if (fieldErrors.length) message = fieldErrors.map((e) => `${e.field}: ${e.message}`).join('; ');
    }
  }
  if (response.status === 403) {
    message = `${message} (the partner token must belong to the parent account of the client account; check the client's api token too)`;
  }
  return errorForStatus(
    response,
    { message, fieldErrors },
    { provider: 'zapsign', authSetting: ZAPSIGN_TOKEN_SETTING, notFound: 'invalid_request' },
  );
}
