/**
 * Model-based properties of the subscription state machine (fast-check commands): thousands of
 * random interleavings of operations, charge outcomes (soft, hard, held, late), payment notices,
 * deliveries and time, applied through the transition table exactly as the workflow applies them,
 * and checked after every step against the invariants the README lists.
 *
 * PROPERTY_RUNS raises the number of runs (CI: 150); FC_SEED replays a failure's seed.
 */
import fc from 'fast-check';
import { addDays, instantAt, localDateOf } from '../../common/billing/calendar';
import { chargeDateForCycle } from '../../common/billing/schedule';
import { RETRY_GAPS_DAYS } from '../../common/billing/teimosinha';
import type { ChargeOutcome, EventContext, SubscriptionEvent } from '../../common/subscription/events';
import { createSubscriptionInputSchema } from '../../common/subscription/input';
import { actionDate, nextStep } from '../../common/subscription/machine';
import type { Effect } from '../../common/subscription/outbox';
import { firstCycleToBill, initialState, type SubscriptionState } from '../../common/subscription/state';
import { refundToSend } from '../../common/subscription/refunds';
import type { Decision } from '../../common/subscription/table';
import { defined } from '../helpers/defined';
import { MachineDriver } from '../helpers/machine';

const RUNS = Number(process.env.PROPERTY_RUNS ?? 150);
const SEED = process.env.FC_SEED === undefined ? undefined : Number(process.env.FC_SEED);
const TZ = 'America/Sao_Paulo';
const HOUR = 3_600_000;

interface Setup {
  method: 'card' | 'boleto';
  attempts: number;
  trialDays: number;
  setupFee: boolean;
  startOffsetDays: number;
  backBillCycles: number;
  frequency: 'daily' | 'weekly' | 'monthly';
}

/** The system under test: the pure machine, driven as the workflow drives it. */
/** Every run starts on the same instant. */
const START_MS = Date.parse('2026-03-10T15:00:00Z');

/** The subscription a setup describes, as created on the first day. */
function initialStateFor(setup: Setup): SubscriptionState {
  const today = localDateOf(START_MS, TZ);
  const input = createSubscriptionInputSchema.parse({
    subscriptionId: 'p-1',
    customerId: 'c-1',
    plan: {
      planId: 'gold',
      amountCents: 5990,
      recurrence: { kind: 'calendar', frequency: setup.frequency, interval: 1 },
      attempts: setup.attempts,
      trialDays: setup.trialDays,
      setupAmountCents: setup.setupFee ? 990 : undefined,
      chargeHourLocal: 9,
      tolerancePeriodDays: 2,
    },
    paymentMethod:
      setup.method === 'card'
        ? { type: 'zspay_card', zspayClientId: 'c', cardId: 'k' }
        : { type: 'zspay_boleto', zspayClientId: 'c' },
    startDate: addDays(today, setup.startOffsetDays),
    backBillCycles: setup.backBillCycles,
    merchant: { callbackUrl: 'https://m.example/hooks', secretRef: 'm' },
    partner: { zapsignClientRef: 'z' },
    externalPayments: { '1': { paymentId: 'x', trustSeed: 's', trustValue: 'v', altTrustValue: 'a' } },
  });
  return initialState(input, today);
}

class Driver extends MachineDriver {
  nowMs = START_MS;
  readonly log: string[] = [];

  constructor(readonly setup: Setup) {
    super(initialStateFor(setup));
  }

  get today(): string {
    return localDateOf(this.nowMs, TZ);
  }

  context(): EventContext {
    return {
      today: this.today,
      now: new Date(this.nowMs).toISOString(),
      nowMs: this.nowMs,
      offset: '-03:00',
      targets: { merchant: true, partner: true },
      // As runs since the patch of that name: an outcome for a paid invoice never reopens it.
      paidInvoicesStayPaid: true,
    };
  }

