/** Reading activity failures inside workflow code. */
import { ActivityFailure, ApplicationFailure } from '@temporalio/workflow';
import { FailureType } from '../common/failure-types';

/** The ApplicationFailure behind an activity failure, when the activity failed with one. */
export function applicationCause(error: unknown): ApplicationFailure | undefined {
  if (error instanceof ActivityFailure && error.cause instanceof ApplicationFailure) return error.cause;
  if (error instanceof ApplicationFailure) return error;
  return undefined;
}

/** Fails the workflow (not just the task) when its input is invalid. */
export function invalidInput(message: string): ApplicationFailure {
  return ApplicationFailure.nonRetryable(message, FailureType.ValidationError);
}
