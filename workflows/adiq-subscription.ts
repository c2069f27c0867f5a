/**
 * A subscription billed by Adiq Recurrence itself (provider-managed mode): the workflow creates the
 * Adiq plan and subscription, then follows what Adiq reports — notifications, each confirmed by
 * Adiq's billing search before it changes anything, and a daily search for notifications that never
 * arrived — and drives the same consequences as the engine-billed workflow, through the Adiq
 * transition table (common/subscription/table.ts). It charges nothing on its own; a cancel and a new
 * card (vault) are sent to Adiq from the outbox.
 */
import { ActivityFailure, log, patched } from '@temporalio/workflow';
import type { AdiqBillingSummary } from '../activities/adiq/recurrence';
import { addDays, instantAt } from '../common/billing/calendar';
import { adiqDatesToSearch, adiqRegistration, type AdiqBillingUpdate } from '../common/subscription/adiq-managed';
import { checkSubscriptionInput } from '../common/subscription/checks';
import type { SubscriptionView } from '../common/subscription/model';
import { isTerminal } from '../common/subscription/machine';
import { ADIQ_BILLED } from '../common/subscription/table';
import { invalidInput } from './failures';
import { adiqSubscriptionWorkflowV1 } from './legacy/adiq-subscription-v1';
import { countAdiqCharge } from './metrics';
import { failureText } from './outbox';
import { acceptSubscription, STATE_MACHINE_PATCH, type SubscriptionWorkflowInput } from './subscription';
import { providerBilledActivities, providerBilledRuntime } from './provider-billed';

/** A billing as Adiq's search shows it, in the engine's terms (undefined: nothing to act on yet). */
function reportOf(billing: AdiqBillingSummary): AdiqBillingUpdate | undefined {
  if (billing.outcome !== 'succeeded' && billing.outcome !== 'soft_declined' && billing.outcome !== 'hard_declined')
    return undefined;
  return {
    billingId: billing.billingId,
    outcome: billing.outcome === 'succeeded' ? 'paid' : 'failed',
    decline: billing.outcome === 'hard_declined' ? 'hard' : billing.outcome === 'soft_declined' ? 'soft' : undefined,
    installment: billing.installment ?? undefined,
    amountCents: billing.amountCents ?? undefined,
    dueDate: billing.expireDate,
    source: 'search',
    providerStatus: billing.providerStatus,
  };
}

/**
 * What a notification means once the search has been read: a payment only if the billing is paid; a
 * failed attempt if the billing is still being collected or declined (the notice keeps its code and
 * message, one per attempt); a billing paid meanwhile is reported as paid. Undefined: contradicted.
 */
function confirmedNotice(
  billing: AdiqBillingSummary | undefined,
  notice: AdiqBillingUpdate,
): AdiqBillingUpdate | undefined {
  if (!billing) return undefined;
  if (billing.outcome === 'succeeded')
    return { ...reportOf(billing)!, source: notice.outcome === 'paid' ? 'notification' : 'search' };
  const collecting =
    billing.outcome === 'pending' || billing.outcome === 'soft_declined' || billing.outcome === 'hard_declined';
  if (notice.outcome === 'failed' && collecting) {
    return {
      ...notice,
      decline: notice.decline ?? (billing.outcome === 'hard_declined' ? 'hard' : 'soft'),
      installment: notice.installment ?? billing.installment ?? undefined,
      source: 'notification',
    };
  }
  return undefined;
}

