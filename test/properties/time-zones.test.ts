/**
 * The calendar's time-zone answers checked against two oracles over random instants, zones and
 * wall times: the TC39 Temporal API's reference polyfill (the specification's own algorithm:
 * 'compatible' disambiguation), and the runtime's Intl reading of the IANA database. The zones
 * include those whose transitions break offset math (Auckland far east, Lord Howe's half hour,
 * Chatham's 45 minutes, São Paulo's midnight DST of old, Apia's skipped day in 2011).
 *
 * Why not run the polyfill in the engine: each cached workflow instantiates the bundle's modules
 * anew, and the polyfill costs ~290 KiB per workflow there (calendar.ts by Intl: ~1 KiB).
 */
import { Temporal } from '@js-temporal/polyfill';
import fc from 'fast-check';
import { instantAt, localDateOf, offsetMinutes } from '../../common/billing/calendar';

const ZONES = [
  'America/Sao_Paulo',
  'America/Noronha',
  'America/Manaus',
  'America/Rio_Branco',
  'America/New_York',
  'America/St_Johns',
  'Europe/London',
  'Pacific/Auckland',
  'Pacific/Chatham',
  'Australia/Lord_Howe',
  'Asia/Kathmandu',
  'Pacific/Kiritimati',
  'Pacific/Apia',
  'UTC',
] as const;

const FROM = Date.UTC(1970, 0, 1);
const TO = Date.UTC(2060, 0, 1);
const MINUTE = 60_000;

const formatters = new Map<string, Intl.DateTimeFormat>();
/** What a wall clock in `zone` shows at `instant`, as "YYYY-MM-DD HH:MM" (Intl is the oracle). */
function wallClock(instant: number, zone: string): string {
  let format = formatters.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-CA', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
    });
    formatters.set(zone, format);
  }
  const part = Object.fromEntries(format.formatToParts(new Date(instant)).map((p) => [p.type, p.value]));
  return `${part.year}-${part.month}-${part.day} ${part.hour}:${part.minute}`;
}

const pad = (n: number) => String(n).padStart(2, '0');
const RUNS = Number(process.env.PROPERTY_RUNS ?? 150) * 20;
const zone = fc.constantFrom(...ZONES);
const instant = fc.integer({ min: FROM, max: TO });

/** The polyfill's answers, the specification's algorithm. */
const specified = {
  localDate: (at: number, timeZone: string) =>
    Temporal.Instant.fromEpochMilliseconds(at).toZonedDateTimeISO(timeZone).toPlainDate().toString(),
  offsetMinutes: (at: number, timeZone: string) =>
    Temporal.Instant.fromEpochMilliseconds(at).toZonedDateTimeISO(timeZone).offsetNanoseconds / 60e9,
  instantAt: (date: string, hour: number, minute: number, timeZone: string) =>
    Temporal.PlainDate.from(date)
      .toPlainDateTime({ hour, minute })
      .toZonedDateTime(timeZone, { disambiguation: 'compatible' }).epochMilliseconds,
};

/** An instant within three hours of a zone's next transition after `at` (where offset math breaks), or `at` when none. */
function nearTransition(at: number, timeZone: string, shiftMinutes: number): number {
  const next = Temporal.Instant.fromEpochMilliseconds(at).toZonedDateTimeISO(timeZone).getTimeZoneTransition('next');
  return next === null ? at : next.epochMilliseconds + shiftMinutes * MINUTE;
}
const nearATransition = fc
  .tuple(instant, zone, fc.integer({ min: -180, max: 180 }))
  .map(([at, timeZone, shift]) => [nearTransition(at, timeZone, shift), timeZone] as const);

