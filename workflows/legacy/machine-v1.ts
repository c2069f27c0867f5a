/**
 * FROZEN: the pure decisions of the workflows released before the state machine, kept so their
 * histories replay exactly (workflows/legacy/*-v1.ts). Do not change it.
 *
 * The subscription's decisions as pure functions: what to do next and on which date, and what a
 * charge outcome changes and sets off. The workflow only waits, calls activities and applies what
 * these return, so every rule here is unit-tested without Temporal (Kill Bill's pattern: a pure
 * evaluator decides, a separate step applies the effects, and only when the state changed).
 */
import type { PaymentOutcome } from '../../common/payment-outcome';
import type { MerchantEventType } from '../../common/merchant-notification';
import type { PaymentReceived } from '../../common/subscription/operations';
import { addDays, addMonths, compareDates, type CalendarDate } from '../../common/billing/calendar';
import { nextRetryDate } from '../../common/billing/teimosinha';
import { chargeDateForCycle, firstChargeDate, totalCycles } from '../../common/billing/schedule';
import type { ParsedSubscriptionInput, SubscriptionPlan } from '../../common/subscription/input';
import type {
  ChargeAttempt,
  ExternalPayment,
  Invoice,
  InvoiceSummary,
  PaymentMethod,
  SubscriptionStatus,
} from '../../common/subscription/model';
const TERMINAL_STATUSES: readonly SubscriptionStatus[] = ['canceled', 'completed'];
import { chargeHoldLine, type ChargeHold } from '../../common/subscription/charge-hold';

/** How many invoices stay in state in full; older ones are folded into the summary. */
export const RECENT_INVOICES_KEPT = 12;
/** Boletos are issued this many days before their due date, so the customer has time to pay. */
export const BOLETO_LEAD_DAYS = 5;

export interface SubscriptionState {
  subscriptionId: string;
  customerId: string;
  plan: SubscriptionPlan;
  /** A plan change waiting for the next cycle. */
  pendingPlan?: SubscriptionPlan;
  paymentMethod: PaymentMethod;
  status: SubscriptionStatus;
  /** Where a suspension returns to. */
  statusBeforeSuspension?: SubscriptionStatus;
  startDate: CalendarDate;
  /** Recurring cycle `anchor.cycle` is due on `anchor.date`; later cycles follow the plan from it. */
  anchor: { cycle: number; date: CalendarDate };
  /** The next recurring cycle to bill (1-based). */
  nextCycle: number;
  setupFeeDue: boolean;
  /** The invoice being collected when a charge failed and retries remain (teimosinha). */
  dunning?: { cycle: number; failures: number; nextRetryDate?: CalendarDate };
  /** A boleto issued and not yet paid: it counts as unpaid after the deadline. */
  boletoWait?: { cycle: number; deadline: CalendarDate };
  cancelAtPeriodEnd: boolean;
  canceledAt?: string;
  invoices: Invoice[];
  summary: InvoiceSummary;
  notificationSequence: number;
  /** What the partner (ZapSign) was last told; undefined = never told anything. */
  partnerStatus?: 'adimplente' | 'inadimplente';
  externalPayments: Record<string, ExternalPayment>;
  /** Payments providers confirmed that are not yet matched to an invoice (signals carried across runs). */
  pendingPayments: PaymentReceived[];
  /** A charge refused for a reason no retry can fix, waiting to be tried again (see charge-hold.ts). */
  chargeHold?: ChargeHold;
  /** Adiq-billed subscriptions: Adiq's ids and the billing outcomes already acted on. */
  adiq?: { planId: string; subscriptionId: string; handled: string[] };
}

export type NextStep =
  | { kind: 'charge'; cycle: number; date: CalendarDate; retry: boolean }
  | { kind: 'await_boleto'; cycle: number; deadline: CalendarDate }
  | { kind: 'complete'; date: CalendarDate; reason: string }
  | { kind: 'cancel'; date: CalendarDate }
  | { kind: 'idle' };

export type Effect =
  | { kind: 'notify'; type: MerchantEventType; data: Record<string, unknown> }
  | { kind: 'partner'; status: 'adimplente' | 'inadimplente' }
  | { kind: 'push_payment_status'; cycle: number; status: 'paid' | 'failed' | 'pending' };

