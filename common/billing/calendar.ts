/**
 * Calendar dates for billing: `YYYY-MM-DD` in the merchant's time zone, never millisecond
 * arithmetic. Pure and deterministic (workflow code imports it). Dates alone are whole UTC days
 * (no zone, no DST: exact); anything that meets a time zone goes through the TC39 Temporal API's
 * reference polyfill, over the IANA database the runtime's Intl carries (Temporal's workflow
 * sandbox provides Intl). Luxon was tried and refused: it guesses from today's offset and placed
 * 06:00 of 2011-09-24 in Apia an hour late (test/properties/time-zones.test.ts finds such cases).
 */
import { Temporal } from '@js-temporal/polyfill';

export type CalendarDate = string;

const DAY_MS = 86_400_000;

/** A real calendar date as YYYY-MM-DD, from 1900 on (2026-02-30 and 0000-00-00 are not). */
export function isCalendarDate(value: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!match) return false;
  const [y, m, d] = match.slice(1).map(Number) as [number, number, number];
  if (y < 1900) return false;
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

export function isTimeZone(zone: string): boolean {
  try {
    zoned(0, zone);
    return true;
  } catch {
    return false;
  }
}

function parts(date: CalendarDate): [number, number, number] {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!match) throw new RangeError(`Not a calendar date (YYYY-MM-DD): ${date}`);
  return [Number(match[1]), Number(match[2]), Number(match[3])];
}

function fromUtcMs(ms: number): CalendarDate {
  return new Date(ms).toISOString().slice(0, 10);
}

function toUtcMs(date: CalendarDate): number {
  const [y, m, d] = parts(date);
  return Date.UTC(y, m - 1, d);
}

export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

export function addDays(date: CalendarDate, days: number): CalendarDate {
  return fromUtcMs(toUtcMs(date) + days * DAY_MS);
}

/**
 * Adds calendar months keeping an anchor day, clamped to the month's last day: an anchor of 31
 * gives Jan 31 → Feb 28/29 → Mar 31 → Apr 30. The anchor (default: the date's own day) never drifts.
 */
export function addMonths(date: CalendarDate, months: number, anchorDay?: number): CalendarDate {
  const [y, m, d] = parts(date);
  const index = y * 12 + (m - 1) + months;
  const year = Math.floor(index / 12);
  const month = (index % 12) + 1;
  const day = Math.min(anchorDay ?? d, daysInMonth(year, month));
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

export function compareDates(a: CalendarDate, b: CalendarDate): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function daysBetween(from: CalendarDate, to: CalendarDate): number {
  return Math.round((toUtcMs(to) - toUtcMs(from)) / DAY_MS);
}

/** 0 = Sunday ... 6 = Saturday. */
export function weekday(date: CalendarDate): number {
  return new Date(toUtcMs(date)).getUTCDay();
}

/** An instant as read in `timeZone` (an unknown zone throws a RangeError). */
function zoned(instant: number, timeZone: string): Temporal.ZonedDateTime {
  return Temporal.Instant.fromEpochMilliseconds(instant).toZonedDateTimeISO(timeZone);
}

/** The zone's offset from UTC at an instant, in minutes (São Paulo today: -180). */
export function offsetMinutes(instant: number, timeZone: string): number {
  // Whole minutes: zones' offsets since 1914 are; local mean times before (São Paulo: -3:06:28) are not.
  return Math.round(zoned(instant, timeZone).offsetNanoseconds / 60e9);
}

/** "-03:00" style offset, for ISO date-times in the merchant's zone. */
export function utcOffsetOf(instant: number, timeZone: string): string {
  const minutes = offsetMinutes(instant, timeZone);
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

/** The calendar date of an instant in a zone. */
export function localDateOf(instant: number | Date, timeZone: string): CalendarDate {
  return zoned(typeof instant === 'number' ? instant : instant.getTime(), timeZone).toPlainDate().toString();
}

/**
 * The instant (epoch ms) when the wall clock in `timeZone` shows `hour:minute` on `date`. A local
 * time that does not exist (the hour skipped when DST starts) resolves to the same wall time after
 * the jump, i.e. later; an ambiguous one (DST ends) resolves to its first occurrence.
 */
export function instantAt(date: CalendarDate, hour: number, minute: number, timeZone: string): number {
  const [year, month, day] = parts(date);
  const wallTime = Temporal.PlainDateTime.from({ year, month, day, hour, minute }, { overflow: 'reject' });
  // 'compatible' is RFC 5545's rule, and this function's promise: skipped → after the jump, repeated → first.
  return wallTime.toZonedDateTime(timeZone, { disambiguation: 'compatible' }).epochMilliseconds;
}
