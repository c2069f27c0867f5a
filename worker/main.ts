/** `npm run worker`: the engine's worker on its own, for production deployments. */
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { BillingClient } from '../client';
import { ensureSearchAttributes, loadTemporalTarget } from '../client/connection';
import { requiredEncryptionCodec } from '../client/encryption';
import { taskQueue } from '../common/task-queue';
import { createEngineActivities } from './activities';
import { loadTelemetryConfig, loadWorkerConfig } from './config';
import { logLevelFrom } from './logger';
import { DEFAULT_METRICS_ADDRESS, installEngineRuntime, metricsUrl } from './metrics';
import { startWorker } from './run';

async function main(): Promise<void> {
  const telemetry = loadTelemetryConfig(process.env, { metricsAddress: DEFAULT_METRICS_ADDRESS });
  installEngineRuntime({
    level: logLevelFrom(process.env.BILLING_LOG_LEVEL, 'INFO'),
    format: telemetry.logFormat,
    metricsAddress: telemetry.metricsAddress,
  });
  console.log(
    telemetry.metricsAddress
      ? `Metrics at ${metricsUrl(telemetry.metricsAddress)} (Prometheus)`
      : 'Metrics off (BILLING_METRICS_ADDRESS=off)',
  );
  const config = loadWorkerConfig();
  // Before polling: without the key the worker would fail every task of the engine's encrypted
  // workflows (or write in clear). Only BILLING_ENCRYPTION=off runs it without one.
  const codec = requiredEncryptionCodec();
  const target = loadTemporalTarget();
  const connectionOptions = { ...target.connectionOptions, address: target.address };
  const connection = await NativeConnection.connect(connectionOptions);
  // Billing runs read the engine's state through visibility, with a plain client.
  const dataConverter = codec ? { payloadCodecs: [codec] } : undefined;
  const clientConnection = await Connection.connect(connectionOptions);
  const temporal = new Client({ connection: clientConnection, namespace: target.namespace, dataConverter });
  // A release may add search attributes; workflows that set one the namespace lacks cannot progress.
  try {
    const added = await ensureSearchAttributes(clientConnection, target.namespace);
    if (added.length) console.log(`Registered search attributes: ${added.join(', ')}`);
  } catch (error) {
    console.warn(
      `Could not check the engine's search attributes (${(error as Error).message}); make sure the namespace has them all.`,
    );
  }
  const worker = await startWorker({
    connection,
    namespace: target.namespace,
    taskQueue: taskQueue(),
    activities: createEngineActivities(config, temporal),
    workerOptions: { dataConverter, ...config.sizing.main },
    activityWorkerOptions: config.sizing.providers,
    pacing: config.pacing,
  });
  console.log(
    `Worker polling ${taskQueue()} and its provider queues on ${target.address} (namespace ${target.namespace})`,
  );
  if (config.adiq.notification) {
    const { action, merchantId } = await new BillingClient({
      client: temporal,
      taskQueue: taskQueue(),
    }).adiq.ensureNotification();
    console.log(`Adiq notification registration for merchant ${merchantId}: ${action}`);
  } else {
    console.log(
      'Adiq notifications are not registered: set BILLING_PUBLIC_URL and ADIQ_WEBHOOK_SECRET (and ADIQ_MERCHANT_ID for a real Adiq)',
    );
  }
  // The SDK shuts the worker down on SIGINT/SIGTERM by default.
  await worker.done;
  await connection.close();
}

main().catch((error: unknown) => {
  console.error((error as Error).message);
  process.exit(1);
});
