/**
 * What an activity attempt can know about the attempt before it, for writes that cannot be looked
 * up afterwards (a Zspay immediate transfer). The rule: a retried attempt assumes the previous one
 * may have done its work, unless there is proof it did nothing. Proof is one of:
 *
 * - the note the previous attempt left (heartbeat details) right before it failed, saying the
 *   provider refused the request before acting on it (HTTP 429, connection refused);
 * - Temporal's own record of the previous attempt's failure (the pending activity's `lastFailure`,
 *   read with DescribeWorkflowExecution through the worker's client), of the type such an attempt
 *   fails with.
 *
 * Both are written only by an attempt that was itself cleared to send, so "the previous attempt did
 * nothing" means "no earlier attempt did anything". A timeout, a lost heartbeat, a worker killed
 * mid-call, or an unreadable record: no proof.
 */
import { Context, type Info } from '@temporalio/activity';
import { RateLimitedError, TransientProviderError } from '../../providers/errors';
import { FailureType } from '../../common/failure-types';

/**
 * The failure type of an attempt the provider refused before doing anything: retryable, and the
 * next attempt may send again. Its cause keeps the taxonomy's error (RateLimited, Transient).
 */
export const NOT_SENT_FAILURE = FailureType.NotSent;

/** Transport errors raised before a request left the machine (see providers/http.ts). */
const NEVER_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ERR_INVALID_URL']);

/** True when the provider provably did nothing with the request: it answered 429, or it was never sent. */
export function refusedBeforeActing(error: unknown): boolean {
  if (error instanceof RateLimitedError) return true;
  return (
    error instanceof TransientProviderError &&
    error.statusCode === undefined &&
    error.code !== undefined &&
    NEVER_SENT_CODES.has(error.code)
  );
}

/** What a refused attempt leaves for the next one (heartbeat details). */
export interface NotSentNote {
  reference: string;
  notSentAtAttempt: number;
}

export function notSentNote(reference: string, attempt: number): NotSentNote {
  return { reference, notSentAtAttempt: attempt };
}

/** Temporal's record of the attempt before this one: its failure's type and message. */
export interface RecordedFailure {
  type: string;
  message: string;
}

/** Reads Temporal's record of the previous attempt's failure; undefined when there is none or it cannot be read. */
export type PreviousFailureReader = (info: Info) => Promise<RecordedFailure | undefined>;

/**
 * The pending activity's `lastFailure` from DescribeWorkflowExecution, through the worker's client.
 * Only when the server's current attempt is this one (a zombie attempt reads nothing).
 */
export const readPreviousFailureFromTemporal: PreviousFailureReader = async (info) => {
  if (!info.workflowExecution) return undefined;
  try {
    const { client } = Context.current();
    const described = await client.workflowService.describeWorkflowExecution({
      namespace: info.namespace,
      execution: info.workflowExecution,
    });
    const pending = described.pendingActivities?.find((activity) => activity.activityId === info.activityId);
    if (!pending || pending.attempt !== info.attempt || !pending.lastFailure) return undefined;
    const failure = pending.lastFailure;
    const type =
      failure.applicationFailureInfo?.type ??
      (failure.timeoutFailureInfo ? 'Timeout' : failure.canceledFailureInfo ? 'Canceled' : 'Failure');
    return { type, message: failure.message ?? '' };
  } catch {
    // No client (a mock environment) or the server did not answer: no proof either way.
    return undefined;
  }
};

export interface PreviousAttempt {
  /** The previous attempt provably did nothing (and so did every one before it). */
  sentNothing: boolean;
  /** What is known of it, for messages. */
  evidence: string;
}

/** Judges the attempt before this one (call only when attempt > 1). */
export async function previousAttempt(
  reference: string,
  info: Info,
  readPreviousFailure: PreviousFailureReader,
): Promise<PreviousAttempt> {
  const note = info.heartbeatDetails as Partial<NotSentNote> | undefined;
  if (note?.reference === reference && note.notSentAtAttempt === info.attempt - 1) {
    return {
      sentNothing: true,
      evidence: `attempt ${info.attempt - 1} noted that the provider refused it before acting`,
    };
  }
  const recorded = await readPreviousFailure(info);
  if (recorded?.type === NOT_SENT_FAILURE)
    return { sentNothing: true, evidence: `attempt ${info.attempt - 1} failed with ${recorded.message}` };
  return {
    sentNothing: false,
    evidence: recorded
      ? `attempt ${info.attempt - 1} ended with ${recorded.type}: ${recorded.message}`
      : `attempt ${info.attempt - 1} left no proof that nothing was sent`,
  };
}
