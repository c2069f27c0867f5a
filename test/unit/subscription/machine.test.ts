import { forecast, nextStep } from '../../../common/subscription/machine';
import { firstCycleToBill, startDateProblem } from '../../../common/subscription/state';
import { apply, collect, decide, hard, kinds, paid, soft, subscription } from '../../helpers/machine';
import { stringContaining } from '../../helpers/matchers';
import { at } from '../../helpers/defined';

describe('subscription state machine', () => {
  it('retries a soft decline on D+2, D+4, D+8 and D+16, then blocks and tells the partner once', () => {
    const { state, log } = collect(subscription(), ['soft', 'soft', 'soft', 'soft', 'soft']);
    expect(log.map((l) => l.date)).toEqual(['2026-01-01', '2026-01-03', '2026-01-05', '2026-01-09', '2026-01-17']);
    expect(log.slice(0, 4).every((l) => l.effects.join() === 'notify:payment.failed,push:failed')).toBe(true);
    expect(at(log, 4, 'the collection log').effects).toEqual([
      'notify:payment.failed',
      'push:failed',
      'partner:inadimplente',
      'notify:subscription.blocked',
    ]);
    expect(state.status).toBe('blocked');
    expect(nextStep(state)).toEqual({ kind: 'idle' });
  });

  it('retries once, two days later, with attempts 1; never with attempts 0', () => {
    expect(collect(subscription({ attempts: 1 }), ['soft', 'soft']).log.map((l) => l.date)).toEqual([
      '2026-01-01',
      '2026-01-03',
    ]);
    const none = collect(subscription({ attempts: 0 }), ['soft']);
    expect(none.state.status).toBe('blocked');
    expect(at(none.log, 0, 'the collection log').effects).toContain('partner:inadimplente');
  });

  it('blocks at once on a hard decline, without any retry', () => {
    const { state, log } = collect(subscription(), ['hard']);
    expect(state.status).toBe('blocked');
    expect(state.dunning?.nextRetryDate).toBeUndefined();
    expect(at(log, 0, 'the collection log').effects).toEqual([
      'notify:payment.failed',
      'push:failed',
      'partner:inadimplente',
      'notify:subscription.blocked',
    ]);
  });

  it('recovers on a successful retry: active again, no partner call if it was never blocked', () => {
    const { state, log } = collect(subscription(), ['soft', 'paid']);
    expect(state.status).toBe('active');
    expect(at(log, 1, 'the collection log').effects).toEqual([
      'notify:subscription.recovered',
      'notify:payment.succeeded',
      'push:paid',
    ]);
    expect(nextStep(state)).toMatchObject({ kind: 'charge', cycle: 2, date: '2026-02-01' });
  });

  it('unblocks the partner exactly once after a block, and keeps the billing anchor', () => {
    const blocked = collect(subscription(), ['hard']).state;
    // A new card on 2026-03-10: the failed January invoice is paid; February and March fell due while
    // blocked and are not billed; the next charge is the anchor day after recovery.
    let state = apply(
      blocked,
      { type: 'changePaymentMethod', paymentMethod: { type: 'zspay_card', zspayClientId: 'cli-1', cardId: 'card-2' } },
      '2026-03-10',
    ).state;
    state = apply(state, { type: 'chargeStarted', cycle: 1 }, '2026-03-10').state;
    const recovered = apply(state, { type: 'chargeSettled', cycle: 1, outcome: paid('1-rescue') }, '2026-03-10');
    expect(kinds(recovered.effects)).toEqual([
      'partner:adimplente',
      'notify:subscription.recovered',
      'notify:payment.succeeded',
      'push:paid',
    ]);
    expect(recovered.state.status).toBe('active');
    expect(nextStep(recovered.state)).toMatchObject({ kind: 'charge', cycle: 4, date: '2026-04-01' });
    const again = collect(recovered.state, ['paid']);
    expect(at(again.log, 0, 'the collection log').effects).not.toContain('partner:adimplente');
  });

  it('a rescue attempt that fails keeps a blocked subscription blocked, without new retries or partner calls', () => {
    let state = collect(subscription(), ['hard']).state;
    state = apply(state, { type: 'retryNow' }, '2026-02-10').state;
    state = apply(state, { type: 'chargeStarted', cycle: 1 }, '2026-02-10').state;
    const rescue = apply(state, { type: 'chargeSettled', cycle: 1, outcome: soft('1-rescue') }, '2026-02-10');
    expect(rescue.state.status).toBe('blocked');
    expect(rescue.state.dunning?.nextRetryDate).toBeUndefined();
    expect(kinds(rescue.effects)).toEqual(['notify:payment.failed', 'push:failed']);
  });

  it('skipping the last retry blocks the subscription', () => {
    const state = collect(subscription({ attempts: 1 }), ['soft']).state;
    const skipped = apply(state, { type: 'skipNextRetry' }, '2026-01-02');
    expect(skipped.state.status).toBe('blocked');
    expect(kinds(skipped.effects)).toEqual(['partner:inadimplente', 'notify:subscription.blocked']);
    expect(at(skipped.state.invoices, 0, 'invoices').attempts.map((a) => a.outcome)).toEqual([
      'soft_declined',
      'skipped',
    ]);
  });

  it('charges the setup fee first, then the first cycle after the trial', () => {
    let state = subscription({ setupAmountCents: 1500, trialDays: 7 });
    expect(state.status).toBe('trialing');
    expect(nextStep(state)).toMatchObject({ kind: 'charge', cycle: 0, date: '2026-01-01' });
    state = collect(state, ['paid']).state;
    expect(state.invoices[0]).toMatchObject({ kind: 'setup', amountCents: 1500, status: 'paid' });
    expect(state.status).toBe('trialing');
    expect(nextStep(state)).toMatchObject({ kind: 'charge', cycle: 1, date: '2026-01-08' });
  });

  it('completes after the installments, the duration or the plan expiry', () => {
    const installments = collect(
      subscription({ recurrence: { kind: 'adiq', planType: 'Custom', interval: 30, installments: 2 } }),
      ['paid', 'paid'],
    ).state;
    expect(nextStep(installments)).toMatchObject({ kind: 'complete', reason: 'all 2 installments billed' });
    const short = collect(subscription({ durationMonths: 2 }), ['paid', 'paid']).state;
    expect(nextStep(short)).toMatchObject({ kind: 'complete', date: '2026-03-01' });
    const expiring = collect(subscription({ expiresAt: '2026-02-15' }), ['paid', 'paid']).state;
    expect(nextStep(expiring)).toMatchObject({
      kind: 'complete',
      date: '2026-03-01',
      reason: 'plan expired on 2026-02-15',
    });
  });

  it('forecasts the next charges and, in dunning, the remaining retry dates', () => {
    const inDunning = collect(subscription(), ['soft']).state;
    expect(forecast(inDunning, 3)).toEqual({
      retries: ['2026-01-03', '2026-01-05', '2026-01-09', '2026-01-17'],
      charges: [
        { cycle: 2, date: '2026-02-01', amountCents: 5990 },
        { cycle: 3, date: '2026-03-01', amountCents: 5990 },
        { cycle: 4, date: '2026-04-01', amountCents: 5990 },
      ],
    });
  });

  it('forecasts a pending plan on its own dates and amount from the next cycle (a weekly plan after a monthly one)', () => {
    const state = collect(subscription(), ['paid']).state;
    const changed = apply(
      state,
      {
        type: 'changePlan',
        plan: {
          ...state.plan,
          planId: 'weekly',
          amountCents: 1990,
          recurrence: { kind: 'calendar', frequency: 'weekly', interval: 1 },
        },
      },
      '2026-01-10',
    ).state;
    expect(forecast(changed, 3).charges).toEqual([
      { cycle: 2, date: '2026-02-01', amountCents: 1990 },
      { cycle: 3, date: '2026-02-08', amountCents: 1990 },
      { cycle: 4, date: '2026-02-15', amountCents: 1990 },
    ]);
    // And the charges then happen on exactly those dates.
    const { log } = collect(changed, ['paid', 'paid', 'paid']);
    expect(log.map((l) => l.date)).toEqual(['2026-02-01', '2026-02-08', '2026-02-15']);
  });

  it('reports a failed attempt with Adiq failure-notification fields', () => {
    const result = collect(subscription(), ['soft']);
    const failure = result.state.outbox.find((e) => e.notification?.type === 'payment.failed');
    expect(failure?.notification?.data).toMatchObject({
      SubscriptionId: 'sub-1',
      PlanId: 'gold',
      OrderNumber: 'sub-1-1-1',
      BillingId: 'sale-sub-1-1-1',
      ExpireAt: '2026-01-01T00:00:00-03:00',
      ErrorCode: '51',
    });
  });

  it('keeps the twelve most recent invoices and folds the rest into the summary', () => {
    const { state } = collect(subscription(), Array<'paid'>(15).fill('paid'));
    expect(state.invoices).toHaveLength(12);
    expect(at(state.invoices, 0, 'invoices').cycle).toBe(4);
    expect(state.summary).toMatchObject({
      archivedCount: 3,
      archivedPaidCents: 3 * 5990,
      paidCount: 15,
      paidCents: 15 * 5990,
    });
  });
});

