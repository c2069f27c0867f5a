/**
 * The sandbox's time: what the providers read as "now" (token expiry, timestamps, log entries, rate
 * limits) and how long a scripted hold lasts (latency, timeout). The system clock by default; a
 * test passes a ManualClock and moves it instead of sleeping.
 */

export interface SandboxClock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Calls `fire` after `ms` of this clock's time; the returned function cancels it. */
  setTimer(ms: number, fire: () => void): () => void;
}

export const systemClock: SandboxClock = {
  now: () => Date.now(),
  setTimer(ms, fire) {
    const timer = setTimeout(fire, ms);
    return () => clearTimeout(timer);
  },
};

/** A clock that moves only when told: `advance` fires the timers that fall due, in order. */
export class ManualClock implements SandboxClock {
  private current: number;
  private timers: Array<{ at: number; fire: () => void }> = [];

  constructor(start: number = Date.now()) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  setTimer(ms: number, fire: () => void): () => void {
    const timer = { at: this.current + Math.max(0, ms), fire };
    this.timers.push(timer);
    return () => {
      this.timers = this.timers.filter((t) => t !== timer);
    };
  }

  /** Timers waiting to fire (a held request shows here). */
  get pendingTimers(): number {
    return this.timers.length;
  }

  advance(ms: number): void {
    const until = this.current + ms;
    for (;;) {
      const due = this.timers.filter((t) => t.at <= until).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.timers = this.timers.filter((t) => t !== due);
      this.current = due.at;
      due.fire();
    }
    this.current = until;
  }
}
