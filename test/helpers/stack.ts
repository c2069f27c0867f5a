/**
 * The whole engine for end-to-end tests: a dev server of the test's own, the HTTP API on a free
 * port, the provider sandbox calling the API's webhook URLs, and a worker with the real activities
 * pointed at that sandbox.
 */
import { Client } from '@temporalio/client';
import type { PayloadCodec } from '@temporalio/common';
import type { FastifyInstance } from 'fastify';
import { randomUUID } from 'node:crypto';
import { buildApi } from '../../api/server';
import type { WebhookSecrets } from '../../api/routes/webhooks';
import { BillingClient } from '../../client';
import { startWorker, type RunningWorker } from '../../worker/run';
import { sandboxActivities } from './engine';
import { startSandbox, type RunningSandbox } from './sandbox';
import { createDevServerEnv, workflowBundle, type DevServerEnv } from './temporal';

export interface TestStack {
  temporal: DevServerEnv;
  sandbox: RunningSandbox;
  worker: RunningWorker;
  client: BillingClient;
  api: FastifyInstance;
  apiUrl: string;
  apiKey: string;
  webhookSecrets: WebhookSecrets;
  taskQueue: string;
  teardown(): Promise<void>;
}

export interface TestStackOptions {
  /** Encrypt payloads with this codec (client, worker and the API's codec server). */
  codec?: PayloadCodec;
}

export async function startTestStack(options: TestStackOptions = {}): Promise<TestStack> {
  const temporal = await createDevServerEnv();
  const taskQueue = `e2e-${randomUUID()}`;
  const dataConverter = options.codec ? { payloadCodecs: [options.codec] } : undefined;
  const client = new BillingClient({
    client: new Client({ connection: temporal.env.connection, namespace: temporal.server.namespace, dataConverter }),
    taskQueue,
  });
  const apiKey = `test-key-${randomUUID()}`;
  const webhookSecrets = { zspay: `zs-${randomUUID()}`, adiq: `ad-${randomUUID()}` };
  const api = await buildApi({
    client,
    apiKey,
    webhookSecrets,
    codec: options.codec ? { codec: options.codec } : undefined,
  });
  await api.listen({ port: 0, host: '127.0.0.1' });
  const address = api.server.address();
  if (!address || typeof address === 'string') throw new Error('API did not bind a TCP port');
  const apiUrl = `http://127.0.0.1:${address.port}`;
  const sandbox = await startSandbox({
    webhookUrls: {
      zspay: `${apiUrl}/webhooks/zspay/${webhookSecrets.zspay}`,
      adiq: `${apiUrl}/webhooks/adiq/${webhookSecrets.adiq}`,
    },
  });
  const worker = await startWorker({
    connection: temporal.env.nativeConnection,
    namespace: temporal.server.namespace,
    taskQueue,
    // The worker knows the engine's public URL and Adiq's secret, to register Adiq's notifications.
    activities: sandboxActivities(sandbox.url, client.temporal, 1500, {
      BILLING_PUBLIC_URL: apiUrl,
      ADIQ_WEBHOOK_SECRET: webhookSecrets.adiq,
    }),
    workflowBundle: workflowBundle(),
    workerOptions: { dataConverter },
  });
  return {
    temporal,
    sandbox,
    worker,
    client,
    api,
    apiUrl,
    apiKey,
    webhookSecrets,
    taskQueue,
    teardown: async () => {
      await api.close();
      await worker.shutdown();
      await sandbox.close();
      await temporal.teardown();
    },
  };
}

/**
 * Calls the stack's HTTP API with its key: GET without a body, POST with one. Takes the stack
 * lazily (tests start it in beforeAll).
 */
export function stackApi(stack: () => TestStack) {
  return async (path: string, body?: unknown) => {
    const response = await fetch(`${stack().apiUrl}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { Authorization: `Bearer ${stack().apiKey}`, 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
}
