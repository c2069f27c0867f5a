/**
 * A subscription billed by Zspay itself ("Planos" / "Assinaturas"; provider-managed mode, mirrored
 * on adiq-subscription.ts): the workflow creates the subscription's own Zspay plan and the Zspay
 * subscription (each looked up first), on the start date, then follows what Zspay reports — invoice
 * webhooks, each confirmed by Zspay's invoice list before it changes anything, the billing run's
 * signals, and a daily read of the invoices for webhooks that never arrived — and drives the same
 * consequences as the engine-billed workflow through the Zspay transition table
 * (common/subscription/table.ts). It charges nothing on its own; a cancel, a suspension and a
 * reactivation are sent to Zspay from the outbox, and a refund ("Estornar uma fatura") by the loop.
 */
import { ActivityFailure, log, patched } from '@temporalio/workflow';
import { addDays, instantAt } from '../common/billing/calendar';
import { adiqRegistration } from '../common/subscription/adiq-managed';
import { checkSubscriptionInput } from '../common/subscription/checks';
import type { SubscriptionView } from '../common/subscription/model';
import { isTerminal } from '../common/subscription/machine';
import { paidZspayInvoiceId, refundToSend } from '../common/subscription/refunds';
import { ZSPAY_BILLED } from '../common/subscription/table';
import {
  confirmedZspayNotice,
  oldestFirst,
  paidInvoiceOfFatura,
  zspayRefundOf,
  zspayReportOf,
  type ZspayInvoiceSummary,
  type ZspayInvoiceUpdate,
} from '../common/subscription/zspay-managed';
import { invalidInput } from './failures';
import { failureText } from './outbox';
import { acceptSubscription, type SubscriptionWorkflowInput } from './subscription';
import { providerBilledActivities, providerBilledRuntime } from './provider-billed';
import { refundSummary, settleRefund, transfersSince } from './refunds';

/**
 * Refunds of Zspay-billed invoices send commands no earlier release sent (the refund, the read of
 * transfers since the payment), and the daily look acts on refunded invoices it used to skip.
 */
export const ZSPAY_INVOICE_REFUNDS_PATCH = 'zspay-invoice-refunds';

