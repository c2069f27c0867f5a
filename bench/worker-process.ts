/**
 * The engine's workers in a process of their own, as production runs them (`startWorker`: the main
 * queue's worker plus one activity worker per provider queue, paced by the server), plus the
 * skeleton's no-op activities on the main queue. Forked by the bench (bench/worker-pool.ts) with an
 * IPC channel; configured by the environment:
 *   BENCH_TEMPORAL_ADDRESS, BENCH_TASK_QUEUE, BENCH_SANDBOX_URL, BENCH_WORKFLOW_BUNDLE (a file),
 *   BENCH_PACING (JSON, provider -> activities/s), BENCH_MAX_CACHED (optional maxCachedWorkflows).
 * Reports `ready`, each skeleton charge, and its memory every second; stops on `stop`.
 */
import { readFileSync } from 'node:fs';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, type LogEntry } from '@temporalio/worker';
import type { ProviderQueue } from '../common/task-queue';
import { createEngineActivities } from '../worker/activities';
import { loadWorkerConfig } from '../worker/config';
import { startWorker } from '../worker/run';
import { skeletonActivities } from './engine';

export type FromWorker =
  | { type: 'ready' }
  | { type: 'skeleton-charged'; count: number }
  | { type: 'stats'; stats: WorkerStats }
  | { type: 'stopped'; stats: WorkerStats };

export interface WorkerStats {
  rss: number;
  heapUsed: number;
  peakRss: number;
  cachedWorkflows: number;
  /** SDK log lines at WARN or above that name a workflow task timing out or a task the server no longer knows. */
  workflowTaskTimeoutLines: number;
  warnLines: number;
  samples: string[];
}
export type ToWorker = { type: 'stop' };

const send = (message: FromWorker) => process.send?.(message);

// What the SDK's core says when the server timed a workflow task out under it (the completion then
// finds no task) — counted, never printed (the SDK logs every retried activity failure at WARN).
const WFT_TIMEOUT =
  /workflow task.*(timed? ?out|not found)|task not found|WorkflowTaskTimedOut|timed out.*workflow task/i;
let timeoutLines = 0;
let warnLines = 0;
const samples: string[] = [];
function onLog(entry: LogEntry): void {
  warnLines += 1;
  const text = `${entry.message} ${entry.meta ? JSON.stringify(entry.meta).slice(0, 300) : ''}`;
  if (WFT_TIMEOUT.test(text)) {
    timeoutLines += 1;
    if (samples.length < 5) samples.push(`${entry.level}: ${text.slice(0, 400)}`);
  } else if (entry.level === 'ERROR' && samples.length < 5) {
    samples.push(`${entry.level}: ${text.slice(0, 400)}`);
  }
}

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('WARN', onLog) });
  const address = process.env.BENCH_TEMPORAL_ADDRESS!;
  const connection = await NativeConnection.connect({ address });
  const temporal = new Client({ connection: await Connection.connect({ address }) });
  let skeletonCharges = 0;
  const maxCached = process.env.BENCH_MAX_CACHED ? Number(process.env.BENCH_MAX_CACHED) : undefined;
  const running = await startWorker({
    connection,
    namespace: 'default',
    taskQueue: process.env.BENCH_TASK_QUEUE!,
    activities: {
      ...createEngineActivities(
        loadWorkerConfig({ SANDBOX_URL: process.env.BENCH_SANDBOX_URL, PROVIDER_TIMEOUT_MS: '15000' }),
        temporal,
      ),
      ...skeletonActivities(() => send({ type: 'skeleton-charged', count: ++skeletonCharges })),
    },
    workflowBundle: { code: readFileSync(process.env.BENCH_WORKFLOW_BUNDLE!, 'utf8') },
    workerOptions: maxCached === undefined ? {} : { maxCachedWorkflows: maxCached },
    pacing: JSON.parse(process.env.BENCH_PACING ?? '{}') as Partial<Record<ProviderQueue, number>>,
  });
  let peakRss = 0;
  const stats = (): WorkerStats => {
    const usage = process.memoryUsage();
    peakRss = Math.max(peakRss, usage.rss);
    return {
      rss: usage.rss,
      heapUsed: usage.heapUsed,
      peakRss,
      cachedWorkflows: running.worker.getStatus().numCachedWorkflows,
      workflowTaskTimeoutLines: timeoutLines,
      warnLines,
      samples,
    };
  };
  const timer = setInterval(() => send({ type: 'stats', stats: stats() }), 1000);
  process.on('message', (message: ToWorker) => {
    if (message.type !== 'stop') return;
    clearInterval(timer);
    // What the worker held while running (shutting down empties its cache).
    const before = stats();
    void running
      .shutdown()
      .catch((error: unknown) => process.stderr.write(`worker shutdown: ${(error as Error).message}\n`))
      .finally(() => {
        // Exit once the last report is on the channel.
        process.send?.(
          {
            type: 'stopped',
            stats: { ...before, peakRss: Math.max(before.peakRss, process.memoryUsage().rss) },
          } satisfies FromWorker,
          undefined,
          {},
          () => process.exit(0),
        );
      });
  });
  // The parent went away (killed): do not outlive it.
  process.on('disconnect', () => process.exit(0));
  send({ type: 'ready' });
  await running.done;
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack}\n`);
  process.exit(1);
});
