/**
 * Creates and runs the engine's workers on a given connection: one on the main task queue (the
 * workflows, and every activity for runs started before provider queues), and one activity worker
 * per provider queue, paced by the Temporal server (`maxTaskQueueActivitiesPerSecond`: the same
 * limit holds however many worker processes poll it).
 */
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { ACTIVITY_QUEUE, type EngineActivities } from '../activities';
import { PROVIDER_QUEUES, providerTaskQueue, type ProviderQueue } from '../common/task-queue';

export interface StartWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  activities: Partial<EngineActivities>;
  /** A prebuilt bundle (tests bundle once per run); otherwise the SDK bundles `workflows/`. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  workerOptions?: Partial<WorkerOptions>;
  /** Provider activities per second (0 or absent: no limit). */
  pacing?: Partial<Record<ProviderQueue, number>>;
  /** Options for the provider queues' activity workers (e.g. concurrency). */
  activityWorkerOptions?: Partial<WorkerOptions>;
}

export interface RunningWorker {
  /** The main queue's worker (workflows). */
  worker: Worker;
  workers: Worker[];
  /** Settles when every worker stops; rejects if one crashed. */
  done: Promise<void>;
  shutdown(): Promise<void>;
}

/** The activities that run on a provider's queue. */
export function activitiesOf(activities: Partial<EngineActivities>, queue: ProviderQueue): Partial<EngineActivities> {
  return Object.fromEntries(
    Object.entries(activities).filter(([name]) => ACTIVITY_QUEUE[name as keyof EngineActivities] === queue),
  );
}

export async function startWorker(options: StartWorkerOptions): Promise<RunningWorker> {
  // Created together: each loads or validates on its own, and the main worker's bundle is the slow one.
  const [worker, ...providerWorkers] = await Promise.all([
    Worker.create({
      connection: options.connection,
      namespace: options.namespace,
      taskQueue: options.taskQueue,
      activities: options.activities,
      ...(options.workflowBundle
        ? { workflowBundle: options.workflowBundle }
        : { workflowsPath: require.resolve('../workflows') }),
      ...options.workerOptions,
    }),
    ...PROVIDER_QUEUES.map((provider) =>
      Worker.create({
        connection: options.connection,
        namespace: options.namespace,
        taskQueue: providerTaskQueue(options.taskQueue, provider),
        activities: activitiesOf(options.activities, provider),
        ...(options.pacing?.[provider] ? { maxTaskQueueActivitiesPerSecond: options.pacing[provider] } : {}),
        ...(options.workerOptions?.dataConverter ? { dataConverter: options.workerOptions.dataConverter } : {}),
        ...options.activityWorkerOptions,
      }),
    ),
  ]);
  const workers = [worker, ...providerWorkers];
  const done = Promise.all(workers.map((w) => w.run())).then(() => undefined);
  return {
    worker,
    workers,
    done,
    shutdown: async () => {
      for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown();
      await done;
    },
  };
}
