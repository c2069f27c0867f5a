/**
 * The one error taxonomy for every provider. Each provider has a single mapper
 * (`providers/<name>/errors.ts`) that turns its responses into one of these classes.
 *
 * Every class sets `name` explicitly: Temporal converts a thrown error into an
 * ApplicationFailure whose `type` is the error's name, and retry policies
 * (`nonRetryableErrorTypes`) and workflows match on that string.
 */
import { FailureType, NON_RETRYABLE_FAILURES } from '../common/failure-types';

export type ProviderName = 'adiq' | 'zspay' | 'activeplatform' | 'zapsign' | 'payment-status';

/** The taxonomy's classes by failure type (their `name`): see common/failure-types.ts. */
export const ProviderErrorType = {
  SoftDecline: FailureType.SoftDecline,
  HardDecline: FailureType.HardDecline,
  InvalidRequest: FailureType.InvalidRequest,
  InvalidState: FailureType.InvalidState,
  ProviderAuth: FailureType.ProviderAuth,
  RateLimited: FailureType.RateLimited,
  Transient: FailureType.Transient,
  UnknownOutcome: FailureType.UnknownOutcome,
} as const;
export type ProviderErrorType = (typeof ProviderErrorType)[keyof typeof ProviderErrorType];

export interface FieldError {
  field: string;
  message: string;
}

export interface ProviderErrorDetails {
  provider: ProviderName;
  statusCode?: number;
  /** The provider's own code (decline code, error tag, category...). */
  code?: string;
  requestId?: string;
  /** The provider's response body, kept for diagnosis (never contains card data: we never send it). */
  raw?: unknown;
}

export abstract class ProviderError extends Error {
  abstract override readonly name: ProviderErrorType;
  readonly provider: ProviderName;
  readonly statusCode?: number;
  readonly code?: string;
  readonly requestId?: string;
  readonly raw?: unknown;

  constructor(message: string, details: ProviderErrorDetails) {
    super(message);
    this.provider = details.provider;
    this.statusCode = details.statusCode;
    this.code = details.code;
    this.requestId = details.requestId;
    this.raw = details.raw;
  }

  get retryable(): boolean {
    return !(NON_RETRYABLE_FAILURES as readonly string[]).includes(this.name);
  }

  /** What crosses into Temporal as the failure's details: small and free of secrets. */
  toDetails(): Record<string, unknown> {
    return { provider: this.provider, statusCode: this.statusCode, code: this.code, requestId: this.requestId };
  }
}

export class SoftDeclineError extends ProviderError {
  override readonly name = ProviderErrorType.SoftDecline;
}

export class HardDeclineError extends ProviderError {
  override readonly name = ProviderErrorType.HardDecline;
}

export class InvalidRequestError extends ProviderError {
  override readonly name = ProviderErrorType.InvalidRequest;
  readonly fieldErrors: FieldError[];
  constructor(message: string, details: ProviderErrorDetails & { fieldErrors?: FieldError[] }) {
    super(message, details);
    this.fieldErrors = details.fieldErrors ?? [];
  }
  override toDetails(): Record<string, unknown> {
    return { ...super.toDetails(), fieldErrors: this.fieldErrors };
  }
}

export class InvalidStateError extends ProviderError {
  override readonly name = ProviderErrorType.InvalidState;
}

export class ProviderAuthError extends ProviderError {
  override readonly name = ProviderErrorType.ProviderAuth;
  /** The configuration setting (environment variable) to fix. */
  readonly setting: string;
  constructor(message: string, details: ProviderErrorDetails & { setting: string }) {
    super(`${message} (check ${details.setting})`, details);
    this.setting = details.setting;
  }
  override toDetails(): Record<string, unknown> {
    return { ...super.toDetails(), setting: this.setting };
  }
}

export class RateLimitedError extends ProviderError {
  override readonly name = ProviderErrorType.RateLimited;
  /** From the provider's Retry-After header, when it sent one. */
  readonly retryAfterMs?: number;
  constructor(message: string, details: ProviderErrorDetails & { retryAfterMs?: number }) {
    super(message, details);
    this.retryAfterMs = details.retryAfterMs;
  }
  override toDetails(): Record<string, unknown> {
    return { ...super.toDetails(), retryAfterMs: this.retryAfterMs };
  }
}

export class TransientProviderError extends ProviderError {
  override readonly name = ProviderErrorType.Transient;
}

export class UnknownOutcomeError extends ProviderError {
  override readonly name = ProviderErrorType.UnknownOutcome;
}

export function isProviderError(error: unknown): error is ProviderError {
  return error instanceof ProviderError;
}