  protected override decided(event: SubscriptionEvent, decision: Decision): void {
    this.log.push(
      `${this.today} ${event.type}${'outcome' in event ? `:${event.outcome.status}` : ''} -> ${decision.answer}`,
    );
  }

  /** The workflow's loop: every step whose time came, until a charge is in flight or nothing is due. */
  runDueSteps(): void {
    for (let guard = 0; guard < 50 && !this.state.charge; guard += 1) {
      const step = nextStep(this.state);
      if (step.kind === 'idle' || step.kind === 'done') return;
      const { chargeHourLocal } = this.state.plan;
      const dueAt =
        step.kind === 'await_boleto'
          ? instantAt(addDays(step.deadline, 1), 0, 0, TZ)
          : step.kind === 'charge' && this.state.chargeHold?.cycle === step.cycle
            ? Date.parse(this.state.chargeHold.retryAt)
            : instantAt(
                step.kind === 'charge' ? actionDate(this.state, step, this.today) : step.date,
                chargeHourLocal,
                0,
                TZ,
              );
      if (dueAt > this.nowMs) return;
      if (step.kind === 'charge') {
        // An invoice of 0 is paid at once (no charge in flight): the loop goes on, as the workflow's does.
        if (this.send({ type: 'chargeStarted', cycle: step.cycle }) && !this.state.charge) continue;
        return;
      }
      if (step.kind === 'await_boleto') this.send({ type: 'boletoExpired', cycle: step.cycle });
      else if (step.kind === 'cancel') this.send({ type: 'periodEnded' });
      else this.send({ type: 'planEnded', reason: step.reason });
    }
  }
}

/** What was acknowledged and what happened, for the invariants. */
class Model {
  canceled = false;
  suspended = false;
  cancelAtPeriodEnd = false;
  paidCycles = new Map<number, number>();
  /** Charges started per cycle, and the operator actions and held charges that allowed extra ones. */
  started = new Map<number, number>();
  extraAttempts = new Map<number, number>();
  firstChargedCycle?: number;
  /** Refunds acknowledged (by cycle), and those the provider confirmed. */
  refundsAsked = new Set<number>();
  refunded = new Set<number>();
  /** What a start date in the past may bill first: today's cycle less the back-billed ones. */
  firstBillableCycle = 1;

  private extra(cycle: number | undefined): void {
    if (cycle !== undefined) this.extraAttempts.set(cycle, (this.extraAttempts.get(cycle) ?? 0) + 1);
  }

  observe(event: SubscriptionEvent, before: SubscriptionState, after: SubscriptionState): void {
    switch (event.type) {
      case 'cancelNow':
        this.canceled = true;
        break;
      case 'cancelAtPeriodEnd':
        this.cancelAtPeriodEnd = true;
        break;
      case 'periodEnded':
        // Only an acknowledged cancel at period end ends a period.
        expect(this.cancelAtPeriodEnd).toBe(true);
        this.canceled = true;
        break;
      case 'suspend':
        this.suspended = true;
        break;
      case 'reactivate':
        if (before.status === 'suspended') this.suspended = false;
        else this.cancelAtPeriodEnd = false;
        break;
      case 'retryNow':
        this.extra(before.chargeHold?.cycle ?? before.dunning?.cycle);
        break;
      case 'changePaymentMethod':
        this.extra(before.charge?.cycle ?? before.dunning?.cycle);
        break;
      case 'chargeHeld':
        this.extra(event.cycle);
        break;
      case 'refund':
        // Only a paid invoice is refunded: once, or again after the provider refused the refund.
        expect(before.invoices.find((i) => i.cycle === event.cycle)).toMatchObject({ status: 'paid' });
        expect(before.invoices.find((i) => i.cycle === event.cycle)?.refund?.status ?? 'failed').toBe('failed');
        this.refundsAsked.add(event.cycle);
        break;
      case 'refundSettled':
        if (event.result === 'refunded') this.refunded.add(event.cycle);
        break;
      case 'chargeStarted':
        // Nothing is charged while canceled or suspended; a blocked subscription only on a rescue.
        expect({ canceled: this.canceled, suspended: this.suspended }).toEqual({ canceled: false, suspended: false });
        if (before.status === 'blocked')
          expect(before.dunning?.nextRetryDate !== undefined || before.chargeHold !== undefined).toBe(true);
        this.started.set(event.cycle, (this.started.get(event.cycle) ?? 0) + 1);
        if (event.cycle > 0) this.firstChargedCycle ??= event.cycle;
        break;
      default:
        break;
    }
    for (const invoice of after.invoices) {
      // Never a negative charge; never a boleto under R$ 5,00 (the plans here are boleto-sized).
      expect(invoice.amountCents).toBeGreaterThanOrEqual(0);
      if (after.paymentMethod.type === 'zspay_boleto' && invoice.amountCents > 0)
        expect(invoice.amountCents).toBeGreaterThanOrEqual(500);
      const was = before.invoices.find((i) => i.cycle === invoice.cycle);
      if (invoice.status === 'paid' && was?.status !== 'paid')
        this.paidCycles.set(invoice.cycle, (this.paidCycles.get(invoice.cycle) ?? 0) + 1);
    }
  }
}

