/** Starts a provider sandbox on a free loopback port for one test file. */
import type { FastifyInstance } from 'fastify';
import { buildSandbox, type SandboxOptions } from '../../sandbox/server';
import { SandboxControl } from '../../sandbox/control-client';
import type { SandboxState } from '../../sandbox/state';

export interface RunningSandbox {
  url: string;
  app: FastifyInstance;
  state: SandboxState;
  control: SandboxControl;
  close(): Promise<void>;
}

export async function startSandbox(options: SandboxOptions = {}): Promise<RunningSandbox> {
  // Tests use short scripted timeouts so a "timeout" costs a fraction of a second.
  const { app, state } = await buildSandbox({ timeoutHangMs: 2_000, ...options });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  if (!address || typeof address === 'string') throw new Error('sandbox did not bind a TCP port');
  const url = `http://127.0.0.1:${address.port}`;
  return { url, app, state, control: new SandboxControl(url), close: () => app.close() };
}

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
