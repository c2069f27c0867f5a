/**
 * The engine as the bench runs it: its real activities pointed at a sandbox, its workers started
 * the engine's way (`startWorker`: the main queue plus one activity worker per provider queue), the
 * workflow bundle (the engine's workflows plus the skeleton, built once), the skeleton's no-op
 * activities and starter, and a time-skipping server (scripts/time-skipping.ts, as the tests start it).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { WithStartWorkflowOperation, WorkflowIdConflictPolicy, type Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import {
  bundleWorkflowCode,
  DefaultLogger,
  Worker,
  type NativeConnection,
  type WorkerOptions,
} from '@temporalio/worker';
import type { EngineActivities } from '../activities';
import type { ProviderQueue } from '../common/task-queue';
import { locateTemporalBinaries } from '../scripts/temporal-binaries';
import { startTimeSkippingServer } from '../scripts/time-skipping';
import { createEngineActivities } from '../worker/activities';
import { loadWorkerConfig } from '../worker/config';
import { startWorker, type RunningWorker } from '../worker/run';
import { defer, withDeadline } from './harness';
import { skeletonAcceptedUpdate, type SkeletonActivities, type SkeletonCycleInput } from './skeleton-workflows';

/** The signing secret bench merchants are configured with (none of the bench's subscriptions has a merchant). */
export const BENCH_MERCHANT_SECRET = { ref: 'merchant-1', secret: 'whsec_test_secret' };

export function sandboxActivities(sandboxUrl: string, temporal: Client, timeoutMs = 1500): EngineActivities {
  return createEngineActivities(
    loadWorkerConfig({
      SANDBOX_URL: sandboxUrl,
      PROVIDER_TIMEOUT_MS: String(timeoutMs),
      MERCHANT_WEBHOOK_SECRETS: JSON.stringify({ [BENCH_MERCHANT_SECRET.ref]: BENCH_MERCHANT_SECRET.secret }),
    }),
    temporal,
  );
}

export function createTimeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  const found = locateTemporalBinaries();
  if (!found) throw new Error('Temporal binaries are not installed: run `npm run setup`.');
  return startTimeSkippingServer({ testServer: found.testServer });
}

let bundlePromise: Promise<{ code: string }> | undefined;
/** The engine's workflows plus the skeleton (bench/workflows.ts), bundled once per bench run. */
export const workflowBundle = () =>
  (bundlePromise ??= bundleWorkflowCode({
    workflowsPath: require.resolve('./workflows'),
    logger: new DefaultLogger('WARN'),
  }));

let bundleFilePromise: Promise<string> | undefined;
/** The same bundle in a temporary file, for worker processes. */
export const workflowBundleFile = () =>
  (bundleFilePromise ??= workflowBundle().then(({ code }) => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'billing-bench-bundle-'));
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    const file = path.join(dir, 'workflows.js');
    writeFileSync(file, code);
    return file;
  }));

/** The skeleton's no-op activities; `onCharge` sees each charge (the second step). */
export function skeletonActivities(onCharge: () => void): SkeletonActivities {
  return {
    async skeletonAuthorize(input) {
      return { saleId: `skeleton-${input.reference}` };
    },
    async skeletonCharge(input) {
      onCharge();
      return { status: 'succeeded', reference: input.reference };
    },
  };
}

/**
 * The skeleton's activities making the engine's two provider calls (the real Zspay activities
 * against the sandbox: authorize, then capture, validated both ways): the provider I/O a charge
 * cannot do without, so a year of it separates that I/O from the engine's own work.
 */
export function providerSkeletonActivities(
  activities: Pick<EngineActivities, 'authorizeCard' | 'captureCard'>,
  card: { clientId: string; cardId: string },
  onCharge: () => void,
): SkeletonActivities {
  const sales = new Map<string, string>();
  return {
    async skeletonAuthorize(input) {
      const authorization = await activities.authorizeCard({ ...input, ...card, description: 'skeleton' });
      if (authorization.kind !== 'to_capture') throw new Error(`skeleton charge ${input.reference} was not authorized`);
      sales.set(input.reference, authorization.saleId);
      return { saleId: authorization.saleId };
    },
    async skeletonCharge(input) {
      const saleId = sales.get(input.reference);
      if (saleId === undefined) throw new Error(`skeleton charge ${input.reference} has no authorization`);
      await activities.captureCard({ ...input, saleId });
      sales.delete(input.reference);
      onCharge();
      return { status: 'succeeded', reference: input.reference };
    },
  };
}

export function skeletonInput(id: string, dueAt: number, intervalMs: number, cyclesLeft: number): SkeletonCycleInput {
  return { id, dueAt, intervalMs, cyclesLeft };
}

/** Starts a skeleton the way `subscriptions.create` starts a subscription: update-with-start, answered by its first run. */
export function startSkeleton(
  client: Client,
  taskQueue: string,
  workflowId: string,
  input: SkeletonCycleInput,
): Promise<unknown> {
  return client.workflow.executeUpdateWithStart(skeletonAcceptedUpdate, {
    startWorkflowOperation: new WithStartWorkflowOperation('skeletonCycleWorkflow', {
      workflowId,
      taskQueue,
      args: [input],
      workflowIdConflictPolicy: WorkflowIdConflictPolicy.FAIL,
    }),
  });
}

/** The engine's workers in this process (stopped by the enclosing cleanup scope). */
export async function runEngineWorker(options: {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  /** The engine's activities, and optionally the skeleton's. */
  activities: Partial<EngineActivities> | (Partial<EngineActivities> & SkeletonActivities);
  workerOptions?: Partial<WorkerOptions>;
  pacing?: Partial<Record<ProviderQueue, number>>;
}): Promise<RunningWorker> {
  // startWorker routes activities by the engine's names; the skeleton's stay on the main queue.
  const running = await startWorker({ ...options, workflowBundle: await workflowBundle() });
  running.done.catch((error: unknown) => console.error(`worker stopped: ${(error as Error).message}`));
  defer(() => withDeadline(running.shutdown(), 30_000, 'worker shutdown'));
  return running;
}

/**
 * A worker for the skeleton alone (its no-op activities stay on the main queue; startWorker would
 * also start provider workers with nothing to run).
 */
export async function runSkeletonWorker(options: {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  activities: SkeletonActivities;
}): Promise<Worker> {
  const worker = await Worker.create({ ...options, workflowBundle: await workflowBundle() });
  const running = worker.run();
  defer(async () => {
    if (worker.getState() === 'RUNNING') worker.shutdown();
    await withDeadline(running, 30_000, 'worker shutdown');
  });
  return worker;
}
