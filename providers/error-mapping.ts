/**
 * The status-code part of the provider error mappers, which is the same for ActivePlatform,
 * ZapSign and the payment status API: each provider's `errors.ts` extracts a message, code and
 * field errors from its own error body and lets this decide the class.
 */
import {
  type FieldError,
  InvalidRequestError,
  InvalidStateError,
  ProviderAuthError,
  type ProviderError,
  type ProviderName,
  TransientProviderError,
} from './errors';
import type { ProviderErrorResponse } from './http';

export interface ExtractedProviderError {
  message: string;
  code?: string;
  fieldErrors?: FieldError[];
}

export interface StatusMappingOptions {
  provider: ProviderName;
  /** The environment setting holding the credential (named in ProviderAuthError). */
  authSetting: string;
  /** What a 404 means for this provider's calls. */
  notFound: 'invalid_request' | 'invalid_state';
  /** What a 409/422 means (default invalid_state). */
  conflict?: 'invalid_request' | 'invalid_state';
}

export function errorForStatus(
  response: ProviderErrorResponse,
  extracted: ExtractedProviderError,
  options: StatusMappingOptions,
): ProviderError {
  const { provider, authSetting } = options;
  const { status, data, requestId } = response;
  const details = { provider, statusCode: status, code: extracted.code, requestId, raw: data };
  const message = `${provider} HTTP ${status}: ${extracted.message}`;
  if (status === 401 || status === 403) return new ProviderAuthError(message, { ...details, setting: authSetting });
  if (status >= 500) return new TransientProviderError(message, details);
  if (status === 404) {
    return options.notFound === 'invalid_state'
      ? new InvalidStateError(message, details)
      : new InvalidRequestError(message, { ...details, fieldErrors: extracted.fieldErrors });
  }
  if (status === 409 || status === 422) {
    return (options.conflict ?? 'invalid_state') === 'invalid_state'
      ? new InvalidStateError(message, details)
      : new InvalidRequestError(message, { ...details, fieldErrors: extracted.fieldErrors });
  }
  // 408 and the like: the provider gave up before acting; anything else 4xx is a request problem.
  if (status === 408 || status === 425) return new TransientProviderError(message, details);
  return new InvalidRequestError(message, { ...details, fieldErrors: extracted.fieldErrors });
}

/** A short printable excerpt of an unrecognised error body. */
export function bodyExcerpt(data: unknown): string {
  if (data === undefined || data === null || data === '') return 'empty body';
  const text = typeof data === 'string' ? data : JSON.stringify(data);
  return text.length > 200 ? `${text.slice(0, 200)}...` : text;
}
