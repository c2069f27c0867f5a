/**
 * What both refunding workflows (engine-billed subscription.ts, Zspay-billed zspay-subscription.ts)
 * share once a refund is recorded: the provider call's outcome fed back as `refundSettled`, and the
 * transfers named to the merchant. Each workflow sends its own provider call.
 */
import { ActivityFailure, log, proxyActivities } from '@temporalio/workflow';
import type { EngineActivities } from '../activities';
import { formatBRL } from '../common/money';
import type { PaidOutTransfer } from '../common/subscription/events';
import { invoiceLabel } from '../common/subscription/machine';
import type { Invoice, InvoiceRefund } from '../common/subscription/model';
import { failureText } from './outbox';
import type { SubscriptionRuntime } from './subscription-runtime';

/** The engine's own reads (visibility), on the main queue: a few tries, then the caller goes on without. */
const engineReads = proxyActivities<EngineActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { maximumAttempts: 3 },
});

/**
 * Transfers and payouts sent since a refunded payment was made may have carried its money out of
 * the balance: named to the merchant (never reversed). A failed read names none, never blocks.
 */
export async function transfersSince(paidAt: string | undefined): Promise<PaidOutTransfer[] | undefined> {
  if (paidAt === undefined) return undefined;
  try {
    return await engineReads.transfersSincePayment({ since: paidAt });
  } catch (error) {
    if (!(error instanceof ActivityFailure)) throw error;
    log.warn('Could not read the transfers since a refunded payment', { error: failureText(error) });
    return undefined;
  }
}

/** How the Web UI shows the refund call: "refund R$ 59,90 · cycle 1 · sale 123". */
export function refundSummary(invoice: Invoice, refund: InvoiceRefund): string {
  return `refund ${formatBRL(refund.amountCents)} · ${invoiceLabel(invoice.cycle)} · sale ${refund.saleId}`;
}

/**
 * Sends the recorded refund (`send`: the provider call, which reads before it writes on every retry)
 * and records its outcome: refunded, or refused for a reason no retry fixes (the invoice stays paid).
 */
export async function settleRefund(
  runtime: SubscriptionRuntime,
  invoice: Invoice,
  send: () => Promise<unknown>,
): Promise<void> {
  try {
    await send();
    runtime.dispatch({
      type: 'refundSettled',
      cycle: invoice.cycle,
      result: 'refunded',
      transfersSincePayment: await transfersSince(invoice.paidAt),
    });
  } catch (error) {
    if (!(error instanceof ActivityFailure)) throw error;
    log.warn('Refund refused by the provider', { cycle: invoice.cycle, error: failureText(error) });
    runtime.dispatch({ type: 'refundSettled', cycle: invoice.cycle, result: 'failed', error: failureText(error) });
  }
}
