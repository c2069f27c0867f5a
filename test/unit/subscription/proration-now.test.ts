/**
 * A plan change with proration `now` through the pure machine: the difference of the current paid
 * cycle (the same lines and rounding as `next_invoice`) charged at once on a proration invoice of
 * its own, collected like any invoice; a credit waits for the next invoice.
 */
import { prorate } from '../../../common/billing/proration';
import { attemptReference, dueDateOf, forecast, invoiceLabel, nextStep } from '../../../common/subscription/machine';
import { operationArgsProblems } from '../../../common/subscription/checks';
import { PRORATION_MODES, type SubscriptionPlan } from '../../../common/subscription/input';
import { prorationInvoiceCycle } from '../../../common/subscription/pricing';
import type { SubscriptionState } from '../../../common/subscription/state';
import { providerCallSummary } from '../../../common/subscription/web-ui';
import { apply, collect, decide, hard, kinds, paid, subscription } from '../../helpers/machine';
import { stringContaining } from '../../helpers/matchers';

const monthly = { kind: 'calendar', frequency: 'monthly', interval: 1 } as const;
const planOf = (state: SubscriptionState, change: Partial<SubscriptionPlan>): SubscriptionPlan => ({
  ...state.plan,
  ...change,
});
const invoice = (state: SubscriptionState, cycle: number) => state.invoices.find((i) => i.cycle === cycle);
/** Monthly on the 31st from `startDate`, its first `cycles` cycles paid on their due dates. */
const paidOn31st = (startDate: string, cycles = 1) =>
  collect(
    subscription({ recurrence: monthly }, { startDate }, startDate),
    Array.from({ length: cycles }, () => 'paid' as const),
  ).state;
const upgradeNow = (state: SubscriptionState, amountCents = 9990) => ({
  type: 'changePlan' as const,
  plan: planOf(state, { planId: 'platinum', amountCents }),
  proration: 'now' as const,
});
/** The proration invoice's amount and lines as [kind, cents]. */
const prorationOf = (state: SubscriptionState, cycle: number) => {
  const found = invoice(state, prorationInvoiceCycle(cycle));
  return found && [found.amountCents, ...(found.lines ?? []).map((l) => l.amountCents)];
};

describe('plan change with proration now: the amounts, to the cent, on month ends and leap years', () => {
  it.each([
    // [paid cycles from the start date, change date, [net, -credit, charge]]
    // Jan 31 → Feb 28 2026 (28 days), 14 unused: credit 5990 × 14/28 = 2995, charge 9990 × 14/28 = 4995.
    ['2026-01-31', 1, '2026-02-14', [2000, -2995, 4995]],
    // 1 of 28 unused: credit 5990 − ⌊5990 × 27/28⌋ = 214 (up), charge 9990 − ⌈9990 × 27/28⌉ = 356 (down).
    ['2026-01-31', 1, '2026-02-27', [142, -214, 356]],
    // On the cycle's first day (Jan 31) nothing is used: the whole of both prices.
    ['2026-01-31', 1, '2026-01-31', [4000, -5990, 9990]],
    // Leap year: Jan 31 → Feb 29 2028 (29 days), 15 unused: credit ⌈5990 × 15/29⌉ = 3099, charge ⌊9990 × 15/29⌋ = 5167.
    ['2028-01-31', 1, '2028-02-14', [2068, -3099, 5167]],
    // Feb 28 2028, the leap February's last day but one: 1 of 29 unused: ⌈5990/29⌉ = 207, ⌊9990/29⌋ = 344.
    ['2028-01-31', 1, '2028-02-28', [137, -207, 344]],
    // Feb 29 2028 is cycle 2's due date (the 31st clamped): the cycle Feb 29 → Mar 31 (31 days), all unused.
    ['2028-01-31', 2, '2028-02-29', [4000, -5990, 9990]],
  ] as const)('from %s (%i paid), changed on %s: %j', (startDate, cycles, changeDate, expected) => {
    const state = paidOn31st(startDate, cycles);
    const changed = apply(state, upgradeNow(state), changeDate).state;
    expect(prorationOf(changed, cycles)).toEqual(expected);
    // The same pure function (and rounding rule) as next_invoice: the lines are identical.
    const nextInvoice = apply(state, { ...upgradeNow(state), proration: 'next_invoice' }, changeDate).state;
    expect(invoice(changed, -cycles)?.lines).toEqual(nextInvoice.adjustments);
    expect(expected[0]).toBe(
      prorate({
        oldAmountCents: 5990,
        newAmountCents: 9990,
        periodStart: dueDateOf(state, cycles),
        periodEnd: dueDateOf(state, cycles + 1),
        changeDate,
      }).netCents,
    );
  });
});

