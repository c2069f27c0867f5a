/**
 * A worker in a process of its own, so fault tests can kill -9 it mid-charge. Configured by the
 * environment: TEMPORAL_ADDRESS, BILLING_TASK_QUEUE, SANDBOX_URL, BILLING_TEST_WORKFLOW_BUNDLE.
 */
import { readFileSync } from 'node:fs';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { createEngineActivities } from '../../worker/activities';
import { loadWorkerConfig } from '../../worker/config';
import { startWorker } from '../../worker/run';

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const address = process.env.TEMPORAL_ADDRESS!;
  const connection = await NativeConnection.connect({ address });
  const temporal = new Client({ connection: await Connection.connect({ address }) });
  const worker = await startWorker({
    connection,
    namespace: 'default',
    taskQueue: process.env.BILLING_TASK_QUEUE!,
    activities: createEngineActivities(
      loadWorkerConfig({ SANDBOX_URL: process.env.SANDBOX_URL, PROVIDER_TIMEOUT_MS: '5000' }),
      temporal,
    ),
    workflowBundle: { code: readFileSync(process.env.BILLING_TEST_WORKFLOW_BUNDLE!, 'utf8') },
  });
  process.stdout.write('worker-ready\n');
  await worker.done;
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack}\n`);
  process.exit(1);
});
