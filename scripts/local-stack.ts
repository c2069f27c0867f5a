/**
 * The local stack after the Temporal server is on its way (scripts/start-stack.ts spawns it): the
 * provider sandbox, the worker, the HTTP API, the billing-run schedule and Adiq's notification
 * registration. What needs no server starts while the server does.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Runtime } from '@temporalio/worker';
import { cachedWorkflowBundle } from '../worker/bundle';
import { apiLoggerOptions, logLevelFrom } from '../worker/logger';
import { DEFAULT_METRICS_ADDRESS, installEngineRuntime, metricsUrl } from '../worker/metrics';
import { BillingClient } from '../client';
import {
  encryptionCodecFromEnv,
  encryptionKeysFromEnv,
  encryptionOff,
  localStackKeyFile,
  newEncryptionKey,
} from '../client/encryption';
import { ensureSearchAttributes, type TemporalTarget } from '../client/connection';
import { buildApi } from '../api/server';
import { buildSandbox } from '../sandbox/server';
import { taskQueue } from '../common/task-queue';
import { BILLING_RUN_SCHEDULE_ID } from '../common/billing-run';
import { loadTelemetryConfig, loadWorkerConfig } from '../worker/config';
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
  // The SDK logs every bundling step at INFO; the stack's own lines say what matters. The engine's
  // records are JSON lines (BILLING_LOG_FORMAT=pretty: readable ones); the metrics share the runtime.
  const logLevel = logLevelFrom(env.BILLING_LOG_LEVEL, 'WARN');
  const telemetry = loadTelemetryConfig(env, { metricsAddress: DEFAULT_METRICS_ADDRESS });
  installEngineRuntime({ level: logLevel, format: telemetry.logFormat, metricsAddress: telemetry.metricsAddress });
  // Webpack runs while the dev server starts (or comes from the cache).
  const bundle = cachedWorkflowBundle(Runtime.instance().logger);
  bundle.catch(() => undefined); // awaited below; a failure surfaces there

  env.SANDBOX_URL ??= `http://127.0.0.1:${ports.sandbox}`;
  // Payloads are encrypted locally too, with a development key generated once and kept in the data
  // folder, where every client finds it (client/encryption.ts); the key stays out of the environment
  // the stack's children inherit. BILLING_ENCRYPTION=off stores payloads in clear.
  if (!encryptionOff(env) && !encryptionKeysFromEnv(env))
    writeFileSync(localStackKeyFile(env), JSON.stringify({ 'dev-1': newEncryptionKey() }), { mode: 0o600 });
  const codec = encryptionCodecFromEnv(env);
  const dataConverter = codec ? { payloadCodecs: [codec] } : undefined;
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
  const uiOrigin = options.server ? `http://127.0.0.1:${ports.ui}` : env.TEMPORAL_UI_ORIGIN;
  // Temporal's own tools (the CLI, envconfig) read payloads through the codec server with this profile.
  const profile = options.server
    ? writeTemporalProfile(dataDir, {
        address: `127.0.0.1:${ports.temporal}`,
        namespace: target.namespace,
        codec: codec ? { endpoint: `${apiUrl}/codec`, auth: `Bearer ${apiKey}` } : undefined,
      })
    : undefined;

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
      // Requests' errors (5xx) are logged, as JSON lines like the worker's.
      logger: apiLoggerOptions({ level: logLevel, format: telemetry.logFormat }),
      codec: codec ? { codec, uiOrigin } : undefined,
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
  if (telemetry.metricsAddress)
    console.log(`✔ Metrics               ${metricsUrl(telemetry.metricsAddress)} (Prometheus)`);
  const adiq = ensureAdiqNotification(client);
  const scheduled = await schedule;
  if (scheduled) console.log(`✔ Billing-run schedule  ${BILLING_RUN_SCHEDULE_ID}, daily at ${scheduled}`);
  await startingApi;
  console.log(
    `✔ HTTP API              ${apiUrl} (API key: ${env.BILLING_API_KEY ? 'from BILLING_API_KEY' : `in ${path.relative(process.cwd(), dataDir)}/api-key`})`,
  );
  console.log(await adiq);
  if (codec)
    console.log(
      `✔ Codec server          ${apiUrl}/codec (API key; the Web UI decodes once this browser signs in at ${apiUrl}/codec/session)`,
    );
  if (profile)
    console.log(
      `✔ Temporal CLI profile  ${profile.relative} (profile ${TEMPORAL_PROFILE}): TEMPORAL_CONFIG_FILE=${profile.relative} TEMPORAL_PROFILE=${TEMPORAL_PROFILE} temporal workflow describe --workflow-id …`,
    );
  console.log(`\nReady in ${((Date.now() - options.startedAt) / 1000).toFixed(1)} s. Press Ctrl-C to stop.`);
}

/** The profile `npm start` writes for Temporal's own tools (the CLI, @temporalio/envconfig). */
export const TEMPORAL_PROFILE = 'billing-local';

const tomlString = (value: string) => JSON.stringify(value);

/**
 * Writes `<data>/temporal.toml`, a Temporal environment-configuration file with the profile
 * `billing-local`: the embedded server's address and namespace and, when payloads are encrypted, the
 * codec server with the API key (the CLI's `--codec-endpoint`/`--codec-auth`). Owner-only, like the
 * API key file it repeats.
 */
export function writeTemporalProfile(
  dataDir: string,
  profile: { address: string; namespace: string; codec?: { endpoint: string; auth: string } },
): { file: string; relative: string } {
  const lines = [
    "# Written by `npm start` on every start: the local stack, for Temporal's own tools. Use it with",
    `#   TEMPORAL_CONFIG_FILE=${path.join(dataDir, 'temporal.toml')} TEMPORAL_PROFILE=${TEMPORAL_PROFILE} temporal workflow describe --workflow-id …`,
    `[profile.${TEMPORAL_PROFILE}]`,
    `address = ${tomlString(profile.address)}`,
    `namespace = ${tomlString(profile.namespace)}`,
  ];
  if (profile.codec)
    lines.push(
      '',
      `[profile.${TEMPORAL_PROFILE}.codec]`,
      `endpoint = ${tomlString(profile.codec.endpoint)}`,
      `auth = ${tomlString(profile.codec.auth)}`,
    );
  const file = path.join(dataDir, 'temporal.toml');
  writeFileSync(file, `${lines.join('\n')}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return { file, relative: path.relative(process.cwd(), file) || file };
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
