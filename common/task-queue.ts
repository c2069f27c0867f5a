/** The task queue the engine's workers poll; one queue, configurable for side-by-side deployments. */
export const DEFAULT_TASK_QUEUE = 'billing-engine';

export function taskQueue(env: NodeJS.ProcessEnv = process.env): string {
  return env.BILLING_TASK_QUEUE || DEFAULT_TASK_QUEUE;
}

/**
 * Provider calls run on a task queue of their own (`<queue>-zspay`...), so each provider's pace is
 * enforced by the Temporal server across every worker process (`maxTaskQueueActivitiesPerSecond`),
 * before a request is sent. The engine's own activities (billing runs, merchant callbacks to many
 * hosts, configuration checks) stay on the main queue.
 */
export const PROVIDER_QUEUES = ['zspay', 'adiq', 'activeplatform', 'zapsign', 'payment-status'] as const;
export type ProviderQueue = (typeof PROVIDER_QUEUES)[number];

export function providerTaskQueue(mainQueue: string, provider: ProviderQueue): string {
  return `${mainQueue}-${provider}`;
}