type Cmd = fc.Command<Model, Driver>;

/** Invariants that hold after every step. */
function checkInvariants(model: Model, real: Driver): void {
  const state = real.state;
  // An acknowledged cancel or suspension is never undone.
  if (model.canceled) expect(state.status).toBe('canceled');
  if (model.suspended && !model.canceled) expect(state.status).toBe('suspended');
  if (model.cancelAtPeriodEnd && !model.canceled && state.status !== 'completed')
    expect(state.cancelAtPeriodEnd).toBe(true);
  // Partner calls strictly alternate, starting with inadimplente.
  const partner = real.effects
    .filter((e): e is Extract<Effect, { kind: 'partner' }> => e.kind === 'partner')
    .map((e) => e.status);
  partner.forEach((status, i) => expect(status).toBe(i % 2 === 0 ? 'inadimplente' : 'adimplente'));
  // Exactly one merchant notification per failed attempt (an unpaid boleto counts as one).
  const failedNotices = real.effects.filter((e) => e.kind === 'notify' && e.type === 'payment.failed').length;
  expect(failedNotices).toBe(state.summary.failedAttempts);
  // At most one successful charge per cycle.
  for (const [cycle, count] of model.paidCycles) expect({ cycle, count }).toEqual({ cycle, count: 1 });
  // Attempts never exceed the plan's: the first try plus its retries, plus what operators asked for
  // (a retry now, a new payment method) and held charges tried again.
  for (const [cycle, count] of model.started) {
    expect({ cycle, within: count <= 1 + real.setup.attempts + (model.extraAttempts.get(cycle) ?? 0) }).toEqual({
      cycle,
      within: true,
    });
  }
  // A past start date bills nothing before the cycle current at sign-up, less the back-billed ones.
  if (model.firstChargedCycle !== undefined)
    expect(model.firstChargedCycle).toBeGreaterThanOrEqual(model.firstBillableCycle);
  // An acknowledged refund stays on its invoice (sent once, then refunded or failed), and a refunded
  // invoice stays refunded: never paid or charged again.
  for (const cycle of model.refundsAsked) {
    const invoice = state.invoices.find((i) => i.cycle === cycle);
    // Settled invoices older than the twelve kept in full are archived into the summary.
    if (!invoice) continue;
    const refund = invoice.refund?.status ?? 'none';
    expect({ cycle, refundKept: ['requested', 'refunded', 'failed'].includes(refund) }).toEqual({
      cycle,
      refundKept: true,
    });
    if (model.refunded.has(cycle)) expect({ cycle, status: invoice.status }).toEqual({ cycle, status: 'refunded' });
  }
  // Outbox ids are unique; notification sequences increase.
  const ids = state.outbox.map((e) => e.id);
  expect(new Set(ids).size).toBe(ids.length);
}

