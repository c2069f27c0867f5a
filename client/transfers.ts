/** Scheduled transfers (payouts) through the typed client. */
import {
  ScheduleAlreadyRunning,
  ScheduleNotFoundError,
  ScheduleOverlapPolicy,
  WorkflowExecutionAlreadyStartedError,
  WorkflowIdReusePolicy,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
} from '@temporalio/client';
import { TransferEstablishmentId, TransferScheduledAt, TransferStatus } from '../common/search-attributes';
import {
  executionDate,
  executionInstant,
  payoutScheduleId,
  recurringPayoutInputSchema,
  scheduleTransferInputSchema,
  transferStatusSignalSchema,
  transferWorkflowId,
  type ParsedRecurringPayout,
  type RecurringPayoutInput,
  type ParsedTransferInput,
  type TransferStatusUpdate,
  type TransferView,
} from '../common/transfer';
import { z } from 'zod';
import { compareDates, instantAt, isTimeZone, localDateOf } from '../common/billing/calendar';
import { calendarDateSchema } from '../common/subscription/model';
import { businessIdSchema, listLimitSchema, parseInput, ValidationError } from '../common/validation';
import type { TransferState } from '../common/transfer-rules';
import { cancelTransferUpdate, transferQuery, transferStatusSignal } from '../workflows/definitions';
import type { BillingClient } from './index';
import { canonicalJson, differingPaths } from './canonical';
import { ConflictError, NotFoundError, RejectedError } from './errors';
import { currentRuns } from '../common/visibility';

// A Record so that the compiler flags a state added to the model but missing here.
const STATE_SET: Record<TransferState, true> = {
  scheduled: true,
  waiting_for_balance: true,
  executing: true,
  pending: true,
  succeeded: true,
  failed: true,
  canceled: true,
  needs_reconciliation: true,
};
/** Every transfer state, for filters (API query strings, CLI choices). */
export const TRANSFER_STATES = Object.keys(STATE_SET) as [TransferState, ...TransferState[]];

/** The merchant's zone, where "today" and list dates are read (MERCHANT_TIMEZONE). */
const merchantTimeZone = (): string => {
  const zone = process.env.MERCHANT_TIMEZONE;
  return zone && isTimeZone(zone) ? zone : 'America/Sao_Paulo';
};

/** A list bound: an ISO instant with its offset, or a calendar date (its midnight in the merchant's zone). */
const listBound = (field: string) =>
  z.string({ error: `${field} must be an ISO instant or a date as YYYY-MM-DD` }).transform((value, ctx) => {
    if (calendarDateSchema(field).safeParse(value).success)
      return new Date(instantAt(value, 0, 0, merchantTimeZone())).toISOString();
    const instant = z.iso.datetime({ offset: true }).safeParse(value);
    if (instant.success) return new Date(value).toISOString();
    ctx.addIssue({
      code: 'custom',
      message: `${field} must be an ISO instant (2026-12-01T09:00:00-03:00) or a date as YYYY-MM-DD`,
    });
    return z.NEVER;
  });

export const transferListFilterSchema = z.object({
  state: z.enum(TRANSFER_STATES, { error: `state must be one of ${TRANSFER_STATES.join(', ')}` }).optional(),
  establishmentId: businessIdSchema('establishmentId').optional(),
  from: listBound('from').optional(),
  to: listBound('to').optional(),
  limit: listLimitSchema.optional(),
});

export interface TransferListFilter {
  state?: TransferState;
  establishmentId?: string;
  /** Scheduled at or after / before these: ISO instants, or dates (midnight in the merchant's zone). */
  from?: string;
  to?: string;
  /** 1..1000, default 100. */
  limit?: number;
}

/**
 * A transfer request: the transfer's input, where `executeOn` may be left out (or `runNow: true`
 * given) to transfer now. A date before today in the transfer's zone is refused.
 */
