/** A provider sandbox on a free loopback port for one test file. */
import { startSandbox, type RunningSandbox } from '../../sandbox/in-process';
import type { SandboxOptions } from '../../sandbox/server';

export { startSandbox, type RunningSandbox };

/**
 * One sandbox for the enclosing test file or describe block, reset before each test. `onStart`
 * receives it once started (assign it, build clients on it).
 */
export function useSandbox(onStart: (sandbox: RunningSandbox) => void, options: SandboxOptions = {}): void {
  let started: RunningSandbox | undefined;
  beforeAll(async () => {
    started = await startSandbox(options);
    onStart(started);
  });
  afterAll(() => started?.close());
  beforeEach(() => started?.control.reset());
}
