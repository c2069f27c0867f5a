/**
 * The subscription's decisions as pure functions: what to do next and when, and what each event
 * changes and sets off. Which events apply in which status is declared in table.ts; this module
 * holds what an applied event does. The workflow only waits, calls activities and feeds back what
 * happened (Kill Bill's pattern: a pure evaluator decides, a separate step applies the effects).
 */
import { addDays, addMonths, compareDates, type CalendarDate } from '../billing/calendar';
import { nextRetryDate } from '../billing/teimosinha';
import { chargeDateForCycle, totalCycles } from '../billing/schedule';
import { chargeHoldText, holdCharge } from './charge-hold';
import type { ChargeOutcome, EventContext, EventOf, SubscriptionEvent, SubscriptionEventType } from './events';
import type { ChargeAttempt, Invoice, SubscriptionStatus } from './model';
import { delivered, deliveryFailed, deliveryStatus, type Effect } from './outbox';
import type { SubscriptionState } from './state';
import { formatBRL, formatDate } from '../money';
import {
  isProrationInvoiceCycle,
  priceRecurring,
  prorationInvoiceCycle,
  prorationLines,
  type PricedInvoice,
} from './pricing';
import { refundConfirmed, refundContradicted, refundNoticed, refundSettled, requestRefund } from './refunds';

export type { Effect } from './outbox';
export type { SubscriptionState } from './state';

/** How many invoices stay in state in full; older ones are folded into the summary. */
export const RECENT_INVOICES_KEPT = 12;
/** Boletos are issued this many days before their due date, so the customer has time to pay. */
export const BOLETO_LEAD_DAYS = 5;
/** A new next charge date may lie at most this far ahead. */
export const NEXT_CHARGE_DATE_HORIZON_DAYS = 366;

const TERMINAL: readonly SubscriptionStatus[] = ['canceled', 'completed'];

export function isTerminal(status: SubscriptionStatus): boolean {
  return TERMINAL.includes(status);
}

export interface Transition {
  state: SubscriptionState;
  effects: Effect[];
}

// --- the calendar of a subscription ------------------------------------------------------------

/** The due date of a recurring cycle. */
export function dueDateOf(state: Pick<SubscriptionState, 'anchor' | 'plan'>, cycle: number): CalendarDate {
  return chargeDateForCycle(state.anchor.date, state.plan, cycle - state.anchor.cycle);
}

export function invoiceAmount(state: SubscriptionState, cycle: number): number {
  return cycle === 0 ? (state.plan.setupAmountCents ?? 0) : state.plan.amountCents;
}

/** Why the subscription ends before billing `cycle`, if it does. */
export function endReason(
  state: Pick<SubscriptionState, 'plan' | 'startDate'>,
  cycle: number,
  dueDate: CalendarDate,
): string | undefined {
  const cycles = totalCycles(state.plan);
  if (cycles !== undefined && cycle > cycles) return `all ${cycles} installments billed`;
  if (state.plan.durationMonths !== undefined) {
    const end = addMonths(state.startDate, state.plan.durationMonths);
    if (compareDates(dueDate, end) >= 0) return `subscription duration of ${state.plan.durationMonths} months reached`;
  }
  if (state.plan.expiresAt !== undefined && compareDates(dueDate, state.plan.expiresAt) > 0) {
    return `plan expired on ${state.plan.expiresAt}`;
  }
  return undefined;
}

export type NextStep =
  | { kind: 'charge'; cycle: number; date: CalendarDate; retry: boolean }
  | { kind: 'await_boleto'; cycle: number; deadline: CalendarDate }
  | { kind: 'complete'; date: CalendarDate; reason: string }
  | { kind: 'cancel'; date: CalendarDate }
  /** Nothing to do until something happens (an operation, a payment, a delivery). */
  | { kind: 'idle' }
  /** Canceled or completed, nothing left in flight: the workflow may end. */
  | { kind: 'done' };

/** What the subscription does next, and on which calendar date. */
export function nextStep(state: SubscriptionState): NextStep {
  // A boleto already issued may still be paid, even after a cancel: wait for it or its deadline.
  if (state.boletoWait && state.status !== 'suspended')
    return { kind: 'await_boleto', cycle: state.boletoWait.cycle, deadline: state.boletoWait.deadline };
  if (isTerminal(state.status)) return { kind: 'done' };
  const date = dueDateOf(state, state.nextCycle);
  if (state.status === 'suspended') return state.cancelAtPeriodEnd ? { kind: 'cancel', date } : { kind: 'idle' };
  if (state.dunning) {
    // No retry left (blocked): nothing more is tried until a new card or an operator's retry sets
    // a retry date, a late payment arrives, or the period a cancel waits for ends.
    if (state.dunning.nextRetryDate)
      return { kind: 'charge', cycle: state.dunning.cycle, date: state.dunning.nextRetryDate, retry: true };
    return state.cancelAtPeriodEnd ? { kind: 'cancel', date } : { kind: 'idle' };
  }
  if (state.status === 'blocked') return state.cancelAtPeriodEnd ? { kind: 'cancel', date } : { kind: 'idle' };
  if (state.setupFeeDue) return { kind: 'charge', cycle: 0, date: state.startDate, retry: false };
  // A plan change's difference (proration `now`) is charged at once, before any later cycle.
  const proration = prorationDue(state);
  if (proration) return { kind: 'charge', cycle: proration.cycle, date: proration.dueDate, retry: false };
  if (state.cancelAtPeriodEnd) return { kind: 'cancel', date };
  const reason = endReason(state, state.nextCycle, date);
  if (reason) return { kind: 'complete', date, reason };
  return { kind: 'charge', cycle: state.nextCycle, date, retry: false };
}

