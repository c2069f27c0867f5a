/**
 * The bench's plumbing: result rows and notes, cleanup scopes (every process, server and temp dir
 * a benchmark starts is released, also on error or Ctrl-C), waiting, and bounded concurrency.
 */
import { performance } from 'node:perf_hooks';

export interface Row {
  name: string;
  value: number | null;
  unit: string;
  comparison: string;
}
export const rows: Row[] = [];
export const notes: string[] = [];
export const record = (name: string, value: number | null, unit: string, comparison = ''): void => {
  rows.push({
    name,
    value: value === null || !Number.isFinite(value) ? null : Math.round(value * 100) / 100,
    unit,
    comparison,
  });
};

/** Cleanups run last-in first-out; each runs once. */
const cleanups: Array<() => Promise<void> | void> = [];
export const defer = (fn: () => Promise<void> | void): void => {
  cleanups.push(fn);
};
export const cleanupMark = (): number => cleanups.length;
export async function runCleanups(downTo = 0): Promise<void> {
  while (cleanups.length > downTo) {
    const fn = cleanups.pop()!;
    try {
      await fn();
    } catch (error) {
      console.error(`cleanup failed: ${(error as Error).message}`);
    }
  }
}

/** Runs one benchmark with its own cleanup scope; a failure is reported, not fatal. */
export async function scoped(name: string, fn: () => Promise<void>): Promise<void> {
  const mark = cleanups.length;
  const started = performance.now();
  console.error(`▶ ${name}`);
  try {
    await fn();
  } catch (error) {
    notes.push(`${name} failed: ${(error as Error).message}`);
    console.error(`✘ ${name}: ${(error as Error).stack ?? String(error)}`);
  } finally {
    await runCleanups(mark);
    console.error(`  (${name}: ${((performance.now() - started) / 1000).toFixed(1)} s)`);
  }
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls until the predicate holds or the deadline passes; true when it held. */
export async function waitFor(
  predicate: () => boolean | Promise<boolean>,
  timeoutMs: number,
  intervalMs = 20,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await predicate()) return true;
    await sleep(intervalMs);
  }
  return predicate();
}

/** Rejects after ms (the timer is cleared when the promise settles first). */
export async function withDeadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>(
        (_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: no result in ${ms} ms`)), ms)),
      ),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Runs `start(0..count-1)` with at most `lanes` calls in flight. */
export async function startAll(count: number, start: (i: number) => Promise<unknown>, lanes = 20): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < count) await start(next++);
  };
  await Promise.all(Array.from({ length: Math.min(lanes, count) }, lane));
}

/** Like startAll, keeping each call's result. */
export async function mapAll<T>(count: number, fn: (i: number) => Promise<T>, lanes = 20): Promise<T[]> {
  const results = new Array<T>(count);
  await startAll(count, async (i) => (results[i] = await fn(i)), lanes);
  return results;
}

/** Logs progress on stderr at most every `everyMs`. */
export function progress(label: string, everyMs = 10_000): (text: () => string) => void {
  let last = performance.now();
  return (text) => {
    const now = performance.now();
    if (now - last < everyMs) return;
    last = now;
    console.error(`  … ${label}: ${text()}`);
  };
}
