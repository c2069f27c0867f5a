/** Worker processes (bench/worker-process.ts) on one task queue: started, watched and stopped. */
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { ProviderQueue } from '../common/task-queue';
import { defer, withDeadline } from './harness';
import type { FromWorker, ToWorker, WorkerStats } from './worker-process';

export interface WorkerPool {
  readonly size: number;
  /** Skeleton charges reported by every process. */
  skeletonCharges(): number;
  /** The latest memory report of each process. */
  stats(): WorkerStats[];
  /** The processes' ids. */
  pids(): number[];
  /** Stops every process (the engine's graceful shutdown), returning each one's last report. */
  stop(): Promise<WorkerStats[]>;
}

export async function startWorkerPool(options: {
  processes: number;
  address: string;
  taskQueue: string;
  sandboxUrl: string;
  bundleFile: string;
  pacing: Partial<Record<ProviderQueue, number>>;
  maxCachedWorkflows?: number;
}): Promise<WorkerPool> {
  const children: Array<{ child: ChildProcess; charges: number; stats?: WorkerStats; exited: Promise<void> }> = [];
  const start = () =>
    new Promise<void>((resolve, reject) => {
      const child = fork(path.join(__dirname, 'worker-process.ts'), [], {
        execArgv: ['--import', 'tsx'],
        env: {
          ...process.env,
          BENCH_TEMPORAL_ADDRESS: options.address,
          BENCH_TASK_QUEUE: options.taskQueue,
          BENCH_SANDBOX_URL: options.sandboxUrl,
          BENCH_WORKFLOW_BUNDLE: options.bundleFile,
          BENCH_PACING: JSON.stringify(options.pacing),
          ...(options.maxCachedWorkflows ? { BENCH_MAX_CACHED: String(options.maxCachedWorkflows) } : {}),
        },
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      });
      const entry = {
        child,
        charges: 0,
        stats: undefined as WorkerStats | undefined,
        exited: new Promise<void>((done) => child.once('exit', () => done())),
      };
      children.push(entry);
      child.on('message', (message: FromWorker) => {
        if (message.type === 'ready') resolve();
        else if (message.type === 'skeleton-charged') entry.charges = message.count;
        else entry.stats = message.stats;
      });
      child.once('exit', (code, signal) =>
        reject(new Error(`worker process exited with ${code ?? signal} before it was ready`)),
      );
    });
  let stopped: Promise<WorkerStats[]> | undefined;
  const stop = () =>
    (stopped ??= Promise.all(
      children.map(async (entry) => {
        if (entry.child.exitCode === null && entry.child.signalCode === null) {
          entry.child.send({ type: 'stop' } satisfies ToWorker);
          await withDeadline(entry.exited, 40_000, 'worker process stop').catch(async () => {
            entry.child.kill('SIGKILL');
            await entry.exited;
          });
        }
        return entry.stats!;
      }),
    ));
  defer(() => stop().then(() => undefined));
  await Promise.all(Array.from({ length: options.processes }, start));
  return {
    size: options.processes,
    skeletonCharges: () => children.reduce((n, c) => n + c.charges, 0),
    stats: () => children.map((c) => c.stats).filter((s): s is WorkerStats => s !== undefined),
    pids: () => children.map((c) => c.child.pid).filter((pid): pid is number => pid !== undefined),
    stop,
  };
}
