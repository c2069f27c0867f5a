/**
 * Waiting for "something changed, or instant T", without ever canceling a timer. `condition(fn,
 * timeout)` cancels its timer whenever `fn` wins, and a subscription's loops win often (every
 * operation, delivery and payment bumps the state). A cancel that races the timer's own firing is
 * harmless on a real server, but Temporal's time-skipping test server refuses that workflow task
 * and the run, and the test clock with it, stall for good (temporalio/sdk-java#2606, #3088). So a
 * timer here is started once per instant and left to fire; one that fires after it is no longer
 * needed only wakes the workflow for nothing.
 */
import { condition, sleep } from '@temporalio/workflow';

export class Alarm {
  /** Instants a timer is already set for. */
  private readonly set = new Set<number>();

  /**
   * Resolves when `changed()` holds (true) or the workflow clock reaches `atMs` (false). Without
   * an instant, waits for a change only.
   */
  async until(changed: () => boolean, atMs?: number): Promise<boolean> {
    if (changed()) return true;
    if (atMs === undefined) {
      await condition(changed);
      return true;
    }
    if (Date.now() >= atMs) return false;
    if (!this.set.has(atMs)) {
      this.set.add(atMs);
      void sleep(atMs - Date.now()).then(() => this.set.delete(atMs));
    }
    await condition(() => changed() || Date.now() >= atMs);
    return changed();
  }
}
