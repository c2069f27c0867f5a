/** Polling for what a running system does asynchronously (workflows, webhooks, visibility). */

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Reads until `done` holds or the time is up, and returns the last value read (the test asserts on it). */
export async function eventually<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await pause(200);
  }
}

/** Waits until the check holds, or throws naming what it waited for; errors count as "not yet" (a server may be restarting). */
export async function until(what: string, check: () => Promise<boolean>, timeoutMs = 240_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await pause(250);
  }
}
