/**
 * The local stack after the Temporal server is on its way (scripts/start-stack.ts spawns it): the
 * provider sandbox, the worker, the HTTP API, the billing-run schedule and Adiq's notification
 * registration. What needs no server starts while the server does.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Runtime } from '@temporalio/worker';
import { cachedWorkflowBundle } from '../worker/bundle';
import { installEngineLogger, logLevelFrom } from '../worker/logger';
import { BillingClient } from '../client';
import { encryptionCodecFromEnv, localStackKeyFile, newEncryptionKey } from '../client/encryption';
import { ensureSearchAttributes, type TemporalTarget } from '../client/connection';
import { buildApi } from '../api/server';
import { buildSandbox } from '../sandbox/server';
import { taskQueue } from '../common/task-queue';
import { BILLING_RUN_SCHEDULE_ID } from '../common/billing-run';
import { loadWorkerConfig } from '../worker/config';
import { createEngineActivities } from '../worker/activities';
import { startWorker } from '../worker/run';
import type { DevServer } from './dev-server';

export interface LocalStackOptions {
  startedAt: number;
  dataDir: string;
  ports: { temporal: number; ui: number; sandbox: number; api: number };
  target: TemporalTarget;
  /** The embedded dev server starting; undefined when a cluster is configured. */
  server: Promise<DevServer> | undefined;
  onStop: (stop: () => Promise<void>) => void;
  stopAll: (code: number) => Promise<void>;
}

const env = process.env;

/** A local secret: from its environment variable, or generated once and kept in the data folder. */
function localSecret(dataDir: string, variable: string, fileName: string): string {
  const fromEnv = env[variable];
  if (fromEnv) return fromEnv;
  const file = path.join(dataDir, fileName);
  if (!existsSync(file)) writeFileSync(file, `${randomBytes(24).toString('base64url')}\n`, { mode: 0o600 });
  return readFileSync(file, 'utf8').trim();
}

