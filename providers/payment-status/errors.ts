/**
 * The one payment status API error mapper: 400 problem document -> InvalidRequestError with one
 * field error per message of its `errors` map; 401/403 -> PAYMENT_STATUS_API_KEY; 404 -> the
 * payment id is unknown to the merchant system (InvalidRequest); 5xx -> Transient.
 */
import type { FieldError, ProviderError } from '../errors';
import { bodyExcerpt, errorForStatus } from '../error-mapping';
import type { ProviderErrorResponse } from '../http';
import { problemDocumentSchema } from './schemas';

export const PAYMENT_STATUS_KEY_SETTING = 'PAYMENT_STATUS_API_KEY';

export function mapPaymentStatusError(response: ProviderErrorResponse): ProviderError {
  const parsed = problemDocumentSchema.safeParse(response.data);
  const problem = parsed.success ? parsed.data : undefined;
  const fieldErrors: FieldError[] = Object.entries(problem?.errors ?? {}).flatMap(([field, messages]) =>
    messages.map((message) => ({ field, message })),
  );
  const title = problem?.title ?? problem?.detail;
  const message = title
    ? [title, ...fieldErrors.map((e) => `${e.field}: ${e.message}`)].join(' ')
    : bodyExcerpt(response.data);
  return errorForStatus(
    response,
    // The traceId identifies the request at the merchant system: keep it as the code.
    { message, fieldErrors, code: problem?.traceId },
    { provider: 'payment-status', authSetting: PAYMENT_STATUS_KEY_SETTING, notFound: 'invalid_request' },
  );
}
