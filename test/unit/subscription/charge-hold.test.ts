import {
  chargeHoldDelayMs,
  chargeHoldLine,
  chargeHoldText,
  holdCharge,
} from '../../../common/subscription/charge-hold';

const HOUR = 3_600_000;
const t0 = Date.parse('2026-11-23T12:00:00Z');

describe('held charges', () => {
  it('wait an hour after the first refusal, doubling, never more than a day', () => {
    expect([1, 2, 3, 4, 5, 6, 20].map((holds) => chargeHoldDelayMs(holds) / HOUR)).toEqual([1, 2, 4, 8, 16, 24, 24]);
  });

  it('count refusals of the same cycle and keep when the hold began; a new cycle starts over', () => {
    const first = holdCharge(undefined, 3, 'ProviderAuth: 401', t0);
    expect(first).toEqual({
      cycle: 3,
      reason: 'ProviderAuth: 401',
      since: '2026-11-23T12:00:00.000Z',
      holds: 1,
      retryAt: '2026-11-23T13:00:00.000Z',
    });
    const second = holdCharge(first, 3, 'InvalidRequest: cartaoId', t0 + HOUR);
    expect(second).toEqual({
      cycle: 3,
      reason: 'InvalidRequest: cartaoId',
      since: '2026-11-23T12:00:00.000Z',
      holds: 2,
      retryAt: '2026-11-23T15:00:00.000Z',
    });
    expect(holdCharge(second, 4, 'x', t0 + 2 * HOUR)).toMatchObject({
      cycle: 4,
      holds: 1,
      since: '2026-11-23T14:00:00.000Z',
    });
  });

  it('reads as one line for operators, in the merchant zone (the v1 memo kept its UTC line)', () => {
    const hold = holdCharge(undefined, 1, 'ProviderAuth: 401', t0);
    expect(chargeHoldText(hold, 'America/Sao_Paulo')).toBe(
      'charge held since 23/11/2026 09:00 BRT (ProviderAuth: 401), next try 23/11/2026 10:00 BRT',
    );
    expect(chargeHoldLine(hold)).toBe(
      'charge held since 2026-11-23T12:00Z (ProviderAuth: 401), next try 2026-11-23T13:00Z',
    );
  });
});
