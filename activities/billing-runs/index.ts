/**
 * Billing-run activities: read the engine's state from Temporal visibility (search attributes are
 * the index) and the provider's from Zspay, so a run can repair what a lost webhook left behind.
 */
import { Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import {
  BillingAmountCents,
  BillingPendingSaleIds,
  BillingProviderSubscriptionId,
  BillingStatus,
  TransferStatus,
} from '../../common/search-attributes';
import {
  addTallies,
  EMPTY_TALLY,
  type BillingTally,
  type SaleReadFailure,
  type SaleReads,
  type SubscriptionToReconcile,
} from '../../common/billing-run';
import { invoicesQuery } from '../../workflows/subscription-definitions';
import type { ZspayClient } from '../../providers/zspay/client';
import { orderSettlement } from '../../providers/zspay/status';
import { isProviderError, type ProviderError } from '../../providers/errors';
import { FailureType } from '../../common/failure-types';
import { WorkflowNotFoundError } from '@temporalio/client';
import { withProviderFailures } from '../provider-failure';
import { currentRuns } from '../../common/visibility';
import { subscriptionIdOf } from '../../common/subscription/input';
import { zspayReportsToSignal, type ZspayInvoiceUpdate } from '../../common/subscription/zspay-managed';
import { invoiceSummary } from '../zspay-billed/subscriptions';

/** What an earlier attempt of paidSales or readSales had read, from its last heartbeat. */
function salesReadSoFar(details: unknown): { read: number; paid: string[]; failed: SaleReadFailure[] } | undefined {
  if (typeof details !== 'object' || details === null) return undefined;
  const { read, paid, failed } = details as { read?: unknown; paid?: unknown; failed?: unknown };
  if (typeof read !== 'number' || !Array.isArray(paid) || !paid.every((id) => typeof id === 'string')) return undefined;
  // Heartbeats of paidSales (before item failures were kept) carry no `failed`.
  const failures = Array.isArray(failed) ? failed.filter(isSaleReadFailure) : [];
  return { read, paid, failed: failures };
}

function isSaleReadFailure(value: unknown): value is SaleReadFailure {
  if (typeof value !== 'object' || value === null) return false;
  const { saleId, type, reason } = value as Partial<SaleReadFailure>;
  return typeof saleId === 'string' && typeof type === 'string' && typeof reason === 'string';
}

/**
 * A read failure that belongs to the one sale, not to the run: the provider refused this read for
 * good (404, a request it calls invalid, a state conflict). Credentials rejected, 429s, 5xx and
 * timeouts are not: they concern every read, and keep the activity's retry policy (or fail the run
 * for a human to fix the configuration).
 */
function itemFailure(error: unknown): ProviderError | undefined {
  if (!isProviderError(error)) return undefined;
  return error.name === FailureType.InvalidRequest || error.name === FailureType.InvalidState ? error : undefined;
}

/** Subscription workflow types, in visibility queries. */
const SUBSCRIPTION_TYPES = `WorkflowType IN ('subscriptionWorkflow', 'adiqSubscriptionWorkflow', 'zspaySubscriptionWorkflow')`;
/** Closed for good: a continued-as-new run is not (its successor carries the subscription on). */
const ENDED = `ExecutionStatus IN ('Completed', 'Failed', 'Canceled', 'Terminated', 'TimedOut')`;

export interface BillingRunDeps {
  temporal: Client;
  zspay: Pick<ZspayClient, 'getSale' | 'listInvoices'>;
}

/** A running Zspay-billed subscription and the Zspay subscription that bills it. */
export interface ZspayBilledSubscription {
  subscriptionId: string;
  zspaySubscriptionId: string;
}

/** Invoices due before this (by Zspay's `date_invoice`), other than the newest few, are not signaled again. */
const ZSPAY_INVOICE_LOOKBACK_DAYS = 40;

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

    /**
     * paidSales that survives bad items (billing runs since `billing-run-item-failures`): a sale
     * the provider refuses to read for good (404: Zspay no longer knows it; a request it calls
     * invalid) is returned among `failed` with its reason instead of failing the batch. Other
     * errors keep Temporal's retry policy, and a retry resumes after the last sale read, failures
     * included (they are in the heartbeat too).
     */
    readSales: (input: { saleIds: string[] }): Promise<SaleReads> =>
      withProviderFailures(async () => {
        const context = Context.current();
        const resumed = salesReadSoFar(context.info.heartbeatDetails);
        const progress = {
          read: resumed?.read ?? 0,
          paid: [...(resumed?.paid ?? [])],
          failed: [...(resumed?.failed ?? [])],
        };
        for (const saleId of input.saleIds.slice(progress.read)) {
          try {
            const sale = await zspay.getSale(saleId);
            if (orderSettlement(sale.status) === 'succeeded') progress.paid.push(saleId);
          } catch (error) {
            const failure = itemFailure(error);
            if (!failure) throw error;
            progress.failed.push({
              saleId,
              type: failure.name,
              ...(failure.statusCode === undefined ? {} : { statusCode: failure.statusCode }),
              reason: failure.message,
            });
          }
          progress.read += 1;
          context.heartbeat(progress);
        }
        return { paid: progress.paid, failed: progress.failed };
      }),

    /** Running Zspay-billed subscriptions that Zspay holds (their `BillingProviderSubscriptionId`). */
    async listZspayBilledSubscriptions(): Promise<ZspayBilledSubscription[]> {
      const found: ZspayBilledSubscription[] = [];
      const query = `WorkflowType = 'zspaySubscriptionWorkflow' AND ExecutionStatus = 'Running'`;
      for await (const workflow of currentRuns(temporal, query)) {
        const zspaySubscriptionId = workflow.typedSearchAttributes.get(BillingProviderSubscriptionId);
        if (zspaySubscriptionId)
          found.push({ subscriptionId: subscriptionIdOf(workflow.workflowId), zspaySubscriptionId });
      }
      return found;
    },

    /**
     * The recent invoice outcomes of these Zspay-billed subscriptions (paid, or failed with their
     * retry count), read from Zspay's invoice list, for the run to signal: each subscription acts
     * on an outcome once, so outcomes it already knows change nothing. A subscription whose list
     * Zspay refuses for good (404...) is an item failure, not a failed run.
     */
    readZspayInvoices: (input: {
      subscriptions: ZspayBilledSubscription[];
      today: string;
    }): Promise<{
      reports: Array<{ subscriptionId: string; update: ZspayInvoiceUpdate }>;
      failed: Array<SaleReadFailure & { subscriptionId: string }>;
    }> =>
      withProviderFailures(async () => {
        const since = new Date(Date.parse(`${input.today}T00:00:00Z`) - ZSPAY_INVOICE_LOOKBACK_DAYS * 86_400_000)
          .toISOString()
          .slice(0, 10);
        const reports: Array<{ subscriptionId: string; update: ZspayInvoiceUpdate }> = [];
        const failed: Array<SaleReadFailure & { subscriptionId: string }> = [];
        for (const subscription of input.subscriptions) {
          try {
            const invoices = (await zspay.listInvoices(subscription.zspaySubscriptionId)).map(invoiceSummary);
            for (const update of zspayReportsToSignal(invoices, since))
              reports.push({ subscriptionId: subscription.subscriptionId, update });
          } catch (error) {
            const failure = itemFailure(error);
            if (!failure) throw error;
            failed.push({
              subscriptionId: subscription.subscriptionId,
              saleId: `assinatura-${subscription.zspaySubscriptionId}`,
              type: failure.name,
              ...(failure.statusCode === undefined ? {} : { statusCode: failure.statusCode }),
              reason: failure.message,
            });
          }
          Context.current().heartbeat();
        }
        return { reports, failed };
      }),

    /**
     * The subscriptions whose charges a run's window counts: every running one, and every one that
     * ended (canceled, completed, failed, terminated) inside the window — its invoices are still
     * queryable while the namespace retains it. One entry per subscription id.
     */
    async listSubscriptionsToTally(input: { from: string; to: string }): Promise<string[]> {
      const ids = new Set<string>();
      // Normalized, so nothing but a timestamp reaches the query.
      const [from, to] = [input.from, input.to].map((at) => new Date(at).toISOString());
      for await (const workflow of currentRuns(temporal, `${SUBSCRIPTION_TYPES} AND ExecutionStatus = 'Running'`))
        ids.add(subscriptionIdOf(workflow.workflowId));
      const closedInWindow = `${SUBSCRIPTION_TYPES} AND ${ENDED} AND CloseTime >= '${from}' AND CloseTime < '${to}'`;
      for await (const workflow of currentRuns(temporal, closedInWindow))
        ids.add(subscriptionIdOf(workflow.workflowId));
      return [...ids];
    },

    /** Every running subscription (both kinds). */
    async listRunningSubscriptions(): Promise<string[]> {
      const ids: string[] = [];
      const query = `${SUBSCRIPTION_TYPES} AND ExecutionStatus = 'Running'`;
      for await (const workflow of currentRuns(temporal, query)) ids.push(subscriptionIdOf(workflow.workflowId));
      return ids;
    },

    /** What these subscriptions' invoices record in the window (a query per subscription). */
    async tallySubscriptions(input: { subscriptionIds: string[]; from: string; to: string }): Promise<BillingTally> {
      let tally = EMPTY_TALLY;
      const from = Date.parse(input.from);
      const to = Date.parse(input.to);
      for (const subscriptionId of input.subscriptionIds) {
        let invoices;
        try {
          ({ invoices } = await temporal.workflow.getHandle(`subscription-${subscriptionId}`).query(invoicesQuery));
        } catch (error) {
          // An ended subscription the namespace no longer retains has nothing left to count.
          if (error instanceof WorkflowNotFoundError) continue;
          throw error;
        }
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
