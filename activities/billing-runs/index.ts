/**
 * Billing-run activities: read the engine's state from Temporal visibility (search attributes are
 * the index) and the provider's from Zspay, so a run can repair what a lost webhook left behind.
 */
import type { Client } from '@temporalio/client';
import {
  BillingAmountCents,
  BillingPendingSaleIds,
  BillingStatus,
  TransferStatus,
} from '../../common/search-attributes';
import { addTallies, EMPTY_TALLY, type BillingTally, type SubscriptionToReconcile } from '../../common/billing-run';
import { invoicesQuery } from '../../workflows/subscription-definitions';
import type { ZspayClient } from '../../providers/zspay/client';
import { orderSettlement } from '../../providers/zspay/status';
import { withProviderFailures } from '../provider-failure';
import { currentRuns } from '../../common/visibility';
import { subscriptionIdOf } from '../../common/subscription/input';

export interface BillingRunDeps {
  temporal: Client;
  zspay: Pick<ZspayClient, 'getSale'>;
}

export function createBillingRunActivities({ temporal, zspay }: BillingRunDeps) {
  return {
    /** Running subscriptions that wait for a boleto payment. */
    async listSubscriptionsAwaitingPayment(): Promise<SubscriptionToReconcile[]> {
      const found: SubscriptionToReconcile[] = [];
      const query = `WorkflowType = 'subscriptionWorkflow' AND ExecutionStatus = 'Running'`;
      for await (const workflow of currentRuns(temporal, query)) {
        const pendingSaleIds = workflow.typedSearchAttributes.get(BillingPendingSaleIds) ?? [];
        if (pendingSaleIds.length > 0)
          found.push({ subscriptionId: subscriptionIdOf(workflow.workflowId), pendingSaleIds });
      }
      return found;
    },

    /** Which of these sales Zspay reports as paid. */
    paidSales: (input: { saleIds: string[] }): Promise<string[]> =>
      withProviderFailures(async () => {
        const paid: string[] = [];
        for (const saleId of input.saleIds) {
          const sale = await zspay.getSale(saleId);
          if (orderSettlement(sale.status) === 'succeeded') paid.push(saleId);
        }
        return paid;
      }),

    /** Every running subscription (both kinds). */
    async listRunningSubscriptions(): Promise<string[]> {
      const ids: string[] = [];
      const query = `WorkflowType IN ('subscriptionWorkflow', 'adiqSubscriptionWorkflow') AND ExecutionStatus = 'Running'`;
      for await (const workflow of currentRuns(temporal, query)) ids.push(subscriptionIdOf(workflow.workflowId));
      return ids;
    },

    /** What these subscriptions' invoices record in the window (a query per subscription). */
    async tallySubscriptions(input: { subscriptionIds: string[]; from: string; to: string }): Promise<BillingTally> {
      let tally = EMPTY_TALLY;
      const from = Date.parse(input.from);
      const to = Date.parse(input.to);
      for (const subscriptionId of input.subscriptionIds) {
        const { invoices } = await temporal.workflow.getHandle(`subscription-${subscriptionId}`).query(invoicesQuery);
        for (const invoice of invoices) {
          for (const attempt of invoice.attempts) {
            const at = Date.parse(attempt.at);
            if (at < from || at >= to) continue;
            const succeeded = attempt.outcome === 'succeeded';
            const failed =
              attempt.outcome === 'soft_declined' ||
              attempt.outcome === 'hard_declined' ||
              attempt.outcome === 'unpaid';
            tally = addTallies(tally, {
              charged: succeeded ? 1 : 0,
              chargedCents: succeeded ? invoice.amountCents : 0,
              failed: failed ? 1 : 0,
              retried: attempt.number > 1 && (succeeded || failed) ? 1 : 0,
              recovered: succeeded && attempt.number > 1 ? 1 : 0,
            });
          }
        }
      }
      return tally;
    },

    /** Counts by status, MRR and transfers by state, from search attributes. */
    async summarizeEngine(): Promise<{
      byStatus: Record<string, number>;
      mrrCents: number;
      transfers: Record<string, number>;
    }> {
      const byStatus: Record<string, number> = {};
      let mrrCents = 0;
      for await (const workflow of currentRuns(
        temporal,
        `WorkflowType IN ('subscriptionWorkflow', 'adiqSubscriptionWorkflow') AND ExecutionStatus = 'Running'`,
      )) {
        const status = workflow.typedSearchAttributes.get(BillingStatus) ?? 'unknown';
        byStatus[status] = (byStatus[status] ?? 0) + 1;
        const monthly = workflow.memo?.monthlyAmountCents;
        if ((status === 'active' || status === 'past_due') && typeof monthly === 'number') mrrCents += monthly;
        else if (status === 'active' || status === 'past_due')
          mrrCents += workflow.typedSearchAttributes.get(BillingAmountCents) ?? 0;
      }
      const transfers: Record<string, number> = {};
      for await (const workflow of currentRuns(temporal, `WorkflowType = 'transferWorkflow'`)) {
        const state = workflow.typedSearchAttributes.get(TransferStatus) ?? 'unknown';
        transfers[state] = (transfers[state] ?? 0) + 1;
      }
      return { byStatus, mrrCents, transfers };
    },
  };
}

export type BillingRunActivities = ReturnType<typeof createBillingRunActivities>;
