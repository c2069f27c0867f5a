import { forecast, nextStep } from '../../../common/subscription/machine';
import type { SubscriptionPlan } from '../../../common/subscription/input';
import type { SubscriptionState } from '../../../common/subscription/state';
import { currentDetails } from '../../../common/subscription/web-ui';
import { subscriptionView } from '../../../common/subscription/view';
import { apply, collect, decide, kinds, paid, subscription } from '../../helpers/machine';
import { stringContaining } from '../../helpers/matchers';

const monthly = { kind: 'calendar', frequency: 'monthly', interval: 1 } as const;
const planOf = (state: SubscriptionState, change: Partial<SubscriptionPlan>): SubscriptionPlan => ({
  ...state.plan,
  ...change,
});
const invoice = (state: SubscriptionState, cycle: number) => state.invoices.find((i) => i.cycle === cycle)!;

/** Charges the next step and pays it (or lets the machine pay an invoice of 0 at once). */
function payNext(state: SubscriptionState) {
  const step = nextStep(state);
  if (step.kind !== 'charge') throw new Error(`expected a charge, got ${step.kind}`);
  const started = apply(state, { type: 'chargeStarted', cycle: step.cycle }, step.date);
  if (!started.state.charge) return { state: started.state, date: step.date, effects: kinds(started.effects) };
  const settled = apply(
    started.state,
    { type: 'chargeSettled', cycle: step.cycle, outcome: paid(started.state.charge.reference) },
    step.date,
  );
  return { state: settled.state, date: step.date, effects: kinds(settled.effects) };
}

describe('coupons', () => {
  const coupon = { code: 'WELCOME10', percentOff: 10, cycles: 2 };

  it('discounts the first 2 recurring invoices, then the full price; invoices show before, discount, charged', () => {
    let state = subscription({}, { coupon });
    expect(forecast(state, 3).charges).toEqual([
      {
        cycle: 1,
        date: '2026-01-01',
        amountCents: 5391,
        baseAmountCents: 5990,
        discountCents: 599,
        adjustmentCents: 0,
      },
      {
        cycle: 2,
        date: '2026-02-01',
        amountCents: 5391,
        baseAmountCents: 5990,
        discountCents: 599,
        adjustmentCents: 0,
      },
      { cycle: 3, date: '2026-03-01', amountCents: 5990 },
    ]);
    for (let i = 0; i < 3; i += 1) state = payNext(state).state;
    expect(state.invoices.map((i) => [i.cycle, i.baseAmountCents, i.discount?.amountCents, i.amountCents])).toEqual([
      [1, 5990, 599, 5391],
      [2, 5990, 599, 5391],
      [3, undefined, undefined, 5990],
    ]);
    expect(state.coupon).toBeUndefined();
    expect(state.summary.paidCents).toBe(5391 + 5391 + 5990);
  });

  it('shows the coupon in the view and the Web UI details', () => {
    let state = subscription({}, { coupon });
    state = payNext(state).state;
    expect(subscriptionView(state).coupon).toEqual({ code: 'WELCOME10', terms: '10% off for 2 cycles', cyclesLeft: 1 });
    const details = currentDetails(state);
    expect(details).toContain('Coupon WELCOME10: 10% off for 2 cycles, 1 cycle(s) left');
    expect(details).toContain('Invoice of cycle 1: R$ 59,90 − R$ 5,99 (WELCOME10) = R$ 53,91 charged');
  });

  it('a 100% discount charges nothing: the invoice of 0 is paid at once, no charge goes out', () => {
    const state = subscription({}, { coupon: { code: 'FREE', percentOff: 100, cycles: 1 } });
    const first = payNext(state);
    expect(first.state.charge).toBeUndefined();
    expect(invoice(first.state, 1)).toMatchObject({ status: 'paid', amountCents: 0, baseAmountCents: 5990 });
    expect(invoice(first.state, 1).attempts).toEqual([]);
    expect(first.effects).toEqual(['notify:payment.succeeded', 'push:paid']);
    const second = payNext(first.state);
    expect(invoice(second.state, 2)).toMatchObject({ status: 'paid', amountCents: 5990 });
  });

  it('a fixed amount off forever never charges below zero', () => {
    let state = subscription({}, { coupon: { code: 'BIG', amountOffCents: 10_000 } });
    for (let i = 0; i < 3; i += 1) state = payNext(state).state;
    expect(state.invoices.map((i) => i.amountCents)).toEqual([0, 0, 0]);
    expect(state.coupon?.cyclesUsed).toBe(3);
  });

  it('applyCoupon: applied to a running subscription; refused while one is in force, expired or redeemed out', () => {
    let state = collect(subscription(), ['paid']).state;
    const later = { code: 'BACK', amountOffCents: 1000, cycles: 1, expiresAt: '2026-01-31' };
    expect(decide(state, { type: 'applyCoupon', coupon: later }, '2026-02-01')).toMatchObject({
      answer: 'refused',
      reason: 'coupon.expiresAt is past: the coupon can no longer be redeemed',
    });
    state = apply(state, { type: 'applyCoupon', coupon: later }, '2026-01-15').state;
    expect(decide(state, { type: 'applyCoupon', coupon: { ...later, code: 'OTHER' } }, '2026-01-15')).toMatchObject({
      answer: 'refused',
      reason: 'a coupon is already in force; apply another once its cycles are used',
    });
    state = payNext(state).state;
    expect(invoice(state, 2)).toMatchObject({ amountCents: 4990, discount: { code: 'BACK', amountCents: 1000 } });
    // Used up: the same code again is refused (redeemed once, maxRedemptions 1 by default)...
    expect(decide(state, { type: 'applyCoupon', coupon: later }, '2026-01-20')).toMatchObject({ answer: 'refused' });
    // ...unless it allows more.
    expect(decide(state, { type: 'applyCoupon', coupon: { ...later, maxRedemptions: 2 } }, '2026-01-20').answer).toBe(
      'applied',
    );
  });

  it('a boleto is never issued under R$ 5,00: the amount is carried to the next invoice', () => {
    let state = subscription(
      { amountCents: 1000 },
      { coupon: { code: 'ALMOST', percentOff: 70 }, paymentMethod: { type: 'zspay_boleto', zspayClientId: 'c' } },
    );
    // 1000 - 700 = 300 < 500: carried; the next 300 + 300 = 600 is issued.
    state = payNext(state).state;
    expect(invoice(state, 1)).toMatchObject({ status: 'paid', amountCents: 0 });
    expect(invoice(state, 1).lines).toEqual([expect.objectContaining({ kind: 'carried_out', amountCents: -300 })]);
    expect(state.adjustments).toEqual([expect.objectContaining({ kind: 'carried_in', amountCents: 300 })]);
    const step = nextStep(state);
    expect(step).toMatchObject({ kind: 'charge', cycle: 2 });
    const started = apply(state, { type: 'chargeStarted', cycle: 2 }, '2026-01-27').state;
    expect(started.charge?.amountCents).toBe(600);
    expect(started.adjustments).toBeUndefined();
  });
});