/** Counted the slow way: the cycles due on or before `today`, stepping from the first due date. */
function cyclesDueBy(anchor: string, plan: SubscriptionState['plan'], today: string): number {
  let count = 0;
  while (chargeDateForCycle(anchor, plan, count) <= today) count += 1;
  return count;
}

const later = (hours: number): Cmd => ({
  check: () => true,
  run: (model, real) => {
    real.nowMs += hours * HOUR;
    real.runDueSteps();
    checkInvariants(model, real);
  },
  toString: () => `later(${hours}h)`,
});

const settle = (status: 'succeeded' | 'soft_declined' | 'hard_declined' | 'pending'): Cmd => ({
  check: () => true,
  run: (model, real) => {
    const charge = real.state.charge;
    if (!charge) return;
    const outcome: ChargeOutcome = {
      status: real.setup.method === 'boleto' ? 'pending' : status === 'pending' ? 'succeeded' : status,
      reference: charge.reference,
      providerIds: { saleId: `sale-${charge.reference}` },
      declineCode: status === 'hard_declined' ? '14' : '51',
      boleto: real.setup.method === 'boleto' ? { dueDate: addDays(real.today, 5) } : undefined,
    };
    const failuresBefore = real.state.dunning?.cycle === charge.cycle ? real.state.dunning.failures : 0;
    const blockedBefore = real.state.status === 'blocked' || real.state.statusBeforeSuspension === 'blocked';
    const methodChanged = JSON.stringify(charge.paymentMethod) !== JSON.stringify(real.state.paymentMethod);
    real.send({ type: 'chargeSettled', cycle: charge.cycle, outcome });
    // Retry dates follow teimosinha: after the n-th soft failure, the gap for n.
    const dunning = real.state.dunning;
    const live = !['canceled', 'completed'].includes(real.state.status);
    if (live && outcome.status === 'soft_declined' && !blockedBefore && !methodChanged && dunning?.nextRetryDate) {
      expect(dunning.nextRetryDate).toBe(
        addDays(
          real.today,
          defined(RETRY_GAPS_DAYS[failuresBefore], `a retry gap after ${failuresBefore} soft failures`),
        ),
      );
    }
    if (live && outcome.status === 'hard_declined' && !methodChanged) expect(dunning?.nextRetryDate).toBeUndefined();
    real.runDueSteps();
    checkInvariants(model, real);
  },
  toString: () => `settle(${status})`,
});

const hold: Cmd = {
  check: () => true,
  run: (model, real) => {
    if (!real.state.charge) return;
    real.send({ type: 'chargeHeld', cycle: real.state.charge.cycle, reason: 'ProviderAuth: rejected' });
    checkInvariants(model, real);
  },
  toString: () => 'hold',
};

const boletoPaid: Cmd = {
  check: () => true,
  run: (model, real) => {
    const invoice = real.state.invoices.find((i) => i.boleto?.saleId && i.status !== 'paid');
    if (!invoice) return;
    real.send({ type: 'paymentConfirmed', saleId: invoice.boleto!.saleId! });
    checkInvariants(model, real);
  },
  toString: () => 'boletoPaid',
};

const deliver = (fail: boolean): Cmd => ({
  check: () => true,
  run: (model, real) => {
    const entry = real.state.outbox[0];
    if (!entry) return;
    real.send(
      fail ? { type: 'effectFailed', id: entry.id, error: 'HTTP 503' } : { type: 'effectDelivered', id: entry.id },
    );
    checkInvariants(model, real);
  },
  toString: () => (fail ? 'deliveryFails' : 'delivered'),
});

const operation = (name: string, event: (real: Driver) => SubscriptionEvent): Cmd => ({
  check: () => true,
  run: (model, real) => {
    real.send(event(real));
    real.runDueSteps();
    checkInvariants(model, real);
  },
  toString: () => name,
});

