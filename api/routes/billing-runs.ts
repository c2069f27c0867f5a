/** /v1/billing-runs over the typed client: trigger and follow runs, read and pause the daily schedule. */
import type { FastifyInstance } from 'fastify';
import type { BillingClient } from '../../client';

export function registerBillingRunRoutes(app: FastifyInstance, client: BillingClient): void {
  app.post('/billing-runs', async (_request, reply) =>
    reply.code(202).send({ workflowId: await client.billingRuns.trigger() }),
  );
  // The run's execution status (running, completed, failed, terminated, canceled, timed_out), its
  // progress, and the summary once completed or the reason it ended otherwise; an unknown id is 404.
  app.get<{ Params: { workflowId: string } }>('/billing-runs/:workflowId', async (request) =>
    client.billingRuns.get(request.params.workflowId),
  );
  app.get('/billing-runs/schedule', async () => {
    const description = await client.billingRuns.describe();
    return {
      paused: description.state.paused,
      note: description.state.note,
      nextRuns: description.info.nextActionTimes,
      timezone: description.spec.timezone,
    };
  });
  app.post('/billing-runs/schedule/pause', async () => {
    await client.billingRuns.pause();
    return { paused: true };
  });
  app.post('/billing-runs/schedule/unpause', async () => {
    await client.billingRuns.unpause();
    return { paused: false };
  });
}
