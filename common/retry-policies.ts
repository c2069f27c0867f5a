/**
 * Named retry policies for provider activities. Technical failures (5xx, timeouts, 429, unknown
 * outcomes) back off fast here; declines are never retried by Temporal: they go to the dunning
 * schedule, which is a durable timer in the workflow.
 */
import type { RetryPolicy } from '@temporalio/common';
import { NON_RETRYABLE_FAILURES } from './failure-types';

const nonRetryableErrorTypes = [...NON_RETRYABLE_FAILURES];

/** Money-moving calls: patient, since the next attempt first asks the provider what happened. */
export const providerWriteRetry: RetryPolicy = {
  initialInterval: '2s',
  backoffCoefficient: 2,
  maximumInterval: '5m',
  nonRetryableErrorTypes,
};

/** Reads and notifications: same classes, same patience. */
export const providerReadRetry: RetryPolicy = {
  initialInterval: '1s',
  backoffCoefficient: 2,
  maximumInterval: '2m',
  nonRetryableErrorTypes,
};