export async function zspaySubscriptionWorkflow(input: SubscriptionWorkflowInput): Promise<SubscriptionView> {
  const checked = checkSubscriptionInput(input.subscription);
  if (!checked.input) throw invalidInput(`Invalid subscription: ${checked.problems.join('; ')}`);
  const spec = checked.input;
  const { plan, paymentMethod } = spec;
  if (paymentMethod.type !== 'zspay_subscription' || plan.recurrence.kind !== 'calendar')
    throw invalidInput('A Zspay-billed subscription needs paymentMethod zspay_subscription and a calendar plan');
  const recurrence = plan.recurrence;
  const firstRun = input.state === undefined;
  const runtime = providerBilledRuntime(input, spec, {
    name: 'Zspay',
    machine: ZSPAY_BILLED,
    subscriptionIdOf: (state) => state.zspay?.subscriptionId,
  });
  const { writes: zspay, reads: zspayReads } = providerBilledActivities('zspay', '1 minute');
  if (firstRun) await acceptSubscription(runtime, spec);

  /** Creates the subscription's Zspay plan and the Zspay subscription (each looked up first), on the start date. */
  const subscribeAtZspay = async (): Promise<void> => {
    // Zspay counts the subscription from the day it is created (plus the plan's grace period): it is
    // created on its start date, at an instant that is that date both in the merchant's zone and in UTC.
    const registration = adiqRegistration(spec.startDate, Date.now(), plan.timeZone);
    const seen = runtime.version;
    // A later start waits on a durable timer; an operation meanwhile (a cancel) is answered at once.
    if (registration.atMs > Date.now() && (await runtime.changeSince(seen, registration.atMs))) return;
    const created = await zspay.createZspayPlan({
      subscriptionId: runtime.state.subscriptionId,
      planId: plan.planId,
      amountCents: plan.amountCents,
      setupAmountCents: plan.setupAmountCents,
      frequency: recurrence.frequency,
      interval: recurrence.interval,
      trialDays: plan.trialDays,
    });
    const subscription = await zspay.createZspaySubscription({
      planId: created.planId,
      customer: paymentMethod.customer,
      address: paymentMethod.address,
    });
    // Canceled while Zspay created it: runs before this patch left it at Zspay (the event was refused).
    if (isTerminal(runtime.state.status) && !patched('zspay-subscribed-after-cancel')) return;
    runtime.dispatch({
      type: 'zspaySubscribed',
      planId: created.planId,
      subscriptionId: subscription.subscriptionId,
      startDate: registration.date,
    });
  };
  runtime.publish();
  runtime.startDeliveries();
  while (!runtime.state.zspay && runtime.state.status !== 'canceled') {
    await subscribeAtZspay();
    runtime.publish();
  }
  const subscribed = runtime.state.zspay;

  const invoices = async (): Promise<ZspayInvoiceSummary[]> =>
    zspayReads.listZspayInvoices(runtime.state.zspay!.subscriptionId);

  let refundsPatched: boolean | undefined;
  /** Asked only where a refund is at hand, so histories without one replay as recorded. */
  const refunds = (): boolean => (refundsPatched ??= patched(ZSPAY_INVOICE_REFUNDS_PATCH));

  /** Zspay lists an invoice refunded: recorded once, naming the transfers sent since its payment. */
  const reportRefund = async (update: ZspayInvoiceUpdate): Promise<void> => {
    const paid = paidInvoiceOfFatura(runtime.state, update.invoiceId);
    const transfersSincePayment = paid && refunds() ? await transfersSince(paid.paidAt) : undefined;
    runtime.dispatch({ type: 'zspayInvoiceReported', update, transfersSincePayment });
  };

  /**
   * The refund the refund operation recorded, sent once: the activity reads the invoice list before
   * sending on every attempt (void after being paid = done). A refusal no retry fixes is recorded.
   */
  const sendRefund = async (): Promise<void> => {
    const { invoice, refund } = refundToSend(runtime.state)!;
    await settleRefund(runtime, invoice, () =>
      zspay.refundZspayInvoice.executeWithOptions({ summary: refundSummary(invoice, refund) }, [
        {
          reference: refund.reference,
          zspaySubscriptionId: runtime.state.zspay!.subscriptionId,
          invoiceId: paidZspayInvoiceId(invoice)!,
        },
      ]),
    );
  };

  /** Webhooks are hints: Zspay's invoice list decides what each one means. */
  const confirmNotices = async (): Promise<void> => {
    const notices = runtime.state.zspayNotices ?? [];
    const listed = await invoices();
    for (const notice of notices) {
      const invoice = listed.find((i) => i.invoiceId === notice.invoiceId);
      const report = confirmedZspayNotice(invoice, notice);
      if (report?.outcome === 'refunded') await reportRefund(report);
      else if (report) runtime.dispatch({ type: 'zspayInvoiceReported', update: report });
      else {
        log.warn('A Zspay invoice notice its invoice list contradicts was ignored', {
          invoiceId: notice.invoiceId,
          listed: invoice?.status ?? 'not found',
        });
        runtime.dispatch({ type: 'zspayNoticeContradicted', invoiceId: notice.invoiceId });
      }
    }
  };

  /** The daily look: what webhooks may have missed, and the subscription's own status. */
  const reconcile = async (): Promise<void> => {
    // Oldest first, so the invoices take their cycles in Zspay's order.
    for (const invoice of oldestFirst(await invoices())) {
      const report = zspayReportOf(invoice);
      if (report) runtime.dispatch({ type: 'zspayInvoiceReported', update: report });
      // A refund made at Zspay whose webhook never came (earlier runs skipped void invoices).
      const refund = zspayRefundOf(invoice);
      if (refund && paidInvoiceOfFatura(runtime.state, refund.invoiceId) && refunds()) await reportRefund(refund);
    }
    const { status } = await zspayReads.getZspaySubscriptionStatus(runtime.state.zspay!.subscriptionId);
    if (status === 'canceled') runtime.dispatch({ type: 'zspaySubscriptionCanceled' });
  };

  /** Once a day, an hour after the plan's charging hour. */
  const nextCheck = (): number => {
    const { today } = runtime.context();
    const hour = (plan.chargeHourLocal + 1) % 24;
    const todays = instantAt(today, hour, 0, plan.timeZone);
    return todays > Date.now() ? todays : instantAt(addDays(today, 1), hour, 0, plan.timeZone);
  };

  const looking = async (look: () => Promise<void>): Promise<void> => {
    try {
      await look();
    } catch (error) {
      // A refused read (revoked credentials...) skips this look; the next one tries again.
      if (!(error instanceof ActivityFailure)) throw error;
      log.warn('Zspay invoice read refused by the provider; trying again at the next check', {
        error: failureText(error),
      });
    }
  };

  for (;;) {
    const seen = runtime.version;
    if (subscribed && (runtime.state.zspayNotices ?? []).length > 0) await looking(confirmNotices);
    // Only this release's table records a refund: no earlier history holds one to send.
    if (refundToSend(runtime.state) && refunds()) await sendRefund();
    runtime.publish();
    if (runtime.shouldStop()) break;
    // Ended (or canceled before Zspay held it): the loop only waits for the outbox and late notices.
    if (!subscribed || runtime.state.status === 'canceled' || runtime.state.status === 'completed') {
      await runtime.changeSince(seen);
      continue;
    }
    if (await runtime.changeSince(seen, nextCheck())) continue;
    await looking(reconcile);
  }
  return runtime.finish<typeof zspaySubscriptionWorkflow>((state) => [{ subscription: input.subscription, state }]);
}
