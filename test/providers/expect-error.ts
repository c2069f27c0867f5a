/** Test helpers shared by the provider tests (not a test file). */
import type { Info } from '@temporalio/activity';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import type { ProviderError } from '../../providers/errors';

/** Awaits a rejection and checks its class; returns the error for further assertions. */
export async function expectProviderError<T extends ProviderError>(
  promise: Promise<unknown>,
  errorClass: abstract new (...args: never[]) => T,
): Promise<T> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(errorClass);
  return error as T;
}

/** Awaits a rejection of any kind (e.g. an ApplicationFailure from an activity). */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: unknown) => e,
  );
}

/** Calls a sandbox control route. */
export async function control<T = unknown>(
  baseUrl: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: T }> {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
}

/** A MockActivityEnvironment that does not print the (expected) failures of the tests. */
export function quietActivityEnvironment(info: Partial<Info> = {}): MockActivityEnvironment {
  return new MockActivityEnvironment(info, { logger: new DefaultLogger('ERROR') });
}

/** A RateLimited failure waits the provider's Retry-After, plus at most half again of jitter. */
export function expectProviderDelay(failure: unknown, retryAfterMs: number): void {
  const delay = (failure as { nextRetryDelay?: unknown }).nextRetryDelay;
  expect(typeof delay).toBe('number');
  expect(delay).toBeGreaterThanOrEqual(retryAfterMs);
  expect(delay).toBeLessThanOrEqual(retryAfterMs * 1.5);
}
