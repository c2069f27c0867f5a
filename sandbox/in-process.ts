/**
 * The provider sandbox started inside the calling process, on a free loopback port, so that tests
 * and benchmarks read its ledger and request log directly as well as through the control API.
 */
import type { FastifyInstance } from 'fastify';
import { SandboxControl } from './control-client';
import { buildSandbox, type SandboxOptions } from './server';
import type { SandboxState } from './state';

export interface RunningSandbox {
  url: string;
  app: FastifyInstance;
  state: SandboxState;
  control: SandboxControl;
  close(): Promise<void>;
}

export async function startSandbox(options: SandboxOptions = {}): Promise<RunningSandbox> {
  // Short scripted timeouts so a "timeout" costs a fraction of a second.
  const { app, state } = await buildSandbox({ timeoutHangMs: 2_000, ...options });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  if (!address || typeof address === 'string') throw new Error('sandbox did not bind a TCP port');
  const url = `http://127.0.0.1:${address.port}`;
  return { url, app, state, control: new SandboxControl(url), close: () => app.close() };
}
