/** /v1/transfers, /v1/payouts and /v1/billing-runs over the typed client. */
import type { FastifyInstance } from 'fastify';
import type { BillingClient } from '../../client';
import { recurringPayoutInputSchema, scheduleTransferInputSchema } from '../../common/transfer';
import { parseInput } from '../../common/validation';

export function registerTransferRoutes(app: FastifyInstance, client: BillingClient): void {
  app.post('/transfers', async (request, reply) =>
    reply
      .code(201)
      .send(await client.transfers.schedule(parseInput(scheduleTransferInputSchema, request.body, 'transfer'))),
  );
  app.get<{ Querystring: { state?: string; establishmentId?: string; from?: string; to?: string; limit?: string } }>(
    '/transfers',
    async (request) => {
      const { state, establishmentId, from, to, limit } = request.query;
      return client.transfers.list({
        state,
        establishmentId,
        from,
        to,
        limit: limit ? Math.min(Number(limit) || 100, 1000) : undefined,
      });
    },
  );
  app.get<{ Params: { id: string } }>('/transfers/:id', async (request) => client.transfers.get(request.params.id));
  app.post<{ Params: { id: string }; Body: { reason?: string } | undefined }>(
    '/transfers/:id/cancel',
    async (request) =>
      client.transfers.cancel(
        request.params.id,
        typeof request.body?.reason === 'string' ? request.body.reason : undefined,
      ),
  );
  app.post('/payouts', async (request, reply) =>
    reply
      .code(201)
      .send(await client.transfers.schedulePayout(parseInput(recurringPayoutInputSchema, request.body, 'payout'))),
  );
}

export function registerBillingRunRoutes(app: FastifyInstance, client: BillingClient): void {
  app.post('/billing-runs', async (_request, reply) =>
    reply.code(202).send({ workflowId: await client.billingRuns.trigger() }),
  );
  app.get<{ Params: { workflowId: string } }>('/billing-runs/:workflowId', async (request) => {
    const progress = await client.billingRuns.progress(request.params.workflowId);
    return progress.phase === 'done'
      ? { progress, summary: await client.billingRuns.result(request.params.workflowId) }
      : { progress };
  });
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