export const scheduleTransferRequestSchema = scheduleTransferInputSchema
  .extend({
    executeOn: calendarDateSchema('executeOn').optional(),
    executeAt: z
      .string()
      .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'executeAt must be a local time as HH:MM')
      .optional(),
    runNow: z.literal(true, { error: 'runNow must be true, or left out' }).optional(),
  })
  .superRefine((input, ctx) => {
    if (input.executeOn === undefined && input.executeAt !== undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['executeAt'],
        message: 'executeAt needs executeOn; leave both out to transfer now',
      });
  });
export type ScheduleTransferRequest = z.input<typeof scheduleTransferRequestSchema>;

export interface ScheduledTransfer {
  workflowId: string;
  runId: string;
  executeOn: string;
  /** False when the transfer existed with this same input (a retried request). */
  created: boolean;
}

/** The local date and HH:MM of an instant in a zone. */
function localNow(now: number, timeZone: string): { date: string; time: string } {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(now);
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '00';
  return { date: localDateOf(now, timeZone), time: `${part('hour')}:${part('minute')}` };
}

/**
 * The transfer's input with its date resolved, or a ValidationError when its date and time do not
 * fit what the caller asked for. Without `executeOn`, or with `runNow: true`, it runs now: today
 * at the current local time, unless `runNow` comes with a date (today or earlier: a bank transfer
 * dated on its last business day) and time (not ahead of now) of its own. Otherwise `executeOn`
 * must not be before today, a calendar date in the transfer's zone. `runsNow` says which.
 */
export function resolveTransferRequest(
  input: unknown,
  now = Date.now(),
): { transfer: ParsedTransferInput; runsNow: boolean } {
  const request = parseInput(scheduleTransferRequestSchema, input, 'transfer');
  const { runNow, executeOn, executeAt, ...rest } = request;
  const today = localNow(now, rest.timeZone);
  const refuse = (field: 'executeOn' | 'executeAt', message: string): never => {
    throw new ValidationError([{ field, message }], 'transfer');
  };
  const resolved = (date: string, time: string, runsNow: boolean) => ({
    transfer: parseInput(scheduleTransferInputSchema, { ...rest, executeOn: date, executeAt: time }, 'transfer'),
    runsNow,
  });
  if (executeOn === undefined) return resolved(today.date, today.time, true);
  const order = compareDates(executeOn, today.date);
  if (runNow) {
    if (order > 0)
      refuse(
        'executeOn',
        `executeOn ${executeOn} is after today (${today.date} in ${rest.timeZone}); leave runNow out to schedule it`,
      );
    if (order === 0 && executeAt !== undefined && executeAt > today.time)
      refuse(
        'executeAt',
        `executeAt ${executeAt} is still ahead (now ${today.time} in ${rest.timeZone}); leave runNow out to schedule it`,
      );
    return resolved(executeOn, executeAt ?? (order === 0 ? today.time : '00:00'), true);
  }
  if (order < 0)
    refuse(
      'executeOn',
      `executeOn ${executeOn} is in the past (today is ${today.date} in ${rest.timeZone}); leave executeOn out or send runNow: true to transfer now`,
    );
  return resolved(executeOn, executeAt ?? '09:00', false);
}

export interface TransferListItem {
  transferId: string;
  state?: string;
  scheduledAt?: string;
  establishmentId?: string;
}

export interface PayoutView {
  payoutId: string;
  scheduleId: string;
  paused: boolean;
  note?: string;
  /** ISO instants. */
  nextRuns: string[];
  recentRuns: Array<{ scheduledAt: string; workflowId: string }>;
  input?: ParsedRecurringPayout;
}

export interface PayoutListItem {
  payoutId: string;
  scheduleId: string;
  paused: boolean;
  nextRun?: string;
  summary?: string;
}

const quote = (value: string) => `'${value.replace(/'/g, "\\'")}'`;

export class TransfersApi {
  constructor(private readonly billing: BillingClient) {}

