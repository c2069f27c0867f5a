/**
 * Billing runs on a Temporal Schedule: created idempotently at start-up (daily at 06:00
 * America/Sao_Paulo by default), visible in `temporal schedule list` and the Web UI, pausable,
 * and catching up once after downtime (overlapping runs are skipped, a missed run within the
 * catch-up window still runs).
 */
import {
  ScheduleAlreadyRunning,
  ScheduleNotFoundError,
  ScheduleOverlapPolicy,
  WorkflowFailedError,
  WorkflowNotFoundError,
  type ScheduleDescription,
  type WorkflowExecutionDescription,
  type WorkflowExecutionStatusName,
} from '@temporalio/client';
import {
  BILLING_RUN_SCHEDULE_ID,
  type BillingRunInput,
  type BillingRunProgress,
  type BillingRunStatus,
  type BillingRunSummary,
  type BillingRunView,
} from '../common/billing-run';
import { billingRunProgressQuery } from '../workflows/definitions';
import type { BillingClient } from './index';
import { NotFoundError, ValidationError } from './errors';

/** How long a closed run's progress query may wait for a worker to replay it. */
const CLOSED_RUN_QUERY_MS = 10_000;

/** The execution's status as the engine names it (Temporal's RUNNING and anything not closed: `running`). */
export function billingRunStatus(status: WorkflowExecutionStatusName): BillingRunStatus {
  switch (status) {
    case 'COMPLETED':
      return 'completed';
    case 'FAILED':
      return 'failed';
    case 'TERMINATED':
      return 'terminated';
    case 'CANCELLED':
      return 'canceled';
    case 'TIMED_OUT':
      return 'timed_out';
    // A billing run never continues as new; the rest are still running (or paused) as far as a caller goes.
    default:
      return 'running';
  }
}

/** The innermost message of a failure chain: the activity's or the operator's reason. */
function failureReason(error: unknown): string {
  const messages: string[] = [];
  for (let current: unknown = error; current instanceof Error; current = current.cause) messages.push(current.message);
  return (
    messages.filter((m) => m && !/^Workflow execution (failed|terminated|cancelled|timed out)$/i.test(m)).join(': ') ||
    String(error)
  );
}

export interface BillingRunScheduleOptions {
  /** Local time, HH:MM (default 06:00). */
  at?: string;
  timeZone?: string;
  input?: BillingRunInput;
}

function parseTime(at: string): { hour: number; minute: number } {
  const match = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(at);
  if (!match) throw new ValidationError([{ field: 'at', message: 'at must be a local time as HH:MM' }]);
  return { hour: Number(match[1]), minute: Number(match[2]) };
}

export class BillingRunsApi {
  constructor(private readonly billing: BillingClient) {}

  private get handle() {
    return this.billing.temporal.schedule.getHandle(BILLING_RUN_SCHEDULE_ID);
  }

  /** Creates the schedule, or brings an existing one's time and zone up to date. Safe to call at every start. */
  async ensureSchedule(options: BillingRunScheduleOptions = {}): Promise<'created' | 'updated'> {
    const { hour, minute } = parseTime(options.at ?? '06:00');
    const timeZone = options.timeZone ?? 'America/Sao_Paulo';
    const spec = { calendars: [{ hour, minute, comment: 'daily billing run' }], timezone: timeZone };
    const action = {
      type: 'startWorkflow' as const,
      workflowType: 'billingRunWorkflow',
      taskQueue: this.billing.taskQueue,
      args: [options.input ?? {}],
    };
    try {
      await this.billing.temporal.schedule.create({
        scheduleId: BILLING_RUN_SCHEDULE_ID,
        spec,
        action,
        policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 day', pauseOnFailure: false },
        memo: { summary: `Daily billing run at ${options.at ?? '06:00'} ${timeZone}` },
      });
      return 'created';
    } catch (error) {
      if (!(error instanceof ScheduleAlreadyRunning)) throw error;
      await this.handle.update((previous) => ({ ...previous, spec, action: { ...previous.action, ...action } }));
      return 'updated';
    }
  }

  /** The schedule; NotFoundError when it was never created (e.g. BILLING_RUN_SCHEDULE=off). */
  describe(): Promise<ScheduleDescription> {
    return this.onSchedule(() => this.handle.describe());
  }

