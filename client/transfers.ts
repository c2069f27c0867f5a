/** Scheduled transfers (payouts) through the typed client. */
import {
  ScheduleAlreadyRunning,
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
  type RecurringPayoutInput,
  type ScheduleTransferInput,
  type TransferStatusUpdate,
  type TransferView,
} from '../common/transfer';
import { parseInput } from '../common/validation';
import { cancelTransferUpdate, transferQuery, transferStatusSignal } from '../workflows/definitions';
import type { BillingClient } from './index';
import { ConflictError, NotFoundError, RejectedError } from './errors';
import { currentRuns } from '../common/visibility';

export interface TransferListFilter {
  state?: string;
  establishmentId?: string;
  /** Scheduled at or after / before these instants (ISO). */
  from?: string;
  to?: string;
  limit?: number;
}

const quote = (value: string) => `'${value.replace(/'/g, "\\'")}'`;

export class TransfersApi {
  constructor(private readonly billing: BillingClient) {}

  async schedule(input: ScheduleTransferInput): Promise<{ workflowId: string; runId: string; executeOn: string }> {
    const parsed = parseInput(scheduleTransferInputSchema, input, 'transfer');
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
      return { workflowId, runId: handle.firstExecutionRunId, executeOn };
    } catch (error) {
      if (error instanceof WorkflowExecutionAlreadyStartedError)
        throw new ConflictError(`Transfer ${parsed.transferId} already exists`);
      throw error;
    }
  }

  async get(transferId: string): Promise<TransferView> {
    try {
      return await this.billing.temporal.workflow.getHandle(transferWorkflowId(transferId)).query(transferQuery);
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) throw new NotFoundError(`No transfer ${transferId}`);
      throw error;
    }
  }

  async cancel(transferId: string, reason?: string): Promise<TransferView> {
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
  async schedulePayout(input: RecurringPayoutInput): Promise<{ scheduleId: string }> {
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
      if (error instanceof ScheduleAlreadyRunning) throw new ConflictError(`Payout ${parsed.payoutId} already exists`);
      throw error;
    }
    return { scheduleId };
  }

  /** Runs a payout now, outside its weekly time. */
  triggerPayout(payoutId: string): Promise<void> {
    return this.billing.temporal.schedule.getHandle(payoutScheduleId(payoutId)).trigger();
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
  async list(
    filter: TransferListFilter = {},
  ): Promise<Array<{ transferId: string; state?: string; scheduledAt?: string; establishmentId?: string }>> {
    const clauses = [`WorkflowType = 'transferWorkflow'`];
    if (filter.state) clauses.push(`${TransferStatus.name} = ${quote(filter.state)}`);
    if (filter.establishmentId) clauses.push(`${TransferEstablishmentId.name} = ${quote(filter.establishmentId)}`);
    if (filter.from) clauses.push(`${TransferScheduledAt.name} >= ${quote(filter.from)}`);
    if (filter.to) clauses.push(`${TransferScheduledAt.name} < ${quote(filter.to)}`);
    const items = [];
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