/** When to act on a charge step: boletos are issued ahead of their due date. */
export function actionDate(
  state: SubscriptionState,
  step: NextStep & { kind: 'charge' },
  today: CalendarDate,
): CalendarDate {
  if (state.paymentMethod.type !== 'zspay_boleto' || step.retry) return step.date;
  const issueOn = addDays(step.date, -BOLETO_LEAD_DAYS);
  return compareDates(issueOn, today) < 0 ? today : issueOn;
}

/** `<subscription>-<cycle>-<attempt>`; a proration invoice's: `<subscription>-<cycle>-proration-<attempt>`. */
export function attemptReference(
  state: Pick<SubscriptionState, 'subscriptionId'>,
  cycle: number,
  attempt: number,
): string {
  if (isProrationInvoiceCycle(cycle)) return `${state.subscriptionId}-${-cycle}-proration-${attempt}`;
  return `${state.subscriptionId}-${cycle}-${attempt}`;
}

/** How people read an invoice's key: "setup fee", "cycle 3", "proration of cycle 3". */
export function invoiceLabel(cycle: number): string {
  if (cycle === 0) return 'setup fee';
  return isProrationInvoiceCycle(cycle) ? `proration of cycle ${-cycle}` : `cycle ${cycle}`;
}

/** A proration invoice waiting for its first charge (a failed one is in dunning, a held one open). */
export function prorationDue(state: Pick<SubscriptionState, 'invoices' | 'dunning'>): Invoice | undefined {
  return state.invoices.find((i) => i.kind === 'proration' && i.status === 'open' && state.dunning?.cycle !== i.cycle);
}

/** The first recurring cycle whose due date is after `today`. */
export function firstCycleDueAfter(state: SubscriptionState, today: CalendarDate): number {
  let cycle = Math.max(state.nextCycle, state.anchor.cycle);
  while (compareDates(dueDateOf(state, cycle), today) <= 0) cycle += 1;
  return cycle;
}

// --- invoices --------------------------------------------------------------------------------------

/** The invoice for a cycle, created open on first use. */
export function ensureInvoice(state: SubscriptionState, cycle: number): { state: SubscriptionState; invoice: Invoice } {
  const existing = state.invoices.find((i) => i.cycle === cycle);
  if (existing) return { state, invoice: existing };
  // A recurring invoice takes the coupon's discount and the lines waiting for it (pricing.ts).
  const priced = cycle === 0 ? undefined : priceRecurring(state, cycle);
  const invoice: Invoice = {
    cycle,
    kind: cycle === 0 ? 'setup' : 'recurring',
    amountCents: invoiceAmount(state, cycle),
    ...priced?.invoice,
    dueDate: cycle === 0 ? state.startDate : dueDateOf(state, cycle),
    status: 'open',
    attempts: [],
    externalPaymentId: state.externalPayments[String(cycle)]?.paymentId,
  };
  const next: SubscriptionState = priced
    ? withPricing({ ...state, invoices: [...state.invoices, invoice] }, priced)
    : { ...state, invoices: [...state.invoices, invoice] };
  return { state: archiveOldInvoices(next), invoice };
}

/** The coupon and pending lines after an invoice took its share (fields left out when empty). */
function withPricing(state: SubscriptionState, priced: PricedInvoice): SubscriptionState {
  const { coupon: _coupon, adjustments: _adjustments, ...rest } = state;
  return {
    ...rest,
    ...(priced.coupon ? { coupon: priced.coupon } : {}),
    ...(priced.adjustments && priced.adjustments.length > 0 ? { adjustments: priced.adjustments } : {}),
  };
}

/** Keeps the most recent invoices in full; the rest survive as totals. Open ones are never dropped. */
export function archiveOldInvoices(state: SubscriptionState): SubscriptionState {
  if (state.invoices.length <= RECENT_INVOICES_KEPT) return state;
  const sorted = [...state.invoices].sort((a, b) => a.cycle - b.cycle);
  // Nor is one whose refund is under way (its refund call reads it).
  const removable = sorted
    .filter((i) => i.status !== 'open' && i.refund?.status !== 'requested')
    .slice(0, state.invoices.length - RECENT_INVOICES_KEPT);
  const dropped = new Set(removable.map((i) => i.cycle));
  return {
    ...state,
    invoices: state.invoices.filter((i) => !dropped.has(i.cycle)),
    summary: {
      ...state.summary,
      archivedCount: state.summary.archivedCount + removable.length,
      archivedPaidCents:
        state.summary.archivedPaidCents +
        removable.filter((i) => i.status === 'paid').reduce((sum, i) => sum + i.amountCents, 0),
    },
  };
}

function updateInvoice(
  state: SubscriptionState,
  cycle: number,
  change: (invoice: Invoice) => Invoice,
): SubscriptionState {
  return { ...state, invoices: state.invoices.map((i) => (i.cycle === cycle ? change(i) : i)) };
}

/** Adiq's failure notification fields, for the merchant. */
function failureData(
  state: SubscriptionState,
  invoice: Invoice,
  attempt: ChargeAttempt,
  timeZoneOffset: string,
): Record<string, unknown> {
  return {
    SubscriptionId: state.subscriptionId,
    PlanId: state.plan.planId,
    OrderNumber: attempt.reference,
    BillingId: attempt.providerIds?.saleId ?? attempt.providerIds?.billingId ?? attempt.reference,
    ExpireAt: `${invoice.dueDate}T00:00:00${timeZoneOffset}`,
    // The provider's own code and words; the engine's reading of them in fields of their own.
    ErrorCode: attempt.code ?? attempt.outcome,
    ErrorMessage: attempt.message ?? describeOutcome(attempt.outcome),
    Provider: 'zspay',
    DeclineCategory: declineCategory(attempt.outcome),
    Attempt: attempt.number,
    Cycle: invoice.cycle,
    AmountCents: invoice.amountCents,
  };
}

