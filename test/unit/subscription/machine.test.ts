import { applyOutcome, forecast, nextStep, skipRetry, type Effect, type SubscriptionState } from '../../../common/subscription/machine';
import { createSubscriptionInputSchema, initialState } from '../../../common/subscription/input';

const subscription = (plan: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) =>
  initialState(
    createSubscriptionInputSchema.parse({
      subscriptionId: 'sub-1',
      customerId: 'cus-1',
      plan: { planId: 'gold', amountCents: 5990, recurrence: { kind: 'calendar', frequency: 'monthly', interval: 1 }, attempts: 4, ...plan },
      paymentMethod: { type: 'zspay_card', zspayClientId: 'cli-1', cardId: 'card-1' },
      startDate: '2026-01-01',
      partner: { zapsignClientRef: 'zs-1' },
      ...extra,
    }),
    '2026-01-01',
  );

const ctx = (today: string) => ({ today, now: `${today}T12:00:00.000Z`, offset: '-03:00' });
const declined = (reference: string, code = '51') => ({ status: 'soft_declined' as const, reference, declineCode: code, providerIds: { saleId: `sale-${reference}` } });
const hard = (reference: string) => ({ status: 'hard_declined' as const, reference, declineCode: '14', providerIds: {} });
const paid = (reference: string) => ({ status: 'succeeded' as const, reference, providerIds: { saleId: `sale-${reference}` } });
const kinds = (effects: Effect[]) => effects.map((e) => (e.kind === 'notify' ? `notify:${e.type}` : e.kind === 'partner' ? `partner:${e.status}` : `push:${e.status}`));

/** Runs the collection the machine asks for on each date, with the given outcomes. */
function collect(state: SubscriptionState, outcomes: Array<'soft' | 'hard' | 'paid'>) {
  const log: Array<{ date: string; effects: string[] }> = [];
  for (const outcome of outcomes) {
    const step = nextStep(state);
    if (step.kind !== 'charge') throw new Error(`expected a charge, got ${step.kind}`);
    const reference = `${step.cycle}-${step.date}`;
    const result = applyOutcome(state, step.cycle, outcome === 'soft' ? declined(reference) : outcome === 'hard' ? hard(reference) : paid(reference), ctx(step.date));
    state = result.state;
    log.push({ date: step.date, effects: kinds(result.effects) });
  }
  return { state, log };
}