describe('plan change with proration next_invoice', () => {
  /** Monthly on the 31st, cycle 1 paid on Jan 31 2026. */
  const paidOnJan31 = () => collect(subscription({ recurrence: monthly }, { startDate: '2026-01-31' }), ['paid']).state;

  it('credits the unused days at the old price and charges them at the new one on the next invoice', () => {
    const state = paidOnJan31();
    const platinum = planOf(state, { planId: 'platinum', amountCents: 9990 });
    // Cycle 1 runs Jan 31 → Feb 28 (28 days); on Feb 14 14 days are unused.
    const changed = apply(state, { type: 'changePlan', plan: platinum, proration: 'next_invoice' }, '2026-02-14').state;
    expect(changed.plan.planId).toBe('platinum');
    expect(changed.pendingPlan).toBeUndefined();
    expect(changed.adjustments?.map((l) => [l.kind, l.amountCents])).toEqual([
      ['proration_credit', -2995],
      ['proration_charge', 4995],
    ]);
    expect(subscriptionView(changed).nextInvoiceAdjustmentCents).toBe(2000);
    expect(currentDetails(changed)).toContain(
      'Next invoice: -R$ 29,95 unused 14 of 28 days of cycle 1 (from 2026-02-14) at R$ 59,90 (plan gold)',
    );
    expect(currentDetails(changed)).toContain(
      'Next invoice: +R$ 49,95 14 of 28 days of cycle 1 (from 2026-02-14) at R$ 99,90 (plan platinum)',
    );
    expect(forecast(changed, 2).charges).toEqual([
      {
        cycle: 2,
        date: '2026-02-28',
        amountCents: 11990,
        baseAmountCents: 9990,
        discountCents: 0,
        adjustmentCents: 2000,
      },
      { cycle: 3, date: '2026-03-31', amountCents: 9990 },
    ]);
    const next = payNext(changed);
    expect(next.date).toBe('2026-02-28');
    expect(invoice(next.state, 2)).toMatchObject({ amountCents: 11990, baseAmountCents: 9990, status: 'paid' });
    expect(next.state.adjustments).toBeUndefined();
  });

  it('on a leap February the cycle has 29 days', () => {
    const state = collect(subscription({ recurrence: monthly }, { startDate: '2028-01-31' }, '2028-01-31'), [
      'paid',
    ]).state;
    const changed = apply(
      state,
      { type: 'changePlan', plan: planOf(state, { planId: 'platinum', amountCents: 9990 }), proration: 'next_invoice' },
      '2028-02-28',
    ).state;
    // Jan 31 → Feb 29 2028: 29 days, 1 unused (Feb 28): credit ⌈5990/29⌉ = 207, charge ⌊9990/29⌋ = 344.
    expect(changed.adjustments?.map((l) => l.amountCents)).toEqual([-207, 344]);
  });

  it('a downgrade whose credit exceeds the next invoice charges 0 and carries the rest', () => {
    const state = paidOnJan31();
    const basic = planOf(state, { planId: 'basic', amountCents: 990 });
    // On the cycle's first day nothing is used: the whole 5990 is credited, 990 charged.
    const changed = apply(state, { type: 'changePlan', plan: basic, proration: 'next_invoice' }, '2026-01-31').state;
    const next = payNext(changed);
    // 990 + 990 - 5990 = -4010: nothing charged, 4010 carried.
    expect(invoice(next.state, 2)).toMatchObject({ amountCents: 0, status: 'paid' });
    expect(next.state.adjustments).toEqual([expect.objectContaining({ kind: 'carried_in', amountCents: -4010 })]);
    const after = payNext(next.state);
    expect(invoice(after.state, 3)).toMatchObject({ amountCents: 0 }); // 990 - 4010
    expect(after.state.adjustments?.[0]?.amountCents).toBe(-3020);
    // Nothing is ever charged below zero, and every cent of credit is accounted for.
    expect(after.state.invoices.every((i) => i.amountCents >= 0)).toBe(true);
  });

  it('is refused with no paid cycle covering today, across billing periods, while collecting, or twice a cycle', () => {
    const trial = subscription({ trialDays: 7 });
    expect(
      decide(
        trial,
        { type: 'changePlan', plan: planOf(trial, { amountCents: 9990 }), proration: 'next_invoice' },
        '2026-01-02',
      ),
    ).toMatchObject({ answer: 'refused', reason: stringContaining('no paid cycle covering today') });
    // Without proration the same change applies from the next cycle.
    expect(decide(trial, { type: 'changePlan', plan: planOf(trial, { amountCents: 9990 }) }, '2026-01-02').answer).toBe(
      'applied',
    );
    const state = paidOnJan31();
    const yearly = planOf(state, { recurrence: { kind: 'calendar', frequency: 'annualy', interval: 1 } });
    expect(decide(state, { type: 'changePlan', plan: yearly, proration: 'next_invoice' }, '2026-02-10')).toMatchObject({
      answer: 'refused',
      reason: stringContaining('same billing period'),
    });
    const once = apply(
      state,
      { type: 'changePlan', plan: planOf(state, { amountCents: 7990 }), proration: 'next_invoice' },
      '2026-02-10',
    ).state;
    expect(
      decide(
        once,
        { type: 'changePlan', plan: planOf(state, { amountCents: 9990 }), proration: 'next_invoice' },
        '2026-02-12',
      ),
    ).toMatchObject({ answer: 'refused', reason: stringContaining('already changed with proration') });
    // No next invoice would carry it: a cancel at period end, or a plan that ends first.
    const leaving = apply(state, { type: 'cancelAtPeriodEnd' }, '2026-02-10').state;
    expect(
      decide(
        leaving,
        { type: 'changePlan', plan: planOf(state, { amountCents: 9990 }), proration: 'next_invoice' },
        '2026-02-10',
      ),
    ).toMatchObject({ answer: 'refused', reason: stringContaining('no next invoice will carry the proration') });
    expect(
      decide(
        state,
        {
          type: 'changePlan',
          plan: planOf(state, { amountCents: 9990, expiresAt: '2026-02-20' }),
          proration: 'next_invoice',
        },
        '2026-02-10',
      ),
    ).toMatchObject({ answer: 'refused', reason: stringContaining('no next invoice will carry the proration') });
    const inFlight = apply(state, { type: 'chargeStarted', cycle: 2 }, '2026-02-28').state;
    expect(
      decide(
        inFlight,
        { type: 'changePlan', plan: planOf(state, { amountCents: 9990 }), proration: 'next_invoice' },
        '2026-02-28',
      ),
    ).toMatchObject({ answer: 'refused', reason: stringContaining('a charge is in flight') });
  });
});
