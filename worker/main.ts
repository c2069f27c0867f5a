/** `npm run worker`: the engine's worker on its own, for production deployments. */
import { NativeConnection } from '@temporalio/worker';
import { loadTemporalTarget } from '../client/connection';
import { taskQueue } from '../common/task-queue';
import { createEngineActivities } from './activities';
import { loadWorkerConfig } from './config';
import { startWorker } from './run';

async function main(): Promise<void> {
  const config = loadWorkerConfig();
  const target = loadTemporalTarget();
  const connection = await NativeConnection.connect({ ...target.connectionOptions, address: target.address });
  const worker = await startWorker({
    connection,
    namespace: target.namespace,
    taskQueue: taskQueue(),
    activities: createEngineActivities(config),
  });
  console.log(`Worker polling ${taskQueue()} on ${target.address} (namespace ${target.namespace})`);
  // The SDK shuts the worker down on SIGINT/SIGTERM by default.
  await worker.done;
  await connection.close();
}

main().catch((error: unknown) => {
  console.error((error as Error).message);
  process.exit(1);
});
