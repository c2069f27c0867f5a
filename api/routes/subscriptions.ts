/** /v1/subscriptions: JSON over the typed client's subscription API. */
import type { FastifyInstance } from 'fastify';
import type { BillingClient } from '../../client';
import type { SubscriptionOperation } from '../../client/subscriptions';
import type { SubscriptionStatus } from '../../common/subscription/model';
import { createSubscriptionInputSchema } from '../../common/subscription/input';
import { parseInput } from '../../common/validation';

type IdParams = { Params: { id: string } };

/** Operations that take no arguments, and those that take a JSON body, by URL verb. */
const PLAIN_OPERATIONS = ['suspend', 'reactivate', 'retry-now', 'skip-next-retry'] as const;
const BODY_OPERATIONS = [
  'cancel',
  'change-next-charge-date',
  'change-payment-method',
  'change-plan',
  'extend-grace',
  'link-external-payment',
] as const;

export function registerSubscriptionRoutes(app: FastifyInstance, client: BillingClient): void {
  const subscriptions = client.subscriptions;

  app.post('/subscriptions', async (request, reply) =>
    reply
      .code(201)
      .send(await subscriptions.create(parseInput(createSubscriptionInputSchema, request.body, 'subscription'))),
  );

  app.get<{ Querystring: { status?: SubscriptionStatus; customerId?: string; planId?: string; limit?: string } }>(
    '/subscriptions',
    async (request) => {
      const { status, customerId, planId, limit } = request.query;
      return subscriptions.list({
        status,
        customerId,
        planId,
        limit: limit ? Math.min(Number(limit) || 100, 1000) : undefined,
      });
    },
  );

  app.get<IdParams>('/subscriptions/:id', async (request) => subscriptions.get(request.params.id));
  app.get<IdParams>('/subscriptions/:id/invoices', async (request) => subscriptions.invoices(request.params.id));
  app.get<IdParams & { Querystring: { count?: string } }>('/subscriptions/:id/forecast', async (request) =>
    subscriptions.forecast(request.params.id, request.query.count ? Number(request.query.count) : undefined),
  );

  const plain = {
    suspend: (id: string) => subscriptions.suspend(id),
    reactivate: (id: string) => subscriptions.reactivate(id),
    'retry-now': (id: string) => subscriptions.retryNow(id),
    'skip-next-retry': (id: string) => subscriptions.skipNextRetry(id),
  } satisfies Record<(typeof PLAIN_OPERATIONS)[number], (id: string) => Promise<unknown>>;
  for (const operation of PLAIN_OPERATIONS) {
    app.post<IdParams>(`/subscriptions/:id/${operation}`, async (request) => plain[operation](request.params.id));
  }

  const withBody = {
    cancel: 'cancel',
    'change-next-charge-date': 'changeNextChargeDate',
    'change-payment-method': 'changePaymentMethod',
    'change-plan': 'changePlan',
    'extend-grace': 'extendGrace',
    'link-external-payment': 'linkExternalPayment',
  } as const satisfies Record<(typeof BODY_OPERATIONS)[number], SubscriptionOperation>;
  for (const operation of BODY_OPERATIONS) {
    app.post<IdParams>(`/subscriptions/:id/${operation}`, async (request) =>
      subscriptions.operate(request.params.id, withBody[operation], request.body ?? {}),
    );
  }
}
