/**
 * Activities proxied onto their provider's task queue (`<this workflow's queue>-zspay`...), where the
 * Temporal server paces them (see worker/run.ts). Call inside a workflow: the queue name follows the
 * workflow's own.
 */
import { proxyActivities, workflowInfo, type ActivityOptions } from '@temporalio/workflow';
import type { EngineActivities } from '../activities';
import { providerTaskQueue, type ProviderQueue } from '../common/task-queue';

export function providerActivities(provider: ProviderQueue, options: ActivityOptions) {
  return proxyActivities<EngineActivities>({
    ...options,
    taskQueue: providerTaskQueue(workflowInfo().taskQueue, provider),
  });
}