/** The engine's category of a failed attempt: retried (soft), never retried (hard), or a boleto nobody paid. */
export function declineCategory(outcome: ChargeAttempt['outcome']): 'soft' | 'hard' | 'unpaid' {
  return outcome === 'hard_declined' ? 'hard' : outcome === 'unpaid' ? 'unpaid' : 'soft';
}

function describeOutcome(outcome: ChargeAttempt['outcome']): string {
  switch (outcome) {
    case 'soft_declined':
      return 'Payment declined; it will be retried';
    case 'hard_declined':
      return 'Payment declined; it will not be retried';
    case 'unpaid':
      return 'Boleto not paid by its due date and tolerance';
    default:
      return outcome;
  }
}

/** Back to good standing: the partner is unblocked only if it was told `inadimplente`. */
export function recovered(state: SubscriptionState, effects: Effect[], reason: string): SubscriptionState {
  if (state.partnerStatus === 'inadimplente') effects.push({ kind: 'partner', status: 'adimplente' });
  effects.push({ kind: 'notify', type: 'subscription.recovered', data: { reason } });
  return { ...state, partnerStatus: state.partnerStatus === 'inadimplente' ? 'adimplente' : state.partnerStatus };
}

/** Blocked: the partner is told `inadimplente` once. */
/**
 * A collection its provider reports failed, on a subscription the provider bills (Adiq, Zspay):
 * counted in dunning and the summary, told to the merchant in Adiq's failure fields (`failure`,
 * then the cycle and amount), its payment status pushed. The caller decides past due or blocked.
 */
export function providerFailureRecorded(
  state: SubscriptionState,
  effects: Effect[],
  invoice: Pick<Invoice, 'cycle' | 'amountCents'>,
  failure: Record<string, unknown>,
): SubscriptionState {
  const { cycle } = invoice;
  effects.push(
    {
      kind: 'notify',
      type: 'payment.failed',
      data: { ...failure, Cycle: cycle, AmountCents: invoice.amountCents },
    },
    { kind: 'push_payment_status', cycle, status: 'failed' },
  );
  return {
    ...state,
    dunning: { cycle, failures: (state.dunning?.cycle === cycle ? state.dunning.failures : 0) + 1 },
    summary: { ...state.summary, failedAttempts: state.summary.failedAttempts + 1 },
  };
}

export function blocked(state: SubscriptionState, effects: Effect[], reason: string): SubscriptionState {
  if (state.partnerStatus !== 'inadimplente') effects.push({ kind: 'partner', status: 'inadimplente' });
  effects.push({ kind: 'notify', type: 'subscription.blocked', data: { reason } });
  return { ...state, status: 'blocked', partnerStatus: 'inadimplente' };
}

// --- collection outcomes ---------------------------------------------------------------------------

type Collected = ChargeOutcome | { status: 'unpaid'; reference: string };

/**
 * A collection outcome for a live subscription. Teimosinha: after a soft decline on date D the
 * next retry is 2, 2, 4 and 8 days after each failure, up to `plan.attempts` retries; a hard
 * decline or exhausted retries block the subscription. `methodChanged`: the customer gave a new
 * payment method while this attempt was in flight, so a decline of the old one is retried at once.
 */
function collected(
  current: SubscriptionState,
  cycle: number,
  outcome: Collected,
  ctx: EventContext,
  methodChanged = false,
): Transition {
  const effects: Effect[] = [];
  const { state: withInvoice, invoice } = ensureInvoice(current, cycle);
  let state = withInvoice;
  const attempt = recordAttempt(state, invoice, outcome, ctx);
  state = attempt.state;

  switch (outcome.status) {
    case 'pending': {
      const deadline = addDays(outcome.boleto?.dueDate ?? invoice.dueDate, current.plan.tolerancePeriodDays ?? 0);
      state = updateInvoice(state, cycle, (i) => ({
        ...i,
        boleto: outcome.boleto ? { ...outcome.boleto, saleId: attempt.recorded.providerIds?.saleId } : i.boleto,
      }));
      state = { ...state, boletoWait: { cycle, deadline } };
      effects.push({ kind: 'push_payment_status', cycle, status: 'pending' });
      return { state, effects };
    }
    case 'succeeded':
      return paidInvoice(state, cycle, attempt.recorded, ctx, effects);
    case 'soft_declined':
    case 'hard_declined':
    case 'unpaid': {
      const failures = (state.dunning?.cycle === cycle ? state.dunning.failures : 0) + 1;
      // A blocked subscription's rescue attempts (new card, operator retry) do not restart teimosinha.
      const retry = methodChanged
        ? ctx.today
        : outcome.status === 'soft_declined' && state.status !== 'blocked'
          ? nextRetryDate(ctx.today, failures, state.plan.attempts)
          : undefined;
      state = updateInvoice(state, cycle, (i) => ({ ...i, status: retry ? 'open' : 'failed' }));
      state = {
        ...state,
        dunning: { cycle, failures, nextRetryDate: retry },
        boletoWait: state.boletoWait?.cycle === cycle ? undefined : state.boletoWait,
        summary: { ...state.summary, failedAttempts: state.summary.failedAttempts + 1 },
      };
      const latest = state.invoices.find((i) => i.cycle === cycle)!;
      effects.push({
        kind: 'notify',
        type: 'payment.failed',
        data: failureData(state, latest, attempt.recorded, ctx.offset),
      });
      effects.push({ kind: 'push_payment_status', cycle, status: 'failed' });
      if (retry) {
        state = { ...state, status: 'past_due' };
      } else if (state.status !== 'blocked') {
        const reason =
          outcome.status === 'hard_declined'
            ? `hard decline${attempt.recorded.code ? ` (${attempt.recorded.code})` : ''}`
            : outcome.status === 'unpaid'
              ? 'boleto unpaid'
              : 'retries exhausted';
        state = blocked(state, effects, reason);
      }
      return { state, effects };
    }
  }
}

