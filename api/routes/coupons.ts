/** /v1/coupons over the typed client: the coupon catalog (README, "Plan changes, proration and coupons"). */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { BillingClient } from '../../client';
import { businessIdSchema, parseInput } from '../../common/validation';
import { parseQuery, queryInteger, querySchema } from '../problems';

export const couponListQuerySchema = querySchema({ limit: queryInteger('limit', 1, 1000).optional() });
const couponCodeParams = z.object({ code: businessIdSchema('code') });

export function registerCouponRoutes(app: FastifyInstance, client: BillingClient): void {
  // The code is the idempotency key: the same terms again answer 200, other terms 409.
  app.post('/coupons', async (request, reply) => {
    const created = await client.coupons.create(request.body as Parameters<typeof client.coupons.create>[0]);
    return reply.code(created.created ? 201 : 200).send(created);
  });
  app.get('/coupons', async (request) => client.coupons.list(parseQuery(couponListQuerySchema, request.query)));
  app.get('/coupons/:code', async (request) =>
    client.coupons.get(parseInput(couponCodeParams, request.params, 'path').code),
  );
}