  private async onSchedule<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      if (error instanceof ScheduleNotFoundError)
        throw new NotFoundError(`No billing-run schedule ${BILLING_RUN_SCHEDULE_ID}: it is created at start-up`);
      throw error;
    }
  }

  /** Starts a run now (outside the daily time); returns its workflow id. */
  async trigger(): Promise<string> {
    const before = new Set((await this.describe()).info.recentActions.map((a) => a.action.workflow.workflowId));
    await this.onSchedule(() => this.handle.trigger(ScheduleOverlapPolicy.ALLOW_ALL));
    for (let i = 0; i < 100; i += 1) {
      const description = await this.describe();
      const started = [...description.info.runningActions, ...description.info.recentActions.map((a) => a.action)].find(
        (a) => !before.has(a.workflow.workflowId),
      );
      if (started) return started.workflow.workflowId;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error('The billing run was triggered but did not appear on the schedule');
  }

  pause(note = 'paused by an operator'): Promise<void> {
    return this.onSchedule(() => this.handle.pause(note));
  }

  unpause(note = 'resumed by an operator'): Promise<void> {
    return this.onSchedule(() => this.handle.unpause(note));
  }

  /** The run's execution, or NotFoundError when no billing run has this id. */
  private async execution(workflowId: string): Promise<WorkflowExecutionDescription> {
    let description: WorkflowExecutionDescription;
    try {
      description = await this.billing.temporal.workflow.getHandle(workflowId).describe();
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) throw new NotFoundError(`No billing run ${workflowId}`);
      throw error;
    }
    if (description.type !== 'billingRunWorkflow') throw new NotFoundError(`No billing run ${workflowId}`);
    return description;
  }

  /**
   * A run's progress, with the status of its workflow execution: a run that failed, was terminated,
   * canceled or timed out says so, whatever phase its progress last reached.
   */
  async progress(workflowId: string): Promise<BillingRunProgress & { status: BillingRunStatus }> {
    const description = await this.execution(workflowId);
    const status = billingRunStatus(description.status.name);
    if (status === 'running')
      return {
        ...(await this.billing.temporal.workflow
          .getHandle(workflowId, description.runId)
          .query(billingRunProgressQuery)),
        status,
      };
    const progress = await this.queryProgress(workflowId, description.runId, status);
    if (!progress)
      throw new NotFoundError(`Billing run ${workflowId} is ${status} and its progress is no longer available`);
    return { ...progress, status };
  }

  /** Everything about one run: status, progress, the summary once completed, the reason it ended otherwise. */
  async get(workflowId: string): Promise<BillingRunView> {
    const description = await this.execution(workflowId);
    const status = billingRunStatus(description.status.name);
    const handle = this.billing.temporal.workflow.getHandle(workflowId, description.runId);
    const view: BillingRunView = {
      workflowId,
      runId: description.runId,
      status,
      startedAt: description.startTime.toISOString(),
      ...(description.closeTime ? { closedAt: description.closeTime.toISOString() } : {}),
    };
    const progress = await this.queryProgress(workflowId, description.runId, status);
    if (progress) view.progress = progress;
    if (status === 'completed') view.summary = (await handle.result()) as BillingRunSummary;
    else if (status !== 'running') {
      try {
        await handle.result();
      } catch (error) {
        view.failure = failureReason(error instanceof WorkflowFailedError ? (error.cause ?? error) : error);
      }
    }
    return view;
  }

  /**
   * The progress query, best effort: undefined when unanswered (a run before its first workflow
   * task; a closed run no worker replays in time, or no longer retained).
   */
  private async queryProgress(
    workflowId: string,
    runId: string,
    status: BillingRunStatus,
  ): Promise<BillingRunProgress | undefined> {
    const handle = this.billing.temporal.workflow.getHandle(workflowId, runId);
    try {
      if (status === 'running') return await handle.query(billingRunProgressQuery);
      // A closed run's query is answered by a worker replaying it: not worth waiting on for long.
      return await this.billing.temporal.connection.withDeadline(Date.now() + CLOSED_RUN_QUERY_MS, () =>
        handle.query(billingRunProgressQuery),
      );
    } catch {
      return undefined;
    }
  }

  result(workflowId: string): Promise<BillingRunSummary> {
    return this.billing.temporal.workflow.getHandle(workflowId).result();
  }
}
