/** The engine's real activities pointed at a test sandbox, and a worker for a test environment. */
import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Client } from '@temporalio/client';
import type { EngineActivities } from '../../activities';
import { createEngineActivities } from '../../worker/activities';
import { loadWorkerConfig } from '../../worker/config';
import { startWorker, type RunningWorker } from '../../worker/run';
import { workflowBundle } from './temporal';

/** The signing secret test merchants are configured with. */
export const TEST_MERCHANT_SECRET = { ref: 'merchant-1', secret: 'whsec_test_secret' };

export function sandboxActivities(
  sandboxUrl: string,
  temporal: Client,
  timeoutMs = 1500,
  env: Record<string, string> = {},
): EngineActivities {
  return createEngineActivities(
    loadWorkerConfig({
      SANDBOX_URL: sandboxUrl,
      PROVIDER_TIMEOUT_MS: String(timeoutMs),
      MERCHANT_WEBHOOK_SECRETS: JSON.stringify({ [TEST_MERCHANT_SECRET.ref]: TEST_MERCHANT_SECRET.secret }),
      ...env,
    }),
    temporal,
  );
}

/** The engine's workers (main and provider queues) on a unique task queue, with the bundled workflows. */
export async function createTestWorker(
  env: TestWorkflowEnvironment,
  activities: Partial<EngineActivities>,
): Promise<{ worker: RunningWorker; taskQueue: string }> {
  const taskQueue = `test-${randomUUID()}`;
  const worker = await startWorker({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    taskQueue,
    workflowBundle: workflowBundle(),
    activities,
  });
  return { worker, taskQueue };
}
