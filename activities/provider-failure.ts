/**
 * Turns a provider error into the ApplicationFailure Temporal records: the type is the taxonomy
 * name, declines and bad requests are non-retryable, and a 429 asks for the provider's delay.
 */
import { ApplicationFailure } from '@temporalio/common';
import { isProviderError, RateLimitedError } from '../providers/errors';

/**
 * The provider's Retry-After plus up to half again: callers refused together must not all come back
 * in the same instant and be refused together again (seen in the billing-day burst benchmark).
 */
export function retryAfterWithJitter(retryAfterMs: number, random: () => number = Math.random): number {
  return Math.round(retryAfterMs * (1 + random() / 2));
}

export function toApplicationFailure(error: unknown): unknown {
  if (!isProviderError(error)) return error;
  return ApplicationFailure.create({
    type: error.name,
    message: error.message,
    nonRetryable: !error.retryable,
    details: [error.toDetails()],
    nextRetryDelay:
      error instanceof RateLimitedError && error.retryAfterMs !== undefined
        ? retryAfterWithJitter(error.retryAfterMs)
        : undefined,
    cause: error,
  });
}

/** Runs an activity body, converting provider errors on the way out. */
export async function withProviderFailures<T>(body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (error) {
    throw toApplicationFailure(error);
  }
}
