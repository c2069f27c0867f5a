/**
 * One subscription billed by the engine (Zspay card or boleto), for as long as it lives: trial or
 * grace, setup fee, one charge per cycle on its due date, teimosinha retries, blocking and recovery.
 * Every change goes through the transition table (common/subscription/table.ts); this workflow
 * waits for the next step, calls the provider, feeds back what happened, and continues as new after
 * every paid cycle (subscription-runtime.ts holds what it shares with the Adiq-billed workflow).
 */
import { ActivityFailure, ApplicationFailure, log, patched, proxyActivities } from '@temporalio/workflow';
import type { EngineActivities } from '../activities';
import type { ChargeStoredCardInput } from '../activities/payments/types';
import { addDays, instantAt } from '../common/billing/calendar';
import { nextBusinessDay } from '../common/billing/holidays';
import { AUTHORIZATION_LOST, type PaymentOutcome } from '../common/payment-outcome';
import { providerReadRetry, providerWriteRetry } from '../common/retry-policies';
import { checkSubscriptionInput } from '../common/subscription/checks';
import type { CreateSubscriptionInput, ParsedSubscriptionInput } from '../common/subscription/input';
import { actionDate, invoiceLabel, nextStep, type NextStep } from '../common/subscription/machine';
import type { SubscriptionView } from '../common/subscription/model';
import {
  initialState,
  startDateProblem,
  upgradeState,
  type SubscriptionState,
  type SubscriptionStateV1,
} from '../common/subscription/state';
import { ENGINE_BILLED } from '../common/subscription/table';
import { couponExpired, isProrationInvoiceCycle } from '../common/subscription/pricing';
import { paidInvoiceOfSale, refundToSend } from '../common/subscription/refunds';
import { invalidInput } from './failures';
import { subscriptionWorkflowV1 } from './legacy/subscription-v1';
import { countChargeHeld, countChargeRetry } from './metrics';
import { failureText } from './outbox';
import { providerActivities } from './provider-activities';
import { refundSummary, settleRefund, transfersSince } from './refunds';
import { eventContext, SubscriptionRuntime } from './subscription-runtime';
import { providerCallSummary, type ProviderCall } from '../common/subscription/web-ui';

/** Runs started before the state machine replay the released code until their next continue-as-new. */
export const STATE_MACHINE_PATCH = 'subscription-state-machine';

/**
 * Charges heartbeat while they wait on Zspay, so an attempt whose worker died is retried after
 * 10 seconds; every retry asks Zspay first (see activities/payments/zspay.ts), never charges twice.
 */
const zspayCharges = () =>
  providerActivities('zspay', {
    startToCloseTimeout: '2 minutes',
    heartbeatTimeout: '10 seconds',
    retry: providerWriteRetry,
  });
const zspayReads = () => providerActivities('zspay', { startToCloseTimeout: '1 minute', retry: providerReadRetry });
/** What only the worker knows (its configured references): quick, and answered before the create returns. */
const configuration = proxyActivities<EngineActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { maximumAttempts: 5 },
});

/** A card authorization that keeps lapsing before its capture is given up after this many. */
const MAX_AUTHORIZATIONS = 3;

export interface SubscriptionWorkflowInput {
  subscription: CreateSubscriptionInput;
  /** Carried by continue-as-new; absent on the first run. */
  state?: SubscriptionState | SubscriptionStateV1;
}

const isAuthorizationLost = (error: unknown) =>
  error instanceof ActivityFailure &&
  error.cause instanceof ApplicationFailure &&
  error.cause.type === AUTHORIZATION_LOST;

/**
 * The first run accepts the subscription, or refuses it naming the fields: a start date more than a
 * year ahead of the workflow's clock, and references only the worker can resolve (the merchant's
 * signing secret, the partner's client token).
 */
export async function acceptSubscription(runtime: SubscriptionRuntime, spec: ParsedSubscriptionInput): Promise<void> {
  const startProblem = startDateProblem(spec.startDate, runtime.context().today);
  const couponProblem =
    spec.coupon && couponExpired(spec.coupon, runtime.context().today)
      ? [{ field: 'coupon.expiresAt', message: `the coupon expired on ${spec.coupon.expiresAt}` }]
      : [];
  const references = await configuration.checkSubscriptionReferences({
    merchantSecretRef: spec.merchant?.secretRef,
    zapsignClientRef: spec.partner?.zapsignClientRef,
  });
  await runtime.accept([
    ...(startProblem ? [{ field: 'startDate', message: startProblem }] : []),
    ...couponProblem,
    ...references,
  ]);
}