describe('operations that interleave with a charge in flight', () => {
  const inFlight = () => apply(subscription(), { type: 'chargeStarted', cycle: 1 }, '2026-01-01').state;

  it('a cancel acknowledged while the charge is in flight is never undone: the charge is recorded, the status stays canceled, the merchant is told', () => {
    const canceled = apply(inFlight(), { type: 'cancelNow' }, '2026-01-01').state;
    expect(canceled.status).toBe('canceled');
    const settled = apply(canceled, { type: 'chargeSettled', cycle: 1, outcome: paid('sub-1-1-1') }, '2026-01-01');
    expect(settled.state.status).toBe('canceled');
    expect(settled.state.invoices[0]).toMatchObject({ status: 'paid' });
    expect(settled.state.summary.paidCents).toBe(5990);
    expect(kinds(settled.effects)).toEqual(['notify:payment.succeeded', 'push:paid']);
    expect(settled.effects[0]).toMatchObject({ data: { subscriptionStatus: 'canceled' } });
    expect(nextStep(settled.state)).toEqual({ kind: 'done' });
  });

  it('a suspend acknowledged while the charge is in flight stays: the outcome counts and decides where reactivation resumes', () => {
    const suspended = apply(inFlight(), { type: 'suspend' }, '2026-01-01').state;
    const declined = apply(
      suspended,
      { type: 'chargeSettled', cycle: 1, outcome: soft('sub-1-1-1') },
      '2026-01-01',
    ).state;
    expect(declined).toMatchObject({
      status: 'suspended',
      statusBeforeSuspension: 'past_due',
      dunning: { failures: 1, nextRetryDate: '2026-01-03' },
    });
    expect(nextStep(declined)).toEqual({ kind: 'idle' });
    expect(decide(declined, { type: 'chargeStarted', cycle: 1 }, '2026-01-03')).toEqual({
      answer: 'refused',
      reason: 'nothing is charged while suspended',
    });
    const resumed = apply(declined, { type: 'reactivate' }, '2026-01-20').state;
    expect(resumed.status).toBe('past_due');
    expect(nextStep(resumed)).toMatchObject({ kind: 'charge', cycle: 1, date: '2026-01-03', retry: true });
  });

  it('refuses what would clash with the charge in flight, and says so', () => {
    const state = inFlight();
    expect(decide(state, { type: 'changeNextChargeDate', date: '2026-01-20' }, '2026-01-01')).toMatchObject({
      answer: 'refused',
      reason: stringContaining('a charge is in flight'),
    });
    expect(decide(state, { type: 'chargeStarted', cycle: 1 }, '2026-01-01')).toMatchObject({
      answer: 'refused',
      reason: 'a charge is already in flight',
    });
  });

  it('a new card given while the old one is being charged is tried at once if the old one declines', () => {
    let state = apply(
      inFlight(),
      {
        type: 'changePaymentMethod',
        paymentMethod: { type: 'zspay_card', zspayClientId: 'cli-1', cardId: 'card-new' },
      },
      '2026-01-01',
    ).state;
    state = apply(state, { type: 'chargeSettled', cycle: 1, outcome: hard('sub-1-1-1') }, '2026-01-01').state;
    expect(state).toMatchObject({ status: 'past_due', dunning: { nextRetryDate: '2026-01-01' } });
    expect(nextStep(state)).toMatchObject({ kind: 'charge', cycle: 1, retry: true });
  });

  it('a refused event changes nothing', () => {
    const state = inFlight();
    expect(decide(state, { type: 'reactivate' }, '2026-01-01').answer).toBe('refused');
    const canceled = apply(state, { type: 'cancelNow' }, '2026-01-01').state;
    for (const event of [
      { type: 'cancelNow' },
      { type: 'suspend' },
      { type: 'retryNow' },
      { type: 'periodEnded' },
    ] as const) {
      expect(decide(canceled, event, '2026-01-02')).toMatchObject({
        answer: 'refused',
        reason: 'the subscription is canceled',
      });
    }
  });
});

