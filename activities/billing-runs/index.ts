/**
 * Billing-run activities: read the engine's state from Temporal visibility (search attributes are
 * the index) and the provider's from Zspay, so a run can repair what a lost webhook left behind.
 */
import { Context } from '@temporalio/activity';
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

/** What an earlier attempt of paidSales had read, from its last heartbeat. */
function salesReadSoFar(details: unknown): { read: number; paid: string[] } | undefined {
  if (typeof details !== 'object' || details === null) return undefined;
  const { read, paid } = details as { read?: unknown; paid?: unknown };
  if (typeof read !== 'number' || !Array.isArray(paid) || !paid.every((id) => typeof id === 'string')) return undefined;
  return { read, paid };
}

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

    /**
     * Which of these sales Zspay reports as paid. Each read is recorded in a heartbeat, so a retry
     * (after a 429's Retry-After, or a dead worker) resumes where the last attempt stopped instead
     * of reading the whole batch again: under a tight rate limit the batch still gets done.
     */
    paidSales: (input: { saleIds: string[] }): Promise<string[]> =>
      withProviderFailures(async () => {
        const context = Context.current();
        const resumed = salesReadSoFar(context.info.heartbeatDetails);
        const progress = { read: resumed?.read ?? 0, paid: [...(resumed?.paid ?? [])] };
        for (const saleId of input.saleIds.slice(progress.read)) {
          const sale = await zspay.getSale(saleId);
          if (orderSettlement(sale.status) === 'succeeded') progress.paid.push(saleId);
          progress.read += 1;
          context.heartbeat(progress);
        }
        return progress.paid;
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