/**
 * The commands, weighted: an ending (cancel now) is rare, so most sequences go on long enough for
 * operations to meet every status; settlements are frequent, so operations also land between a
 * paid charge and the next one (where a prorated plan change or a refund can apply), not only
 * while a charge is in flight.
 */
const weighted: Array<{ arbitrary: fc.Arbitrary<Cmd>; weight: number }> = [
  { weight: 6, arbitrary: fc.integer({ min: 1, max: 30 * 24 }).map(later) },
  { weight: 6, arbitrary: fc.integer({ min: 1, max: 6 }).map(later) },
  {
    weight: 12,
    arbitrary: fc
      .constantFrom<'succeeded' | 'soft_declined' | 'hard_declined'>(
        'succeeded',
        'succeeded',
        'soft_declined',
        'soft_declined',
        'hard_declined',
      )
      .map(settle),
  },
  { weight: 4, arbitrary: fc.constant(hold) },
  { weight: 4, arbitrary: fc.constant(boletoPaid) },
  { weight: 4, arbitrary: fc.boolean().map(deliver) },
  { weight: 1, arbitrary: fc.constant(operation('cancelNow', () => ({ type: 'cancelNow' }))) },
  { weight: 4, arbitrary: fc.constant(operation('cancelAtPeriodEnd', () => ({ type: 'cancelAtPeriodEnd' }))) },
  { weight: 4, arbitrary: fc.constant(operation('suspend', () => ({ type: 'suspend' }))) },
  { weight: 4, arbitrary: fc.constant(operation('reactivate', () => ({ type: 'reactivate' }))) },
  {
    weight: 4,
    arbitrary: fc.integer({ min: -3, max: 60 }).map((days) =>
      operation(`changeNextChargeDate(+${days})`, (real) => ({
        type: 'changeNextChargeDate',
        date: addDays(real.today, days),
      })),
    ),
  },
  {
    weight: 4,
    arbitrary: fc.constant(
      operation('changePaymentMethod', (real) => ({
        type: 'changePaymentMethod',
        paymentMethod:
          real.setup.method === 'card'
            ? { type: 'zspay_card', zspayClientId: 'c', cardId: `k-${real.nowMs}` }
            : { type: 'zspay_boleto', zspayClientId: 'c' },
      })),
    ),
  },
  {
    weight: 4,
    arbitrary: fc.constantFrom('daily', 'weekly', 'monthly').map((frequency) =>
      operation(`changePlan(${frequency})`, (real) => ({
        type: 'changePlan',
        plan: { ...real.state.plan, planId: frequency, recurrence: { kind: 'calendar', frequency, interval: 1 } },
      })),
    ),
  },
  // A prorated change right after a payment (between charges, where it can apply): the charge in
  // flight, if any, is paid first.
  {
    weight: 4,
    arbitrary: fc
      .tuple(fc.integer({ min: 1, max: 20_000 }), fc.constantFrom('next_invoice' as const, 'now' as const))
      .map(([amountCents, proration]): Cmd => ({
        check: () => true,
        run: (model, real) => {
          const charge = real.state.charge;
          if (charge && real.setup.method === 'card')
            real.send({
              type: 'chargeSettled',
              cycle: charge.cycle,
              outcome: {
                status: 'succeeded',
                reference: charge.reference,
                providerIds: { saleId: `sale-${charge.reference}` },
              },
            });
          real.send({
            type: 'changePlan',
            plan: { ...real.state.plan, planId: `p${amountCents}`, amountCents: Math.max(500, amountCents) },
            proration,
          });
          real.runDueSteps();
          checkInvariants(model, real);
        },
        toString: () => `paid, then changePlan(${proration}, ${amountCents})`,
      })),
  },
  {
    weight: 4,
    arbitrary: fc
      .tuple(fc.integer({ min: 1, max: 20_000 }), fc.constantFrom('next_invoice' as const, 'now' as const))
      .map(([amountCents, proration]) =>
        operation(`changePlan(${proration}, ${amountCents})`, (real) => ({
          type: 'changePlan',
          plan: { ...real.state.plan, planId: `p${amountCents}`, amountCents: Math.max(500, amountCents) },
          proration,
        })),
      ),
  },
  {
    weight: 4,
    arbitrary: fc
      .record({ percentOff: fc.constantFrom(10, 100), cycles: fc.constantFrom(1, 2, undefined) })
      .map((terms) =>
        operation(`applyCoupon(${terms.percentOff}%, ${terms.cycles ?? 'forever'})`, () => ({
          type: 'applyCoupon',
          coupon: { code: `C${terms.percentOff}`, maxRedemptions: 3, ...terms },
        })),
      ),
  },
  { weight: 4, arbitrary: fc.constant(operation('retryNow', () => ({ type: 'retryNow' }))) },
  {
    weight: 4,
    arbitrary: fc.constant(
      operation('refund', (real) => ({
        type: 'refund',
        cycle: [...real.state.invoices].reverse().find((i) => i.status === 'paid')?.cycle ?? 1,
      })),
    ),
  },
  {
    weight: 4,
    arbitrary: fc.constantFrom<'refunded' | 'failed'>('refunded', 'refunded', 'failed').map((result): Cmd => ({
      check: () => true,
      run: (model, real) => {
        const pending = refundToSend(real.state);
        if (!pending) return;
        real.send({
          type: 'refundSettled',
          cycle: pending.invoice.cycle,
          result,
          error: result === 'failed' ? 'refused' : undefined,
        });
        checkInvariants(model, real);
      },
      toString: () => `refundSettled(${result})`,
    })),
  },
  { weight: 4, arbitrary: fc.constant(operation('skipNextRetry', () => ({ type: 'skipNextRetry' }))) },
  {
    weight: 4,
    arbitrary: fc
      .integer({ min: 1, max: 10 })
      .map((days) => operation(`extendGrace(${days})`, () => ({ type: 'extendGrace', days }))),
  },
  {
    weight: 4,
    arbitrary: fc.constant(
      operation('linkExternalPayment', () => ({
        type: 'linkExternalPayment',
        cycle: 2,
        payment: { paymentId: 'y', trustSeed: 's', trustValue: 'v', altTrustValue: 'a' },
      })),
    ),
  },
];
const commands = [fc.oneof(...weighted)];

