/**
 * Turns a provider error into the ApplicationFailure Temporal records: the type is the taxonomy
 * name, declines and bad requests are non-retryable, and a 429 asks for the provider's delay.
 */
import { ApplicationFailure } from '@temporalio/common';
import { isProviderError, RateLimitedError } from '../providers/errors';

export function toApplicationFailure(error: unknown): unknown {
  if (!isProviderError(error)) return error;
  return ApplicationFailure.create({
    type: error.name,
    message: error.message,
    nonRetryable: !error.retryable,
    details: [error.toDetails()],
    nextRetryDelay: error instanceof RateLimitedError && error.retryAfterMs !== undefined ? error.retryAfterMs : undefined,
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
