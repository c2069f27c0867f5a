/**
 * Adiq's "teimosinha" (stubborn retry) rule: after a payment fails for lack of balance, retry 2, 2,
 * 4 and 8 days after each failure, as many times as the plan's `attempts` (0..4) allows. The
 * document's example: due 01/01 → 01/03, 01/05, 01/09, 01/17. Gaps count from each actual failure,
 * so a retry that ran late pushes the later ones with it.
 */
import { addDays, type CalendarDate } from './calendar';

export const RETRY_GAPS_DAYS = [2, 2, 4, 8] as const;
export const MAX_ATTEMPTS = RETRY_GAPS_DAYS.length;

/**
 * The retry after the `failures`-th failed collection (1 = the charge on the due date failed),
 * or undefined when the plan allows no more.
 */
export function nextRetryDate(
  lastFailureDate: CalendarDate,
  failures: number,
  attempts: number,
): CalendarDate | undefined {
  const retriesUsed = failures - 1;
  const gap = retriesUsed < attempts ? RETRY_GAPS_DAYS[retriesUsed] : undefined;
  return gap === undefined ? undefined : addDays(lastFailureDate, gap);
}

/** Every retry date when each attempt fails on its own date: the full teimosinha schedule. */
export function retryDates(dueDate: CalendarDate, attempts: number): CalendarDate[] {
  const dates: CalendarDate[] = [];
  let last = dueDate;
  for (let failures = 1; ; failures += 1) {
    const next = nextRetryDate(last, failures, attempts);
    if (!next) return dates;
    dates.push(next);
    last = next;
  }
}
