import { instantAt } from '../../../common/billing/calendar';
import { adiqDatesToSearch, adiqRegistration } from '../../../common/subscription/adiq-managed';
import { apply, subscription } from '../../helpers/machine';
import { ADIQ_BILLED } from '../../../common/subscription/table';

const SP = 'America/Sao_Paulo';

describe('registering a subscription at Adiq on a date both calendars agree on', () => {
  it('registers at once when the São Paulo date is the UTC date', () => {
    const now = instantAt('2026-12-01', 14, 0, SP);
    expect(adiqRegistration(undefined, now, SP)).toEqual({ date: '2026-12-01', atMs: now });
    expect(adiqRegistration('2026-11-20', now, SP)).toEqual({ date: '2026-12-01', atMs: now });
  });

  it('registers a sign-up at 22:13 in São Paulo (already tomorrow in UTC) tomorrow, at a common hour', () => {
    const now = instantAt('2026-12-01', 22, 13, SP);
    const { date, atMs } = adiqRegistration(undefined, now, SP);
    expect(date).toBe('2026-12-02');
    expect(new Date(atMs).toISOString()).toBe('2026-12-02T12:00:00.000Z');
  });

  it('waits for a future start date', () => {
    const now = instantAt('2026-12-01', 10, 0, SP);
    expect(new Date(adiqRegistration('2026-12-20', now, SP).atMs).toISOString()).toBe('2026-12-20T12:00:00.000Z');
    // Far east of UTC the common hours are the local evening.
    const auckland = adiqRegistration('2026-12-20', now, 'Pacific/Auckland');
    expect(new Date(auckland.atMs).toISOString().slice(0, 10)).toBe('2026-12-20');
    expect(new Intl.DateTimeFormat('en-CA', { timeZone: 'Pacific/Auckland' }).format(auckland.atMs)).toBe('2026-12-20');
  });

  it('searches only the days a billing is due', () => {
    let state = subscription(
      { recurrence: { kind: 'adiq', planType: 'Monthly' }, trialDays: 10 },
      { paymentMethod: { type: 'adiq_vault', vaultId: 'v' } },
    );
    state = apply(
      state,
      { type: 'adiqSubscribed', planId: 'p', subscriptionId: 's', startDate: '2026-01-01' },
      '2026-01-01',
      ADIQ_BILLED,
    ).state;
    expect(adiqDatesToSearch(state, '2026-01-05')).toEqual([]);
    expect(adiqDatesToSearch(state, '2026-01-12')).toEqual([{ from: '2026-01-10', to: '2026-01-12' }]);
  });

  it('cancels at Adiq a subscription it created after the engine’s was canceled, and stays canceled', () => {
    const pending = subscription(
      { recurrence: { kind: 'adiq', planType: 'Monthly' } },
      { paymentMethod: { type: 'adiq_vault', vaultId: 'v' } },
    );
    const canceled = apply(pending, { type: 'cancelNow' }, '2026-01-01', ADIQ_BILLED);
    expect(canceled.effects.map((e) => e.kind)).toEqual(['notify']);
    const held = apply(
      canceled.state,
      { type: 'adiqSubscribed', planId: 'p', subscriptionId: 's', startDate: '2026-01-01' },
      '2026-01-01',
      ADIQ_BILLED,
    );
    expect(held.state).toMatchObject({ status: 'canceled', adiq: { subscriptionId: 's' } });
    expect(held.effects).toEqual([{ kind: 'adiq_cancel', adiqSubscriptionId: 's' }]);
  });
});
