/** Creates and runs the engine's worker on a given connection. */
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import type { EngineActivities } from '../activities';

export interface StartWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  activities: EngineActivities;
  /** A prebuilt bundle (tests bundle once per run); otherwise the SDK bundles `workflows/`. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  workerOptions?: Partial<WorkerOptions>;
}

export interface RunningWorker {
  worker: Worker;
  /** Settles when the worker stops; rejects if it crashed. */
  done: Promise<void>;
  shutdown(): Promise<void>;
}

export async function startWorker(options: StartWorkerOptions): Promise<RunningWorker> {
  const worker = await Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    activities: options.activities,
    ...(options.workflowBundle ? { workflowBundle: options.workflowBundle } : { workflowsPath: require.resolve('../workflows') }),
    ...options.workerOptions,
  });
  const done = worker.run();
  return {
    worker,
    done,
    shutdown: async () => {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await done;
    },
  };
}
