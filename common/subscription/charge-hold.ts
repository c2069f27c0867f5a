/**
 * A charge the provider refused for a reason no retry of the same call can fix (wrong credentials,
 * a request it rejects, an authorization that keeps lapsing) is held, never lost: the subscription
 * keeps running, operators see why, and the charge is tried again later or at once on `retryNow`.
 * No attempt is recorded (no money was asked for), so the retry carries the same charge reference.
 */
import { formatDateTime } from '../money';

const HOUR_MS = 3_600_000;

export interface ChargeHold {
  cycle: number;
  /** The provider's refusal, e.g. "ProviderAuth: Zspay rejected the token (401)". */
  reason: string;
  /** When the charge was first held (ISO instant). */
  since: string;
  /** How many times in a row this cycle's charge was refused this way. */
  holds: number;
  /** When it is tried again (ISO instant). */
  retryAt: string;
}

/** 1 hour after the first refusal, doubling each time, at most a day. */
export function chargeHoldDelayMs(holds: number): number {
  return Math.min(HOUR_MS * 2 ** Math.max(0, holds - 1), 24 * HOUR_MS);
}

/** The hold after one more refusal of this cycle's charge at `nowMs`. */
export function holdCharge(previous: ChargeHold | undefined, cycle: number, reason: string, nowMs: number): ChargeHold {
  const same = previous?.cycle === cycle;
  const holds = same ? previous.holds + 1 : 1;
  return {
    cycle,
    reason,
    since: same ? previous.since : new Date(nowMs).toISOString(),
    holds,
    retryAt: new Date(nowMs + chargeHoldDelayMs(holds)).toISOString(),
  };
}

/** The line the released v1 workflow writes in its memo (UTC instants); kept as it was for replay. */
export function chargeHoldLine(hold: ChargeHold): string {
  return `charge held since ${hold.since.slice(0, 16)}Z (${hold.reason}), next try ${hold.retryAt.slice(0, 16)}Z`;
}

/** The line operators read in the memo: "charge held since 01/12/2026 09:00 BRT (…), next try 01/12/2026 10:00 BRT". */
export function chargeHoldText(hold: ChargeHold, timeZone: string): string {
  const at = (instant: string) => formatDateTime(instant, timeZone);
  return `charge held since ${at(hold.since)} (${hold.reason}), next try ${at(hold.retryAt)}`;
}
