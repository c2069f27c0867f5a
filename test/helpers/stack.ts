/**
 * The whole engine for end-to-end tests: a dev server of the test's own, the provider sandbox, a
 * worker with the real activities pointed at that sandbox, and the HTTP API on a free port.
 */
import { Client } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { randomUUID } from 'node:crypto';
import { buildApi } from '../../api/server';
import { BillingClient } from '../../client';
import { createEngineActivities } from '../../worker/activities';
import { loadWorkerConfig } from '../../worker/config';
import { startWorker, type RunningWorker } from '../../worker/run';
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
  taskQueue: string;
  teardown(): Promise<void>;
}

export async function startTestStack(): Promise<TestStack> {
  const temporal = await createDevServerEnv();
  const sandbox = await startSandbox();
  const taskQueue = `e2e-${randomUUID()}`;
  const config = loadWorkerConfig({ SANDBOX_URL: sandbox.url, PROVIDER_TIMEOUT_MS: '1500' });
  const worker = await startWorker({
    connection: temporal.env.nativeConnection,
    namespace: temporal.server.namespace,
    taskQueue,
    activities: createEngineActivities(config),
    workflowBundle: workflowBundle(),
  });
  const client = new BillingClient({
    client: new Client({ connection: temporal.env.connection, namespace: temporal.server.namespace }),
    taskQueue,
  });
  const apiKey = `test-key-${randomUUID()}`;
  const api = await buildApi({ client, apiKey });
  await api.listen({ port: 0, host: '127.0.0.1' });
  const address = api.server.address();
  if (!address || typeof address === 'string') throw new Error('API did not bind a TCP port');
  return {
    temporal,
    sandbox,
    worker,
    client,
    api,
    apiUrl: `http://127.0.0.1:${address.port}`,
    apiKey,
    taskQueue,
    teardown: async () => {
      await api.close();
      await worker.shutdown();
      await sandbox.close();
      await temporal.teardown();
    },
  };
}
