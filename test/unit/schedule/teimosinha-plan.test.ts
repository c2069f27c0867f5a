import { nextRetryDate, retryDates } from '../../../common/billing/teimosinha';
import { planSchema } from '../../../common/billing/plan';
import {
  chargeDateForCycle,
  firstChargeDate,
  monthlyEquivalentCents,
  totalCycles,
} from '../../../common/billing/schedule';

describe('teimosinha (Adiq retry rule)', () => {
  it("reproduces the document's example: due 01/01 retried on 01/03, 01/05, 01/09 and 01/17", () => {
    expect(retryDates('2026-01-01', 4)).toEqual(['2026-01-03', '2026-01-05', '2026-01-09', '2026-01-17']);
  });

  it('makes no retry with attempts 0 and one retry two days later with attempts 1', () => {
    expect(retryDates('2026-01-01', 0)).toEqual([]);
    expect(retryDates('2026-01-01', 1)).toEqual(['2026-01-03']);
    expect(retryDates('2026-01-01', 3)).toEqual(['2026-01-03', '2026-01-05', '2026-01-09']);
  });

  it('counts each gap from the actual failure date', () => {
    // The second retry ran two days late (on 01/07): the third is 4 days after that.
    expect(nextRetryDate('2026-01-07', 3, 4)).toBe('2026-01-11');
    expect(nextRetryDate('2026-01-17', 5, 4)).toBeUndefined();
  });
});

describe('plan model', () => {
  const base = { amountCents: 5990, recurrence: { kind: 'calendar', frequency: 'monthly', interval: 1 } };
  const issues = (input: unknown) => {
    const result = planSchema.safeParse(input);
    return result.success ? [] : result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  };

  it('fills defaults: 4 attempts, no trial, 09:00 in America/Sao_Paulo', () => {
    expect(planSchema.parse(base)).toMatchObject({
      attempts: 4,
      trialDays: 0,
      chargeHourLocal: 9,
      timeZone: 'America/Sao_Paulo',
      tolerancePeriodDays: 0,
    });
  });

  it('refuses zero, negative and fractional amounts, naming amountCents', () => {
    for (const amountCents of [0, -100, 59.9]) expect(issues({ ...base, amountCents })[0]).toMatch(/^amountCents: /);
  });

  it('refuses attempts above 4 and a Custom interval under 20 days, naming the fields', () => {
    expect(issues({ ...base, attempts: 5 })).toEqual(['attempts: attempts must be between 0 and 4']);
    expect(
      issues({ ...base, recurrence: { kind: 'adiq', planType: 'Custom', interval: 19, installments: 3 } }),
    ).toEqual(['recurrence.interval: recurrence.interval must be at least 20 days for a Custom plan']);
    expect(issues({ ...base, recurrence: { kind: 'adiq', planType: 'Custom', interval: 20 } })).toEqual([
      'recurrence.installments: recurrence.installments must be greater than zero for a Custom plan',
    ]);
    expect(issues({ ...base, recurrence: { kind: 'calendar', frequency: 'yearly', interval: 1 } })[0]).toMatch(
      /^recurrence.frequency: .*annualy/,
    );
    expect(issues({ ...base, timeZone: 'Mars/Olympus' })).toEqual([
      'timeZone: timeZone must be an IANA time zone, e.g. America/Sao_Paulo',
    ]);
  });

  it('knows each Adiq type: 30-day steps and 2/3/6/12 installments, Monthly without end', () => {
    const adiq = (planType: string, extra = {}) =>
      planSchema.parse({ ...base, recurrence: { kind: 'adiq', planType, ...extra } });
    expect(totalCycles(adiq('Monthly'))).toBeUndefined();
    expect([
      totalCycles(adiq('Bimonthly')),
      totalCycles(adiq('Quarterly')),
      totalCycles(adiq('Semesterly')),
      totalCycles(adiq('Yearly')),
    ]).toEqual([2, 3, 6, 12]);
    expect(totalCycles(adiq('Custom', { interval: 20, installments: 5 }))).toBe(5);
    expect(chargeDateForCycle('2026-01-31', adiq('Monthly'), 1)).toBe('2026-03-02');
    expect(chargeDateForCycle('2026-01-01', adiq('Custom', { interval: 20, installments: 5 }), 2)).toBe('2026-02-10');
  });

  it('steps Zspay frequencies in calendar units, trial days first', () => {
    const plan = (frequency: string, interval = 1) =>
      planSchema.parse({ ...base, recurrence: { kind: 'calendar', frequency, interval }, trialDays: 7 });
    expect(firstChargeDate('2026-01-24', plan('monthly'))).toBe('2026-01-31');
    expect(chargeDateForCycle('2026-01-31', plan('monthly'), 1)).toBe('2026-02-28');
    expect(chargeDateForCycle('2026-01-31', plan('monthly', 2), 1)).toBe('2026-03-31');
    expect(chargeDateForCycle('2026-01-01', plan('weekly', 2), 3)).toBe('2026-02-12');
    expect(chargeDateForCycle('2026-01-01', plan('daily', 3), 2)).toBe('2026-01-07');
    expect(chargeDateForCycle('2024-02-29', plan('annualy'), 1)).toBe('2025-02-28');
  });
});

describe('monthly equivalent (MRR)', () => {
  const plan = (recurrence: Record<string, unknown>, amountCents = 12000) =>
    planSchema.parse({ amountCents, recurrence });
  it('normalizes every recurrence to a month', () => {
    expect(monthlyEquivalentCents(plan({ kind: 'calendar', frequency: 'monthly', interval: 1 }))).toBe(12000);
    expect(monthlyEquivalentCents(plan({ kind: 'calendar', frequency: 'monthly', interval: 3 }))).toBe(4000);
    expect(monthlyEquivalentCents(plan({ kind: 'calendar', frequency: 'annualy', interval: 1 }))).toBe(1000);
    expect(monthlyEquivalentCents(plan({ kind: 'calendar', frequency: 'weekly', interval: 1 }, 700))).toBe(3042);
    expect(monthlyEquivalentCents(plan({ kind: 'adiq', planType: 'Monthly' }, 3000))).toBe(3042);
  });
});
