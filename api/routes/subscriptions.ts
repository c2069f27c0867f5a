/**
 * /v1/subscriptions: JSON over the typed client's subscription API. Every path parameter, query
 * parameter and body is checked with zod before anything reaches Temporal: a malformed one is a
 * 400 problem document naming the field.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { BillingClient } from '../../client';
import { SUBSCRIPTION_STATUSES, type SubscriptionOperation } from '../../client/subscriptions';
import { businessIdSchema, parseInput } from '../../common/validation';
import { parseQuery, queryEnum, queryInteger, querySchema, queryText } from '../problems';

/** Operations that take no arguments, and those that take a JSON body, by URL verb. */
const PLAIN_OPERATIONS = ['suspend', 'reactivate', 'retry-now', 'skip-next-retry'] as const;
const BODY_OPERATIONS = [
  'cancel',
  'change-next-charge-date',
  'change-payment-method',
  'change-plan',
  'apply-coupon',
  'extend-grace',
  'link-external-payment',
  'refund',
] as const;

const idParamsSchema = z.object({ id: businessIdSchema('id') });
const parseId = (params: unknown) => parseInput(idParamsSchema, params, 'path').id;

export const subscriptionListQuerySchema = querySchema({
  status: queryEnum('status', SUBSCRIPTION_STATUSES).optional(),
  customerId: queryText('customerId').pipe(businessIdSchema('customerId')).optional(),
  planId: queryText('planId').pipe(businessIdSchema('planId')).optional(),
  limit: queryInteger('limit', 1, 1000).optional(),
});

export const forecastQuerySchema = querySchema({ count: queryInteger('count', 1, 36).optional() });
const noQuery = querySchema({});

export function registerSubscriptionRoutes(app: FastifyInstance, client: BillingClient): void {
  const subscriptions = client.subscriptions;

  // The subscription id is the idempotency key: the same body again answers 200 with the existing
  // subscription (a retry after a dropped connection), a different body for the id 409.
  app.post('/subscriptions', async (request, reply) => {
    parseQuery(noQuery, request.query);
    const created = await subscriptions.create(request.body as Parameters<typeof subscriptions.create>[0]);
    return reply.code(created.created ? 201 : 200).send(created);
  });

  app.get('/subscriptions', async (request) =>
    subscriptions.list(parseQuery(subscriptionListQuerySchema, request.query)),
  );

  app.get('/subscriptions/:id', async (request) => {
    parseQuery(noQuery, request.query);
    return subscriptions.get(parseId(request.params));
  });
  app.get('/subscriptions/:id/invoices', async (request) => {
    parseQuery(noQuery, request.query);
    return subscriptions.invoices(parseId(request.params));
  });
  app.get('/subscriptions/:id/forecast', async (request) => {
    const { count } = parseQuery(forecastQuerySchema, request.query);
    return subscriptions.forecast(parseId(request.params), count);
  });

  const plain = {
    suspend: (id: string) => subscriptions.suspend(id),
    reactivate: (id: string) => subscriptions.reactivate(id),
    'retry-now': (id: string) => subscriptions.retryNow(id),
    'skip-next-retry': (id: string) => subscriptions.skipNextRetry(id),
  } satisfies Record<(typeof PLAIN_OPERATIONS)[number], (id: string) => Promise<unknown>>;
  for (const operation of PLAIN_OPERATIONS) {
    app.post(`/subscriptions/:id/${operation}`, async (request) => plain[operation](parseId(request.params)));
  }

  const withBody = {
    cancel: 'cancel',
    'change-next-charge-date': 'changeNextChargeDate',
    'change-payment-method': 'changePaymentMethod',
    'change-plan': 'changePlan',
    'apply-coupon': 'applyCoupon',
    'extend-grace': 'extendGrace',
    'link-external-payment': 'linkExternalPayment',
    refund: 'refund',
  } as const satisfies Record<(typeof BODY_OPERATIONS)[number], SubscriptionOperation>;
  for (const operation of BODY_OPERATIONS) {
    app.post(`/subscriptions/:id/${operation}`, async (request) =>
      subscriptions.operate(parseId(request.params), withBody[operation], request.body ?? {}),
    );
  }
}
