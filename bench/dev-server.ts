/**
 * A dev server of the bench's own: free port, temporary SQLite file (WAL, synchronous=OFF), headless,
 * one partition per task queue as under `npm start` (unless `dynamicConfig` says otherwise);
 * `asNpmStart` starts it as `npm start` does instead (Web UI, synchronous=NORMAL).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { DevServer, ONE_PARTITION_PER_TASK_QUEUE } from '../scripts/dev-server';
import { freePort } from '../scripts/ports';
import { ensureTemporalBinaries } from '../scripts/temporal-binaries';
import { defer } from './harness';

export interface BenchDevServer {
  server: DevServer;
  startMs: number;
  client: Client;
  nativeConnection: NativeConnection;
}

export async function startBenchDevServer(
  options: { dynamicConfig?: Record<string, string | number | boolean>; asNpmStart?: boolean } = {},
): Promise<BenchDevServer> {
  const { cli } = ensureTemporalBinaries((line) => console.error(line));
  const dir = mkdtempSync(path.join(os.tmpdir(), 'billing-bench-'));
  defer(() => rmSync(dir, { recursive: true, force: true }));
  const t0 = performance.now();
  const server = await DevServer.start({
    cli,
    port: await freePort(),
    uiPort: options.asNpmStart ? await freePort() : undefined,
    dbFile: path.join(dir, 'temporal.sqlite'),
    sqlitePragmas: { journal_mode: 'WAL', synchronous: options.asNpmStart ? 'NORMAL' : 'OFF' },
    dynamicConfig: options.dynamicConfig ?? ONE_PARTITION_PER_TASK_QUEUE,
    readyTimeoutMs: 90_000,
  });
  const startMs = performance.now() - t0;
  defer(() => server.stop());
  const connection = await Connection.connect({ address: server.address });
  defer(() => connection.close());
  const nativeConnection = await NativeConnection.connect({ address: server.address });
  defer(() => nativeConnection.close());
  return { server, startMs, client: new Client({ connection, namespace: server.namespace }), nativeConnection };
}
