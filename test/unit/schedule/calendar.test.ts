import {
  addDays,
  addMonths,
  compareDates,
  daysBetween,
  instantAt,
  localDateOf,
  utcOffsetOf,
  weekday,
} from '../../../common/billing/calendar';
import { isBusinessDay, nextBusinessDay } from '../../../common/billing/holidays';
import { brazilianBankHolidays } from '../../../scripts/generate-holidays';
import { BR_BANK_HOLIDAYS } from '../../../common/billing/br-bank-holidays.generated';

/** The year, month and day of a YYYY-MM-DD date. */
function dateParts(date: string): [number, number, number] {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!match) throw new Error(`expected a YYYY-MM-DD date, got ${date}`);
  return [Number(match[1]), Number(match[2]), Number(match[3])];
}

describe('calendar dates', () => {
  it('adds days across month, year and leap-day boundaries', () => {
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
    expect(addDays('2023-02-28', 1)).toBe('2023-03-01');
    expect(addDays('2025-12-31', 1)).toBe('2026-01-01');
    expect(addDays('2026-01-17', -16)).toBe('2026-01-01');
    expect(daysBetween('2026-01-01', '2026-01-17')).toBe(16);
    expect(compareDates('2026-01-09', '2026-01-17')).toBe(-1);
    expect(weekday('2026-11-23')).toBe(1);
  });

  it('keeps a monthly anchor of 31 and clamps to short months without drifting', () => {
    const dates = Array.from({ length: 5 }, (_, i) => addMonths('2024-01-31', i));
    expect(dates).toEqual(['2024-01-31', '2024-02-29', '2024-03-31', '2024-04-30', '2024-05-31']);
    expect(addMonths('2023-01-31', 1)).toBe('2023-02-28');
    expect(addMonths('2024-02-29', 12)).toBe('2025-02-28');
    expect(addMonths('2024-02-29', 48)).toBe('2028-02-29');
  });

  it('never skips or repeats a month for any anchor day over ten years', () => {
    for (let day = 1; day <= 31; day += 1) {
      const anchor = `2024-01-${String(day).padStart(2, '0')}`;
      if (day > 31) continue;
      for (let k = 0; k < 120; k += 1) {
        const date = addMonths(anchor, k);
        const [y, m, d] = dateParts(date);
        expect(y * 12 + m - 1).toBe(2024 * 12 + k);
        const monthLength = new Date(Date.UTC(y, m, 0)).getUTCDate();
        expect(d).toBe(Math.min(day, monthLength));
      }
    }
  });

  it('converts between instants and local dates in the merchant zone', () => {
    expect(instantAt('2026-03-10', 9, 0, 'America/Sao_Paulo')).toBe(Date.parse('2026-03-10T12:00:00Z'));
    expect(localDateOf(Date.parse('2026-03-11T02:30:00Z'), 'America/Sao_Paulo')).toBe('2026-03-10');
    expect(utcOffsetOf(Date.parse('2026-03-10T12:00:00Z'), 'America/Sao_Paulo')).toBe('-03:00');
    // New York across DST: 09:00 local is 14:00Z in winter and 13:00Z in summer.
    expect(instantAt('2026-01-15', 9, 0, 'America/New_York')).toBe(Date.parse('2026-01-15T14:00:00Z'));
    expect(instantAt('2026-07-15', 9, 0, 'America/New_York')).toBe(Date.parse('2026-07-15T13:00:00Z'));
  });

  it('moves a local time skipped by DST forward, and takes the first of a repeated one', () => {
    // São Paulo, 2018-11-04: clocks jumped from 00:00 to 01:00.
    expect(instantAt('2018-11-04', 0, 0, 'America/Sao_Paulo')).toBe(Date.parse('2018-11-04T03:00:00Z'));
    expect(localDateOf(Date.parse('2018-11-04T03:00:00Z'), 'America/Sao_Paulo')).toBe('2018-11-04');
    // New York, 2026-11-01: 01:30 happens twice; the first is 05:30Z.
    expect(instantAt('2026-11-01', 1, 30, 'America/New_York')).toBe(Date.parse('2026-11-01T05:30:00Z'));
    // Far east of UTC too. Auckland, 2026-04-05: 02:30 happens twice; the first is at +13 (13:30Z the day before).
    expect(instantAt('2026-04-05', 2, 30, 'Pacific/Auckland')).toBe(Date.parse('2026-04-04T13:30:00Z'));
    // Auckland, 2026-09-27: 02:00 jumps to 03:00, so 02:30 becomes 03:30 at +13.
    expect(instantAt('2026-09-27', 2, 30, 'Pacific/Auckland')).toBe(Date.parse('2026-09-26T14:30:00Z'));
    // Kiritimati (+14) and Pago Pago (-11): the widest offsets.
    expect(instantAt('2026-06-01', 9, 0, 'Pacific/Kiritimati')).toBe(Date.parse('2026-05-31T19:00:00Z'));
    expect(instantAt('2026-06-01', 9, 0, 'Pacific/Pago_Pago')).toBe(Date.parse('2026-06-01T20:00:00Z'));
  });
});

describe('Brazilian business days (bank calendar)', () => {
  it('moves weekends and national or bank holidays to the next business day', () => {
    expect(nextBusinessDay('2025-04-18')).toBe('2025-04-22'); // Good Friday, weekend, Tiradentes
    expect(nextBusinessDay('2025-03-03')).toBe('2025-03-05'); // Carnival Monday and Tuesday
    expect(nextBusinessDay('2025-06-19')).toBe('2025-06-20'); // Corpus Christi
    expect(nextBusinessDay('2025-11-20')).toBe('2025-11-21'); // Consciência Negra, national since 2024
    expect(nextBusinessDay('2026-11-21')).toBe('2026-11-23'); // Saturday
    expect(nextBusinessDay('2025-12-25')).toBe('2025-12-26');
    expect(nextBusinessDay('2026-01-01')).toBe('2026-01-02');
    expect(isBusinessDay('2026-11-23')).toBe(true);
  });

  it('ships exactly the table the holiday library generates', () => {
    expect(BR_BANK_HOLIDAYS).toEqual(brazilianBankHolidays());
  });

  it('refuses dates outside the table instead of guessing', () => {
    expect(() => nextBusinessDay('2061-01-01')).toThrow(/regenerate/);
  });
});
