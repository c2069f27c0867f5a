/**
 * `npm start`: the whole engine on one machine. The embedded Temporal dev server (SQLite file in
 * .data/, Web UI) unless a cluster is configured, the provider sandbox, the worker and the HTTP
 * API. Waits until each part is ready, prints the URLs, and stops everything on Ctrl-C.
 *
 * This entry loads little on purpose: it spawns the dev server first and loads the engine (the SDK,
 * Fastify, the workflow bundle) while the server starts; scripts/local-stack.ts does the rest.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { loadTemporalTarget } from '../client/connection';
import { DEFAULT_SANDBOX_PORT } from '../common/sandbox-credentials';
import { DevServer, ONE_PARTITION_PER_TASK_QUEUE } from './dev-server';
import { assertPortFree } from './ports';
import { ensureTemporalBinaries, PROJECT_ROOT } from './temporal-binaries';

const env = process.env;
const port = (name: string, fallback: number): number => {
  const value = Number(env[name] ?? fallback);
  if (!Number.isInteger(value) || value <= 0 || value > 65535)
    throw new Error(`${name} must be a TCP port number, got ${env[name]}`);
  return value;
};

async function main(): Promise<void> {
  const startedAt = Date.now();
  const dataDir = path.resolve(PROJECT_ROOT, env.BILLING_DATA_DIR ?? '.data');
  mkdirSync(dataDir, { recursive: true });
  const ports = {
    temporal: port('TEMPORAL_DEV_PORT', 7233),
    ui: port('TEMPORAL_UI_PORT', 8233),
    sandbox: port('SANDBOX_PORT', DEFAULT_SANDBOX_PORT),
    api: port('API_PORT', 3000),
  };
  const target = loadTemporalTarget(env);
  const embedded = !target.configured;

  await assertPortFree(ports.sandbox, 'provider sandbox', 'SANDBOX_PORT');
  await assertPortFree(ports.api, 'HTTP API', 'API_PORT');
  if (embedded) {
    await assertPortFree(ports.temporal, 'Temporal dev server', 'TEMPORAL_DEV_PORT');
    await assertPortFree(ports.ui, 'Temporal Web UI', 'TEMPORAL_UI_PORT');
  }

  const stops: Array<() => Promise<void>> = [];
  let stopping = false;
  const stopAll = async (code: number) => {
    if (stopping) return;
    stopping = true;
    console.log('\nStopping...');
    for (const stop of stops.reverse()) await stop().catch((error: unknown) => console.error((error as Error).message));
    process.exit(code);
  };
  process.once('SIGINT', () => void stopAll(0));
  process.once('SIGTERM', () => void stopAll(0));

  const server = embedded
    ? DevServer.start({
        cli: ensureTemporalBinaries().cli,
        port: ports.temporal,
        uiPort: ports.ui,
        dbFile: path.join(dataDir, 'temporal.sqlite'),
        namespace: target.namespace,
        sqlitePragmas: { journal_mode: 'WAL', synchronous: 'NORMAL' },
        dynamicConfig: ONE_PARTITION_PER_TASK_QUEUE,
        uiCodecEndpoint: `http://127.0.0.1:${ports.api}/codec`,
      })
    : undefined;
  if (server) {
    server.catch(() => undefined); // awaited by the stack; a failure surfaces there
    stops.push(async () => (await server.catch(() => undefined))?.stop());
  }

  try {
    const { runLocalStack } = await import('./local-stack');
    await runLocalStack({ startedAt, dataDir, ports, target, server, onStop: (stop) => stops.push(stop), stopAll });
  } catch (error) {
    console.error(`\n✘ ${(error as Error).message}`);
    await stopAll(1);
  }
}

main().catch((error: unknown) => {
  console.error(`✘ ${(error as Error).message}`);
  process.exit(1);
});
