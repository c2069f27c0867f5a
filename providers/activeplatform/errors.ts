/**
 * The one ActivePlatform error mapper. 422 = the payment is not in a completable status
 * (InvalidStateError with the errors' titles and details, per the document); 401/403 = the manager token
 * (ACTIVEPLATFORM_API_TOKEN); 404 = reseller not reachable with this token or payment unknown;
 * 415/406 = our media types are wrong (a bug, InvalidRequest); 5xx = Transient.
 */
import type { FieldError, ProviderError } from '../errors';
import { bodyExcerpt, errorForStatus } from '../error-mapping';
import type { ProviderErrorResponse } from '../http';
import { errorDocumentSchema, errorList, type JsonApiError } from './schemas';

export const ACTIVEPLATFORM_TOKEN_SETTING = 'ACTIVEPLATFORM_API_TOKEN';

/** The document's 422 title: any status other than waiting for payment / expired. */
export const NOT_COMPLETABLE_TITLE = 'Only payments with "waiting for payment/expired" status can be completed.';

export function mapActivePlatformError(response: ProviderErrorResponse): ProviderError {
  const parsed = errorDocumentSchema.safeParse(response.data);
  const errors = parsed.success ? errorList(parsed.data) : [];
  const titles = errors.map(reasonOf).filter((t): t is string => Boolean(t));
  const fieldErrors: FieldError[] = errors
    .filter((e) => e.source?.pointer || e.source?.parameter)
    .map((e) => ({
      field: (e.source?.pointer ?? e.source?.parameter ?? '').replace(/^\/data\/attributes\//, '').replace(/^\//, ''),
      message: e.detail ?? e.title ?? 'invalid',
    }));
  return errorForStatus(
    response,
    {
      message: titles.length ? titles.join('; ') : bodyExcerpt(response.data),
      code: errors[0]?.code ?? (response.status === 422 ? 'not_completable' : undefined),
      fieldErrors,
    },
    { provider: 'activeplatform', authSetting: ACTIVEPLATFORM_TOKEN_SETTING, notFound: 'invalid_request' },
  );
}

/** The error's title (the document's 422 has only that), with its detail when it adds something. */
function reasonOf(error: JsonApiError): string | undefined {
  if (error.title && error.detail && error.detail !== error.title) return `${error.title} (${error.detail})`;
  return error.title ?? error.detail;
}
