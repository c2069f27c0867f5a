/** Activities that call a provider heartbeat while the call runs: a dead worker is noticed in seconds. */
import { Context } from '@temporalio/activity';

/**
 * Runs a call while heartbeating, so a dead worker is noticed after the (short) heartbeat timeout
 * and a slow but live call is not mistaken for one. Without a heartbeat timeout it just runs.
 */
export async function heartbeating<T>(details: unknown, call: () => Promise<T>): Promise<T> {
  const context = Context.current();
  const timeoutMs = context.info.heartbeatTimeoutMs;
  if (!timeoutMs) return call();
  context.heartbeat(details);
  const timer = setInterval(() => context.heartbeat(details), Math.max(250, Math.floor(timeoutMs / 4)));
  try {
    return await call();
  } finally {
    clearInterval(timer);
  }
}