/** Records an attempt on its invoice; a boleto's payment or expiry completes the attempt that issued it. */
function recordAttempt(
  state: SubscriptionState,
  invoice: Invoice,
  outcome: Collected,
  ctx: EventContext,
): { state: SubscriptionState; recorded: ChargeAttempt } {
  const recorded: ChargeAttempt = {
    number: invoice.attempts.length + (outcome.status === 'unpaid' ? 0 : 1),
    reference: outcome.reference,
    at: ctx.now,
    outcome: outcome.status,
    code: 'declineCode' in outcome ? outcome.declineCode : outcome.status === 'unpaid' ? 'boleto_unpaid' : undefined,
    message: 'message' in outcome ? outcome.message : undefined,
    providerIds: 'providerIds' in outcome ? outcome.providerIds : undefined,
  };
  const issuedBoleto =
    invoice.boleto !== undefined &&
    (outcome.status === 'succeeded' || outcome.status === 'unpaid') &&
    state.boletoWait?.cycle === invoice.cycle;
  const next = updateInvoice(state, invoice.cycle, (i) => ({
    ...i,
    attempts: issuedBoleto
      ? i.attempts.map((a, idx) =>
          idx === i.attempts.length - 1 ? { ...a, outcome: recorded.outcome, at: ctx.now } : a,
        )
      : [...i.attempts, recorded],
  }));
  return { state: next, recorded };
}

/** An invoice paid: the subscription is in good standing again (cycles missed while blocked are skipped). */
function paidInvoice(
  current: SubscriptionState,
  cycle: number,
  attempt: ChargeAttempt,
  ctx: EventContext,
  effects: Effect[],
): Transition {
  const invoice = current.invoices.find((i) => i.cycle === cycle)!;
  // Another invoice still in dunning keeps the subscription where it is (a late boleto of an older cycle).
  const otherDunning = current.dunning !== undefined && current.dunning.cycle !== cycle;
  const wasBlocked = current.status === 'blocked' && !otherDunning;
  const wasPastDue = current.status === 'past_due' && !otherDunning;
  let state = updateInvoice(current, cycle, (i) => ({ ...i, status: 'paid', paidAt: ctx.now }));
  // A setup fee paid during the trial leaves the subscription in its trial.
  const stillTrialing = cycle === 0 && state.status === 'trialing';
  state = {
    ...state,
    status: otherDunning ? state.status : stillTrialing ? 'trialing' : 'active',
    dunning: otherDunning ? state.dunning : undefined,
    chargeHold: state.chargeHold?.cycle === cycle ? undefined : state.chargeHold,
    boletoWait: state.boletoWait?.cycle === cycle ? undefined : state.boletoWait,
    summary: {
      ...state.summary,
      paidCount: state.summary.paidCount + 1,
      paidCents: state.summary.paidCents + invoice.amountCents,
    },
  };
  if (cycle === 0) state = { ...state, setupFeeDue: false };
  else if (cycle >= state.nextCycle) state = { ...state, nextCycle: cycle + 1 };
  // Cycles that fell due while blocked are not billed (the customer had no service); the anchor is
  // kept, so billing resumes on the customer's usual day.
  if (wasBlocked) state = { ...state, nextCycle: firstCycleDueAfter(state, ctx.today) };
  if (wasBlocked || wasPastDue)
    state = recovered(state, effects, wasBlocked ? 'payment after block' : 'retry succeeded');
  effects.push({
    kind: 'notify',
    type: 'payment.succeeded',
    data: { cycle, amountCents: invoice.amountCents, reference: attempt.reference },
  });
  effects.push({ kind: 'push_payment_status', cycle, status: 'paid' });
  return { state, effects };
}

/**
 * Applies `live` as if the subscription were in the status it was suspended from, then keeps it
 * suspended: a charge that settles during a suspension counts, the suspension is not undone.
 */
function underSuspension(state: SubscriptionState, live: (state: SubscriptionState) => Transition): Transition {
  const result = live({ ...state, status: state.statusBeforeSuspension ?? 'active' });
  return {
    state: { ...result.state, status: 'suspended', statusBeforeSuspension: result.state.status },
    effects: result.effects,
  };
}

/**
 * A collection outcome after a cancel (or completion): recorded on its invoice — paid money is never
 * lost or silently refunded — and the merchant is told; the status stays.
 */