export interface Transition {
  state: SubscriptionState;
  effects: Effect[];
}

export function isTerminal(status: SubscriptionStatus): boolean {
  return TERMINAL_STATUSES.includes(status);
}

/** The due date of a recurring cycle. */
export function dueDateOf(state: Pick<SubscriptionState, 'anchor' | 'plan'>, cycle: number): CalendarDate {
  return chargeDateForCycle(state.anchor.date, state.plan, cycle - state.anchor.cycle);
}

export function invoiceAmount(state: SubscriptionState, cycle: number): number {
  return cycle === 0 ? (state.plan.setupAmountCents ?? 0) : state.plan.amountCents;
}

/** Why the subscription ends before billing `cycle`, if it does. */
export function endReason(state: SubscriptionState, cycle: number, dueDate: CalendarDate): string | undefined {
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

/** What the subscription does next, and on which calendar date. */
export function nextStep(state: SubscriptionState): NextStep {
  if (isTerminal(state.status) || state.status === 'suspended') return { kind: 'idle' };
  if (state.boletoWait)
    return { kind: 'await_boleto', cycle: state.boletoWait.cycle, deadline: state.boletoWait.deadline };
  if (state.dunning) {
    // Blocked: nothing more is tried until a new card or an operator's retry sets a retry date
    // (or a late payment arrives).
    if (!state.dunning.nextRetryDate) return { kind: 'idle' };
    return { kind: 'charge', cycle: state.dunning.cycle, date: state.dunning.nextRetryDate, retry: true };
  }
  if (state.status === 'blocked') return { kind: 'idle' };
  if (state.setupFeeDue) return { kind: 'charge', cycle: 0, date: state.startDate, retry: false };
  const date = dueDateOf(state, state.nextCycle);
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

export function attemptReference(state: SubscriptionState, cycle: number, attempt: number): string {
  return `${state.subscriptionId}-${cycle}-${attempt}`;
}

/** The invoice for a cycle, created open on first use. */
export function ensureInvoice(state: SubscriptionState, cycle: number): { state: SubscriptionState; invoice: Invoice } {
  const existing = state.invoices.find((i) => i.cycle === cycle);
  if (existing) return { state, invoice: existing };
  const invoice: Invoice = {
    cycle,
    kind: cycle === 0 ? 'setup' : 'recurring',
    amountCents: invoiceAmount(state, cycle),
    dueDate: cycle === 0 ? state.startDate : dueDateOf(state, cycle),
    status: 'open',
    attempts: [],
    externalPaymentId: state.externalPayments[String(cycle)]?.paymentId,
  };
  return { state: archiveOldInvoices({ ...state, invoices: [...state.invoices, invoice] }), invoice };
}

/** Keeps the most recent invoices in full; the rest survive as totals. Open ones are never dropped. */
export function archiveOldInvoices(state: SubscriptionState): SubscriptionState {
  if (state.invoices.length <= RECENT_INVOICES_KEPT) return state;
  const sorted = [...state.invoices].sort((a, b) => a.cycle - b.cycle);
  const removable = sorted.filter((i) => i.status !== 'open').slice(0, state.invoices.length - RECENT_INVOICES_KEPT);
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
    ErrorCode: attempt.code ?? attempt.outcome,
    ErrorMessage: attempt.message ?? describeOutcome(attempt.outcome),
    Attempt: attempt.number,
    Cycle: invoice.cycle,
    AmountCents: invoice.amountCents,
  };
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
export function blocked(state: SubscriptionState, effects: Effect[], reason: string): SubscriptionState {
  if (state.partnerStatus !== 'inadimplente') effects.push({ kind: 'partner', status: 'inadimplente' });
  effects.push({ kind: 'notify', type: 'subscription.blocked', data: { reason } });
  return { ...state, status: 'blocked', partnerStatus: 'inadimplente' };
}

export interface OutcomeContext {
  /** Today in the merchant's time zone. */
  today: CalendarDate;
  /** Now, as an ISO instant (the workflow's clock). */
  now: string;
  /** The merchant zone's UTC offset today, e.g. "-03:00", for Adiq's ExpireAt. */
  offset: string;
}

/**
 * Applies a collection outcome to the invoice of `cycle`. Teimosinha: after a soft decline on
 * date D the next retry is 2, 2, 4 and 8 days after each failure, up to `plan.attempts` retries;
 * a hard decline or exhausted retries block the subscription.
 */
export function applyOutcome(
  current: SubscriptionState,
  cycle: number,
  outcome:
    | Pick<PaymentOutcome, 'status' | 'reference' | 'declineCode' | 'message' | 'providerIds' | 'boleto'>
    | { status: 'unpaid'; reference: string },
  ctx: OutcomeContext,
): Transition {
  const effects: Effect[] = [];
  const { state: withInvoice, invoice } = ensureInvoice(current, cycle);
  let state = withInvoice;
  const attempt: ChargeAttempt = {
    number: invoice.attempts.length + (outcome.status === 'unpaid' ? 0 : 1),
    reference: outcome.reference,
    at: ctx.now,
    outcome: outcome.status,
    code: 'declineCode' in outcome ? outcome.declineCode : outcome.status === 'unpaid' ? 'boleto_unpaid' : undefined,
    message: 'message' in outcome ? outcome.message : undefined,
    providerIds: 'providerIds' in outcome ? outcome.providerIds : undefined,
  };
  // A boleto's payment belongs to the attempt that issued it: record the result on it.
  const issuedBoleto =
    invoice.boleto &&
    (outcome.status === 'succeeded' || outcome.status === 'unpaid') &&
    state.boletoWait?.cycle === cycle;
  state = updateInvoice(state, cycle, (i) => ({
    ...i,
    attempts: issuedBoleto
      ? i.attempts.map((a, idx) =>
          idx === i.attempts.length - 1 ? { ...a, outcome: attempt.outcome, at: ctx.now } : a,
        )
      : [...i.attempts, attempt],
  }));

  switch (outcome.status) {
    case 'pending': {
      const boleto = 'boleto' in outcome ? outcome.boleto : undefined;
      const deadline = addDays(boleto?.dueDate ?? invoice.dueDate, current.plan.tolerancePeriodDays ?? 0);
      state = updateInvoice(state, cycle, (i) => ({
        ...i,
        boleto: boleto ? { ...boleto, saleId: attempt.providerIds?.saleId } : i.boleto,
      }));
      state = { ...state, boletoWait: { cycle, deadline } };
      effects.push({ kind: 'push_payment_status', cycle, status: 'pending' });
      return { state, effects };
    }
    case 'succeeded': {
      const wasBlocked = state.status === 'blocked';
      const wasPastDue = state.status === 'past_due';
      state = updateInvoice(state, cycle, (i) => ({ ...i, status: 'paid', paidAt: ctx.now }));
      // A setup fee paid during the trial leaves the subscription in its trial.
      const stillTrialing = cycle === 0 && state.status === 'trialing';
      state = {
        ...state,
        status: stillTrialing ? 'trialing' : 'active',
        dunning: undefined,
        boletoWait: state.boletoWait?.cycle === cycle ? undefined : state.boletoWait,
        summary: {
          ...state.summary,
          paidCount: state.summary.paidCount + 1,
          paidCents: state.summary.paidCents + invoice.amountCents,
        },
      };
      if (cycle === 0) state = { ...state, setupFeeDue: false };
      else if (cycle >= state.nextCycle) state = { ...state, nextCycle: cycle + 1 };
      if (wasBlocked) {
        // Cycles that fell due while blocked are not billed (the customer had no service); the
        // anchor is kept, so billing resumes on the customer's usual day.
        state = { ...state, nextCycle: firstCycleDueAfter(state, ctx.today) };
      }
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
    case 'soft_declined':
    case 'hard_declined':
    case 'unpaid': {
      const failures = (state.dunning?.cycle === cycle ? state.dunning.failures : 0) + 1;
      // A blocked subscription's rescue attempts (new card, operator retry) do not restart teimosinha.
      const retry =
        outcome.status === 'soft_declined' && state.status !== 'blocked'
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
        data: failureData(state, latest, latest.attempts[latest.attempts.length - 1]!, ctx.offset),
      });
      effects.push({ kind: 'push_payment_status', cycle, status: 'failed' });
      if (retry) {
        state = { ...state, status: 'past_due' };
      } else if (state.status !== 'blocked') {
        const reason =
          outcome.status === 'hard_declined'
            ? `hard decline${attempt.code ? ` (${attempt.code})` : ''}`
            : outcome.status === 'unpaid'
              ? 'boleto unpaid'
              : 'retries exhausted';
        state = blocked(state, effects, reason);
      }
      return { state, effects };
    }
  }
}

/**
 * An operator skips the next scheduled retry: it counts as used without charging, and the one after
 * it is planned from the skipped date; with none left, the subscription is blocked.
 */
export function skipRetry(state: SubscriptionState, ctx: OutcomeContext): Transition {
  const dunning = state.dunning;
  if (!dunning?.nextRetryDate) return { state, effects: [] };
  const failures = dunning.failures + 1;
  const retry = nextRetryDate(dunning.nextRetryDate, failures, state.plan.attempts);
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
}

/** The first recurring cycle whose due date is after `today`. */
export function firstCycleDueAfter(state: SubscriptionState, today: CalendarDate): number {
  let cycle = Math.max(state.nextCycle, state.anchor.cycle);
  while (compareDates(dueDateOf(state, cycle), today) <= 0) cycle += 1;
  return cycle;
}

/** The next charge dates (and, in dunning, the remaining retry dates), for the forecast query. */
export function forecast(
  state: SubscriptionState,
  count: number,
): { charges: Array<{ cycle: number; date: CalendarDate; amountCents: number }>; retries: CalendarDate[] } {
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
  const charges: Array<{ cycle: number; date: CalendarDate; amountCents: number }> = [];
  if (isTerminal(state.status) || state.status === 'suspended' || state.status === 'blocked' || state.cancelAtPeriodEnd)
    return { charges, retries };
  const plan = state.pendingPlan ?? state.plan;
  const first = Math.max(state.nextCycle, (state.dunning?.cycle ?? 0) + 1, (state.boletoWait?.cycle ?? 0) + 1);
  for (let cycle = first; charges.length < count; cycle += 1) {
    const date = dueDateOf(state, cycle);
    if (endReason(state, cycle, date)) break;
    charges.push({ cycle, date, amountCents: plan.amountCents });
  }
  return { charges, retries };
}

/** The summary shown as the workflow's memo in the Web UI. */
export function summaryLine(state: SubscriptionState): string {
  const amount = `R$ ${(state.plan.amountCents / 100).toFixed(2)}`;
  const next = nextStep(state);
  const when =
    next.kind === 'charge'
      ? `${next.retry ? 'retry' : 'next charge'} ${next.date}`
      : next.kind === 'await_boleto'
        ? `boleto due, deadline ${next.deadline}`
        : next.kind === 'idle'
          ? ''
          : `${next.kind} on ${next.date}`;
  const held = state.chargeHold ? chargeHoldLine(state.chargeHold) : '';
  return [
    `${state.status.replace('_', ' ')}`,
    `${amount} ${state.plan.planId}`,
    `customer ${state.customerId}`,
    when,
    held,
  ]
    .filter(Boolean)
    .join(' · ');
}

export function initialState(input: ParsedSubscriptionInput, today: CalendarDate): SubscriptionState {
  const startDate = input.startDate ?? today;
  const firstCharge = firstChargeDate(startDate, input.plan);
  return {
    subscriptionId: input.subscriptionId,
    customerId: input.customerId,
    plan: input.plan,
    paymentMethod: input.paymentMethod,
    status: firstCharge > startDate ? 'trialing' : 'active',
    startDate,
    anchor: { cycle: 1, date: firstCharge },
    nextCycle: 1,
    setupFeeDue: (input.plan.setupAmountCents ?? 0) > 0,
    cancelAtPeriodEnd: false,
    invoices: [],
    summary: { archivedCount: 0, archivedPaidCents: 0, paidCount: 0, paidCents: 0, failedAttempts: 0 },
    notificationSequence: 0,
    externalPayments: input.externalPayments ?? {},
    pendingPayments: [],
  };
}
