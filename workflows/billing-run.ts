/**
 * The daily billing run (started by a Temporal Schedule): reconciles the engine with the
 * providers — every subscription waiting for a boleto is checked at Zspay, and a payment the engine
 * missed (a lost webhook) is signaled to its subscription, which settles it exactly once — then
 * summarizes the engine. Batches run with bounded concurrency; progress is a query.
 *
 * A sale the provider refuses to read for good (a 404: Zspay no longer knows it) is an item failure:
 * counted and listed with its reason in the progress and the summary, never a failed run. Runs
 * started before that (no `billing-run-item-failures` marker in their history) replay the commands
 * they recorded: `paidSales` per batch, then only running subscriptions tallied.
 */
import { getExternalWorkflowHandle, patched, proxyActivities, setHandler } from '@temporalio/workflow';
import type { EngineActivities } from '../activities';
import {
  addTallies,
  EMPTY_TALLY,
  type BillingRunInput,
  type BillingRunItemFailure,
  type BillingRunProgress,
  type BillingRunSummary,
  type SaleReads,
} from '../common/billing-run';
import { providerReadRetry } from '../common/retry-policies';
import { billingRunProgressQuery } from './definitions';
import { paymentReceivedSignal, zspayInvoiceSignal } from './subscription-definitions';
import { formatBRL } from '../common/money';
import { recordBillingRunDuration } from './metrics';

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

/** Item failures kept in the progress and the summary; beyond it they are only counted. */
const LISTED_FAILURES = 500;

export async function billingRunWorkflow(input: BillingRunInput = {}): Promise<BillingRunSummary> {
  const batchSize = Math.max(1, Math.min(input.batchSize ?? 25, 200));
  const concurrency = Math.max(1, Math.min(input.concurrency ?? 2, 10));
  const progress: BillingRunProgress = {
    phase: 'listing',
    subscriptions: 0,
    batches: 0,
    batchesDone: 0,
    repaired: 0,
    itemsFailed: 0,
    itemFailures: [],
  };
  setHandler(billingRunProgressQuery, () => progress);
  // Decided once, before the first command: the whole run takes one path.
  const survivesBadItems = patched('billing-run-item-failures');

  /** Which sales of a batch are paid; with the patch, a sale that cannot be read is listed instead. */
  const readBatch = async (saleIds: string[]): Promise<SaleReads> =>
    survivesBadItems
      ? zspayReads.readSales({ saleIds })
      : { paid: await zspayReads.paidSales({ saleIds }), failed: [] };

  const awaiting = await engine.listSubscriptionsAwaitingPayment();
  const batches = chunk(awaiting, batchSize);
  Object.assign(progress, { phase: 'reconciling', subscriptions: awaiting.length, batches: batches.length });

  const repairedPayments: BillingRunSummary['repairedPayments'] = [];
  const itemFailed = (item: BillingRunItemFailure) => {
    progress.itemsFailed += 1;
    if (progress.itemFailures.length < LISTED_FAILURES) progress.itemFailures.push(item);
  };
  const runBatch = async (batch: typeof awaiting) => {
    const reads = await readBatch(batch.flatMap((s) => s.pendingSaleIds));
    const paid = new Set(reads.paid);
    const failed = new Map(reads.failed.map((failure) => [failure.saleId, failure]));
    for (const subscription of batch) {
      for (const saleId of subscription.pendingSaleIds) {
        const failure = failed.get(saleId);
        if (failure) itemFailed({ subscriptionId: subscription.subscriptionId, ...failure });
      }
      for (const saleId of subscription.pendingSaleIds.filter((id) => paid.has(id))) {
        // The subscription is the dedupe record: a sale it already settled is ignored.
        const signaled = getExternalWorkflowHandle(`subscription-${subscription.subscriptionId}`).signal(
          paymentReceivedSignal,
          { saleId },
        );
        if (!survivesBadItems) await signaled;
        else {
          try {
            await signaled;
          } catch (error) {
            // The subscription's workflow closed since it was listed: nothing left to repair there.
            itemFailed({
              subscriptionId: subscription.subscriptionId,
              saleId,
              type: 'SignalFailed',
              reason: `paid at Zspay, but the subscription could not be signaled: ${error instanceof Error ? error.message : String(error)}`,
            });
            continue;
          }
        }
        repairedPayments.push({ subscriptionId: subscription.subscriptionId, saleId });
        progress.repaired += 1;
      }
    }
    progress.batchesDone += 1;
  };
  for (const wave of chunk(batches, concurrency)) await Promise.all(wave.map(runBatch));

  // Since this patch: Zspay-billed subscriptions' invoices, read at Zspay, signaled to their
  // subscriptions (each acts on an outcome once: what it already knows changes nothing). Runs
  // started before replay without these commands.
  let zspayInvoicesChecked: number | undefined;
  if (patched('billing-run-zspay-invoices')) {
    const zspayBilled = await engine.listZspayBilledSubscriptions();
    zspayInvoicesChecked = zspayBilled.length;
    // Only bounds how far back invoices are signaled (40 days): a UTC date is close enough.
    const today = new Date().toISOString().slice(0, 10);
    const readZspayBatch = async (subscriptions: typeof zspayBilled) => {
      const { reports, failed } = await zspayReads.readZspayInvoices({ subscriptions, today });
      for (const failure of failed) itemFailed(failure);
      for (const { subscriptionId, update } of reports) {
        try {
          await getExternalWorkflowHandle(`subscription-${subscriptionId}`).signal(zspayInvoiceSignal, update);
        } catch (error) {
          itemFailed({
            subscriptionId,
            saleId: `fatura-${update.invoiceId}`,
            type: 'SignalFailed',
            reason: `reported by Zspay, but the subscription could not be signaled: ${error instanceof Error ? error.message : String(error)}`,
          });
        }
      }
    };
    for (const wave of chunk(chunk(zspayBilled, batchSize), concurrency)) await Promise.all(wave.map(readZspayBatch));
  }

  progress.phase = 'summarizing';
  const to = new Date().toISOString();
  const from = new Date(Date.now() - (input.windowHours ?? 24) * 3_600_000).toISOString();
  // Since the patch: subscriptions that ended inside the window count too, not only running ones.
  const tallied = survivesBadItems
    ? await engine.listSubscriptionsToTally({ from, to })
    : await engine.listRunningSubscriptions();
  let tally = EMPTY_TALLY;
  for (const wave of chunk(chunk(tallied, batchSize), concurrency)) {
    const tallies = await Promise.all(
      wave.map((subscriptionIds) => engine.tallySubscriptions({ subscriptionIds, from, to })),
    );
    tally = tallies.reduce(addTallies, tally);
  }
  const { byStatus, mrrCents, transfers } = await engine.summarizeEngine();
  progress.phase = 'done';
  recordBillingRunDuration();
  return {
    runAt: to,
    window: { from, to },
    activity: { ...tally, chargedBRL: formatBRL(tally.chargedCents) },
    subscriptionsChecked: awaiting.length,
    repairedPayments,
    itemsFailed: progress.itemsFailed,
    itemFailures: progress.itemFailures,
    ...(survivesBadItems ? { subscriptionsTallied: tallied.length } : {}),
    ...(zspayInvoicesChecked === undefined ? {} : { zspayBilledChecked: zspayInvoicesChecked }),
    byStatus,
    mrrCents,
    transfers,
  };
}