describe('start dates', () => {
  it('a start date in the past bills only the cycle current today, or a bounded number of earlier ones when asked', () => {
    const old = subscription({}, { startDate: '2000-01-01' }, '2026-12-15');
    expect(old).toMatchObject({ status: 'active', nextCycle: 324 });
    expect(nextStep(old)).toMatchObject({ kind: 'charge', cycle: 324, date: '2026-12-01' });
    expect(subscription({}, { startDate: '2000-01-01', backBillCycles: 2 }, '2026-12-15').nextCycle).toBe(322);
    expect(
      subscription(
        { recurrence: { kind: 'calendar', frequency: 'daily', interval: 1 } },
        { startDate: '2000-01-01' },
        '2026-12-15',
      ).nextCycle,
    ).toBe(9846);
    expect(
      firstCycleToBill(
        '2026-01-31',
        { recurrence: { kind: 'calendar', frequency: 'monthly', interval: 1 } },
        '2026-03-30',
      ),
    ).toBe(2);
    expect(
      firstCycleToBill(
        '2026-01-31',
        { recurrence: { kind: 'calendar', frequency: 'monthly', interval: 1 } },
        '2026-03-31',
      ),
    ).toBe(3);
    expect(
      firstCycleToBill(
        '2027-01-01',
        { recurrence: { kind: 'calendar', frequency: 'monthly', interval: 1 } },
        '2026-03-31',
      ),
    ).toBe(1);
  });

  it('refuses a start date more than a year ahead', () => {
    expect(startDateProblem('9999-12-31', '2026-12-01')).toBe(
      'startDate must be at most 366 days ahead (on or before 2027-12-02)',
    );
    expect(startDateProblem('2027-12-02', '2026-12-01')).toBeUndefined();
    expect(startDateProblem(undefined, '2026-12-01')).toBeUndefined();
  });
});
