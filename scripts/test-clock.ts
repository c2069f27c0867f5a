/**
 * Where a time-skipping server's clock starts. The test server starts at the real time, so a test
 * whose dates come from "now" passes or fails by the hour it runs. `BILLING_TEST_CLOCK` moves the
 * clock forward to a chosen wall time in the merchant's zone before anything runs, so CI proves the
 * suite at the hours that break date arithmetic (just before and after local midnight, a month's
 * last day) instead of waiting for them to come round.
 *
 *   BILLING_TEST_CLOCK=23:30              the next 23:30 in São Paulo
 *   BILLING_TEST_CLOCK=month-end@23:30    23:30 on the next last day of a month
 *   BILLING_TEST_CLOCK=2027-02-28T23:30   that wall time (it must lie ahead: clocks only move forward)
 */
import { addDays, addMonths, daysInMonth, instantAt, localDateOf, type CalendarDate } from '../common/billing/calendar';

export const TEST_CLOCK_VARIABLE = 'BILLING_TEST_CLOCK';
export const TEST_CLOCK_TIME_ZONE = 'America/Sao_Paulo';

export type ClockSpec =
  | { kind: 'time'; hour: number; minute: number }
  | { kind: 'month-end'; hour: number; minute: number }
  | { kind: 'at'; date: CalendarDate; hour: number; minute: number };

const USAGE = `${TEST_CLOCK_VARIABLE} must be HH:MM, month-end@HH:MM or YYYY-MM-DDTHH:MM (a wall time in ${TEST_CLOCK_TIME_ZONE})`;

function parseTime(text: string): { hour: number; minute: number } {
  const match = /^(\d{2}):(\d{2})$/.exec(text);
  if (!match) throw new Error(`${USAGE}; got "${text}"`);
  const hour = Number(match[1]);
  const minute = Number(match[2]);
  if (hour > 23 || minute > 59) throw new Error(`${USAGE}; ${text} is not a time of day`);
  return { hour, minute };
}

export function parseClockSpec(text: string): ClockSpec {
  const value = text.trim();
  if (value.startsWith('month-end@')) return { kind: 'month-end', ...parseTime(value.slice('month-end@'.length)) };
  const at = /^(\d{4}-\d{2}-\d{2})T(.+)$/.exec(value);
  if (at) {
    const date = at[1]!;
    const [y, m, d] = date.split('-').map(Number) as [number, number, number];
    if (m < 1 || m > 12 || d < 1 || d > daysInMonth(y, m)) throw new Error(`${USAGE}; ${date} is not a calendar date`);
    return { kind: 'at', date, ...parseTime(at[2]!) };
  }
  return { kind: 'time', ...parseTime(value) };
}

/** The first instant after `nowMs` whose wall clock in `timeZone` matches the spec. */
export function clockTarget(spec: ClockSpec, nowMs: number, timeZone = TEST_CLOCK_TIME_ZONE): number {
  const today = localDateOf(nowMs, timeZone);
  const at = (date: CalendarDate) => instantAt(date, spec.hour, spec.minute, timeZone);
  switch (spec.kind) {
    case 'time': {
      const candidate = at(today);
      return candidate > nowMs ? candidate : at(addDays(today, 1));
    }
    case 'month-end': {
      const lastDayOf = (date: CalendarDate) => {
        const [y, m] = date.split('-').map(Number) as [number, number];
        return `${date.slice(0, 8)}${String(daysInMonth(y, m)).padStart(2, '0')}`;
      };
      const candidate = at(lastDayOf(today));
      return candidate > nowMs ? candidate : at(lastDayOf(addMonths(`${today.slice(0, 8)}01`, 1)));
    }
    case 'at': {
      const target = at(spec.date);
      if (target <= nowMs)
        throw new Error(
          `${TEST_CLOCK_VARIABLE}=${spec.date}T${String(spec.hour).padStart(2, '0')}:${String(spec.minute).padStart(2, '0')} lies in the past of the server's clock (${new Date(nowMs).toISOString()}); a clock only moves forward`,
        );
      return target;
    }
  }
}

/** The environment's setting, if any. */
export function configuredClock(env: NodeJS.ProcessEnv = process.env): ClockSpec | undefined {
  const text = env[TEST_CLOCK_VARIABLE];
  return text ? parseClockSpec(text) : undefined;
}

/**
 * Moves a time-skipping environment's clock forward to the spec's next instant. Anything with the
 * `currentTimeMs`/`sleep` pair of `TestWorkflowEnvironment` works.
 */
export async function startClockAt(
  env: { currentTimeMs(): Promise<number>; sleep(ms: number): Promise<void> },
  spec: ClockSpec,
  timeZone = TEST_CLOCK_TIME_ZONE,
): Promise<number> {
  const now = await env.currentTimeMs();
  const target = clockTarget(spec, now, timeZone);
  await env.sleep(target - now);
  const reached = await env.currentTimeMs();
  if (reached < target)
    throw new Error(
      `The test server's clock did not move to ${new Date(target).toISOString()} (it reads ${new Date(reached).toISOString()})`,
    );
  return reached;
}