export async function adiqSubscriptionWorkflow(input: SubscriptionWorkflowInput): Promise<SubscriptionView> {
  if (!patched(STATE_MACHINE_PATCH)) return adiqSubscriptionWorkflowV1(input);
  const checked = checkSubscriptionInput(input.subscription);
  if (!checked.input) throw invalidInput(`Invalid subscription: ${checked.problems.join('; ')}`);
  const spec = checked.input;
  const { plan, paymentMethod } = spec;
  if (paymentMethod.type !== 'adiq_vault' || plan.recurrence.kind !== 'adiq')
    throw invalidInput('An Adiq-billed subscription needs paymentMethod adiq_vault and an Adiq plan');
  const recurrence = plan.recurrence;
  const firstRun = input.state === undefined;
  const runtime = providerBilledRuntime(input, spec, {
    name: 'Adiq',
    machine: ADIQ_BILLED,
    subscriptionIdOf: (state) => state.adiq?.subscriptionId,
  });
  const { writes: adiq, reads: adiqReads } = providerBilledActivities('adiq', '2 minutes');
  if (firstRun) await acceptSubscription(runtime, spec);

  /** Creates the Adiq plan and subscription (each looked up first), on the date Adiq will count it from. */
  const subscribeAtAdiq = async (): Promise<void> => {
    const registration = adiqRegistration(spec.startDate, Date.now(), plan.timeZone);
    const seen = runtime.version;
    // A later start waits on a durable timer; an operation meanwhile (a cancel) is answered at once.
    if (registration.atMs > Date.now() && (await runtime.changeSince(seen, registration.atMs))) return;
    const created = await adiq.createAdiqPlan({
      reference: plan.planId,
      name: plan.planId,
      description: `${plan.planId} (${recurrence.planType})`,
      amountCents: plan.amountCents,
      planType: recurrence.planType,
      trialDays: plan.trialDays,
      interval: recurrence.interval,
      installments: recurrence.installments,
      attempts: plan.attempts,
    });
    const subscription = await adiq.createAdiqSubscription({
      reference: runtime.state.subscriptionId,
      planId: created.planId,
      vaultId: paymentMethod.vaultId,
    });
    // Canceled while Adiq created it: runs before this patch left it at Adiq (the event was refused).
    if (isTerminal(runtime.state.status) && !patched('adiq-subscribed-after-cancel')) return;
    runtime.dispatch({
      type: 'adiqSubscribed',
      planId: created.planId,
      subscriptionId: subscription.subscriptionId,
      startDate: registration.date,
    });
  };
  runtime.publish();
  runtime.startDeliveries();
  while (!runtime.state.adiq && runtime.state.status !== 'canceled') {
    await subscribeAtAdiq();
    runtime.publish();
  }

  /** Adiq's billings of this subscription due around the given dates (its search filters by due date only). */
  const search = async (windows: ReadonlyArray<{ from: string; to: string }>): Promise<AdiqBillingSummary[]> => {
    const adiqIds = runtime.state.adiq!;
    const found: AdiqBillingSummary[] = [];
    for (const window of windows)
      found.push(...(await adiqReads.searchAdiqBillings({ subscriptionId: adiqIds.subscriptionId, ...window })));
    return found;
  };
  const datesToSearch = (notices: readonly AdiqBillingUpdate[] = []) =>
    adiqDatesToSearch(runtime.state, runtime.context().today, notices);

  /** Applies a billing Adiq reported; one Adiq recorded for the first time is counted (billing_charges_total). */
  const reported = (update: AdiqBillingUpdate): void => {
    const attempts = () => runtime.state.invoices.reduce((count, invoice) => count + invoice.attempts.length, 0);
    const before = attempts();
    runtime.dispatch({ type: 'adiqBillingReported', update });
    if (attempts() > before)
      countAdiqCharge(
        update.outcome === 'paid' ? 'succeeded' : update.decline === 'hard' ? 'hard_declined' : 'soft_declined',
      );
  };

  /** Notifications are hints: Adiq's billing search decides what each one means. */
  const confirmNotices = async (): Promise<void> => {
    const notices = runtime.state.adiqNotices ?? [];
    const billings = await search(datesToSearch(notices));
    for (const notice of notices) {
      const billing = billings.find((b) => b.billingId === notice.billingId);
      const report = confirmedNotice(billing, notice);
      if (report) reported(report);
      else {
        log.warn('An Adiq notification its billing search contradicts was ignored', {
          billingId: notice.billingId,
          searched: billing?.providerStatus ?? 'not found',
        });
        runtime.dispatch({ type: 'adiqNoticeContradicted', billingId: notice.billingId });
      }
    }
  };

  /** The daily look: what notifications may have missed, and the subscription's own status. */
  const reconcile = async (): Promise<void> => {
    for (const billing of await search(datesToSearch())) {
      const report = reportOf(billing);
      if (report) reported(report);
    }
    const subscription = await adiqReads.getAdiqSubscription(runtime.state.adiq!.subscriptionId);
    if (subscription.status === 'blocked') runtime.dispatch({ type: 'adiqSubscriptionBlocked' });
    if (subscription.status === 'canceled') runtime.dispatch({ type: 'adiqSubscriptionCanceled' });
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
      log.warn('Adiq billing search refused by the provider; trying again at the next check', {
        error: failureText(error),
      });
    }
  };

  for (;;) {
    const seen = runtime.version;
    if ((runtime.state.adiqNotices ?? []).length > 0) await looking(confirmNotices);
    runtime.publish();
    if (runtime.shouldStop()) break;
    // Ended: nothing more is searched; the loop only waits for the outbox (the cancel sent to Adiq).
    if (runtime.state.status === 'canceled' || runtime.state.status === 'completed') {
      await runtime.changeSince(seen);
      continue;
    }
    if (await runtime.changeSince(seen, nextCheck())) continue;
    await looking(reconcile);
  }
  return runtime.finish<typeof adiqSubscriptionWorkflow>((state) => [{ subscription: input.subscription, state }]);
}