  /**
   * Schedules a transfer, or runs it now when `executeOn` is left out (or `runNow: true`); a date
   * before today in its zone is refused, naming `executeOn`. Idempotent by transfer id: the same
   * input again answers the existing transfer (`created: false`; a request to run now matches
   * whatever date it ran on), a different one is a ConflictError naming what differs.
   */
  async schedule(input: ScheduleTransferRequest): Promise<ScheduledTransfer> {
    let resolved: { transfer: ParsedTransferInput; runsNow: boolean };
    try {
      resolved = resolveTransferRequest(input);
    } catch (error) {
      // A retried request whose date has passed since: the transfer it created answers it.
      const transferId = (input as { transferId?: unknown } | undefined)?.transferId;
      if (
        error instanceof ValidationError &&
        typeof transferId === 'string' &&
        error.issues.every((i) => i.field === 'executeOn')
      ) {
        const request = parseInput(scheduleTransferInputSchema, input, 'transfer');
        const existing = await this.existing(transferWorkflowId(transferId), request, false).catch(() => undefined);
        if (existing) return existing;
      }
      throw error;
    }
    const parsed = resolved.transfer;
    const workflowId = transferWorkflowId(parsed.transferId);
    const executeOn = executionDate(parsed);
    try {
      const handle = await this.billing.temporal.workflow.start('transferWorkflow', {
        workflowId,
        taskQueue: this.billing.taskQueue,
        args: [parsed],
        workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
        typedSearchAttributes: [
          { key: TransferStatus, value: 'scheduled' },
          { key: TransferScheduledAt, value: new Date(executionInstant(parsed)) },
          {
            key: TransferEstablishmentId,
            value:
              parsed.destination.type === 'digital_account'
                ? parsed.destination.establishmentId
                : parsed.sourceEstablishmentId,
          },
        ],
      });
      return { workflowId, runId: handle.firstExecutionRunId, executeOn, created: true };
    } catch (error) {
      if (error instanceof WorkflowExecutionAlreadyStartedError) {
        const existing = await this.existing(workflowId, parsed, resolved.runsNow);
        if (existing) return existing;
      }
      throw error;
    }
  }

  /** The transfer the id names when its input is this one; a ConflictError when it differs. */
  private async existing(
    workflowId: string,
    parsed: ParsedTransferInput,
    runsNow: boolean,
  ): Promise<ScheduledTransfer | undefined> {
    const stored = await this.billing.firstRunInput(workflowId);
    if (!stored) return undefined;
    const previous = scheduleTransferInputSchema.safeParse(stored[0]);
    // A request to run now was resolved to the moment it was sent: its date and time are not its input.
    const comparable = (input: ParsedTransferInput) =>
      runsNow ? { ...input, executeOn: undefined, executeAt: undefined } : input;
    if (previous.success && canonicalJson(comparable(previous.data)) === canonicalJson(comparable(parsed))) {
      const description = await this.billing.describe(workflowId);
      return {
        workflowId,
        runId: description?.runId ?? '',
        executeOn: executionDate(previous.data),
        created: false,
      };
    }
    const fields = previous.success ? differingPaths(comparable(previous.data), comparable(parsed)) : [];
    throw new ConflictError(
      `Transfer ${parsed.transferId} already exists with a different input` +
        (fields.length > 0 ? ` (${fields.join(', ')} differ)` : '') +
        '; send the same input to get it, or choose another transferId',
    );
  }

