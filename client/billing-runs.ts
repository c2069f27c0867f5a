/**
 * Billing runs on a Temporal Schedule: created idempotently at start-up (daily at 06:00
 * America/Sao_Paulo by default), visible in `temporal schedule list` and the Web UI, pausable,
 * and catching up once after downtime (overlapping runs are skipped, a missed run within the
 * catch-up window still runs).
 */
import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type ScheduleDescription } from '@temporalio/client';
import {
  BILLING_RUN_SCHEDULE_ID,
  type BillingRunInput,
  type BillingRunProgress,
  type BillingRunSummary,
} from '../common/billing-run';
import { billingRunProgressQuery } from '../workflows/definitions';
import type { BillingClient } from './index';
import { ValidationError } from './errors';

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

  describe(): Promise<ScheduleDescription> {
    return this.handle.describe();
  }

  /** Starts a run now (outside the daily time); returns its workflow id. */
  async trigger(): Promise<string> {
    const before = new Set((await this.describe()).info.recentActions.map((a) => a.action.workflow.workflowId));
    await this.handle.trigger(ScheduleOverlapPolicy.ALLOW_ALL);
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
    return this.handle.pause(note);
  }

  unpause(note = 'resumed by an operator'): Promise<void> {
    return this.handle.unpause(note);
  }

  progress(workflowId: string): Promise<BillingRunProgress> {
    return this.billing.temporal.workflow.getHandle(workflowId).query(billingRunProgressQuery);
  }

  result(workflowId: string): Promise<BillingRunSummary> {
    return this.billing.temporal.workflow.getHandle(workflowId).result();
  }
}
