/**
 * `npm start`: the whole engine on one machine. The embedded Temporal dev server (SQLite file in
 * .data/, Web UI) unless a cluster is configured, the provider sandbox, the worker and the HTTP
 * API. Waits until each part is ready, prints the URLs, and stops everything on Ctrl-C.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Runtime } from '@temporalio/worker';
import { cachedWorkflowBundle } from '../worker/bundle';
import { installEngineLogger, logLevelFrom } from '../worker/logger';
import { BillingClient } from '../client';
import { encryptionCodecFromEnv, localStackKeyFile, newEncryptionKey } from '../client/encryption';
import { ensureSearchAttributes, loadTemporalTarget } from '../client/connection';
import { buildApi } from '../api/server';
import { buildSandbox } from '../sandbox/server';
import { DEFAULT_SANDBOX_PORT } from '../common/sandbox-credentials';
import { taskQueue } from '../common/task-queue';
import { BILLING_RUN_SCHEDULE_ID } from '../common/billing-run';
import { loadWorkerConfig } from '../worker/config';
import { createEngineActivities } from '../worker/activities';
import { startWorker } from '../worker/run';
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

/** A local secret: from its environment variable, or generated once and kept in the data folder. */
function localSecret(dataDir: string, variable: string, fileName: string): string {
  const fromEnv = env[variable];
  if (fromEnv) return fromEnv;
  const file = path.join(dataDir, fileName);
  if (!existsSync(file)) writeFileSync(file, `${randomBytes(24).toString('base64url')}\n`, { mode: 0o600 });
  return readFileSync(file, 'utf8').trim();
}