  async get(transferId: string): Promise<TransferView> {
    parseInput(businessIdSchema('transferId'), transferId, 'transfer id');
    try {
      return await this.billing.temporal.workflow.getHandle(transferWorkflowId(transferId)).query(transferQuery);
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) throw new NotFoundError(`No transfer ${transferId}`);
      throw error;
    }
  }

  async cancel(transferId: string, reason?: string): Promise<TransferView> {
    parseInput(businessIdSchema('transferId'), transferId, 'transfer id');
    parseInput(z.string().max(500, 'reason must be at most 500 characters').optional(), reason, 'reason');
    try {
      return await this.billing.temporal.workflow
        .getHandle(transferWorkflowId(transferId))
        .executeUpdate(cancelTransferUpdate, { args: [{ reason }] });
    } catch (error) {
      if (error instanceof WorkflowUpdateFailedError) throw new RejectedError(error.cause?.message ?? error.message);
      if (error instanceof WorkflowNotFoundError) {
        const ended = await this.billing.describe(transferWorkflowId(transferId));
        if (ended) throw new RejectedError(`Transfer ${transferId} has ended`);
        throw new NotFoundError(`No transfer ${transferId}`);
      }
      throw error;
    }
  }

  /**
   * A recurring payout as a Temporal Schedule (visible in `temporal schedule list` and the Web UI):
   * every week on `weekday` at `at`, settle the available balance less `keepCents`.
   */
  async schedulePayout(input: RecurringPayoutInput): Promise<{ scheduleId: string; created: boolean }> {
    const parsed = parseInput(recurringPayoutInputSchema, input, 'payout');
    const { hour, minute } = { hour: Number(parsed.at.slice(0, 2)), minute: Number(parsed.at.slice(3, 5)) };
    const scheduleId = payoutScheduleId(parsed.payoutId);
    try {
      await this.billing.temporal.schedule.create({
        scheduleId,
        spec: {
          calendars: [{ dayOfWeek: parsed.weekday, hour, minute, comment: `weekly payout ${parsed.payoutId}` }],
          timezone: parsed.timeZone,
        },
        action: {
          type: 'startWorkflow',
          workflowType: 'settleBalanceWorkflow',
          taskQueue: this.billing.taskQueue,
          args: [parsed],
        },
        policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 day' },
        memo: {
          summary: `Every ${parsed.weekday.toLowerCase()} at ${parsed.at}: settle ${parsed.sourceEstablishmentId}'s balance`,
        },
      });
    } catch (error) {
      if (!(error instanceof ScheduleAlreadyRunning)) throw error;
      // Idempotent by payout id: the same input again answers the existing schedule.
      const description = await this.billing.temporal.schedule.getHandle(scheduleId).describe();
      const action = description.action as { args?: unknown[] };
      const previous = recurringPayoutInputSchema.safeParse(action.args?.[0]);
      if (previous.success && canonicalJson(previous.data) === canonicalJson(parsed))
        return { scheduleId, created: false };
      const fields = previous.success ? differingPaths(previous.data, parsed) : [];
      throw new ConflictError(
        `Payout ${parsed.payoutId} already exists with a different input` +
          (fields.length > 0 ? ` (${fields.join(', ')} differ)` : '') +
          '; send the same input to get it, or choose another payoutId',
      );
    }
    return { scheduleId, created: true };
  }

  /** A recurring payout's schedule: its input, next runs and whether it is paused. */
  async getPayout(payoutId: string): Promise<PayoutView> {
    const parsedId = parseInput(businessIdSchema('payoutId'), payoutId, 'payout id');
    try {
      const description = await this.billing.temporal.schedule.getHandle(payoutScheduleId(parsedId)).describe();
      const action = description.action as { args?: unknown[] };
      return {
        payoutId: parsedId,
        scheduleId: description.scheduleId,
        paused: description.state.paused,
        note: description.state.note,
        nextRuns: description.info.nextActionTimes.map((at) => at.toISOString()),
        recentRuns: description.info.recentActions.map((run) => ({
          scheduledAt: run.scheduledAt.toISOString(),
          workflowId: run.action.workflow.workflowId,
        })),
        input: action.args?.[0] as ParsedRecurringPayout | undefined,
      };
    } catch (error) {
      if (error instanceof ScheduleNotFoundError) throw new NotFoundError(`No payout ${parsedId}`);
      throw error;
    }
  }

  /** Recurring payouts (their Schedules), at most `limit`. */
  async listPayouts(limit = 100): Promise<PayoutListItem[]> {
    parseInput(
      z.number().int().min(1, 'limit must be between 1 and 1000').max(1000, 'limit must be between 1 and 1000'),
      limit,
      'limit',
    );
    const items: PayoutListItem[] = [];
    for await (const schedule of this.billing.temporal.schedule.list()) {
      if (!schedule.scheduleId.startsWith('payout-')) continue;
      items.push({
        payoutId: schedule.scheduleId.replace(/^payout-/, ''),
        scheduleId: schedule.scheduleId,
        paused: schedule.state.paused,
        nextRun: schedule.info.nextActionTimes[0]?.toISOString(),
        summary: schedule.memo?.summary as string | undefined,
      });
      if (items.length >= limit) break;
    }
    return items;
  }

  /** Deletes a recurring payout's Schedule: no further payouts (one running finishes). */
  async cancelPayout(payoutId: string): Promise<void> {
    const parsedId = parseInput(businessIdSchema('payoutId'), payoutId, 'payout id');
    try {
      await this.billing.temporal.schedule.getHandle(payoutScheduleId(parsedId)).delete();
    } catch (error) {
      if (error instanceof ScheduleNotFoundError) throw new NotFoundError(`No payout ${parsedId}`);
      throw error;
    }
  }

  /** Runs a payout now, outside its weekly time. */
  async triggerPayout(payoutId: string): Promise<void> {
    const parsedId = parseInput(businessIdSchema('payoutId'), payoutId, 'payout id');
    try {
      await this.billing.temporal.schedule.getHandle(payoutScheduleId(parsedId)).trigger();
    } catch (error) {
      if (error instanceof ScheduleNotFoundError) throw new NotFoundError(`No payout ${parsedId}`);
      throw error;
    }
  }

  /**
   * A provider status for a transfer (webhook ingress). The workflow ignores repeats, and ignores
   * (and counts in its view) an update that contradicts the transfer it sent: another Zspay
   * transfer id, or a given amount, source or destination that is not the one sent.
   */
  async statusUpdate(transferId: string, update: TransferStatusUpdate): Promise<void> {
    const parsed = parseInput(transferStatusSignalSchema, update, 'transfer status');
    try {
      await this.billing.temporal.workflow
        .getHandle(transferWorkflowId(transferId))
        .signal(transferStatusSignal, parsed);
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) throw new NotFoundError(`No running transfer ${transferId}`);
      throw error;
    }
  }

  /** Transfers by state, establishment and scheduled time (visibility; not on the time-skipping server). */
  async list(input: TransferListFilter = {}): Promise<TransferListItem[]> {
    const filter = parseInput(transferListFilterSchema, input, 'transfer filter');
    const clauses = [`WorkflowType = 'transferWorkflow'`];
    if (filter.state) clauses.push(`${TransferStatus.name} = ${quote(filter.state)}`);
    if (filter.establishmentId) clauses.push(`${TransferEstablishmentId.name} = ${quote(filter.establishmentId)}`);
    if (filter.from) clauses.push(`${TransferScheduledAt.name} >= ${quote(filter.from)}`);
    if (filter.to) clauses.push(`${TransferScheduledAt.name} < ${quote(filter.to)}`);
    const items: TransferListItem[] = [];
    for await (const wf of currentRuns(this.billing.temporal, clauses.join(' AND '))) {
      items.push({
        transferId: wf.workflowId.replace(/^transfer-/, ''),
        state: wf.typedSearchAttributes.get(TransferStatus),
        scheduledAt: wf.typedSearchAttributes.get(TransferScheduledAt)?.toISOString(),
        establishmentId: wf.typedSearchAttributes.get(TransferEstablishmentId),
      });
      if (items.length >= (filter.limit ?? 100)) break;
    }
    return items;
  }
}
