/**
 * FROZEN: the subscription workflow as released before the state machine (patch
 * 'subscription-state-machine'). Runs started before it replay this code until their next
 * continue-as-new, which starts the current workflow with their state. Do not change it.
 *
 * One subscription, for as long as it lives: trial or grace, setup fee, one charge per cycle on its
 * due date, teimosinha retries after soft declines, blocking and recovery at the partner, and the
 * merchant told of every failed attempt — all decided here, in one place. Continues as new after
 * every paid cycle so its history stays short for years.
 */
import {
  ActivityFailure,
  allHandlersFinished,
  ApplicationFailure,
  condition,
  continueAsNew,
  log,
  patched,
  proxyActivities,
  setHandler,
  upsertMemo,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { EngineActivities } from '../../activities';
import {
  addDays,
  compareDates,
  instantAt,
  localDateOf,
  utcOffsetOf,
  type CalendarDate,
} from '../../common/billing/calendar';
import { nextBusinessDay } from '../../common/billing/holidays';
import { monthlyEquivalentCents } from '../../common/billing/schedule';
import { providerWriteRetry } from '../../common/retry-policies';
import {
  BillingAmountCents,
  BillingChargeHeld,
  BillingCustomerId,
  BillingDunningAttempt,
  BillingNextChargeAt,
  BillingPendingSaleIds,
  BillingPlanId,
  BillingStatus,
} from '../../common/search-attributes';
import {
  actionDate,
  applyOutcome,
  attemptReference,
  ensureInvoice,
  firstCycleDueAfter,
  forecast,
  isTerminal,
  nextStep,
  initialState,
  skipRetry,
  summaryLine,
  type Effect,
  type NextStep,
  type SubscriptionState,
} from './machine-v1';
import type { SubscriptionView } from '../../common/subscription/model';
import { providerStatusOf } from '../../common/subscription/view';
import type { CreateSubscriptionInput } from '../../common/subscription/input';
import { checkSubscriptionInput, operationArgsProblems } from '../../common/subscription/checks';
import { holdCharge } from '../../common/subscription/charge-hold';
import { AUTHORIZATION_LOST, type PaymentOutcome } from '../../common/payment-outcome';
import type { ChargeStoredCardInput } from '../../activities/payments/types';
import * as defs from '../subscription-definitions';
import { subscriptionConsequences } from './consequences-v1';
import { invalidInput } from '../failures';

// Card charges heartbeat the pre-authorized order id, so a retried attempt captures instead of charging again.
const charges = proxyActivities<EngineActivities>({
  startToCloseTimeout: '2 minutes',
  heartbeatTimeout: '1 minute',
  retry: providerWriteRetry,
});

/** Workflows that failed on a refused charge before charges could be held replay that failure. */
const HOLD_REFUSED_CHARGES = 'hold-refused-charges';

/** "ProviderAuth: message" from an activity's failure. */
const refusalOf = (error: ActivityFailure) =>
  error.cause instanceof ApplicationFailure
    ? `${error.cause.type ?? 'Error'}: ${error.cause.message}`
    : (error.cause?.message ?? error.message);

/** Workflows started before the card charge was split in two keep the one-activity charge on replay. */
const TWO_STEP_CARD_CHARGE = 'two-step-card-charge';

const isAuthorizationLost = (error: unknown) =>
  error instanceof ActivityFailure &&
  error.cause instanceof ApplicationFailure &&
  error.cause.type === AUTHORIZATION_LOST;

/**
 * Authorize, then capture: the order id is in the history (the authorization's result) before any
 * money moves, so no retry of the capture can charge twice (see activities/payments/zspay.ts).
 */
async function chargeCard(card: ChargeStoredCardInput): Promise<PaymentOutcome> {
  if (!patched(TWO_STEP_CARD_CHARGE)) return charges.chargeStoredCard(card);
  for (let authorizations = 1; ; authorizations += 1) {
    const authorization = await charges.authorizeCard(card);
    if (authorization.kind === 'settled') return authorization.outcome;
    try {
      return await charges.captureCard({
        reference: card.reference,
        amountCents: card.amountCents,
        saleId: authorization.saleId,
      });
    } catch (error) {
      // The authorization expired or was canceled before its capture: nothing was charged.
      if (authorizations < 3 && isAuthorizationLost(error)) continue;
      throw error;
    }
  }
}

export interface SubscriptionWorkflowInput {
  subscription: CreateSubscriptionInput;
  /** Carried by continue-as-new; absent on the first run. */
  state?: SubscriptionState;
}

/** Continue-as-new once the history passes this many events, even within a cycle. */
const HISTORY_EVENTS_BEFORE_CONTINUE = 2_000;

export async function subscriptionWorkflowV1(input: SubscriptionWorkflowInput): Promise<SubscriptionView> {
  // (Released with the zod schema; the cheap check accepts the same inputs, with the same defaults.)
  const checked = checkSubscriptionInput(input.subscription);
  if (!checked.input) throw invalidInput(`Invalid subscription: ${checked.problems.join('; ')}`);
  const spec = checked.input;
  if (spec.paymentMethod.type === 'adiq_vault')
    throw invalidInput('Subscriptions billed by Adiq run adiqSubscriptionWorkflow');
  const timeZone = spec.plan.timeZone;
  const today = (): CalendarDate => localDateOf(Date.now(), timeZone);
  let state: SubscriptionState = input.state ?? initialState(spec, today());
  /** Bumped by every operation and signal so the main loop re-plans instead of sleeping on. */
  let version = 0;
  const changed = () => {
    version += 1;
  };
  let paidCycleSinceStart = false;

  const view = (): SubscriptionView => {
    const step = nextStep(state);
    return {
      subscriptionId: state.subscriptionId,
      customerId: state.customerId,
      planId: state.plan.planId,
      amountCents: state.plan.amountCents,
      status: state.status,
      providerStatus: providerStatusOf(state.status),
      paymentMethod: state.paymentMethod,
      nextChargeDate: step.kind === 'charge' ? step.date : undefined,
      cancelAtPeriodEnd: state.cancelAtPeriodEnd,
      dunning: state.dunning,
      partnerStatus: state.partnerStatus,
      pendingPlanId: state.pendingPlan?.planId,
      chargeHold: state.chargeHold,
      summary: summaryLine(state),
      delivery: { pending: 0, failing: 0, givenUp: 0 },
      ignoredPaymentNotices: 0,
    };
  };

  // --- what operators and services can ask -------------------------------------------------
  setHandler(defs.subscriptionQuery, view);
  setHandler(defs.invoicesQuery, () => ({ invoices: state.invoices, summary: state.summary }));
  setHandler(defs.forecastQuery, (count = 6) => forecast(state, Math.min(Math.max(count, 1), 36)));

  // --- what they can do: Updates, each refused with a reason when it makes no sense now -------
  const reject = (reason: string): never => {
    throw new Error(reason);
  };
  const requireLive = () => isTerminal(state.status) && reject(`the subscription is ${state.status}`);
  const parseArgs = <T>(problemsOf: (args: unknown) => string[], args: unknown): T => {
    const problems = problemsOf(args);
    if (problems.length > 0) return reject(problems.join('; '));
    return args as T;
  };

  setHandler(
    defs.cancelUpdate,
    async (args) => {
      if (args.atPeriodEnd) {
        state = { ...state, cancelAtPeriodEnd: true };
      } else {
        state = {
          ...state,
          status: 'canceled',
          canceledAt: new Date().toISOString(),
          dunning: undefined,
          boletoWait: undefined,
        };
        await runEffects([
          {
            kind: 'notify',
            type: 'subscription.canceled',
            data: { reason: args.reason ?? 'canceled', atPeriodEnd: false },
          },
        ]);
      }
      changed();
      return view();
    },
    {
      validator: (args) => {
        const parsedArgs = parseArgs<{ atPeriodEnd: boolean }>(operationArgsProblems.cancel, args);
        requireLive();
        if (parsedArgs.atPeriodEnd && state.cancelAtPeriodEnd)
          reject('the subscription is already set to cancel at period end');
      },
    },
  );

  setHandler(
    defs.suspendUpdate,
    () => {
      state = { ...state, statusBeforeSuspension: state.status, status: 'suspended' };
      changed();
      return view();
    },
    {
      validator: () => {
        requireLive();
        if (state.status === 'suspended') reject('the subscription is already suspended');
      },
    },
  );

  setHandler(
    defs.reactivateUpdate,
    () => {
      if (state.status === 'suspended') {
        const resumeTo = state.statusBeforeSuspension ?? 'active';
        // Cycles that fell due during the suspension are not billed; the anchor day is kept.
        state = { ...state, status: resumeTo, statusBeforeSuspension: undefined };
        if (!state.dunning && !state.setupFeeDue)
          state = { ...state, nextCycle: firstCycleDueAfter(state, addDays(today(), -1)) };
      } else {
        state = { ...state, cancelAtPeriodEnd: false };
      }
      changed();
      return view();
    },
    {
      validator: () => {
        requireLive();
        if (state.status !== 'suspended' && !state.cancelAtPeriodEnd)
          reject('only a suspended subscription, or one set to cancel at period end, can be reactivated');
      },
    },
  );

  setHandler(
    defs.changeNextChargeDateUpdate,
    (args) => {
      // The new date becomes the anchor: later cycles follow the plan from it.
      state = { ...state, anchor: { cycle: state.nextCycle, date: args.date } };
      changed();
      return view();
    },
    {
      validator: (args) => {
        const parsedArgs = parseArgs<{ date: string }>(operationArgsProblems.changeNextChargeDate, args);
        requireLive();
        if (state.dunning || state.boletoWait)
          reject('the current invoice is still being collected; change the date after it is settled');
        if (state.setupFeeDue) reject('the setup fee has not been charged yet');
        if (compareDates(parsedArgs.date, today()) <= 0) reject('date must be after today');
      },
    },
  );

  setHandler(
    defs.changePaymentMethodUpdate,
    (args) => {
      state = { ...state, paymentMethod: args.paymentMethod };
      // A new payment method during dunning or after a block is tried at once.
      if (state.dunning) state = { ...state, dunning: { ...state.dunning, nextRetryDate: today() } };
      changed();
      return view();
    },
    {
      validator: (args) => {
        const parsedArgs = parseArgs<{ paymentMethod: { type: string } }>(
          operationArgsProblems.changePaymentMethod,
          args,
        );
        requireLive();
        if (parsedArgs.paymentMethod.type === 'adiq_vault')
          reject('paymentMethod adiq_vault is for subscriptions billed by Adiq');
        if (state.boletoWait) reject('a boleto is waiting for payment; change the method after it is settled');
      },
    },
  );

  setHandler(
    defs.changePlanUpdate,
    (args) => {
      state = { ...state, pendingPlan: args.plan };
      changed();
      return view();
    },
    {
      validator: (args) => {
        const parsedArgs = parseArgs<{ plan: { timeZone: string; amountCents: number } }>(
          operationArgsProblems.changePlan,
          args,
        );
        requireLive();
        if (parsedArgs.plan.timeZone !== state.plan.timeZone)
          reject('plan.timeZone cannot change during a subscription');
        if (state.paymentMethod.type === 'zspay_boleto' && parsedArgs.plan.amountCents < 500)
          reject('plan.amountCents must be at least 500 (R$ 5.00) for boleto');
      },
    },
  );

  setHandler(
    defs.retryNowUpdate,
    () => {
      if (state.chargeHold)
        state = { ...state, chargeHold: { ...state.chargeHold, retryAt: new Date().toISOString() } };
      else state = { ...state, dunning: { ...state.dunning!, nextRetryDate: today() } };
      changed();
      return view();
    },
    {
      validator: () => {
        requireLive();
        if (!state.dunning && !state.chargeHold) reject('there is no failed invoice to retry');
        if (state.status === 'suspended') reject('the subscription is suspended');
      },
    },
  );

  setHandler(
    defs.skipNextRetryUpdate,
    async () => {
      const transition = skipRetry(state, outcomeContext());
      state = transition.state;
      changed();
      publish();
      await runEffects(transition.effects);
      return view();
    },
    {
      validator: () => {
        requireLive();
        if (!state.dunning?.nextRetryDate || state.status !== 'past_due') reject('no retry is scheduled');
      },
    },
  );

  setHandler(
    defs.extendGraceUpdate,
    (args) => {
      if (state.boletoWait) {
        state = {
          ...state,
          boletoWait: { ...state.boletoWait, deadline: addDays(state.boletoWait.deadline, args.days) },
        };
      } else if (state.status === 'trialing') {
        state = {
          ...state,
          startDate: state.setupFeeDue ? addDays(state.startDate, args.days) : state.startDate,
          anchor: { ...state.anchor, date: addDays(state.anchor.date, args.days) },
        };
      } else if (state.dunning?.nextRetryDate) {
        state = {
          ...state,
          dunning: { ...state.dunning, nextRetryDate: addDays(state.dunning.nextRetryDate, args.days) },
        };
      }
      changed();
      return view();
    },
    {
      validator: (args) => {
        parseArgs(operationArgsProblems.extendGrace, args);
        requireLive();
        if (
          !state.boletoWait &&
          state.status !== 'trialing' &&
          !(state.dunning?.nextRetryDate && state.status === 'past_due')
        ) {
          reject('there is no trial, grace, tolerance or retry period to extend');
        }
      },
    },
  );

  setHandler(
    defs.linkExternalPaymentUpdate,
    (args) => {
      state = {
        ...state,
        externalPayments: { ...state.externalPayments, [String(args.cycle)]: args.payment },
        invoices: state.invoices.map((i) =>
          i.cycle === args.cycle ? { ...i, externalPaymentId: args.payment.paymentId } : i,
        ),
      };
      changed();
      return view();
    },
    {
      validator: (args) => {
        parseArgs(operationArgsProblems.linkExternalPayment, args);
        requireLive();
      },
    },
  );

  // --- what providers tell us (webhooks, billing runs) ----------------------------------------
  setHandler(defs.paymentReceivedSignal, (payment) => {
    const problems = operationArgsProblems.paymentReceived(payment);
    if (problems.length > 0) {
      log.warn('Ignoring a malformed payment notification', { problems });
      return;
    }
    state = { ...state, pendingPayments: [...state.pendingPayments, payment] };
    changed();
  });

  function outcomeContext() {
    const now = Date.now();
    return { today: today(), now: new Date(now).toISOString(), offset: utcOffsetOf(now, timeZone) };
  }

  const consequences = subscriptionConsequences(spec, {
    get: () => state,
    set: (next) => {
      state = next;
    },
  });
  const runEffects = (effects: Effect[]) => consequences.run(effects);

  async function apply(cycle: number, outcome: Parameters<typeof applyOutcome>[2]): Promise<void> {
    const transition = applyOutcome(state, cycle, outcome, outcomeContext());
    state = transition.state;
    if (outcome.status === 'succeeded' && cycle > 0) paidCycleSinceStart = true;
    publish();
    await runEffects(transition.effects);
  }

  async function collect(step: NextStep & { kind: 'charge' }): Promise<void> {
    if (!step.retry && step.cycle > 0 && state.pendingPlan) {
      // A plan change takes effect from this cycle: re-anchor on its due date under the old plan.
      state = {
        ...state,
        anchor: { cycle: step.cycle, date: step.date },
        plan: state.pendingPlan,
        pendingPlan: undefined,
      };
    }
    const ensured = ensureInvoice(state, step.cycle);
    state = ensured.state;
    const reference = attemptReference(state, step.cycle, ensured.invoice.attempts.length + 1);
    const description = `${state.plan.planId} ${step.cycle === 0 ? 'setup fee' : `cycle ${step.cycle}`}`;
    const paymentMethod = state.paymentMethod;
    let outcome: PaymentOutcome;
    try {
      if (paymentMethod.type === 'zspay_card') {
        outcome = await chargeCard({
          reference,
          amountCents: ensured.invoice.amountCents,
          clientId: paymentMethod.zspayClientId,
          cardId: paymentMethod.cardId,
          description,
        });
      } else if (paymentMethod.type === 'zspay_boleto') {
        outcome = await charges.issueBoleto({
          reference,
          amountCents: ensured.invoice.amountCents,
          clientId: paymentMethod.zspayClientId,
          dueDate: nextBusinessDay(ensured.invoice.dueDate),
          description,
        });
      } else {
        // Validators keep Adiq-billed methods out of this workflow (they run adiqSubscriptionWorkflow).
        throw invalidInput(`payment method ${paymentMethod.type} is billed by its provider, not by this workflow`);
      }
    } catch (error) {
      // Only non-retryable failures reach here (transient ones retry without limit): hold the charge.
      if (!(error instanceof ActivityFailure) || !patched(HOLD_REFUSED_CHARGES)) throw error;
      const hold = holdCharge(state.chargeHold, step.cycle, refusalOf(error), Date.now());
      state = { ...state, chargeHold: hold };
      log.warn('Charge held: the provider refused it for a reason a retry cannot fix', { cycle: step.cycle, hold });
      publish();
      // The merchant hears of it once per cycle, not at every refused retry.
      if (hold.holds === 1)
        await runEffects([
          {
            kind: 'notify',
            type: 'payment.held',
            data: { cycle: hold.cycle, reason: hold.reason, retryAt: hold.retryAt },
          },
        ]);
      return;
    }
    if (state.chargeHold) state = { ...state, chargeHold: undefined };
    await apply(step.cycle, outcome);
  }

  /** A boleto paid (webhook or billing run): match it to its invoice by the provider's sale id. */
  async function settleReceivedPayments(): Promise<void> {
    while (state.pendingPayments.length > 0) {
      const [first, ...rest] = state.pendingPayments;
      const payment = first!; // the loop runs while one is pending (frozen code: types only)
      state = { ...state, pendingPayments: rest };
      const invoice = state.invoices.find(
        (i) => i.boleto?.saleId === payment.saleId || i.attempts.some((a) => a.providerIds?.saleId === payment.saleId),
      );
      if (!invoice) {
        log.warn('Payment for an unknown sale', { saleId: payment.saleId });
        continue;
      }
      if (invoice.status === 'paid') continue; // the same webhook twice has one effect
      await apply(invoice.cycle, {
        status: 'succeeded',
        reference: invoice.attempts[invoice.attempts.length - 1]?.reference ?? payment.saleId,
        providerIds: { saleId: payment.saleId },
      });
    }
  }

  let published = '';
  let heldPublished = false;
  function publish(): void {
    const current = view();
    const attributes = {
      // Only present while held, so runs that never held a charge publish exactly what they did before.
      ...(state.chargeHold ? { held: true } : {}),
      status: current.status,
      next: current.nextChargeDate ? instantAt(current.nextChargeDate, state.plan.chargeHourLocal, 0, timeZone) : null,
      amount: state.plan.amountCents,
      plan: state.plan.planId,
      dunning: state.dunning?.failures ?? 0,
      summary: current.summary,
      pendingSales: state.invoices.filter((i) => i.status !== 'paid' && i.boleto?.saleId).map((i) => i.boleto!.saleId!),
    };
    const key = JSON.stringify(attributes);
    if (key === published) return;
    published = key;
    upsertSearchAttributes([
      { key: BillingStatus, value: attributes.status },
      { key: BillingCustomerId, value: state.customerId },
      { key: BillingPlanId, value: attributes.plan },
      { key: BillingAmountCents, value: attributes.amount },
      { key: BillingDunningAttempt, value: attributes.dunning },
      { key: BillingNextChargeAt, value: attributes.next === null ? null : new Date(attributes.next) },
      { key: BillingPendingSaleIds, value: attributes.pendingSales.length > 0 ? attributes.pendingSales : null },
      ...(attributes.held || heldPublished ? [{ key: BillingChargeHeld, value: attributes.held ? true : null }] : []),
    ]);
    heldPublished = attributes.held === true;
    upsertMemo({ summary: attributes.summary, monthlyAmountCents: monthlyEquivalentCents(state.plan) });
  }

  // --- the business process --------------------------------------------------------------------
  publish();
  while (!isTerminal(state.status)) {
    const seen = version;
    await settleReceivedPayments();
    publish();
    if (
      paidCycleSinceStart ||
      workflowInfo().continueAsNewSuggested ||
      workflowInfo().historyLength > HISTORY_EVENTS_BEFORE_CONTINUE
    )
      break;

    const step = nextStep(state);
    if (step.kind === 'charge' && state.chargeHold?.cycle === step.cycle) {
      const wait = Date.parse(state.chargeHold.retryAt) - Date.now();
      if (wait > 0 && (await condition(() => version !== seen, wait))) continue;
    }
    if (step.kind === 'idle') {
      await condition(() => version !== seen);
      continue;
    }
    if (step.kind === 'await_boleto') {
      const endOfDeadline = instantAt(addDays(step.deadline, 1), 0, 0, timeZone);
      if (await condition(() => version !== seen, Math.max(1, endOfDeadline - Date.now()))) continue;
      const invoice = state.invoices.find((i) => i.cycle === step.cycle)!;
      await apply(step.cycle, {
        status: 'unpaid',
        reference: invoice.attempts[invoice.attempts.length - 1]?.reference ?? attemptReference(state, step.cycle, 1),
      });
      continue;
    }
    const date = step.kind === 'charge' ? actionDate(state, step, today()) : step.date;
    const wakeAt = instantAt(date, state.plan.chargeHourLocal, 0, timeZone);
    if (wakeAt > Date.now() && (await condition(() => version !== seen, wakeAt - Date.now()))) continue;

    if (step.kind === 'cancel') {
      state = { ...state, status: 'canceled', canceledAt: new Date().toISOString() };
      publish();
      await runEffects([
        {
          kind: 'notify',
          type: 'subscription.canceled',
          data: { reason: 'canceled at period end', atPeriodEnd: true },
        },
      ]);
    } else if (step.kind === 'complete') {
      state = { ...state, status: 'completed' };
      publish();
      await runEffects([{ kind: 'notify', type: 'subscription.completed', data: { reason: step.reason } }]);
    } else {
      await collect(step);
    }
  }

  // Nothing in flight is lost: Update handlers finish and merchant notifications are delivered
  // (or given up after their retry window) before this run ends or continues as new.
  await condition(allHandlersFinished);
  await consequences.drain();
  if (!isTerminal(state.status)) {
    await continueAsNew<typeof subscriptionWorkflowV1>({ subscription: input.subscription, state });
  }
  return view();
}