async function main(): Promise<void> {
  const startedAt = Date.now();
  // The SDK logs every bundling step at INFO; the stack's own lines say what matters.
  installEngineLogger(logLevelFrom(env.BILLING_LOG_LEVEL, 'WARN'));
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
  env.SANDBOX_URL ??= `http://127.0.0.1:${ports.sandbox}`;
  // Payloads are encrypted locally too, with a development key generated once and kept in .data/.
  if (!env.BILLING_ENCRYPTION_KEYS) {
    const keyFile = localStackKeyFile(env);
    if (!existsSync(keyFile)) writeFileSync(keyFile, JSON.stringify({ 'dev-1': newEncryptionKey() }), { mode: 0o600 });
    env.BILLING_ENCRYPTION_KEYS = readFileSync(keyFile, 'utf8');
  }
  const codec = encryptionCodecFromEnv(env)!;
  const dataConverter = { payloadCodecs: [codec] };
  const uiOrigin = `http://127.0.0.1:${ports.ui}`;
  // The worker registers the engine's notification URL at Adiq (the sandbox's here): its secret and base.
  env.ADIQ_WEBHOOK_SECRET = localSecret(dataDir, 'ADIQ_WEBHOOK_SECRET', 'adiq-webhook-secret');
  env.BILLING_PUBLIC_URL ??= `http://127.0.0.1:${ports.api}`;
  const config = loadWorkerConfig(env);

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

  // Webpack runs while the dev server starts (or comes from the cache).
  const bundle = cachedWorkflowBundle(Runtime.instance().logger);
  bundle.catch(() => undefined); // awaited below; a failure surfaces there

  try {
    let address = target.address;
    if (embedded) {
      const { cli } = ensureTemporalBinaries();
      const server = await DevServer.start({
        cli,
        port: ports.temporal,
        uiPort: ports.ui,
        dbFile: path.join(dataDir, 'temporal.sqlite'),
        namespace: target.namespace,
        sqlitePragmas: { journal_mode: 'WAL', synchronous: 'NORMAL' },
        dynamicConfig: ONE_PARTITION_PER_TASK_QUEUE,
        uiCodecEndpoint: `http://127.0.0.1:${ports.api}/codec`,
      });
      stops.push(() => server.stop());
      address = server.address;
      console.log(
        `✔ Temporal dev server   ${address} (namespace ${target.namespace}, data in ${path.relative(process.cwd(), dataDir)}/temporal.sqlite)`,
      );
      console.log(`✔ Temporal Web UI       ${server.uiUrl}`);
    } else {
      console.log(`✔ Temporal cluster      ${address} (namespace ${target.namespace}; no embedded server started)`);
    }

    const connectionOptions = { ...target.connectionOptions, address };
    const clientConnection = await Connection.connect(connectionOptions);
    stops.push(() => clientConnection.close());
    // Also on the embedded server: a data folder kept from an older release lacks the attributes
    // added since (start-dev's flags only apply to a new database).
    const added = await ensureSearchAttributes(clientConnection, target.namespace);
    if (added.length) console.log(`  registered search attributes: ${added.join(', ')}`);

    const apiKey = localSecret(dataDir, 'BILLING_API_KEY', 'api-key');
    const webhookSecrets = {
      zspay: localSecret(dataDir, 'ZSPAY_WEBHOOK_SECRET', 'zspay-webhook-secret'),
      adiq: localSecret(dataDir, 'ADIQ_WEBHOOK_SECRET', 'adiq-webhook-secret'),
    };
    const apiUrl = `http://127.0.0.1:${ports.api}`;
    // The sandbox calls back the engine the way the real providers would, on URLs carrying the secrets.
    // What the providers hold survives a restart, as the workflows do: a retry finds its card again.
    const sandboxStateFile = path.join(dataDir, 'sandbox.json');
    const sandbox = await buildSandbox({
      webhookBaseUrl: apiUrl,
      webhookUrls: {
        zspay: `${apiUrl}/webhooks/zspay/${webhookSecrets.zspay}`,
        adiq: `${apiUrl}/webhooks/adiq/${webhookSecrets.adiq}`,
      },
      stateFile: sandboxStateFile,
    });
    await sandbox.app.listen({ port: ports.sandbox, host: '127.0.0.1' });
    // Closing writes the sandbox's state file one last time.
    stops.push(() => sandbox.app.close());
    console.log(
      `✔ Provider sandbox      http://127.0.0.1:${ports.sandbox} (control API: /__sandbox, state in ${path.relative(process.cwd(), sandboxStateFile)})`,
    );

    const temporalClient = new Client({ connection: clientConnection, namespace: target.namespace, dataConverter });
    const workerConnection = await NativeConnection.connect(connectionOptions);
    stops.push(() => workerConnection.close());
    const worker = await startWorker({
      connection: workerConnection,
      namespace: target.namespace,
      taskQueue: taskQueue(env),
      activities: createEngineActivities(config, temporalClient),
      workflowBundle: await bundle,
      workerOptions: { dataConverter, ...config.sizing.main },
      activityWorkerOptions: config.sizing.providers,
      pacing: config.pacing,
    });
    stops.push(() => worker.shutdown());
    worker.done.catch((error: unknown) => {
      console.error(`Worker stopped: ${(error as Error).message}`);
      void stopAll(1);
    });
    console.log(`✔ Worker                task queue ${taskQueue(env)}`);

    const client = new BillingClient({ client: temporalClient, taskQueue: taskQueue(env) });
    if (env.BILLING_RUN_SCHEDULE !== 'off') {
      const at = env.BILLING_RUN_AT ?? '06:00';
      const zone = env.BILLING_RUN_TIMEZONE ?? config.merchantTimeZone;
      await client.billingRuns.ensureSchedule({ at, timeZone: zone });
      console.log(`✔ Billing-run schedule  ${BILLING_RUN_SCHEDULE_ID}, daily at ${at} ${zone}`);
    }
    const api = await buildApi({
      client,
      apiKey,
      webhookSecrets,
      codec: { codec, uiOrigin: embedded ? uiOrigin : env.TEMPORAL_UI_ORIGIN },
    });
    await api.listen({ port: ports.api, host: env.API_HOST ?? '127.0.0.1' });
    stops.push(() => api.close());
    console.log(
      `✔ HTTP API              http://127.0.0.1:${ports.api} (API key: ${env.BILLING_API_KEY ? 'from BILLING_API_KEY' : `${apiKey} — kept in ${path.relative(process.cwd(), dataDir)}/api-key`})`,
    );
    await ensureAdiqNotification(client);
    console.log(`\nReady in ${((Date.now() - startedAt) / 1000).toFixed(1)} s. Press Ctrl-C to stop.`);
  } catch (error) {
    console.error(`\n✘ ${(error as Error).message}`);
    await stopAll(1);
  }
}

/** Adiq calls the engine only where a notification registration points: make sure one does. */
async function ensureAdiqNotification(client: BillingClient): Promise<void> {
  try {
    const { action, merchantId } = await client.adiq.ensureNotification();
    console.log(`✔ Adiq notifications    ${action === 'unchanged' ? 'registered' : action} for merchant ${merchantId}`);
  } catch (error) {
    console.warn(
      `! Adiq notifications    not registered: ${(error as Error).cause instanceof Error ? ((error as Error).cause as Error).message : (error as Error).message}`,
    );
  }
}

main().catch((error: unknown) => {
  console.error(`✘ ${(error as Error).message}`);
  process.exit(1);
});
