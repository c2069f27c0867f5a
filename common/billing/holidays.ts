/**
 * Business days for bank deadlines (boleto due dates, bank transfers): weekends and Brazilian
 * national and bank holidays move to the next business day.
 */
import { addDays, weekday, type CalendarDate } from './calendar';
import { BR_BANK_HOLIDAYS, HOLIDAY_TABLE_FIRST_YEAR, HOLIDAY_TABLE_LAST_YEAR } from './br-bank-holidays.generated';

const holidays = new Set(BR_BANK_HOLIDAYS);

export function isBankHoliday(date: CalendarDate): boolean {
  const year = Number(date.slice(0, 4));
  if (year < HOLIDAY_TABLE_FIRST_YEAR || year > HOLIDAY_TABLE_LAST_YEAR) {
    throw new Error(`No holiday table for ${year}: regenerate it with scripts/generate-holidays.ts`);
  }
  return holidays.has(date);
}

export function isBusinessDay(date: CalendarDate): boolean {
  const day = weekday(date);
  return day !== 0 && day !== 6 && !isBankHoliday(date);
}

/** The date itself when it is a business day, else the next one. */
export function nextBusinessDay(date: CalendarDate): CalendarDate {
  let candidate = date;
  while (!isBusinessDay(candidate)) candidate = addDays(candidate, 1);
  return candidate;
}
