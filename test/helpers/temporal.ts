/**
 * Real Temporal servers for tests: the time-skipping test server for workflow tests, and a dev
 * server started by the harness itself (free ports, its own temporary database) for end-to-end
 * tests. Nothing here mocks Temporal.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DevServer } from '../../scripts/dev-server';
import { freePort } from '../../scripts/ports';
import { locateTemporalBinaries } from '../../scripts/temporal-binaries';
import { startTimeSkippingServer } from '../../scripts/time-skipping';
import { assertHistoriesHoldNoSecrets } from './history-secrets';

function binaries() {
  const found = locateTemporalBinaries();
  if (!found) throw new Error('Temporal binaries are not installed: run `npm run setup`.');
  return found;
}

let bundle: { code: string } | undefined;
/** The workflow bundle built once by the global setup. */
export function workflowBundle(): { code: string } {
  const file = process.env.BILLING_TEST_WORKFLOW_BUNDLE;
  if (!file)
    throw new Error(
      'No workflow bundle: these tests need the jest global setup (run them through `npm test` or jest).',
    );
  bundle ??= { code: readFileSync(file, 'utf8') };
  return bundle;
}

/** The time-skipping server, its clock at BILLING_TEST_CLOCK when set (CI runs the suite at 23:30, 00:30 and a month's end). */
export function createTimeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  return startTimeSkippingServer({ testServer: binaries().testServer });
}

/** Scans the time-skipping server's histories, then tears it down (the scan's failure fails the test file). */
export async function teardownTimeSkippingEnv(env: TestWorkflowEnvironment): Promise<void> {
  try {
    await assertHistoriesHoldNoSecrets(env.client, env.namespace ?? 'default');
  } finally {
    await env.teardown();
  }
}

export interface DevServerEnv {
  env: TestWorkflowEnvironment;
  /** The running server process (a new one after each restart). */
  readonly server: DevServer;
  /** Crashes the server (SIGKILL) and starts it again on the same port and SQLite file. */
  restart(options?: { downMs?: number }): Promise<void>;
  teardown(): Promise<void>;
}

/** A dev server of the test's own: free ports, temporary SQLite file, search attributes registered. */
export async function createDevServerEnv(
  options: { dynamicConfig?: Record<string, string | number | boolean> } = {},
): Promise<DevServerEnv> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'billing-devserver-'));
  const serverOptions = {
    cli: binaries().cli,
    port: await freePort(),
    dbFile: path.join(dir, 'temporal.sqlite'),
    sqlitePragmas: { journal_mode: 'WAL', synchronous: 'OFF' },
    dynamicConfig: options.dynamicConfig,
    readyTimeoutMs: 90_000,
  };
  let server = await DevServer.start(serverOptions);
  const env = await TestWorkflowEnvironment.createFromExistingServer({
    address: server.address,
    namespace: server.namespace,
  });
  return {
    env,
    get server() {
      return server;
    },
    restart: async ({ downMs = 1_000 } = {}) => {
      await server.kill();
      await new Promise((resolve) => setTimeout(resolve, downMs));
      server = await DevServer.start(serverOptions);
    },
    teardown: async () => {
      try {
        await assertHistoriesHoldNoSecrets(env.client, server.namespace);
      } finally {
        await env.teardown();
        await server.stop();
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
