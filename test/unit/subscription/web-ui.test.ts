import { attemptOf, currentDetails, providerCallSummary, staticSummaryOf } from '../../../common/subscription/web-ui';
import type { SubscriptionState } from '../../../common/subscription/state';
import { subscription } from '../../helpers/machine';

describe('what the Web UI shows for a subscription', () => {
  const base = (): SubscriptionState => subscription({ amountCents: 123456, attempts: 4 }, { startDate: '2026-12-01' });

  it('counts the due-date charge and the plan retries as attempts', () => {
    const state = base();
    expect(attemptOf(state, 1)).toEqual({ attempt: 1, of: 5 });
    const dunning: SubscriptionState = { ...state, dunning: { cycle: 1, failures: 2, nextRetryDate: '2026-12-05' } };
    expect(attemptOf(dunning, 1)).toEqual({ attempt: 3, of: 5 });
    // Another cycle's dunning does not count for this one.
    expect(attemptOf(dunning, 2)).toEqual({ attempt: 1, of: 5 });
  });

  it('summarizes a provider call in pt-BR money with its cycle and attempt', () => {
    const state: SubscriptionState = { ...base(), dunning: { cycle: 3, failures: 1, nextRetryDate: '2026-03-03' } };
    expect(providerCallSummary(state, 'authorize', 3, 4990)).toBe('authorize R$ 49,90 · cycle 3 · attempt 2 of 5');
    expect(providerCallSummary(state, 'boleto', 0, 123456)).toBe(
      'issue a boleto of R$ 1.234,56 · setup fee · attempt 1 of 5',
    );
  });

  it('details the status, the next charge in the merchant zone and the dunning step', () => {
    const state: SubscriptionState = {
      ...base(),
      status: 'past_due',
      dunning: { cycle: 1, failures: 2, nextRetryDate: '2026-12-05' },
    };
    const details = currentDetails(state);
    expect(details).toContain('**past due** · R$ 1.234,56 · plan');
    expect(details).toContain('Dunning: cycle 1, 2 of 5 attempts failed, next on 05/12/2026');
    expect(details).toMatch(/Retry: 05\/12\/2026 at \d\d:00 America\/Sao_Paulo \(cycle 1\)/);
  });

  it('sums a subscription up in one line at start: customer, plan, amount per period', () => {
    const plan = (recurrence: SubscriptionState['plan']['recurrence']) => ({
      planId: 'gold',
      amountCents: 4990,
      recurrence,
    });
    expect(
      staticSummaryOf({ customerId: 'acme', plan: plan({ kind: 'calendar', frequency: 'monthly', interval: 1 }) }),
    ).toBe('customer acme · plan gold · R$ 49,90 every month');
    expect(
      staticSummaryOf({ customerId: 'acme', plan: plan({ kind: 'calendar', frequency: 'weekly', interval: 2 }) }),
    ).toBe('customer acme · plan gold · R$ 49,90 every 2 weeks');
    expect(staticSummaryOf({ customerId: 'acme', plan: plan({ kind: 'adiq', planType: 'Quarterly' }) })).toBe(
      'customer acme · plan gold · R$ 49,90 Adiq Quarterly',
    );
  });
});
