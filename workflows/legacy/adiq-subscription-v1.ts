/**
 * FROZEN: the Adiq-billed workflow as released before the state machine (patch
 * 'subscription-state-machine'); replayed by runs started before it. Do not change it.
 *
 * A subscription billed by Adiq Recurrence itself (provider-managed mode): the workflow creates the
 * Adiq plan and subscription, then follows Adiq's notifications (signals from the webhook ingress)
 * and a daily billing search (for notifications that never arrived), and drives the same
 * consequences as the engine-billed workflow. It charges nothing on its own; canceling and changing
 * the card are forwarded to Adiq.
 */
import {
  ActivityFailure,
  condition,
  continueAsNew,
  allHandlersFinished,
  log,
  patched,
  proxyActivities,
  setHandler,
  upsertMemo,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { EngineActivities } from '../../activities';
import { addDays, instantAt, localDateOf, utcOffsetOf } from '../../common/billing/calendar';
import { providerReadRetry, providerWriteRetry } from '../../common/retry-policies';
import {
  BillingCustomerId,
  BillingPlanId,
  BillingProviderSubscriptionId,
  BillingStatus,
} from '../../common/search-attributes';
import { applyAdiqBilling, applyAdiqSubscriptionBlocked, type AdiqBillingUpdate } from './adiq-managed-v1';
import { checkSubscriptionInput, operationArgsProblems } from '../../common/subscription/checks';
import { forecast, initialState, isTerminal, summaryLine, type SubscriptionState, type Transition } from './machine-v1';
import type { SubscriptionView } from '../../common/subscription/model';
import type { CancelArgs, ChangePaymentMethodArgs } from '../../common/subscription/operations';
import { providerStatusOf } from '../../common/subscription/view';
import { subscriptionConsequences } from './consequences-v1';
import { invalidInput } from '../failures';
import * as defs from '../subscription-definitions';
import type { SubscriptionWorkflowInput } from './subscription-v1';

/** Runs whose daily reconciliation failed the workflow before it could be skipped replay that failure. */
const RECONCILE_SURVIVES_REFUSALS = 'adiq-reconcile-survives-refusals';

const adiq = proxyActivities<EngineActivities>({ startToCloseTimeout: '1 minute', retry: providerWriteRetry });
const adiqReads = proxyActivities<EngineActivities>({ startToCloseTimeout: '2 minutes', retry: providerReadRetry });

/** How far back each daily billing search looks (Adiq's retries span 16 days). */
const SEARCH_WINDOW_DAYS = 35;
const HISTORY_EVENTS_BEFORE_CONTINUE = 2_000;

export async function adiqSubscriptionWorkflowV1(input: SubscriptionWorkflowInput): Promise<SubscriptionView> {
  const checked = checkSubscriptionInput(input.subscription);
  if (!checked.input) throw invalidInput(`Invalid subscription: ${checked.problems.join('; ')}`);
  const spec = checked.input;
  const { plan, paymentMethod } = spec;
  if (paymentMethod.type !== 'adiq_vault' || plan.recurrence.kind !== 'adiq')
    throw invalidInput('An Adiq-billed subscription needs paymentMethod adiq_vault and an Adiq plan');
  const recurrence = plan.recurrence;
  const timeZone = plan.timeZone;
  const today = () => localDateOf(Date.now(), timeZone);
  let state: SubscriptionState = input.state ?? initialState(spec, today());
  const queue: AdiqBillingUpdate[] = [];
  let version = 0;

  const consequences = subscriptionConsequences(spec, {
    get: () => state,
    set: (next) => {
      state = next;
    },
  });
  const context = () => ({ today: today(), now: new Date().toISOString(), offset: utcOffsetOf(Date.now(), timeZone) });
  const view = (): SubscriptionView => ({
    subscriptionId: state.subscriptionId,
    customerId: state.customerId,
    planId: state.plan.planId,
    amountCents: state.plan.amountCents,
    status: state.status,
    providerStatus: providerStatusOf(state.status),
    paymentMethod: state.paymentMethod,
    cancelAtPeriodEnd: false,
    dunning: state.dunning,
    partnerStatus: state.partnerStatus,
    summary: `${summaryLine(state).split(' · ').slice(0, 3).join(' · ')} · billed by Adiq`,
    delivery: { pending: 0, failing: 0, givenUp: 0 },
    ignoredPaymentNotices: 0,
  });
  const publish = () => {
    upsertSearchAttributes([
      { key: BillingStatus, value: state.status },
      { key: BillingCustomerId, value: state.customerId },
      { key: BillingPlanId, value: state.plan.planId },
      ...(state.adiq ? [{ key: BillingProviderSubscriptionId, value: state.adiq.subscriptionId }] : []),
    ]);
    upsertMemo({ summary: view().summary });
  };
  const apply = async (transition: Transition) => {
    state = transition.state;
    if (transition.effects.length > 0) publish();
    await consequences.run(transition.effects);
  };

  setHandler(defs.subscriptionQuery, view);
  setHandler(defs.invoicesQuery, () => ({ invoices: state.invoices, summary: state.summary }));
  setHandler(defs.forecastQuery, (count = 6) => forecast(state, Math.min(Math.max(count, 1), 36)));
  setHandler(defs.adiqBillingSignal, (update) => {
    queue.push(update);
    version += 1;
  });
  setHandler(
    defs.cancelUpdate,
    async () => {
      if (state.adiq)
        await adiq.changeAdiqSubscriptionStatus({ subscriptionId: state.adiq.subscriptionId, status: 'canceled' });
      state = { ...state, status: 'canceled', canceledAt: new Date().toISOString() };
      publish();
      await consequences.run([
        { kind: 'notify', type: 'subscription.canceled', data: { reason: 'canceled at Adiq', atPeriodEnd: false } },
      ]);
      version += 1;
      return view();
    },
    {
      validator: (args: CancelArgs) => {
        const problems = operationArgsProblems.cancel(args);
        if (problems.length > 0) throw new Error(problems.join('; '));
        const result = { data: args };
        if (isTerminal(state.status)) throw new Error(`the subscription is ${state.status}`);
        if (result.data.atPeriodEnd)
          throw new Error('Adiq cancels a subscription at once; cancel with atPeriodEnd false');
      },
    },
  );
  setHandler(
    defs.changePaymentMethodUpdate,
    async (args) => {
      if (args.paymentMethod.type === 'adiq_vault' && state.adiq) {
        await adiq.changeAdiqSubscriptionVault({
          subscriptionId: state.adiq.subscriptionId,
          vaultId: args.paymentMethod.vaultId,
        });
        state = { ...state, paymentMethod: args.paymentMethod };
      }
      return view();
    },
    {
      validator: (args: ChangePaymentMethodArgs) => {
        const problems = operationArgsProblems.changePaymentMethod(args);
        if (problems.length > 0) throw new Error(problems.join('; '));
        const result = { data: args };
        if (result.data.paymentMethod.type !== 'adiq_vault')
          throw new Error('a subscription billed by Adiq takes an Adiq vault (paymentMethod adiq_vault)');
        if (isTerminal(state.status)) throw new Error(`the subscription is ${state.status}`);
      },
    },
  );

  if (!state.adiq) {
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
      reference: state.subscriptionId,
      planId: created.planId,
      vaultId: paymentMethod.vaultId,
    });
    state = { ...state, adiq: { planId: created.planId, subscriptionId: subscription.subscriptionId, handled: [] } };
  }
  publish();

  const applyQueued = async () => {
    while (queue.length > 0) await apply(applyAdiqBilling(state, queue.shift()!, context()));
  };

  /** The billing search and subscription status: what notifications may have missed. */
  const reconcile = async () => {
    const adiqIds = state.adiq!;
    const billings = await adiqReads.searchAdiqBillings({
      subscriptionId: adiqIds.subscriptionId,
      from: addDays(today(), -SEARCH_WINDOW_DAYS),
      to: today(),
    });
    for (const billing of billings) {
      if (billing.outcome !== 'succeeded' && billing.outcome !== 'soft_declined' && billing.outcome !== 'hard_declined')
        continue;
      queue.push({
        billingId: billing.billingId,
        outcome: billing.outcome === 'succeeded' ? 'paid' : 'failed',
        decline: billing.outcome === 'hard_declined' ? 'hard' : 'soft',
        installment: billing.installment ?? undefined,
        amountCents: billing.amountCents ?? undefined,
        dueDate: billing.expireDate,
        source: 'search',
      });
    }
    await applyQueued();
    const subscription = await adiqReads.getAdiqSubscription(adiqIds.subscriptionId);
    if (subscription.status === 'blocked') await apply(applyAdiqSubscriptionBlocked(state));
    if (subscription.status === 'canceled' && !isTerminal(state.status)) {
      state = { ...state, status: 'canceled', canceledAt: new Date().toISOString() };
      publish();
      await consequences.run([{ kind: 'notify', type: 'subscription.canceled', data: { reason: 'canceled at Adiq' } }]);
    }
  };

  while (!isTerminal(state.status)) {
    await applyQueued();
    if (workflowInfo().continueAsNewSuggested || workflowInfo().historyLength > HISTORY_EVENTS_BEFORE_CONTINUE) break;
    const seen = version;
    // Once a day, an hour after Adiq's charging hour, look for what notifications missed.
    let nextCheck = instantAt(today(), (plan.chargeHourLocal + 1) % 24, 0, timeZone);
    if (nextCheck <= Date.now())
      nextCheck = instantAt(addDays(today(), 1), (plan.chargeHourLocal + 1) % 24, 0, timeZone);
    if (await condition(() => version !== seen, nextCheck - Date.now())) continue;
    try {
      await reconcile();
    } catch (error) {
      // A refused read (revoked credentials...) skips one day's look; notifications still arrive.
      if (!(error instanceof ActivityFailure) || !patched(RECONCILE_SURVIVES_REFUSALS)) throw error;
      log.warn('Daily Adiq reconciliation refused by the provider; trying again at the next check', {
        error: error.cause?.message ?? error.message,
      });
    }
  }
  if (queue.length > 0) log.info('Billing updates after the subscription ended are ignored', { count: queue.length });

  await condition(allHandlersFinished);
  await consequences.drain();
  if (!isTerminal(state.status))
    await continueAsNew<typeof adiqSubscriptionWorkflowV1>({ subscription: input.subscription, state });
  return view();
}