function collectedAfterEnd(state: SubscriptionState, cycle: number, outcome: Collected, ctx: EventContext): Transition {
  const { state: withInvoice, invoice } = ensureInvoice(state, cycle);
  const attempt = recordAttempt(withInvoice, invoice, outcome, ctx);
  let next: SubscriptionState = {
    ...attempt.state,
    boletoWait:
      attempt.state.boletoWait?.cycle === cycle && outcome.status !== 'pending' ? undefined : attempt.state.boletoWait,
  };
  const after = {
    subscriptionStatus: state.status,
    note: `settled after the subscription was ${state.status}; it stays ${state.status}`,
  };
  switch (outcome.status) {
    case 'succeeded':
      next = updateInvoice(next, cycle, (i) => ({ ...i, status: 'paid', paidAt: ctx.now }));
      next = {
        ...next,
        summary: {
          ...next.summary,
          paidCount: next.summary.paidCount + 1,
          paidCents: next.summary.paidCents + invoice.amountCents,
        },
      };
      return {
        state: next,
        effects: [
          {
            kind: 'notify',
            type: 'payment.succeeded',
            data: { cycle, amountCents: invoice.amountCents, reference: attempt.recorded.reference, ...after },
          },
          { kind: 'push_payment_status', cycle, status: 'paid' },
        ],
      };
    case 'pending': {
      // A boleto issued while the cancel was in flight can still be paid: wait for it until its deadline.
      const deadline = addDays(outcome.boleto?.dueDate ?? invoice.dueDate, next.plan.tolerancePeriodDays ?? 0);
      next = updateInvoice(next, cycle, (i) => ({
        ...i,
        boleto: outcome.boleto ? { ...outcome.boleto, saleId: attempt.recorded.providerIds?.saleId } : i.boleto,
      }));
      return {
        state: { ...next, boletoWait: { cycle, deadline } },
        effects: [{ kind: 'push_payment_status', cycle, status: 'pending' }],
      };
    }
    default:
      next = updateInvoice(next, cycle, (i) => ({ ...i, status: 'void' }));
      next = { ...next, summary: { ...next.summary, failedAttempts: next.summary.failedAttempts + 1 } };
      return {
        state: next,
        effects: [
          {
            kind: 'notify',
            type: 'payment.failed',
            data: {
              ...failureData(
                next,
                next.invoices.find((i) => i.cycle === cycle)!,
                attempt.recorded,
                ctx.offset,
              ),
              ...after,
            },
          },
          { kind: 'push_payment_status', cycle, status: 'failed' },
        ],
      };
  }
}

/**
 * Whether this event brings an outcome for an invoice already paid: a charge or boleto settling
 * after the invoice was paid another way, or another sale confirmed as paying it. (The workflow asks
 * its patch only then, so histories without such an event replay as recorded.)
 */
export function reachesPaidInvoice(state: SubscriptionState, event: SubscriptionEvent): boolean {
  if (event.type === 'chargeSettled' || event.type === 'boletoExpired') return invoicePaid(state, event.cycle);
  if (event.type !== 'paymentConfirmed') return false;
  const invoice = state.invoices.find(
    (i) => i.boleto?.saleId === event.saleId || i.attempts.some((a) => a.providerIds?.saleId === event.saleId),
  );
  return (
    invoice !== undefined &&
    invoicePaid(state, invoice.cycle) &&
    !invoice.attempts.some((a) => a.outcome === 'succeeded' && a.providerIds?.saleId === event.saleId)
  );
}

/** Whether the invoice of `cycle` was paid (and perhaps refunded since): a payment is never undone. */
export function invoicePaid(state: SubscriptionState, cycle: number): boolean {
  const status = state.invoices.find((i) => i.cycle === cycle)?.status;
  return status === 'paid' || status === 'refunded';
}

/**
 * An outcome for an invoice paid meanwhile (the customer paid the expired boleto late while its
 * retry was in flight): recorded on the invoice as an attempt, nothing reopened, no dunning, no
 * boleto awaited. Money taken a second time is the merchant's to give back: told at once.
 */
function collectedAfterPayment(
  state: SubscriptionState,
  cycle: number,
  outcome: Collected,
  ctx: EventContext,
): Transition {
  const { state: withInvoice, invoice } = ensureInvoice(state, cycle);
  const attempt = recordAttempt(withInvoice, invoice, outcome, ctx);
  const next: SubscriptionState = {
    ...attempt.state,
    boletoWait: attempt.state.boletoWait?.cycle === cycle ? undefined : attempt.state.boletoWait,
  };
  if (outcome.status !== 'succeeded') return only(next);
  return {
    state: next,
    effects: [
      {
        kind: 'notify',
        type: 'payment.duplicate',
        data: {
          cycle,
          amountCents: invoice.amountCents,
          reference: attempt.recorded.reference,
          saleId: attempt.recorded.providerIds?.saleId,
          note: 'the invoice was already paid: refund this second payment (at Zspay, by its sale id)',
        },
      },
    ],
  };
}