describe('time zones against the Temporal API and the runtime Intl database', () => {
  it('finds every zone’s offsets since 1973 whole minutes, changing on whole minutes, as the offset memo assumes', () => {
    const from = Date.UTC(1973, 0, 1) - 1;
    const to = Date.UTC(2040, 0, 1);
    const odd: string[] = [];
    for (const timeZone of Intl.supportedValuesOf('timeZone')) {
      let at = Temporal.Instant.fromEpochMilliseconds(from).toZonedDateTimeISO(timeZone);
      for (
        let next = at.getTimeZoneTransition('next');
        next && next.epochMilliseconds < to;
        next = at.getTimeZoneTransition('next')
      ) {
        const change = next.epochMilliseconds;
        if (change % MINUTE !== 0 || next.offsetNanoseconds % 60e9 !== 0) odd.push(`${timeZone} ${next.toString()}`);
        // The memo is filled by the last millisecond before the change, then asked at the change.
        if (ZONES.includes(timeZone as (typeof ZONES)[number])) {
          expect(offsetMinutes(change - 1, timeZone)).toBe(specified.offsetMinutes(change - 1, timeZone));
          expect(offsetMinutes(change, timeZone)).toBe(specified.offsetMinutes(change, timeZone));
          expect(offsetMinutes(change + MINUTE - 1, timeZone)).toBe(specified.offsetMinutes(change, timeZone));
        }
        at = next;
      }
    }
    expect(odd).toEqual([]);
  });

  it('answers as the Temporal API specifies: dates, offsets, and wall times skipped or repeated', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.tuple(instant, zone), nearATransition),
        fc.integer({ min: 0, max: 23 }),
        fc.integer({ min: 0, max: 59 }),
        ([at, timeZone], hour, minute) => {
          expect(localDateOf(at, timeZone)).toBe(specified.localDate(at, timeZone));
          expect(offsetMinutes(at, timeZone)).toBe(specified.offsetMinutes(at, timeZone));
          const date = localDateOf(at, timeZone);
          expect(instantAt(date, hour, minute, timeZone)).toBe(specified.instantAt(date, hour, minute, timeZone));
          // The wall time the clock showed there and the wall times an hour either side (near a
          // transition: the skipped and repeated ones).
          const shown = Temporal.Instant.fromEpochMilliseconds(at).toZonedDateTimeISO(timeZone).toPlainDateTime();
          for (const wall of [shown, shown.subtract({ hours: 1 }), shown.add({ hours: 1 })]) {
            const wallDate = wall.toPlainDate().toString();
            expect(instantAt(wallDate, wall.hour, wall.minute, timeZone)).toBe(
              specified.instantAt(wallDate, wall.hour, wall.minute, timeZone),
            );
          }
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('reads an instant as the date and offset a wall clock there shows', () => {
    fc.assert(
      fc.property(instant, zone, (at, timeZone) => {
        const shown = wallClock(at, timeZone);
        expect(localDateOf(at, timeZone)).toBe(shown.slice(0, 10));
        // The offset is what turns the instant into the wall time it shows.
        const floored = Math.floor(at / MINUTE) * MINUTE;
        const asUtc = new Date(floored + offsetMinutes(at, timeZone) * MINUTE).toISOString();
        expect(`${asUtc.slice(0, 10)} ${asUtc.slice(11, 16)}`).toBe(shown);
      }),
      { numRuns: RUNS },
    );
  });

  it('finds the first instant showing a wall time, or the time just after a skipped one', () => {
    fc.assert(
      fc.property(
        instant,
        zone,
        fc.integer({ min: 0, max: 23 }),
        fc.integer({ min: 0, max: 59 }),
        (day, timeZone, hour, minute) => {
          const date = localDateOf(day, timeZone);
          const wanted = `${date} ${pad(hour)}:${pad(minute)}`;
          const at = instantAt(date, hour, minute, timeZone);
          if (wallClock(at, timeZone) === wanted) {
            // The first occurrence: nothing in the three hours before shows it (DST repeats at most an hour or two).
            for (let back = 15; back <= 180; back += 15)
              expect(wallClock(at - back * MINUTE, timeZone)).not.toBe(wanted);
          } else {
            // Skipped by a jump forward: the clocks moved ahead within the hours before, and the answer
            // shows the wanted time moved by the jump (00:30 in a 00:00→01:00 jump: 01:30).
            const jump = offsetMinutes(at, timeZone) - offsetMinutes(at - 3 * 60 * MINUTE, timeZone);
            expect(jump).toBeGreaterThan(0);
            const moved = new Date(Date.parse(`${date}T${pad(hour)}:${pad(minute)}:00Z`) + jump * MINUTE).toISOString();
            expect(wallClock(at, timeZone)).toBe(`${moved.slice(0, 10)} ${moved.slice(11, 16)}`);
          }
        },
      ),
      { numRuns: RUNS },
    );
  });
});
