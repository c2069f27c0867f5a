/**
 * The daily billing run (started by a Temporal Schedule): reconciles the engine with the
 * providers — every subscription waiting for a boleto is checked at Zspay, and a payment the engine
 * missed (a lost webhook) is signaled to its subscription, which settles it exactly once — then
 * summarizes the engine. Batches run with bounded concurrency; progress is a query.
 */
import { getExternalWorkflowHandle, proxyActivities, setHandler } from '@temporalio/workflow';
import type { EngineActivities } from '../activities';
import {
  addTallies,
  EMPTY_TALLY,
  type BillingRunInput,
  type BillingRunProgress,
  type BillingRunSummary,
} from '../common/billing-run';
import { providerReadRetry } from '../common/retry-policies';
import { billingRunProgressQuery } from './definitions';
import { paymentReceivedSignal } from './subscription-definitions';
import { formatBRL } from '../common/money';

const engine = proxyActivities<EngineActivities>({ startToCloseTimeout: '5 minutes', retry: providerReadRetry });
/** Zspay reads in batches heartbeat each read: a retry resumes the batch, a dead worker is seen in a minute. */
const zspayReads = proxyActivities<EngineActivities>({
  startToCloseTimeout: '5 minutes',
  heartbeatTimeout: '1 minute',
  retry: providerReadRetry,
});

export function chunk<T>(items: T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
}

export async function billingRunWorkflow(input: BillingRunInput = {}): Promise<BillingRunSummary> {
  const batchSize = Math.max(1, Math.min(input.batchSize ?? 25, 200));
  const concurrency = Math.max(1, Math.min(input.concurrency ?? 2, 10));
  const progress: BillingRunProgress = { phase: 'listing', subscriptions: 0, batches: 0, batchesDone: 0, repaired: 0 };
  setHandler(billingRunProgressQuery, () => progress);

  const awaiting = await engine.listSubscriptionsAwaitingPayment();
  const batches = chunk(awaiting, batchSize);
  Object.assign(progress, { phase: 'reconciling', subscriptions: awaiting.length, batches: batches.length });

  const repairedPayments: BillingRunSummary['repairedPayments'] = [];
  const runBatch = async (batch: typeof awaiting) => {
    const paid = new Set(await zspayReads.paidSales({ saleIds: batch.flatMap((s) => s.pendingSaleIds) }));
    for (const subscription of batch) {
      for (const saleId of subscription.pendingSaleIds.filter((id) => paid.has(id))) {
        // The subscription is the dedupe record: a sale it already settled is ignored.
        await getExternalWorkflowHandle(`subscription-${subscription.subscriptionId}`).signal(paymentReceivedSignal, {
          saleId,
        });
        repairedPayments.push({ subscriptionId: subscription.subscriptionId, saleId });
        progress.repaired += 1;
      }
    }
    progress.batchesDone += 1;
  };
  for (const wave of chunk(batches, concurrency)) await Promise.all(wave.map(runBatch));

  progress.phase = 'summarizing';
  const to = new Date().toISOString();
  const from = new Date(Date.now() - (input.windowHours ?? 24) * 3_600_000).toISOString();
  const running = await engine.listRunningSubscriptions();
  let tally = EMPTY_TALLY;
  for (const wave of chunk(chunk(running, batchSize), concurrency)) {
    const tallies = await Promise.all(
      wave.map((subscriptionIds) => engine.tallySubscriptions({ subscriptionIds, from, to })),
    );
    tally = tallies.reduce(addTallies, tally);
  }
  const { byStatus, mrrCents, transfers } = await engine.summarizeEngine();
  progress.phase = 'done';
  return {
    runAt: to,
    window: { from, to },
    activity: { ...tally, chargedBRL: formatBRL(tally.chargedCents) },
    subscriptionsChecked: awaiting.length,
    repairedPayments,
    byStatus,
    mrrCents,
    transfers,
  };
}