export async function subscriptionWorkflow(input: SubscriptionWorkflowInput): Promise<SubscriptionView> {
  if (!patched(STATE_MACHINE_PATCH)) return subscriptionWorkflowV1(input);
  const checked = checkSubscriptionInput(input.subscription);
  if (!checked.input) throw invalidInput(`Invalid subscription: ${checked.problems.join('; ')}`);
  const spec = checked.input;
  if (spec.paymentMethod.type === 'adiq_vault')
    throw invalidInput('Subscriptions billed by Adiq run adiqSubscriptionWorkflow');
  if (spec.paymentMethod.type === 'zspay_subscription')
    throw invalidInput('Subscriptions billed by Zspay run zspaySubscriptionWorkflow');
  const firstRun = input.state === undefined;
  const runtime = new SubscriptionRuntime({
    spec,
    firstRun,
    machine: ENGINE_BILLED,
    state: input.state ? upgradeState(input.state) : initialState(spec, eventContext(spec).today),
  });
  runtime.registerHandlers();
  if (firstRun) await acceptSubscription(runtime, spec);
  runtime.publish();
  runtime.startDeliveries();
  const charges = zspayCharges();
  const reads = zspayReads();

  /**
   * Authorize, then capture: the order id is in the history (the authorization's result) before any
   * money moves, so no retry of the capture can charge twice. A cancel or suspension acknowledged
   * while the authorization was in flight is honoured: the authorization is released, never captured.
   */
  const chargeCard = async (
    card: ChargeStoredCardInput,
    cycle: number,
  ): Promise<{ kind: 'settled'; outcome: PaymentOutcome } | { kind: 'released'; reason: string }> => {
    // The Web UI shows each provider call as "authorize R$ 49,90 · cycle 3 · attempt 2 of 5".
    const summary = (call: ProviderCall) => ({
      summary: providerCallSummary(runtime.state, call, cycle, card.amountCents),
    });
    for (let authorizations = 1; ; authorizations += 1) {
      const authorization = await charges.authorizeCard.executeWithOptions(summary('authorize'), [card]);
      if (authorization.kind === 'settled') return authorization;
      const status = runtime.state.status;
      if (status === 'canceled' || status === 'suspended') {
        const release = await charges.releaseCardAuthorization.executeWithOptions(summary('release'), [
          { reference: card.reference, amountCents: card.amountCents, saleId: authorization.saleId },
        ]);
        if (release.released) return { kind: 'released', reason: `the subscription was ${status} before the capture` };
        return { kind: 'settled', outcome: release.outcome };
      }
      try {
        return {
          kind: 'settled',
          outcome: await charges.captureCard.executeWithOptions(summary('capture'), [
            { reference: card.reference, amountCents: card.amountCents, saleId: authorization.saleId },
          ]),
        };
      } catch (error) {
        // The authorization expired or was canceled before its capture: nothing was charged.
        if (authorizations < MAX_AUTHORIZATIONS && isAuthorizationLost(error)) continue;
        throw error;
      }
    }
  };

  const charge = async (step: NextStep & { kind: 'charge' }): Promise<void> => {
    if (runtime.dispatch({ type: 'chargeStarted', cycle: step.cycle }).answer !== 'applied') return;
    runtime.publish();
    // An invoice of 0 (a 100% discount, a credit) was paid at once: nothing goes to the provider.
    if (!runtime.state.charge) return;
    const inFlight = runtime.state.charge;
    if (step.retry) countChargeRetry(inFlight.reference);
    const description = `${runtime.state.plan.planId} ${invoiceLabel(step.cycle)}`;
    const method = inFlight.paymentMethod;
    try {
      let outcome: PaymentOutcome;
      if (method.type === 'zspay_card') {
        const result = await chargeCard(
          {
            reference: inFlight.reference,
            amountCents: inFlight.amountCents,
            clientId: method.zspayClientId,
            cardId: method.cardId,
            description,
          },
          step.cycle,
        );
        if (result.kind === 'released') {
          runtime.dispatch({ type: 'chargeReleased', cycle: step.cycle, reason: result.reason });
          return;
        }
        outcome = result.outcome;
      } else if (method.type === 'zspay_boleto') {
        const dueDate = runtime.state.invoices.find((i) => i.cycle === step.cycle)!.dueDate;
        outcome = await charges.issueBoleto.executeWithOptions(
          { summary: providerCallSummary(runtime.state, 'boleto', step.cycle, inFlight.amountCents) },
          [
            {
              reference: inFlight.reference,
              amountCents: inFlight.amountCents,
              clientId: method.zspayClientId,
              dueDate: nextBusinessDay(dueDate),
              description,
            },
          ],
        );
      } else {
        throw invalidInput(`payment method ${method.type} is billed by its provider, not by this workflow`);
      }
      runtime.dispatch({ type: 'chargeSettled', cycle: step.cycle, outcome });
    } catch (error) {
      // Only non-retryable failures reach here (transient ones retry without limit): hold the charge.
      if (!(error instanceof ActivityFailure)) throw error;
      log.warn('Charge held: the provider refused it for a reason a retry cannot fix', {
        cycle: step.cycle,
        error: failureText(error),
      });
      countChargeHeld('zspay', method.type === 'zspay_boleto' ? 'boleto' : 'card');
      runtime.dispatch({ type: 'chargeHeld', cycle: step.cycle, reason: failureText(error) });
    }
  };

  /** Payments a webhook or billing run announced: the sale's own status at the provider decides. */
  const confirmNoticedPayments = async (): Promise<void> => {
    for (const payment of runtime.state.pendingPayments) {
      const sale = await reads.saleSettlement({ saleId: payment.saleId }).catch((error: unknown) => {
        // The provider will not show it (an unknown sale): a notice it cannot back is ignored.
        if (error instanceof ActivityFailure) return { settlement: 'unknown', status: failureText(error) };
        throw error;
      });
      if (sale.settlement === 'succeeded') runtime.dispatch({ type: 'paymentConfirmed', saleId: payment.saleId });
      else {
        log.warn('A payment notice the provider contradicts was ignored', {
          saleId: payment.saleId,
          providerStatus: sale.status,
        });
        runtime.dispatch({ type: 'paymentContradicted', saleId: payment.saleId, providerStatus: String(sale.status) });
      }
    }
  };

  /**
   * Refund webhooks ("estornado") are hints: the sale's own status at Zspay decides (6 Estornado),
   * whoever refunded it (the engine, or the merchant at Zspay directly).
   */
  const confirmNoticedRefunds = async (): Promise<void> => {
    for (const saleId of runtime.state.pendingRefunds ?? []) {
      const sale = await reads.saleSettlement({ saleId }).catch((error: unknown) => {
        if (error instanceof ActivityFailure) return { settlement: 'unknown', status: failureText(error) };
        throw error;
      });
      if (sale.settlement === 'reversed') {
        const invoice = paidInvoiceOfSale(runtime.state, saleId);
        runtime.dispatch({
          type: 'refundConfirmed',
          saleId,
          transfersSincePayment: invoice ? await transfersSince(invoice.paidAt) : undefined,
        });
      } else {
        log.warn('A refund notice the provider contradicts was ignored', { saleId, providerStatus: sale.status });
        runtime.dispatch({ type: 'refundContradicted', saleId, providerStatus: String(sale.status) });
      }
    }
  };

  /**
   * The refund acknowledged by the refund operation, sent once: the activity reads the sale before
   * any retry (refunded = done). A refusal no retry fixes is recorded; the invoice stays paid.
   */
  const sendRefund = async (): Promise<void> => {
    const pending = refundToSend(runtime.state);
    if (!pending) return;
    const { invoice, refund } = pending;
    await settleRefund(runtime, invoice, () =>
      charges.refundCardSale.executeWithOptions({ summary: refundSummary(invoice, refund) }, [
        { reference: refund.reference, saleId: refund.saleId, amountCents: refund.amountCents },
      ]),
    );
  };

  /** When a step is due: charges at the plan's hour (boletos issued ahead), a held charge at its retry time. */
  const dueAt = (
    state: SubscriptionState,
    step: Exclude<NextStep, { kind: 'idle' | 'done' }>,
    today: string,
  ): number => {
    const { chargeHourLocal, timeZone } = state.plan;
    if (step.kind === 'await_boleto') return instantAt(addDays(step.deadline, 1), 0, 0, timeZone);
    if (step.kind === 'charge' && state.chargeHold?.cycle === step.cycle) return Date.parse(state.chargeHold.retryAt);
    // A plan change's difference (proration `now`) is charged the moment it is acknowledged.
    if (step.kind === 'charge' && !step.retry && isProrationInvoiceCycle(step.cycle)) return Date.now();
    return instantAt(step.kind === 'charge' ? actionDate(state, step, today) : step.date, chargeHourLocal, 0, timeZone);
  };

  for (;;) {
    const seen = runtime.version;
    if (runtime.state.pendingPayments.length > 0) await confirmNoticedPayments();
    if ((runtime.state.pendingRefunds ?? []).length > 0) await confirmNoticedRefunds();
    if (refundToSend(runtime.state)) await sendRefund();
    runtime.publish();
    if (runtime.shouldStop()) break;
    const step = nextStep(runtime.state);
    if (step.kind === 'idle' || step.kind === 'done') {
      await runtime.changeSince(seen);
      continue;
    }
    if (await runtime.changeSince(seen, dueAt(runtime.state, step, runtime.context().today))) continue;
    if (step.kind === 'charge') await charge(step);
    else if (step.kind === 'await_boleto') runtime.dispatch({ type: 'boletoExpired', cycle: step.cycle });
    else if (step.kind === 'cancel') runtime.dispatch({ type: 'periodEnded' });
    else runtime.dispatch({ type: 'planEnded', reason: step.reason });
  }
  return runtime.finish<typeof subscriptionWorkflow>((state) => [{ subscription: input.subscription, state }]);
}
