/** The task queue the engine's workers poll; one queue, configurable for side-by-side deployments. */
export const DEFAULT_TASK_QUEUE = 'billing-engine';

export function taskQueue(env: NodeJS.ProcessEnv = process.env): string {
  return env.BILLING_TASK_QUEUE || DEFAULT_TASK_QUEUE;
}