export async function runLocalStack(options: LocalStackOptions): Promise<void> {
  const { dataDir, ports, target, onStop } = options;
  // The SDK logs every bundling step at INFO; the stack's own lines say what matters.
  installEngineLogger(logLevelFrom(env.BILLING_LOG_LEVEL, 'WARN'));
  // Webpack runs while the dev server starts (or comes from the cache).
  const bundle = cachedWorkflowBundle(Runtime.instance().logger);
  bundle.catch(() => undefined); // awaited below; a failure surfaces there

  env.SANDBOX_URL ??= `http://127.0.0.1:${ports.sandbox}`;
  // Payloads are encrypted locally too, with a development key generated once and kept in .data/.
  if (!env.BILLING_ENCRYPTION_KEYS) {
    const keyFile = localStackKeyFile(env);
    if (!existsSync(keyFile)) writeFileSync(keyFile, JSON.stringify({ 'dev-1': newEncryptionKey() }), { mode: 0o600 });
    env.BILLING_ENCRYPTION_KEYS = readFileSync(keyFile, 'utf8');
  }
  const codec = encryptionCodecFromEnv(env)!;
  const dataConverter = { payloadCodecs: [codec] };
  // The worker registers the engine's notification URL at Adiq (the sandbox's here): its secret and base.
  env.ADIQ_WEBHOOK_SECRET = localSecret(dataDir, 'ADIQ_WEBHOOK_SECRET', 'adiq-webhook-secret');
  env.BILLING_PUBLIC_URL ??= `http://127.0.0.1:${ports.api}`;
  const config = loadWorkerConfig(env);
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
  onStop(() => sandbox.app.close());

  let address = target.address;
  if (options.server) {
    const server = await options.server;
    address = server.address;
    console.log(
      `✔ Temporal dev server   ${address} (namespace ${target.namespace}, data in ${path.relative(process.cwd(), dataDir)}/temporal.sqlite)`,
    );
    console.log(`✔ Temporal Web UI       ${server.uiUrl}`);
  } else {
    console.log(`✔ Temporal cluster      ${address} (namespace ${target.namespace}; no embedded server started)`);
  }
  console.log(
    `✔ Provider sandbox      http://127.0.0.1:${ports.sandbox} (control API: /__sandbox, state in ${path.relative(process.cwd(), sandboxStateFile)})`,
  );

  const connectionOptions = { ...target.connectionOptions, address };
  const [clientConnection, workerConnection] = await Promise.all([
    Connection.connect(connectionOptions),
    NativeConnection.connect(connectionOptions),
  ]);
  onStop(() => clientConnection.close());
  onStop(() => workerConnection.close());
  // Also on the embedded server: a data folder kept from an older release lacks the attributes
  // added since (start-dev's flags only apply to a new database).
  const added = await ensureSearchAttributes(clientConnection, target.namespace);
  if (added.length) console.log(`  registered search attributes: ${added.join(', ')}`);

  const temporalClient = new Client({ connection: clientConnection, namespace: target.namespace, dataConverter });
  const client = new BillingClient({ client: temporalClient, taskQueue: taskQueue(env) });
  const startingWorker = startWorker({
    connection: workerConnection,
    namespace: target.namespace,
    taskQueue: taskQueue(env),
    activities: createEngineActivities(config, temporalClient),
    workflowBundle: await bundle,
    workerOptions: { dataConverter, ...config.sizing.main },
    activityWorkerOptions: config.sizing.providers,
    pacing: config.pacing,
  });
  // The API and the schedule need no worker: they get ready while it loads the bundle.
  const startingApi = (async () => {
    const api = await buildApi({
      client,
      apiKey,
      webhookSecrets,
      codec: { codec, uiOrigin: options.server ? `http://127.0.0.1:${ports.ui}` : env.TEMPORAL_UI_ORIGIN },
    });
    await api.listen({ port: ports.api, host: env.API_HOST ?? '127.0.0.1' });
    onStop(() => api.close());
  })();
  const schedule = env.BILLING_RUN_SCHEDULE === 'off' ? undefined : ensureBillingRunSchedule(client, config);

  const worker = await startingWorker;
  onStop(() => worker.shutdown());
  worker.done.catch((error: unknown) => {
    console.error(`Worker stopped: ${(error as Error).message}`);
    void options.stopAll(1);
  });
  console.log(`✔ Worker                task queue ${taskQueue(env)}`);
  const adiq = ensureAdiqNotification(client);
  const scheduled = await schedule;
  if (scheduled) console.log(`✔ Billing-run schedule  ${BILLING_RUN_SCHEDULE_ID}, daily at ${scheduled}`);
  await startingApi;
  console.log(
    `✔ HTTP API              ${apiUrl} (API key: ${env.BILLING_API_KEY ? 'from BILLING_API_KEY' : `${apiKey} — kept in ${path.relative(process.cwd(), dataDir)}/api-key`})`,
  );
  console.log(await adiq);
  console.log(`\nReady in ${((Date.now() - options.startedAt) / 1000).toFixed(1)} s. Press Ctrl-C to stop.`);
}

async function ensureBillingRunSchedule(
  client: BillingClient,
  config: ReturnType<typeof loadWorkerConfig>,
): Promise<string> {
  const at = env.BILLING_RUN_AT ?? '06:00';
  const zone = env.BILLING_RUN_TIMEZONE ?? config.merchantTimeZone;
  await client.billingRuns.ensureSchedule({ at, timeZone: zone });
  return `${at} ${zone}`;
}

/** Adiq calls the engine only where a notification registration points: make sure one does. */
async function ensureAdiqNotification(client: BillingClient): Promise<string> {
  try {
    const { action, merchantId } = await client.adiq.ensureNotification();
    return `✔ Adiq notifications    ${action === 'unchanged' ? 'registered' : action} for merchant ${merchantId}`;
  } catch (error) {
    const cause = (error as Error).cause;
    return `! Adiq notifications    not registered: ${cause instanceof Error ? cause.message : (error as Error).message}`;
  }
}