const setups = fc.record<Setup>({
  method: fc.constantFrom('card', 'card', 'boleto'),
  attempts: fc.integer({ min: 0, max: 4 }),
  trialDays: fc.constantFrom(0, 0, 7),
  setupFee: fc.boolean(),
  startOffsetDays: fc.constantFrom(0, 0, 3, -40, -800),
  backBillCycles: fc.constantFrom(0, 0, 2),
  frequency: fc.constantFrom('daily', 'weekly', 'monthly', 'monthly'),
});

describe('the subscription state machine under random interleavings (fast-check commands)', () => {
  it('keeps every invariant after every event', () => {
    fc.assert(
      fc.property(setups, fc.commands(commands, { maxCommands: 80, size: 'max' }), (setup, cmds) => {
        const real = new Driver(setup);
        const model = new Model();
        // The rule for a start date in the past, checked against a count made independently.
        const due = cyclesDueBy(real.state.anchor.date, real.state.plan, real.today);
        model.firstBillableCycle = due === 0 ? 1 : Math.max(1, due - setup.backBillCycles);
        expect(real.state.nextCycle).toBe(model.firstBillableCycle);
        expect(firstCycleToBill(real.state.anchor.date, real.state.plan, real.today, setup.backBillCycles)).toBe(
          model.firstBillableCycle,
        );
        real.observer = (event, before) => model.observe(event, before, real.state);
        real.runDueSteps();
        fc.modelRun(() => ({ model, real }), cmds);
      }),
      { numRuns: RUNS, seed: SEED, verbose: 1 },
    );
  });
});