/** A collection outcome in whatever status the subscription is in when it arrives. */
function settle(
  state: SubscriptionState,
  cycle: number,
  outcome: Collected,
  ctx: EventContext,
  methodChanged = false,
): Transition {
  if (ctx.paidInvoicesStayPaid && invoicePaid(state, cycle)) return collectedAfterPayment(state, cycle, outcome, ctx);
  if (isTerminal(state.status)) return collectedAfterEnd(state, cycle, outcome, ctx);
  if (state.status === 'suspended')
    return underSuspension(state, (live) => collected(live, cycle, outcome, ctx, methodChanged));
  return collected(state, cycle, outcome, ctx, methodChanged);
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

// --- what each event does once the table (table.ts) lets it apply -----------------------------------

/** What one event does to a subscription's state, once its table lets it apply. */
export type Apply<T extends SubscriptionEventType> = (
  state: SubscriptionState,
  event: EventOf<T>,
  ctx: EventContext,
) => Transition;
/** A transition that changes nothing else: the state as given, no effects. */
export const only = (state: SubscriptionState): Transition => ({ state, effects: [] });
const notBilledByAdiq = (): never => {
  throw new Error(
    'the transition table refuses Adiq and Zspay subscription reports for a subscription the engine bills',
  );
};

export const APPLY: { [T in SubscriptionEventType]: Apply<T> } = {
  cancelNow: (state, event, ctx) => {
    // Invoices nobody will collect any more are void; a charge in flight or an issued boleto settles later.
    const collecting = new Set([state.charge?.cycle, state.boletoWait?.cycle]);
    const invoices = state.invoices.map((i) =>
      i.status === 'open' && !collecting.has(i.cycle) ? { ...i, status: 'void' as const } : i,
    );
    return {
      state: {
        ...state,
        status: 'canceled',
        canceledAt: ctx.now,
        cancelAtPeriodEnd: false,
        statusBeforeSuspension: undefined,
        dunning: undefined,
        chargeHold: undefined,
        invoices,
      },
      effects: [
        {
          kind: 'notify',
          type: 'subscription.canceled',
          data: { reason: event.reason ?? 'canceled', atPeriodEnd: false },
        },
      ],
    };
  },
  cancelAtPeriodEnd: (state) => only({ ...state, cancelAtPeriodEnd: true }),
  suspend: (state) => only({ ...state, statusBeforeSuspension: state.status, status: 'suspended' }),
  reactivate: (state, _event, ctx) => {
    if (state.status !== 'suspended') return only({ ...state, cancelAtPeriodEnd: false });
    let next: SubscriptionState = {
      ...state,
      status: state.statusBeforeSuspension ?? 'active',
      statusBeforeSuspension: undefined,
    };
    // Cycles that fell due during the suspension are not billed; the anchor day is kept.
    if (!next.dunning && !next.setupFeeDue && !next.boletoWait && !next.charge)
      next = { ...next, nextCycle: firstCycleDueAfter(next, addDays(ctx.today, -1)) };
    return only(next);
  },
  // The new date becomes the anchor: later cycles follow the plan from it.
  changeNextChargeDate: (state, event) => only({ ...state, anchor: { cycle: state.nextCycle, date: event.date } }),
  changePaymentMethod: (state, event, ctx) => {
    let next: SubscriptionState = { ...state, paymentMethod: event.paymentMethod };
    // A new payment method during dunning or after a block is tried at once.
    if (next.dunning) next = { ...next, dunning: { ...next.dunning, nextRetryDate: ctx.today } };
    return only(next);
  },
  changePlan: (state, event, ctx) => {
    const mode = event.proration ?? 'none';
    if (mode === 'none') return only({ ...state, pendingPlan: event.plan });
    // Prorated: the new plan applies today. Its period is the same (a guard), so the anchor stays
    // (a 31st keeps billing on the 31st); the current cycle's unused days are credited at the old
    // price and charged at the new one.
    const { cycle, proration, lines } = prorationLines(state, event.plan, ctx.today);
    const changed: SubscriptionState = { ...state, plan: event.plan, pendingPlan: undefined };
    // `now`: a positive difference is an invoice of its own, charged at once and collected like any
    // invoice (teimosinha, blocked when declined for good). A credit, or nothing, waits for the next
    // invoice as with `next_invoice` (never a refund).
    if (mode === 'now' && proration.netCents > 0) {
      const key = prorationInvoiceCycle(cycle);
      const invoice: Invoice = {
        cycle: key,
        kind: 'proration',
        amountCents: proration.netCents,
        baseAmountCents: 0,
        lines,
        dueDate: ctx.today,
        status: 'open',
        attempts: [],
        externalPaymentId: state.externalPayments[String(key)]?.paymentId,
      };
      return only({ ...changed, invoices: [...changed.invoices, invoice] });
    }
    return only({ ...changed, adjustments: [...(state.adjustments ?? []), ...lines] });
  },
  applyCoupon: (state, event, ctx) =>
    only({
      ...state,
      coupon: { coupon: event.coupon, redeemedOn: ctx.today, cyclesUsed: 0 },
      redemptions: { ...state.redemptions, [event.coupon.code]: (state.redemptions?.[event.coupon.code] ?? 0) + 1 },
    }),
  retryNow: (state, _event, ctx) => {
    if (state.chargeHold) return only({ ...state, chargeHold: { ...state.chargeHold, retryAt: ctx.now } });
    return only({ ...state, dunning: { ...state.dunning!, nextRetryDate: ctx.today } });
  },
  skipNextRetry: (state, _event, ctx) => {
    // The skipped retry counts as used without charging; the next is planned from the skipped date.
    const dunning = state.dunning!;
    const failures = dunning.failures + 1;
    const retry = nextRetryDate(dunning.nextRetryDate!, failures, state.plan.attempts);
    let next: SubscriptionState = updateInvoice(state, dunning.cycle, (i) => ({
      ...i,
      status: retry ? 'open' : 'failed',
      attempts: [
        ...i.attempts,
        {
          number: i.attempts.length + 1,
          reference: attemptReference(state, dunning.cycle, i.attempts.length + 1),
          at: ctx.now,
          outcome: 'skipped',
        },
      ],
    }));
    next = { ...next, dunning: { ...dunning, failures, nextRetryDate: retry } };
    const effects: Effect[] = [];
    if (!retry) next = blocked(next, effects, 'retries exhausted (last one skipped by an operator)');
    return { state: next, effects };
  },
  extendGrace: (state, event) => {
    if (state.boletoWait)
      return only({
        ...state,
        boletoWait: { ...state.boletoWait, deadline: addDays(state.boletoWait.deadline, event.days) },
      });
    if (state.status === 'trialing') {
      return only({
        ...state,
        startDate: state.setupFeeDue ? addDays(state.startDate, event.days) : state.startDate,
        anchor: { ...state.anchor, date: addDays(state.anchor.date, event.days) },
      });
    }
    return only({
      ...state,
      dunning: { ...state.dunning!, nextRetryDate: addDays(state.dunning!.nextRetryDate!, event.days) },
    });
  },
  linkExternalPayment: (state, event) =>
    only({
      ...state,
      externalPayments: { ...state.externalPayments, [String(event.cycle)]: event.payment },
      invoices: state.invoices.map((i) =>
        i.cycle === event.cycle ? { ...i, externalPaymentId: event.payment.paymentId } : i,
      ),
    }),

  refund: requestRefund,
  refundSettled,
  refundNoticed,
  refundConfirmed,
  refundContradicted,

  paymentNoticed: (state, event) =>
    // The same notice twice is one notice; the provider is asked before it changes anything.
    state.pendingPayments.some((p) => p.saleId === event.payment.saleId)
      ? only(state)
      : only({ ...state, pendingPayments: [...state.pendingPayments, event.payment] }),
  paymentConfirmed: (current, event, ctx) => {
    const state = { ...current, pendingPayments: current.pendingPayments.filter((p) => p.saleId !== event.saleId) };
    const invoice = state.invoices.find(
      (i) => i.boleto?.saleId === event.saleId || i.attempts.some((a) => a.providerIds?.saleId === event.saleId),
    );
    // A sale no invoice knows, or an invoice already paid (the same webhook twice) or refunded
    // (a late "paid" webhook never undoes a refund): nothing to do — unless another sale paid it
    // (the expired boleto and its retry both paid): that payment is recorded and the merchant told.
    if (!invoice) return only(state);
    if (invoice.status === 'paid' || invoice.status === 'refunded') {
      const paidBy = invoice.attempts.filter((a) => a.outcome === 'succeeded').map((a) => a.providerIds?.saleId);
      if (!ctx.paidInvoicesStayPaid || paidBy.includes(event.saleId)) return only(state);
      const reference = invoice.attempts.find((a) => a.providerIds?.saleId === event.saleId)?.reference ?? event.saleId;
      return collectedAfterPayment(
        state,
        invoice.cycle,
        { status: 'succeeded', reference, providerIds: { saleId: event.saleId } },
        ctx,
      );
    }
    const reference = invoice.attempts[invoice.attempts.length - 1]?.reference ?? event.saleId;
    return settle(state, invoice.cycle, { status: 'succeeded', reference, providerIds: { saleId: event.saleId } }, ctx);
  },
  paymentContradicted: (state, event) =>
    only({
      ...state,
      pendingPayments: state.pendingPayments.filter((p) => p.saleId !== event.saleId),
      ignoredPaymentNotices: state.ignoredPaymentNotices + 1,
    }),

  chargeStarted: (current, event, ctx) => {
    let state = current;
    const isNewCycle = event.cycle > 0 && !state.invoices.some((i) => i.cycle === event.cycle);
    if (isNewCycle && state.pendingPlan) {
      // A plan change takes effect from this cycle: re-anchor on its due date under the old plan.
      state = {
        ...state,
        anchor: { cycle: event.cycle, date: dueDateOf(state, event.cycle) },
        plan: state.pendingPlan,
        pendingPlan: undefined,
      };
    }
    const ensured = ensureInvoice(state, event.cycle);
    state = ensured.state;
    // Nothing to charge (a 100% discount, a credit): the invoice of 0 is paid at once, no provider call.
    if (ensured.invoice.amountCents === 0 && ensured.invoice.status === 'open' && event.cycle > 0) {
      const reference = attemptReference(state, event.cycle, ensured.invoice.attempts.length + 1);
      return paidInvoice(
        state,
        event.cycle,
        { number: 0, reference, at: ctx.now, outcome: 'succeeded', message: 'nothing to charge' },
        ctx,
        [],
      );
    }
    return only({
      ...state,
      charge: {
        cycle: event.cycle,
        reference: attemptReference(state, event.cycle, ensured.invoice.attempts.length + 1),
        amountCents: ensured.invoice.amountCents,
        paymentMethod: state.paymentMethod,
        startedAt: ctx.now,
      },
    });
  },
  chargeSettled: (current, event, ctx) => {
    const methodChanged = current.charge !== undefined && !same(current.charge.paymentMethod, current.paymentMethod);
    const state = {
      ...current,
      charge: undefined,
      chargeHold: current.chargeHold?.cycle === event.cycle ? undefined : current.chargeHold,
    };
    return settle(state, event.cycle, event.outcome, ctx, methodChanged);
  },
  chargeHeld: (current, event, ctx) => {
    const state = { ...current, charge: undefined };
    if (isTerminal(state.status)) return only(state);
    const hold = holdCharge(state.chargeHold, event.cycle, event.reason, ctx.nowMs);
    // The merchant hears of it once per cycle, not at every refused retry.
    const effects: Effect[] =
      hold.holds === 1
        ? [
            {
              kind: 'notify',
              type: 'payment.held',
              data: { cycle: hold.cycle, reason: hold.reason, retryAt: hold.retryAt },
            },
          ]
        : [];
    return { state: { ...state, chargeHold: hold }, effects };
  },
  chargeReleased: (current, event) => {
    const state = { ...current, charge: undefined };
    return only(
      isTerminal(state.status)
        ? updateInvoice(state, event.cycle, (i) => (i.status === 'open' ? { ...i, status: 'void' } : i))
        : state,
    );
  },
  boletoExpired: (state, event, ctx) => {
    const invoice = state.invoices.find((i) => i.cycle === event.cycle);
    const reference =
      invoice?.attempts[invoice.attempts.length - 1]?.reference ?? attemptReference(state, event.cycle, 1);
    return settle(state, event.cycle, { status: 'unpaid', reference }, ctx);
  },

  periodEnded: (state, _event, ctx) => ({
    state: {
      ...state,
      status: 'canceled',
      canceledAt: ctx.now,
      statusBeforeSuspension: undefined,
      dunning: undefined,
      chargeHold: undefined,
    },
    effects: [
      { kind: 'notify', type: 'subscription.canceled', data: { reason: 'canceled at period end', atPeriodEnd: true } },
    ],
  }),
  planEnded: (state, event) => ({
    state: { ...state, status: 'completed' },
    effects: [{ kind: 'notify', type: 'subscription.completed', data: { reason: event.reason } }],
  }),

  // Adiq reports reach only Adiq-billed subscriptions (adiq-managed.ts); this table refuses them.
  adiqSubscribed: notBilledByAdiq,
  adiqBillingNoticed: notBilledByAdiq,
  adiqBillingReported: notBilledByAdiq,
  adiqNoticeContradicted: notBilledByAdiq,
  adiqSubscriptionBlocked: notBilledByAdiq,
  adiqSubscriptionCanceled: notBilledByAdiq,
  // Zspay's subscription reports reach only Zspay-billed subscriptions (zspay-managed.ts).
  zspaySubscribed: notBilledByAdiq,
  zspayInvoiceNoticed: notBilledByAdiq,
  zspayInvoiceReported: notBilledByAdiq,
  zspayNoticeContradicted: notBilledByAdiq,
  zspaySubscriptionCanceled: notBilledByAdiq,

  effectDelivered: (state, event) => only(delivered(state, event.id)),
  effectFailed: (state, event, ctx) => only(deliveryFailed(state, event.id, event.error, ctx)),
};

/** Applies an event the table allows (see table.ts for the answers). */
export function applyEvent(state: SubscriptionState, event: SubscriptionEvent, ctx: EventContext): Transition {
  return (APPLY[event.type] as Apply<typeof event.type>)(state, event, ctx);
}

// --- what operators read ----------------------------------------------------------------------------

export interface ForecastCharge {
  cycle: number;
  date: CalendarDate;
  /** What will be charged (after the coupon and the lines waiting for the invoice). */
  amountCents: number;
  /** Present when a coupon or lines change the amount: the plan's amount, the discount, the lines' sum. */
  baseAmountCents?: number;
  discountCents?: number;
  adjustmentCents?: number;
}

/**
 * The next charge dates (and, in dunning, the remaining retry dates). A pending plan change takes
 * effect from the next new cycle, re-anchored on that cycle's date under the current plan: later
 * dates follow the new plan, and every amount from it is the new plan's.
 */
export function forecast(
  state: SubscriptionState,
  count: number,
): { charges: ForecastCharge[]; retries: CalendarDate[] } {
  const retries: CalendarDate[] = [];
  if (state.dunning?.nextRetryDate && state.status === 'past_due') {
    let date: CalendarDate | undefined = state.dunning.nextRetryDate;
    let failures = state.dunning.failures;
    while (date) {
      retries.push(date);
      failures += 1;
      date = nextRetryDate(date, failures, state.plan.attempts);
    }
  }
  const charges: ForecastCharge[] = [];
  if (isTerminal(state.status) || state.status === 'suspended' || state.status === 'blocked' || state.cancelAtPeriodEnd)
    return { charges, retries };
  const first = Math.max(
    state.nextCycle,
    (state.dunning?.cycle ?? 0) + 1,
    (state.boletoWait?.cycle ?? 0) + 1,
    (state.charge?.cycle ?? 0) + 1,
  );
  let schedule = state.pendingPlan
    ? { ...state, anchor: { cycle: first, date: dueDateOf(state, first) }, plan: state.pendingPlan }
    : state;
  for (let cycle = first; charges.length < count; cycle += 1) {
    const date = dueDateOf(schedule, cycle);
    if (endReason(schedule, cycle, date)) break;
    // Priced as the invoice will be: the coupon's remaining cycles and the lines waiting for it.
    const priced = priceRecurring(schedule, cycle);
    const { invoice } = priced;
    charges.push({
      cycle,
      date,
      amountCents: invoice.amountCents,
      ...(invoice.baseAmountCents === undefined
        ? {}
        : {
            baseAmountCents: invoice.baseAmountCents,
            discountCents: invoice.discount?.amountCents ?? 0,
            adjustmentCents: (invoice.lines ?? []).reduce((total, line) => total + line.amountCents, 0),
          }),
    });
    schedule = { ...schedule, coupon: priced.coupon, adjustments: priced.adjustments };
  }
  return { charges, retries };
}

/** The summary shown as the workflow's memo in the Web UI. */
export function summaryLine(state: SubscriptionState): string {
  const amount = formatBRL(state.plan.amountCents);
  const next = nextStep(state);
  const when =
    next.kind === 'charge'
      ? `${next.retry ? 'retry' : 'next charge'} ${formatDate(next.date)}`
      : next.kind === 'await_boleto'
        ? `boleto due, deadline ${formatDate(next.deadline)}`
        : next.kind === 'idle' || next.kind === 'done'
          ? ''
          : `${next.kind} on ${formatDate(next.date)}`;
  const held = state.chargeHold ? chargeHoldText(state.chargeHold, state.plan.timeZone) : '';
  const delivery = deliveryStatus(state);
  const failing = delivery.failing > 0 ? `${delivery.failing} notification(s) failing` : '';
  return [
    `${state.status.replace('_', ' ')}`,
    `${amount} ${state.plan.planId}`,
    `customer ${state.customerId}`,
    when,
    held,
    failing,
  ]
    .filter(Boolean)
    .join(' · ');
}