describe('subscription state machine', () => {
  it('retries a soft decline on D+2, D+4, D+8 and D+16, then blocks and tells the partner once', () => {
    const { state, log } = collect(subscription(), ['soft', 'soft', 'soft', 'soft', 'soft']);
    expect(log.map((l) => l.date)).toEqual(['2026-01-01', '2026-01-03', '2026-01-05', '2026-01-09', '2026-01-17']);
    expect(log.slice(0, 4).every((l) => l.effects.join() === 'notify:payment.failed,push:failed')).toBe(true);
    expect(log[4].effects).toEqual(['notify:payment.failed', 'push:failed', 'partner:inadimplente', 'notify:subscription.blocked']);
    expect(state.status).toBe('blocked');
    expect(nextStep(state)).toEqual({ kind: 'idle' });
  });

  it('retries once, two days later, with attempts 1; never with attempts 0', () => {
    expect(collect(subscription({ attempts: 1 }), ['soft', 'soft']).log.map((l) => l.date)).toEqual(['2026-01-01', '2026-01-03']);
    const none = collect(subscription({ attempts: 0 }), ['soft']);
    expect(none.state.status).toBe('blocked');
    expect(none.log[0].effects).toContain('partner:inadimplente');
  });

  it('blocks at once on a hard decline, without any retry', () => {
    const { state, log } = collect(subscription(), ['hard']);
    expect(state.status).toBe('blocked');
    expect(state.dunning?.nextRetryDate).toBeUndefined();
    expect(log[0].effects).toEqual(['notify:payment.failed', 'push:failed', 'partner:inadimplente', 'notify:subscription.blocked']);
  });

  it('recovers on a successful retry: active again, no partner call if it was never blocked', () => {
    const { state, log } = collect(subscription(), ['soft', 'paid']);
    expect(state.status).toBe('active');
    expect(log[1].effects).toEqual(['notify:subscription.recovered', 'notify:payment.succeeded', 'push:paid']);
    expect(nextStep(state)).toMatchObject({ kind: 'charge', cycle: 2, date: '2026-02-01' });
  });

  it('unblocks the partner exactly once after a block, and keeps the billing anchor', () => {
    const blocked = collect(subscription(), ['hard']).state;
    // A new card on 2026-03-10: the failed January invoice is paid; February and March fell due while
    // blocked and are not billed; the next charge is the anchor day after recovery.
    const recovered = applyOutcome(blocked, 1, paid('1-retry'), ctx('2026-03-10'));
    expect(kinds(recovered.effects)).toEqual(['partner:adimplente', 'notify:subscription.recovered', 'notify:payment.succeeded', 'push:paid']);
    expect(recovered.state.status).toBe('active');
    expect(nextStep(recovered.state)).toMatchObject({ kind: 'charge', cycle: 4, date: '2026-04-01' });
    const again = applyOutcome(recovered.state, 4, paid('4'), ctx('2026-04-01'));
    expect(kinds(again.effects)).not.toContain('partner:adimplente');
  });

  it('a rescue attempt that fails keeps a blocked subscription blocked, without new retries or partner calls', () => {
    const blocked = collect(subscription(), ['hard']).state;
    const rescue = applyOutcome({ ...blocked, dunning: { ...blocked.dunning!, nextRetryDate: '2026-02-10' } }, 1, declined('1-rescue'), ctx('2026-02-10'));
    expect(rescue.state.status).toBe('blocked');
    expect(rescue.state.dunning?.nextRetryDate).toBeUndefined();
    expect(kinds(rescue.effects)).toEqual(['notify:payment.failed', 'push:failed']);
  });

  it('skipping the last retry blocks the subscription', () => {
    let state = collect(subscription({ attempts: 1 }), ['soft']).state;
    const skipped = skipRetry(state, ctx('2026-01-02'));
    state = skipped.state;
    expect(state.status).toBe('blocked');
    expect(kinds(skipped.effects)).toEqual(['partner:inadimplente', 'notify:subscription.blocked']);
    expect(state.invoices[0].attempts.map((a) => a.outcome)).toEqual(['soft_declined', 'skipped']);
  });

  it('charges the setup fee first, then the first cycle after the trial', () => {
    let state = subscription({ setupAmountCents: 1500, trialDays: 7 });
    expect(state.status).toBe('trialing');
    expect(nextStep(state)).toMatchObject({ kind: 'charge', cycle: 0, date: '2026-01-01' });
    state = applyOutcome(state, 0, paid('setup'), ctx('2026-01-01')).state;
    expect(state.invoices[0]).toMatchObject({ kind: 'setup', amountCents: 1500, status: 'paid' });
    expect(state.status).toBe('trialing');
    expect(nextStep(state)).toMatchObject({ kind: 'charge', cycle: 1, date: '2026-01-08' });
  });

  it('completes after the installments, the duration or the plan expiry', () => {
    let state = subscription({ recurrence: { kind: 'adiq', planType: 'Custom', interval: 30, installments: 2 } });
    state = collect(state, ['paid', 'paid']).state;
    expect(nextStep(state)).toMatchObject({ kind: 'complete', reason: 'all 2 installments billed' });
    const short = collect(subscription({ durationMonths: 2 }), ['paid', 'paid']).state;
    expect(nextStep(short)).toMatchObject({ kind: 'complete', date: '2026-03-01' });
    const expiring = collect(subscription({ expiresAt: '2026-02-15' }), ['paid', 'paid']).state;
    expect(nextStep(expiring)).toMatchObject({ kind: 'complete', date: '2026-03-01', reason: 'plan expired on 2026-02-15' });
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

  it('reports a failed attempt with Adiq failure-notification fields', () => {
    const result = applyOutcome(subscription(), 1, declined('sub-1-1-1'), ctx('2026-01-01'));
    const failure = result.effects.find((e) => e.kind === 'notify' && e.type === 'payment.failed');
    expect(failure).toMatchObject({
      data: {
        SubscriptionId: 'sub-1',
        PlanId: 'gold',
        OrderNumber: 'sub-1-1-1',
        BillingId: 'sale-sub-1-1-1',
        ExpireAt: '2026-01-01T00:00:00-03:00',
        ErrorCode: '51',
      },
    });
  });

  it('keeps the twelve most recent invoices and folds the rest into the summary', () => {
    const { state } = collect(subscription(), Array(15).fill('paid'));
    expect(state.invoices).toHaveLength(12);
    expect(state.invoices[0].cycle).toBe(4);
    expect(state.summary).toMatchObject({ archivedCount: 3, archivedPaidCents: 3 * 5990, paidCount: 15, paidCents: 15 * 5990 });
  });
});
