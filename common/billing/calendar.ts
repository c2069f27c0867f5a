/**
 * Calendar dates for billing: `YYYY-MM-DD` in the merchant's time zone, never millisecond
 * arithmetic. Pure and deterministic (workflow code imports it); zone conversions read the IANA
 * database through Intl.DateTimeFormat, which Temporal's workflow sandbox provides.
 *
 * Not a library, on purpose: every cached workflow instantiates the bundle's modules anew, and the
 * Temporal API polyfill costs ~290 KiB per workflow there (this file: ~1 KiB); Luxon guesses from
 * today's offset and misplaces wall times in zones that moved far (Apia, 2011). The polyfill is
 * the oracle instead: test/properties/time-zones.test.ts holds these functions to the
 * specification's answers, near every kind of transition.
 */
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
    // The formatter the zone's dates need anyway: made once, kept for them.
    wallClock(zone);
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

const formatters = new Map<string, Intl.DateTimeFormat>();
function wallClock(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/**
 * Offsets (ms) by zone and minute since the epoch. Since 1973 every zone's offset is a whole number
 * of minutes and changes on a whole minute of UTC, so one reading holds for its minute; reading
 * Intl's parts costs more than the date arithmetic around it, and workflow code asks for the same
 * instants many times (test/unit/calendar.test.ts checks the zones with odd rules around their changes).
 */
const offsets = new Map<string, Map<number, number>>();
const MINUTE_MS = 60_000;
/** 1973-01-01T00:00:00Z: before it some zones kept offsets in seconds (Monrovia's -00:44:30 until 1972). */
const WHOLE_MINUTE_OFFSETS_FROM = 94_694_400_000;

/** The wall-clock reading in a zone, as if it were UTC (ms). */
function wallClockMs(instant: number, timeZone: string): number {
  const second = Math.floor(instant / 1000) * 1000;
  if (instant < WHOLE_MINUTE_OFFSETS_FROM) return readWallClockMs(instant, timeZone);
  let zone = offsets.get(timeZone);
  if (!zone) offsets.set(timeZone, (zone = new Map<number, number>()));
  const minute = Math.floor(instant / MINUTE_MS);
  let offset = zone.get(minute);
  if (offset === undefined) {
    offset = readWallClockMs(instant, timeZone) - second;
    if (zone.size > 512) zone.clear();
    zone.set(minute, offset);
  }
  return second + offset;
}

function readWallClockMs(instant: number, timeZone: string): number {
  const values = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0 };
  for (const part of wallClock(timeZone).formatToParts(new Date(instant))) {
    if (part.type in values) values[part.type as keyof typeof values] = Number(part.value);
  }
  return Date.UTC(values.year, values.month - 1, values.day, values.hour, values.minute, values.second);
}

/** The zone's offset from UTC at an instant, in minutes (São Paulo today: -180). */
export function offsetMinutes(instant: number, timeZone: string): number {
  return Math.round((wallClockMs(instant, timeZone) - Math.floor(instant / 1000) * 1000) / 60_000);
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
  return fromUtcMs(wallClockMs(typeof instant === 'number' ? instant : instant.getTime(), timeZone));
}

/**
 * The instant (epoch ms) when the wall clock in `timeZone` shows `hour:minute` on `date`. A local
 * time that does not exist (the hour skipped when DST starts) resolves to the same wall time after
 * the jump, i.e. later; an ambiguous one (DST ends) resolves to its first occurrence.
 */
export function instantAt(date: CalendarDate, hour: number, minute: number, timeZone: string): number {
  const [y, m, d] = parts(date);
  const wall = Date.UTC(y, m - 1, d, hour, minute);
  // The instant lies within ±14 h of the wall time read as UTC: the offsets in force a day either
  // side cover any transition near it (a window of ±12 h missed the earlier offset of zones far
  // east of UTC, such as Auckland). Keep the earliest instant that reads right.
  const candidates = [-DAY_MS, 0, DAY_MS].map((shift) => wall - offsetMinutes(wall + shift, timeZone) * 60_000);
  const exact = candidates.filter((instant) => wallClockMs(instant, timeZone) === wall).sort((a, b) => a - b);
  const earliest = exact[0];
  if (earliest !== undefined) return earliest;
  // In a DST gap: the wall time is skipped, so take the offset before the gap (lands after it).
  return Math.max(...candidates);
}
