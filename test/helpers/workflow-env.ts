/**
 * One time-skipping test server per workflow test file, with the provider sandbox, a worker running
 * the engine's real activities against it (plus any overrides), and the typed client.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { BillingClient } from '../../client';
import type { EngineActivities } from '../../activities';
import { createTestWorker, sandboxActivities } from './engine';
import { startSandbox, type RunningSandbox } from './sandbox';
import { createTimeSkippingEnv, teardownTimeSkippingEnv } from './temporal';

export interface WorkflowTestEnv {
  env: TestWorkflowEnvironment;
  sandbox: RunningSandbox;
  billing: BillingClient;
  teardown(): Promise<void>;
}

export async function startWorkflowTestEnv(overrides: Partial<EngineActivities> = {}): Promise<WorkflowTestEnv> {
  const env = await createTimeSkippingEnv();
  const sandbox = await startSandbox();
  const { worker, taskQueue } = await createTestWorker(env, {
    ...sandboxActivities(sandbox.url, env.client),
    ...overrides,
  });
  return {
    env,
    sandbox,
    billing: new BillingClient({ client: env.client, taskQueue }),
    teardown: async () => {
      await worker.shutdown();
      await sandbox.close();
      await teardownTimeSkippingEnv(env);
    },
  };
}