describe('plan change with proration now: the machine', () => {
  const state = paidOn31st('2026-01-31');

  it('applies the new plan today and puts the difference on a proration invoice charged at once', () => {
    const changed = apply(state, upgradeNow(state), '2026-02-14').state;
    expect(changed.plan).toMatchObject({ planId: 'platinum', amountCents: 9990 });
    expect(changed.pendingPlan).toBeUndefined();
    expect(changed.adjustments).toBeUndefined();
    expect(invoice(changed, -1)).toMatchObject({
      cycle: -1,
      kind: 'proration',
      amountCents: 2000,
      baseAmountCents: 0,
      dueDate: '2026-02-14',
      status: 'open',
      attempts: [],
      lines: [
        expect.objectContaining({ kind: 'proration_credit', cycle: 1, amountCents: -2995 }),
        expect.objectContaining({ kind: 'proration_charge', cycle: 1, amountCents: 4995 }),
      ],
    });
    // Charged before anything else, on the change date; the next cycle is the new plan's price.
    expect(nextStep(changed)).toEqual({ kind: 'charge', cycle: -1, date: '2026-02-14', retry: false });
    expect(forecast(changed, 1).charges).toEqual([{ cycle: 2, date: '2026-02-28', amountCents: 9990 }]);

    const started = apply(changed, { type: 'chargeStarted', cycle: -1 }, '2026-02-14').state;
    expect(started.charge).toMatchObject({ cycle: -1, reference: 'sub-1-1-proration-1', amountCents: 2000 });
    expect(providerCallSummary(started, 'authorize', -1, 2000)).toBe(
      'authorize R$ 20,00 · proration of cycle 1 · attempt 1 of 5',
    );
    const settled = apply(
      started,
      { type: 'chargeSettled', cycle: -1, outcome: paid('sub-1-1-proration-1') },
      '2026-02-14',
    );
    expect(kinds(settled.effects)).toEqual(['notify:payment.succeeded', 'push:paid']);
    expect(invoice(settled.state, -1)).toMatchObject({ status: 'paid', amountCents: 2000 });
    expect(settled.state).toMatchObject({ status: 'active', nextCycle: 2 });
    expect(settled.state.summary.paidCents).toBe(5990 + 2000);
    expect(nextStep(settled.state)).toEqual({ kind: 'charge', cycle: 2, date: '2026-02-28', retry: false });

    // The next invoice is the new plan's price, with no proration lines.
    const next = collect(settled.state, ['paid']).state;
    expect(invoice(next, 2)).toMatchObject({ amountCents: 9990, status: 'paid' });
    expect(invoice(next, 2)?.lines).toBeUndefined();
  });

  it('a paid proration invoice is refunded like any card invoice, named by its negative key', () => {
    const changed = apply(state, upgradeNow(state), '2026-02-14').state;
    const started = apply(changed, { type: 'chargeStarted', cycle: -1 }, '2026-02-14').state;
    const paidNow = apply(
      started,
      { type: 'chargeSettled', cycle: -1, outcome: paid('sub-1-1-proration-1') },
      '2026-02-14',
    ).state;
    expect(operationArgsProblems.refund({ cycle: -1 })).toEqual([]);
    const asked = apply(paidNow, { type: 'refund', cycle: -1 }, '2026-02-15');
    expect(invoice(asked.state, -1)?.refund).toMatchObject({
      status: 'requested',
      reference: 'sub-1--1-refund',
      saleId: 'sale-sub-1-1-proration-1',
      amountCents: 2000,
    });
    const refunded = apply(asked.state, { type: 'refundSettled', cycle: -1, result: 'refunded' }, '2026-02-15');
    expect(invoice(refunded.state, -1)).toMatchObject({ status: 'refunded' });
    expect(kinds(refunded.effects)).toContain('notify:payment.refunded');
    // The recurring cycle it prorated is untouched.
    expect(invoice(refunded.state, 1)).toMatchObject({ status: 'paid' });
  });

  it('a downgrade (or no difference) charges nothing now: the lines go on the next invoice, as next_invoice', () => {
    const basic = { ...upgradeNow(state, 2990), plan: planOf(state, { planId: 'basic', amountCents: 2990 }) };
    const down = apply(state, basic, '2026-02-14').state;
    expect(down.invoices.some((i) => i.kind === 'proration')).toBe(false);
    // credit 2995, charge 2990 × 14/28 = 1495: -1500 on the Feb 28 invoice (2990 - 1500 = 1490).
    expect(down.adjustments?.map((l) => [l.kind, l.amountCents])).toEqual([
      ['proration_credit', -2995],
      ['proration_charge', 1495],
    ]);
    expect(down).toEqual(apply(state, { ...basic, proration: 'next_invoice' }, '2026-02-14').state);
    expect(invoice(collect(down, ['paid']).state, 2)).toMatchObject({ amountCents: 1490, baseAmountCents: 2990 });

    const same = apply(state, upgradeNow(state, 5990), '2026-02-14').state;
    expect(same.invoices.some((i) => i.kind === 'proration')).toBe(false);
    expect(same.adjustments?.map((l) => l.amountCents)).toEqual([-2995, 2995]);
  });

  it('a soft decline follows the teimosinha schedule; the plan change stands; a retry that pays recovers', () => {
    const changed = apply(state, upgradeNow(state), '2026-02-14').state;
    const declined = collect(changed, ['soft']);
    expect(declined.log[0]!.effects).toEqual(['notify:payment.failed', 'push:failed']);
    expect(declined.state).toMatchObject({
      status: 'past_due',
      dunning: { cycle: -1, failures: 1, nextRetryDate: '2026-02-16' },
      plan: { planId: 'platinum' },
    });
    expect(invoice(declined.state, -1)?.status).toBe('open');
    expect(nextStep(declined.state)).toEqual({ kind: 'charge', cycle: -1, date: '2026-02-16', retry: true });
    const retried = collect(declined.state, ['paid']);
    expect(retried.state.invoices.find((i) => i.cycle === -1)?.attempts.map((a) => [a.reference, a.outcome])).toEqual([
      ['sub-1-1-proration-1', 'soft_declined'],
      ['sub-1-1-proration-2', 'succeeded'],
    ]);
    expect(retried.log[0]!.effects).toEqual(['notify:subscription.recovered', 'notify:payment.succeeded', 'push:paid']);
    expect(retried.state).toMatchObject({ status: 'active', dunning: undefined, nextCycle: 2 });
    expect(nextStep(retried.state)).toMatchObject({ kind: 'charge', cycle: 2, date: '2026-02-28' });
  });

  it('a hard decline blocks the subscription (the partner is told); the new plan stays', () => {
    const changed = apply(state, upgradeNow(state), '2026-02-14').state;
    const started = apply(changed, { type: 'chargeStarted', cycle: -1 }, '2026-02-14').state;
    const blocked = apply(
      started,
      { type: 'chargeSettled', cycle: -1, outcome: hard(started.charge!.reference) },
      '2026-02-14',
    );
    expect(kinds(blocked.effects)).toEqual([
      'notify:payment.failed',
      'push:failed',
      'partner:inadimplente',
      'notify:subscription.blocked',
    ]);
    expect(blocked.state).toMatchObject({ status: 'blocked', plan: { planId: 'platinum' } });
    expect(invoice(blocked.state, -1)?.status).toBe('failed');
    expect(nextStep(blocked.state)).toEqual({ kind: 'idle' });
  });

  it('a cancel before the charge starts voids the proration invoice: nothing is charged', () => {
    const changed = apply(state, upgradeNow(state), '2026-02-14').state;
    const canceled = apply(changed, { type: 'cancelNow' }, '2026-02-14').state;
    expect(invoice(canceled, -1)?.status).toBe('void');
    expect(nextStep(canceled)).toEqual({ kind: 'done' });
  });

  it('a held charge keeps the proration invoice open and is tried again', () => {
    const changed = apply(state, upgradeNow(state), '2026-02-14').state;
    const started = apply(changed, { type: 'chargeStarted', cycle: -1 }, '2026-02-14').state;
    const held = apply(started, { type: 'chargeHeld', cycle: -1, reason: 'ProviderAuth: rejected' }, '2026-02-14');
    expect(held.state.chargeHold).toMatchObject({ cycle: -1 });
    expect(nextStep(held.state)).toEqual({ kind: 'charge', cycle: -1, date: '2026-02-14', retry: false });
  });

  it('is refused for a boleto subscription, while a charge is in flight or collecting, and twice a cycle', () => {
    const boleto = collect(
      subscription(
        { recurrence: monthly },
        { startDate: '2026-01-31', paymentMethod: { type: 'zspay_boleto', zspayClientId: 'c' } },
        '2026-01-31',
      ),
      [],
    ).state;
    expect(decide(boleto, upgradeNow(boleto), '2026-01-31')).toMatchObject({
      answer: 'refused',
      reason: 'proration now charges a card at once; a boleto subscription takes proration next_invoice',
    });
    const inFlight = apply(state, { type: 'chargeStarted', cycle: 2 }, '2026-02-28').state;
    expect(decide(inFlight, upgradeNow(state), '2026-02-28')).toMatchObject({
      answer: 'refused',
      reason: stringContaining('a charge is in flight'),
    });
    const changed = apply(state, upgradeNow(state), '2026-02-14').state;
    // The proration charge itself is in flight: refused the same way.
    const charging = apply(changed, { type: 'chargeStarted', cycle: -1 }, '2026-02-14').state;
    expect(decide(charging, upgradeNow(state, 12990), '2026-02-14')).toMatchObject({
      answer: 'refused',
      reason: stringContaining('a charge is in flight'),
    });
    const paidNow = apply(
      charging,
      { type: 'chargeSettled', cycle: -1, outcome: paid(charging.charge!.reference) },
      '2026-02-14',
    ).state;
    for (const proration of ['now', 'next_invoice'] as const)
      expect(decide(paidNow, { ...upgradeNow(state, 12990), proration }, '2026-02-20')).toMatchObject({
        answer: 'refused',
        reason: stringContaining('already changed with proration'),
      });
    // Without proration a later change still applies, from the next cycle.
    expect(
      decide(paidNow, { type: 'changePlan', plan: planOf(state, { amountCents: 12990 }) }, '2026-02-20'),
    ).toMatchObject({ answer: 'applied' });
    // In a trial there is no paid cycle to prorate.
    const trial = subscription({ trialDays: 7 });
    expect(decide(trial, upgradeNow(trial), '2026-01-02')).toMatchObject({
      answer: 'refused',
      reason: stringContaining('no paid cycle covering today'),
    });
  });

  it('the workflow’s own check of the arguments takes every mode the schema takes, and no other', () => {
    for (const proration of PRORATION_MODES)
      expect(operationArgsProblems.changePlan({ plan: state.plan, proration })).toEqual([]);
    expect(operationArgsProblems.changePlan({ plan: state.plan, proration: 'later' })).toEqual([
      'proration: proration must be one of none, next_invoice, now',
    ]);
  });

  it('names and references a proration invoice apart from the cycles', () => {
    expect(prorationInvoiceCycle(3)).toBe(-3);
    expect([invoiceLabel(0), invoiceLabel(3), invoiceLabel(-3)]).toEqual([
      'setup fee',
      'cycle 3',
      'proration of cycle 3',
    ]);
    expect(attemptReference({ subscriptionId: 'acme' }, -3, 2)).toBe('acme-3-proration-2');
    expect(attemptReference({ subscriptionId: 'acme' }, 3, 2)).toBe('acme-3-2');
  });
});
