/**
 * Refunds and money already paid out: which transfers (one-off or a recurring payout's) may have
 * carried a refunded payment's money out of the establishment's Zspay balance. Zspay links no
 * transfer to the sales it carried, and a payout settles a whole balance, so the engine names the
 * transfers sent since the payment was made (executing, pending, succeeded or awaiting
 * reconciliation); the merchant's `payment.refunded` notification lists them (README, "Refunds").
 */
import type { Client } from '@temporalio/client';
import { TransferScheduledAt, TransferStatus } from '../../common/search-attributes';
import { currentRuns } from '../../common/visibility';

/** Transfer states in which money may have left the balance. */
const MONEY_MOVED = ['executing', 'pending', 'succeeded', 'needs_reconciliation'];
/** At most this many transfers are named (the newest first is not promised: visibility's order). */
export const TRANSFERS_NAMED = 20;

export interface TransferSincePayment {
  transferId: string;
  state: string;
  scheduledAt?: string;
}

export function createTransfersSincePaymentActivities({ temporal }: { temporal: Client }) {
  return {
    /** Transfers whose money may have left the balance since `since` (an ISO instant): a visibility read. */
    async transfersSincePayment(input: { since: string }): Promise<TransferSincePayment[]> {
      const paidAt = Date.parse(input.since);
      if (Number.isNaN(paidAt)) return [];
      // Transfers are scheduled to the minute (executeAt HH:MM; "now" is the current minute): one
      // run in the payment's own minute may have been sent after it, so that minute counts.
      const since = new Date(paidAt - (paidAt % 60_000));
      const states = MONEY_MOVED.map((s) => `'${s}'`).join(', ');
      const query = `WorkflowType = 'transferWorkflow' AND ${TransferStatus.name} IN (${states}) AND ${TransferScheduledAt.name} >= '${since.toISOString()}'`;
      const found: TransferSincePayment[] = [];
      for await (const workflow of currentRuns(temporal, query)) {
        found.push({
          transferId: workflow.workflowId.replace(/^transfer-/, ''),
          state: workflow.typedSearchAttributes.get(TransferStatus) ?? 'unknown',
          scheduledAt: workflow.typedSearchAttributes.get(TransferScheduledAt)?.toISOString(),
        });
        if (found.length >= TRANSFERS_NAMED) break;
      }
      return found;
    },
  };
}
