/**
 * Billing-run activities: read the engine's state from Temporal visibility (search attributes are
 * the index) and the provider's from Zspay, so a run can repair what a lost webhook left behind.
 */
import type { Client } from '@temporalio/client';
import { BillingAmountCents, BillingPendingSaleIds, BillingStatus, TransferStatus } from '../../common/search-attributes';
import type { SubscriptionToReconcile } from '../../common/billing-run';
import type { ZspayClient } from '../../providers/zspay/client';
import { orderSettlement } from '../../providers/zspay/status';
import { withProviderFailures } from '../provider-failure';

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
      for await (const workflow of temporal.workflow.list({ query })) {
        const pendingSaleIds = workflow.typedSearchAttributes.get(BillingPendingSaleIds) ?? [];
        if (pendingSaleIds.length > 0) found.push({ subscriptionId: workflow.workflowId.replace(/^subscription-/, ''), pendingSaleIds });
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

    /** Counts by status, MRR and transfers by state, from search attributes. */
    async summarizeEngine(): Promise<{ byStatus: Record<string, number>; mrrCents: number; transfers: Record<string, number> }> {
      const byStatus: Record<string, number> = {};
      let mrrCents = 0;
      for await (const workflow of temporal.workflow.list({ query: `WorkflowType = 'subscriptionWorkflow' AND ExecutionStatus = 'Running'` })) {
        const status = workflow.typedSearchAttributes.get(BillingStatus) ?? 'unknown';
        byStatus[status] = (byStatus[status] ?? 0) + 1;
        const monthly = (await workflow.memo)?.monthlyAmountCents;
        if ((status === 'active' || status === 'past_due') && typeof monthly === 'number') mrrCents += monthly;
        else if (status === 'active' || status === 'past_due') mrrCents += workflow.typedSearchAttributes.get(BillingAmountCents) ?? 0;
      }
      const transfers: Record<string, number> = {};
      for await (const workflow of temporal.workflow.list({ query: `WorkflowType = 'transferWorkflow'` })) {
        const state = workflow.typedSearchAttributes.get(TransferStatus) ?? 'unknown';
        transfers[state] = (transfers[state] ?? 0) + 1;
      }
      return { byStatus, mrrCents, transfers };
    },
  };
}

export type BillingRunActivities = ReturnType<typeof createBillingRunActivities>;
