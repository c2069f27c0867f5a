/** /v1/transfers and /v1/payouts over the typed client (billing runs: ./billing-runs.ts); every parameter and body checked with zod first. */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { BillingClient } from '../../client';
import { TRANSFER_STATES } from '../../client/transfers';
import { businessIdSchema, parseInput } from '../../common/validation';
import { parseQuery, queryEnum, queryInteger, querySchema, queryText } from '../problems';

export const transferListQuerySchema = querySchema({
  state: queryEnum('state', TRANSFER_STATES).optional(),
  establishmentId: queryText('establishmentId').pipe(businessIdSchema('establishmentId')).optional(),
  from: queryText('from').optional(),
  to: queryText('to').optional(),
  limit: queryInteger('limit', 1, 1000).optional(),
});
export const payoutListQuerySchema = querySchema({ limit: queryInteger('limit', 1, 1000).optional() });

const transferIdParams = z.object({ id: businessIdSchema('id') });
const cancelBodySchema = z
  .object({ reason: z.string({ error: 'reason must be text' }).max(500, 'reason must be at most 500 characters') })
  .partial()
  .optional();

export function registerTransferRoutes(app: FastifyInstance, client: BillingClient): void {
  // The transfer id is the idempotency key: the same body again answers 200 with the existing
  // transfer, a different body 409. Without executeOn (or with runNow: true) it runs now; a date
  // before today in its zone is a 400 on executeOn.
  app.post('/transfers', async (request, reply) => {
    const scheduled = await client.transfers.schedule(request.body as Parameters<typeof client.transfers.schedule>[0]);
    return reply.code(scheduled.created ? 201 : 200).send(scheduled);
  });
  app.get('/transfers', async (request) => client.transfers.list(parseQuery(transferListQuerySchema, request.query)));
  app.get('/transfers/:id', async (request) =>
    client.transfers.get(parseInput(transferIdParams, request.params, 'path').id),
  );
  app.post('/transfers/:id/cancel', async (request) => {
    const { id } = parseInput(transferIdParams, request.params, 'path');
    const body = parseInput(cancelBodySchema, request.body ?? undefined, 'cancel arguments');
    return client.transfers.cancel(id, body?.reason);
  });

  app.post('/payouts', async (request, reply) => {
    const created = await client.transfers.schedulePayout(
      request.body as Parameters<typeof client.transfers.schedulePayout>[0],
    );
    return reply.code(created.created ? 201 : 200).send(created);
  });
  app.get('/payouts', async (request) =>
    client.transfers.listPayouts(parseQuery(payoutListQuerySchema, request.query).limit),
  );
  app.get('/payouts/:id', async (request) =>
    client.transfers.getPayout(parseInput(transferIdParams, request.params, 'path').id),
  );
  app.delete('/payouts/:id', async (request, reply) => {
    await client.transfers.cancelPayout(parseInput(transferIdParams, request.params, 'path').id);
    return reply.code(204).send();
  });
}
