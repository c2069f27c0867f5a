import { discountCents, prorate, shareRoundedDown, shareRoundedUp } from '../../../common/billing/proration';

describe('proration of a plan change (calendar days, cents, customer-favourable rounding)', () => {
  it('splits a 31-day January at Jan 31: 1 unused day, credit rounded up, charge rounded down', () => {
    const p = prorate({
      oldAmountCents: 5990,
      newAmountCents: 9990,
      periodStart: '2026-01-01',
      periodEnd: '2026-02-01',
      changeDate: '2026-01-31',
    });
    expect(p).toEqual({
      periodDays: 31,
      usedDays: 30,
      unusedDays: 1,
      // 5990 / 31 = 193.23 → 194 (up); 9990 / 31 = 322.26 → 322 (down)
      creditCents: 194,
      chargeCents: 322,
      netCents: 128,
    });
  });

  it('a cycle anchored on Jan 31 runs to Feb 28 (28 days) in 2026 and to Feb 29 (29 days) in 2028', () => {
    const common = { oldAmountCents: 10000, newAmountCents: 20000, changeDate: '2026-02-14' };
    const y2026 = prorate({ ...common, periodStart: '2026-01-31', periodEnd: '2026-02-28' });
    expect([y2026.periodDays, y2026.usedDays, y2026.unusedDays]).toEqual([28, 14, 14]);
    expect([y2026.creditCents, y2026.chargeCents]).toEqual([5000, 10000]);
    const y2028 = prorate({
      ...common,
      changeDate: '2028-02-14',
      periodStart: '2028-01-31',
      periodEnd: '2028-02-29',
    });
    expect([y2028.periodDays, y2028.usedDays, y2028.unusedDays]).toEqual([29, 14, 15]);
    // 10000 × 15 / 29 = 5172.41 → credit 5173; 20000 × 15 / 29 = 10344.83 → charge 10344
    expect([y2028.creditCents, y2028.chargeCents]).toEqual([5173, 10344]);
    // The README's example: R$ 59,90 → R$ 99,90 on Feb 14.
    const readme = { oldAmountCents: 5990, newAmountCents: 9990 };
    expect(
      prorate({ ...readme, periodStart: '2027-01-31', periodEnd: '2027-02-28', changeDate: '2027-02-14' }),
    ).toMatchObject({ creditCents: 2995, chargeCents: 4995 });
    expect(
      prorate({ ...readme, periodStart: '2028-01-31', periodEnd: '2028-02-29', changeDate: '2028-02-14' }),
    ).toMatchObject({ creditCents: 3099, chargeCents: 5167 });
  });

  it('the leap day itself: Feb 29 2028 in the cycle Feb 29 → Mar 31 (anchor 31)', () => {
    const p = prorate({
      oldAmountCents: 3100,
      newAmountCents: 6200,
      periodStart: '2028-02-29',
      periodEnd: '2028-03-31',
      changeDate: '2028-02-29',
    });
    // The change on the cycle's first day: every day is unused, the whole prices.
    expect(p).toMatchObject({ periodDays: 31, usedDays: 0, creditCents: 3100, chargeCents: 6200, netCents: 3100 });
  });

  it('refuses a change date outside the cycle', () => {
    const base = { oldAmountCents: 100, newAmountCents: 200, periodStart: '2026-01-31', periodEnd: '2026-02-28' };
    expect(() => prorate({ ...base, changeDate: '2026-02-28' })).toThrow(RangeError);
    expect(() => prorate({ ...base, changeDate: '2026-01-30' })).toThrow(RangeError);
  });

  it('shares of a split add up to the whole, both ways of rounding', () => {
    expect(shareRoundedUp(1000, 0, 1, 3) + shareRoundedUp(1000, 1, 2, 3) + shareRoundedUp(1000, 2, 3, 3)).toBe(1000);
    expect(shareRoundedDown(1000, 0, 1, 3) + shareRoundedDown(1000, 1, 2, 3) + shareRoundedDown(1000, 2, 3, 3)).toBe(
      1000,
    );
    expect(shareRoundedUp(1000, 2, 3, 3)).toBe(334);
    expect(shareRoundedDown(1000, 2, 3, 3)).toBe(333);
  });
});

describe('coupon discounts', () => {
  it('rounds a percentage up to the cent, never beyond the base', () => {
    expect(discountCents({ percentOff: 10 }, 5990)).toBe(599);
    expect(discountCents({ percentOff: 15 }, 5999)).toBe(900); // 899.85 → 900
    expect(discountCents({ percentOff: 100 }, 5990)).toBe(5990);
    expect(discountCents({ amountOffCents: 1000 }, 5990)).toBe(1000);
    expect(discountCents({ amountOffCents: 9000 }, 5990)).toBe(5990);
  });
});
