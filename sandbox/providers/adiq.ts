/**
 * Adiq Recurrence imitation (adiq-recurrence-api.txt), registered under /adiq:
 *   /adiq/auth/...        the token endpoint (HTTP Basic, {"grantType":"client_credentials"}),
 *   /adiq/recurrence/...  plans, subscriptions, billing, notification registrations (Bearer),
 * at the paths of providers/adiq/paths.ts (assumed paths, shared with the client). What the
 * requests must hold and the retry rule come from the document (./adiq-rules.ts).
 *
 * Errors are the documented [{"tag", "description"}] list: 400 for validation (tag = field),
 * 401 for a missing, unknown or expired token ([{"tag":"401","description":"Unauthorized"}]),
 * 402 for a decline scripted on subscription creation or vault change (the document lists 402
 * "Client Error" without saying which calls answer it: we assume the card vault is validated
 * there). Unknown ids answer 400 with the id's field as tag (404 is not among the documented codes).
 *
 * Billing is not clock-driven: POST /adiq/__control/subscriptions/:id/bill runs ONE collection of
 * the subscription with the scripted outcome ('adiq.billing.charge': approve / soft_decline /
 * hard_decline). Teimosinha (the document's rule, teimosinhaRetryOn): a soft decline leaves the
 * billing Opened with a retry 2, 2, 4, 8 days after each failure up to the plan's attempts; retries
 * exhausted => billing Denied, subscription Blocked; a hard decline (canceled card) => billing
 * PaymentInvalid, subscription Blocked, no retry. Every failed attempt POSTs the failure
 * notification, and every attempt the payment status notification, to each Active registration
 * of the plan's merchant.
 *
 * Other control routes (/adiq/__control): POST /token-lifetime {seconds}, POST /tokens/expire,
 * GET /subscriptions[?orderNumber=], GET /billings, GET /plans.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { ADIQ_AUTH_PATHS, ADIQ_RECURRENCE_PATHS as PATHS } from '../../providers/adiq/paths';
import type { SandboxContext } from '../server';
import { collectionsSection } from '../persistence';
import { afterEffect, providerRoutes } from '../route';
import { centsOf } from './money';
import {
  FIXED_INSTALLMENTS,
  FIXED_INTERVAL_DAYS,
  createNotificationBody,
  createPlanBody,
  createSubscriptionBody,
  declineDescription,
  planStatusBody,
  subscriptionStatusBody,
  subscriptionVaultBody,
  teimosinhaRetryOn,
  tokenBody,
  updateNotificationBody,
  updatePlanBody,
  type PlanFields,
} from './adiq-rules';

/** The merchant the sandbox credentials belong to ("captured via authentication"). */
export const ADIQ_SANDBOX_MERCHANT_ID = '01700555550000';
export const ADIQ_DEFAULT_TOKEN_LIFETIME_SECONDS = 1800;
const CREATED_BY = 'admin-api@adiq.com.br';
/** The offset Adiq writes in ExpireAt ("2021-08-20T07:00:00-03:00"). */
const BRAZIL_OFFSET = '-03:00';
const DEFAULT_DECLINE_CODE = { soft: '51', hard: '46' } as const;

type ErrorItem = { tag: string; description: string };
/** What a failed lookup answers: 400 with the id's field as tag, and what was not found. */
type Missing = readonly [tag: string, what: string];

/** A plan as "Search plan per ID" answers it. */
interface StoredPlan {
  merchantId: string;
  name: string;
  description: string;
  amount: number;
  planType: string;
  trialDays: number;
  paymentMethod: string;
  interval: number;
  installments: number;
  status: string;
  attempts: number;
  id: string;
  createdBy: string;
  createdDate: string;
  modifiedBy?: string;
  modifiedDate?: string;
}

interface StoredSubscription {
  id: string;
  vaultId: string;
  orderNumber: string;
  status: string;
  planId: string;
  createdBy: string;
  createdDate: string;
  modifiedBy?: string;
  modifiedDate?: string;
  /** The billing being collected (between teimosinha retries), if any. */
  openBillingId?: string;
}

interface StoredBilling {
  id: string;
  subscriptionId: string;
  status: string;
  /** YYYY-MM-DD; answered as "2020-06-05T00:00:00". */
  expireDate: string;
  amount: number;
  installment: number;
  failures: number;
  nextAttemptOn?: string;
  createdBy: string;
  createdDate: string;
  modifiedBy?: string;
  modifiedDate?: string;
}

/** A notification registration as "Search Notification" answers it. */
interface StoredNotification {
  status: string;
  merchantId: string;
  name: string;
  description: string;
  callbackUrl: string;
  id: string;
  createdBy: string;
  createdDate: string;
  modifiedBy?: string;
  modifiedDate?: string;
}

const lifetimeSchema = z.object({ seconds: z.number().positive().max(86_400) });
const billSchema = z
  .object({
    date: z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}$/, 'date must be YYYY-MM-DD')
      .optional(),
  })
  .optional();

export function registerAdiq(app: FastifyInstance, ctx: SandboxContext): void {
  const tokens = new Map<string, { expiresAt: number; merchantId: string }>();
  const plans = new Map<string, StoredPlan>();
  const subscriptions = new Map<string, StoredSubscription>();
  const billings = new Map<string, StoredBilling>();
  const notifications = new Map<string, StoredNotification>();
  const settings = { tokenLifetimeSeconds: ADIQ_DEFAULT_TOKEN_LIFETIME_SECONDS };
  ctx.onReset(() => {
    tokens.clear();
    plans.clear();
    subscriptions.clear();
    billings.clear();
    notifications.clear();
    settings.tokenLifetimeSeconds = ADIQ_DEFAULT_TOKEN_LIFETIME_SECONDS;
  });
  // Tokens too: a worker that keeps its cached token across a sandbox restart is still authorized.
  ctx.persist('adiq', collectionsSection({ tokens, plans, subscriptions, billings, notifications }, settings));

  /** "2020-04-14T12:21:23.337": the document's date-times carry no offset. */
  const stamp = () => ctx.state.timestamp().slice(0, 23);
  const modified = () => ({ modifiedBy: CREATED_BY, modifiedDate: stamp() });

  // Bodiless PUTs (cancel payment) may come with a client's default form Content-Type: anything not
  // JSON is read as text and then fails the route's validation, instead of a 415.
  app.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) =>
    done(null, body === '' ? undefined : body),
  );

  // Fastify's own errors (unparseable JSON...) in the documented shape too.
  app.setErrorHandler((error: FastifyError, _request, reply) => {
    const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? 400 : 500;
    return sendErrors(reply, status, [{ tag: 'body', description: error.message }]);
  });

  // ---- views -------------------------------------------------------------------------------

  const planView = (plan: StoredPlan) => ({ ...plan });
  const subscriptionView = (s: StoredSubscription) => {
    const plan = plans.get(s.planId);
    if (!plan) throw new Error(`sandbox: subscription ${s.id} refers to unknown plan ${s.planId}`);
    const { openBillingId: _open, planId: _planId, ...rest } = s;
    return { ...rest, plan: planView(plan) };
  };
  const billingView = (b: StoredBilling) => {
    const subscription = subscriptions.get(b.subscriptionId);
    if (!subscription) throw new Error(`sandbox: billing ${b.id} refers to unknown subscription ${b.subscriptionId}`);
    const { subscriptionId: _s, expireDate, failures: _f, nextAttemptOn: _n, ...rest } = b;
    return { ...rest, expireAt: `${expireDate}T00:00:00`, subscription: subscriptionView(subscription) };
  };

  // ---- authentication ----------------------------------------------------------------------

  // The auth host: HTTP Basic with the sandbox's client id and secret.
  const authRoute = providerRoutes(app, ctx, {
    provider: 'adiq',
    param: (raw) => raw ?? '',
    authorize: async (request, reply) => {
      const { clientId, clientSecret } = ctx.options.credentials.adiq;
      const match = /^Basic\s+(\S+)$/i.exec(request.headers.authorization ?? '');
      const decoded = match?.[1] ? Buffer.from(match[1], 'base64').toString('utf8') : '';
      if (decoded === `${clientId}:${clientSecret}`) return clientId;
      await sendErrors(reply, 401, [{ tag: '401', description: 'Unauthorized' }]);
      return undefined;
    },
    invalid: invalidBody,
  });

  authRoute(
    'POST',
    `/auth${ADIQ_AUTH_PATHS.token}`,
    { operation: 'adiq.auth.token', keys: ({ auth }) => [auth], body: tokenBody },
    async ({ reply }) => {
      const accessToken = `sbx.${randomUUID()}`;
      tokens.set(accessToken, {
        expiresAt: ctx.clock.now() + settings.tokenLifetimeSeconds * 1000,
        merchantId: ADIQ_SANDBOX_MERCHANT_ID,
      });
      return afterEffect(() =>
        reply.send({ access_token: accessToken, token_type: 'Bearer', expires_in: settings.tokenLifetimeSeconds }),
      );
    },
  );

  // The recurrence host: the Bearer token's merchant; bodies are checked before any scripted outcome.
  const route = providerRoutes(app, ctx, {
    provider: 'adiq',
    param: (raw) => raw ?? '',
    authorize: async (request: FastifyRequest, reply: FastifyReply) => {
      const match = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '');
      const token = match?.[1] ? tokens.get(match[1]) : undefined;
      if (token && ctx.clock.now() < token.expiresAt) return token.merchantId;
      await sendErrors(reply, 401, [{ tag: '401', description: 'Unauthorized' }]);
      return undefined;
    },
    invalid: invalidBody,
    notFound: (reply, [tag, what]: Missing) =>
      sendErrors(reply, 400, [{ tag, description: `${what} não encontrado.` }]),
    bodyFirst: true,
  });
  const recurrence = <Path extends string>(path: Path) => `/recurrence${path}` as const;

  // ---- plans -------------------------------------------------------------------------------

  const planOf = {
    keys: ({ params }: { params: { planId: string } }) => [params.planId],
    find: {
      load: ({ params }: { params: { planId: string } }) => plans.get(params.planId),
      missing: ['planId', 'Plano'] as const,
    },
  };

  route(
    'POST',
    recurrence(PATHS.plans),
    { operation: 'adiq.plan.create', keys: ({ body }) => [body?.name], body: createPlanBody },
    async ({ body, auth, reply }) => {
      const plan = storePlan(randomUUID(), { ...body, merchantId: body.merchantId ?? auth }, 'Active');
      return afterEffect(() => sendId(reply, plan.id));
    },
  );

  route(
    'GET',
    recurrence(PATHS.plans),
    { operation: 'adiq.plan.search', keys: ({ query }) => [query.name] },
    async ({ query, reply }) => {
      const items = [...plans.values()].filter(
        (p) => (!query.name || contains(p.name, query.name)) && (!query.status || same(p.status, query.status)),
      );
      const page = paginate(items.map(planView), query);
      return afterEffect(() => reply.send(page));
    },
  );

  route('GET', recurrence(PATHS.plan), { operation: 'adiq.plan.get', ...planOf }, async ({ found: plan, reply }) =>
    afterEffect(() => reply.send(planView(plan))),
  );

  route(
    'PUT',
    recurrence(PATHS.plan),
    { operation: 'adiq.plan.update', ...planOf, body: updatePlanBody },
    async ({ found: plan, body, reply }) => {
      storePlan(plan.id, body, plan.status, plan);
      return afterEffect(() => sendId(reply, plan.id));
    },
  );

  route(
    'PUT',
    recurrence(PATHS.planStatus),
    { operation: 'adiq.plan.status', ...planOf, body: planStatusBody },
    async ({ found: plan, body, reply }) => {
      Object.assign(plan, { status: body.status, ...modified() });
      return afterEffect(() => sendId(reply, plan.id));
    },
  );

  function storePlan(id: string, body: PlanFields, status: string, previous?: StoredPlan): StoredPlan {
    const plan: StoredPlan = {
      merchantId: body.merchantId,
      name: body.name,
      description: body.description,
      amount: body.amount,
      planType: body.planType,
      trialDays: body.trialDays ?? 0,
      paymentMethod: body.paymentMethod,
      interval: body.planType === 'Custom' ? (body.interval ?? FIXED_INTERVAL_DAYS) : FIXED_INTERVAL_DAYS,
      installments:
        body.planType === 'Custom'
          ? (body.installments ?? 1)
          : (body.installments ?? FIXED_INSTALLMENTS[body.planType]),
      status,
      attempts: body.attempts ?? 0,
      id,
      createdBy: previous?.createdBy ?? CREATED_BY,
      createdDate: previous?.createdDate ?? stamp(),
      ...(previous ? modified() : {}),
    };
    plans.set(id, plan);
    return plan;
  }

  // ---- subscriptions -----------------------------------------------------------------------

  /** A scripted decline on a vault check: 402 with the return code as tag. */
  const declined = async (reply: FastifyReply, outcome: { type: string; code?: string }): Promise<boolean> => {
    if (outcome.type !== 'soft_decline' && outcome.type !== 'hard_decline') return false;
    const code = outcome.code ?? DEFAULT_DECLINE_CODE[outcome.type === 'soft_decline' ? 'soft' : 'hard'];
    await sendErrors(reply, 402, [{ tag: code, description: declineDescription(code) }]);
    return true;
  };
  const subscriptionOf = {
    keys: ({ params }: { params: { subscriptionId: string } }) => [params.subscriptionId],
    find: {
      load: ({ params }: { params: { subscriptionId: string } }) => subscriptions.get(params.subscriptionId),
      missing: ['subscriptionId', 'Assinatura'] as const,
    },
  };

  route(
    'POST',
    recurrence(PATHS.subscriptions),
    {
      operation: 'adiq.subscription.create',
      keys: ({ body }) => [body?.planId, body?.vaultId, body?.orderNumber],
      body: createSubscriptionBody,
      find: { load: ({ body }) => plans.get(body?.planId ?? ''), missing: ['planId', 'Plano'] },
    },
    async ({ found: plan, body, outcome, reply }) => {
      if (plan.status !== 'Active')
        return sendErrors(reply, 400, [{ tag: 'planId', description: 'Plano não está ativo.' }]);
      if (await declined(reply, outcome)) return reply;
      const subscription: StoredSubscription = {
        id: randomUUID(),
        vaultId: body.vaultId,
        orderNumber: body.orderNumber,
        status: 'Active',
        planId: plan.id,
        createdBy: CREATED_BY,
        createdDate: stamp(),
      };
      subscriptions.set(subscription.id, subscription);
      return afterEffect(() => sendId(reply, subscription.id));
    },
  );

  route(
    'GET',
    recurrence(PATHS.subscriptions),
    { operation: 'adiq.subscription.search', keys: ({ query }) => [query.planName] },
    async ({ query, reply }) => {
      const items = [...subscriptions.values()]
        .map(subscriptionView)
        .filter(
          (s) =>
            (!query.planName || contains(s.plan.name, query.planName)) &&
            (!query.status || same(s.status, query.status)),
        );
      const page = paginate(items, query);
      return afterEffect(() => reply.send(page));
    },
  );

  route(
    'GET',
    recurrence(PATHS.subscription),
    { operation: 'adiq.subscription.get', ...subscriptionOf },
    async ({ found: subscription, reply }) => afterEffect(() => reply.send(subscriptionView(subscription))),
  );

  route(
    'PUT',
    recurrence(PATHS.subscriptionStatus),
    { operation: 'adiq.subscription.status', ...subscriptionOf, body: subscriptionStatusBody },
    async ({ found: subscription, body, reply }) => {
      const status = body.status === 'Canceled' ? 'Canceled' : 'Active';
      if (subscription.status === 'Canceled' && status !== 'Canceled') {
        return sendErrors(reply, 400, [{ tag: 'status', description: 'Assinatura cancelada não pode ser reativada.' }]);
      }
      Object.assign(subscription, { status, ...modified() });
      return afterEffect(() => sendId(reply, subscription.id));
    },
  );

  route(
    'PUT',
    recurrence(PATHS.subscriptionVault),
    {
      operation: 'adiq.subscription.vault',
      keys: ({ params, body }) => [params.subscriptionId, body?.vaultId],
      find: subscriptionOf.find,
      body: subscriptionVaultBody,
    },
    async ({ found: subscription, body, outcome, reply }) => {
      if (await declined(reply, outcome)) return reply;
      Object.assign(subscription, { vaultId: body.vaultId, ...modified() });
      return afterEffect(() => sendId(reply, subscription.id));
    },
  );

  // ---- billing -----------------------------------------------------------------------------

  route(
    'GET',
    recurrence(PATHS.billings),
    { operation: 'adiq.billing.search', keys: ({ query }) => [query.Mid] },
    async ({ query, reply }) => {
      const from = query.ExpirationDateRangeStartDate;
      const to = query.ExpirationDateRangeEndDate;
      const items = [...billings.values()]
        .filter(
          (b) =>
            (!query.status || same(b.status, query.status)) &&
            (!from || b.expireDate >= from) &&
            (!to || b.expireDate <= to),
        )
        .map(billingView)
        .filter((b) => !query.Mid || b.subscription.plan.merchantId === query.Mid);
      const page = paginate(items, query);
      return afterEffect(() => reply.send(page));
    },
  );

  route(
    'PUT',
    recurrence(PATHS.billingCancel),
    {
      operation: 'adiq.billing.cancel',
      keys: ({ params }) => [params.billingId],
      find: { load: ({ params }) => billings.get(params.billingId), missing: ['billingId', 'Pagamento'] },
    },
    async ({ found: billing, reply }) => {
      // "To cancel a payment that has not yet been made".
      if (billing.status !== 'Opened') {
        return sendErrors(reply, 400, [
          { tag: 'billingId', description: `Pagamento com status ${billing.status} não pode ser cancelado.` },
        ]);
      }
      Object.assign(billing, { status: 'Canceled', nextAttemptOn: undefined, ...modified() });
      const subscription = subscriptions.get(billing.subscriptionId);
      if (subscription?.openBillingId === billing.id) subscription.openBillingId = undefined;
      return afterEffect(() => sendId(reply, billing.id));
    },
  );

  // ---- notification registrations ------------------------------------------------------------

  route(
    'POST',
    recurrence(PATHS.notifications),
    {
      operation: 'adiq.notification.create',
      keys: ({ body }) => [body?.merchantId, body?.name],
      body: createNotificationBody,
    },
    async ({ body, reply }) => {
      const notification: StoredNotification = {
        status: 'Active',
        ...body,
        id: randomUUID(),
        createdBy: 'adiq',
        createdDate: stamp(),
      };
      notifications.set(notification.id, notification);
      return afterEffect(() => sendId(reply, notification.id));
    },
  );

  route(
    'GET',
    recurrence(PATHS.notifications),
    { operation: 'adiq.notification.search', keys: ({ query }) => [query.merchantId, query.name] },
    async ({ query, reply }) => {
      const items = [...notifications.values()].filter(
        (n) =>
          (!query.merchantId || n.merchantId === query.merchantId) &&
          (!query.name || contains(n.name, query.name)) &&
          (!query.status || same(n.status, query.status)),
      );
      return afterEffect(() => reply.send(items));
    },
  );

  route(
    'PUT',
    recurrence(PATHS.notification),
    {
      operation: 'adiq.notification.update',
      keys: ({ params, body }) => [params.merchantId, body?.name],
      body: updateNotificationBody,
      // Keyed by merchant (the document's path parameter): the merchant's latest registration.
      find: {
        load: ({ params }) => [...notifications.values()].filter((n) => n.merchantId === params.merchantId).at(-1),
        missing: ['merchantId', 'Notificação'],
      },
    },
    async ({ found: notification, body, reply }) => {
      Object.assign(notification, {
        name: body.name,
        description: body.description,
        callbackUrl: body.callbackUrl,
        status: body.status,
        modifiedBy: 'Adiq',
        modifiedDate: stamp(),
      });
      return afterEffect(() => reply.send(notification));
    },
  );

  // ---- control -----------------------------------------------------------------------------

  app.post('/__control/token-lifetime', async (request, reply) => {
    const parsed = lifetimeSchema.safeParse(request.body);
    if (!parsed.success)
      return reply.code(400).send({ message: 'Expected { seconds: number }', issues: parsed.error.issues });
    settings.tokenLifetimeSeconds = parsed.data.seconds;
    return reply.send({ seconds: settings.tokenLifetimeSeconds });
  });

  app.post('/__control/tokens/expire', async (_request, reply) => {
    const now = ctx.clock.now();
    for (const token of tokens.values()) token.expiresAt = Math.min(token.expiresAt, now);
    return reply.send({ expired: tokens.size });
  });

  app.get('/__control/plans', async () => [...plans.values()]);
  app.get<{ Querystring: { orderNumber?: string } }>('/__control/subscriptions', async (request) => {
    const { orderNumber } = request.query;
    return [...subscriptions.values()].filter((s) => !orderNumber || s.orderNumber === orderNumber);
  });
  app.get('/__control/billings', async () => [...billings.values()]);

  app.post<{ Params: { subscriptionId: string } }>(
    '/__control/subscriptions/:subscriptionId/bill',
    async (request, reply) => {
      const { subscriptionId } = request.params;
      const parsed = billSchema.safeParse(request.body);
      if (!parsed.success)
        return reply.code(400).send({ message: 'Expected { date?: "YYYY-MM-DD" }', issues: parsed.error.issues });
      const subscription = subscriptions.get(subscriptionId);
      const plan = subscription && plans.get(subscription.planId);
      if (!subscription || !plan) return reply.code(404).send({ message: `No subscription ${subscriptionId}` });
      if (subscription.status !== 'Active') {
        return reply
          .code(409)
          .send({ message: `Subscription ${subscriptionId} is ${subscription.status}: nothing is billed` });
      }
      const outcome = ctx.take(request, 'adiq', 'adiq.billing.charge', [
        subscription.id,
        subscription.orderNumber,
        plan.id,
        subscription.vaultId,
      ]);
      if (await ctx.interrupt(reply, outcome, 'before')) return reply;
      const date = parsed.data?.date ?? ctx.state.timestamp().slice(0, 10);
      const billing = openOrNewBilling(subscription, plan, date);
      const result = await collect(subscription, plan, billing, outcome, date);
      if (await ctx.interrupt(reply, outcome, 'after')) return reply;
      return reply.send({
        outcome: result.kind,
        billing: billingView(billing),
        subscription: subscriptionView(subscription),
        retryOn: billing.nextAttemptOn ?? null,
        notificationsSent: result.notificationsSent,
      });
    },
  );

  function openOrNewBilling(subscription: StoredSubscription, plan: StoredPlan, date: string): StoredBilling {
    const open = subscription.openBillingId ? billings.get(subscription.openBillingId) : undefined;
    if (open && open.status === 'Opened') return open;
    const installment = [...billings.values()].filter((b) => b.subscriptionId === subscription.id).length + 1;
    const billing: StoredBilling = {
      id: randomUUID(),
      subscriptionId: subscription.id,
      status: 'Opened',
      expireDate: date,
      amount: plan.amount,
      installment,
      failures: 0,
      createdBy: CREATED_BY,
      createdDate: stamp(),
    };
    billings.set(billing.id, billing);
    subscription.openBillingId = billing.id;
    return billing;
  }

  /** One collection attempt with its effects: billing, subscription, ledger, notifications. */
  async function collect(
    subscription: StoredSubscription,
    plan: StoredPlan,
    billing: StoredBilling,
    outcome: { type: string; code?: string },
    date: string,
  ): Promise<{ kind: 'paid' | 'retry_scheduled' | 'blocked'; notificationsSent: number }> {
    const changed = modified();
    const decline = outcome.type === 'soft_decline' ? 'soft' : outcome.type === 'hard_decline' ? 'hard' : undefined;
    if (!decline) {
      Object.assign(billing, { status: 'Paid', nextAttemptOn: undefined, ...changed });
      subscription.openBillingId = undefined;
      ctx.state.record({
        provider: 'adiq',
        kind: 'charge',
        amountCents: centsOf(billing.amount) ?? 0,
        reference: subscription.orderNumber,
        providerId: billing.id,
        customer: subscription.vaultId,
        description: `subscription ${subscription.id} installment ${billing.installment}`,
      });
      const sent = await notify(plan.merchantId, [
        statusPayload(subscription, billing, '200', 'Pagamento aprovado', stamp()),
      ]);
      return { kind: 'paid', notificationsSent: sent };
    }
    const code = outcome.code ?? DEFAULT_DECLINE_CODE[decline];
    const description = declineDescription(code);
    billing.failures += 1;
    // Teimosinha: only lack of balance is retried; a canceled card blocks at once.
    const retryOn = decline === 'soft' ? teimosinhaRetryOn(date, billing.failures, plan.attempts) : undefined;
    if (retryOn) {
      Object.assign(billing, { nextAttemptOn: retryOn, ...changed });
    } else {
      Object.assign(billing, {
        status: decline === 'hard' ? 'PaymentInvalid' : 'Denied',
        nextAttemptOn: undefined,
        ...changed,
      });
      Object.assign(subscription, { status: 'Blocked', openBillingId: undefined, ...changed });
    }
    const sent = await notify(plan.merchantId, [
      {
        SubscriptionId: subscription.id,
        PlanId: plan.id,
        OrderNumber: subscription.orderNumber,
        BillingId: billing.id,
        ExpireAt: `${billing.expireDate}T00:00:00${BRAZIL_OFFSET}`,
        ErrorCode: code,
        ErrorMessage: description,
      },
      statusPayload(subscription, billing, code, description, stamp()),
    ]);
    return { kind: retryOn ? 'retry_scheduled' : 'blocked', notificationsSent: sent };
  }

  /** POSTs each payload to every Active registration of the merchant; answers how many were sent. */
  async function notify(merchantId: string, payloads: unknown[]): Promise<number> {
    let sent = 0;
    for (const registration of notifications.values()) {
      if (registration.merchantId !== merchantId || registration.status !== 'Active') continue;
      for (const payload of payloads) {
        await ctx.sendWebhook('adiq', registration.callbackUrl, payload);
        sent += 1;
      }
    }
    return sent;
  }
}

/** "Payment Notifications": the example's camelCase fields; statusCode "200" = paid. */
function statusPayload(
  subscription: StoredSubscription,
  billing: StoredBilling,
  statusCode: string,
  statusDescription: string,
  stamp: string,
) {
  return {
    paymentId: randomUUID(),
    checkoutOrderNumber: subscription.orderNumber,
    orderNumber: subscription.orderNumber,
    subscriptionId: subscription.id,
    billingId: billing.id,
    statusDescription,
    statusCode,
    date: stamp.slice(0, 19),
    paymentMethod: 'CreditCard',
  };
}

/** A body that does not fit: one item per problem, the field as tag. */
function invalidBody(reply: FastifyReply, error: z.ZodError): FastifyReply {
  return sendErrors(
    reply,
    400,
    error.issues.map((issue) => ({
      tag: issue.path.length ? issue.path.map(String).join('.') : 'body',
      description: issue.message,
    })),
  );
}

/** Creates and updates answer the id as a bare JSON string. */
function sendId(reply: FastifyReply, id: string): FastifyReply {
  return reply.header('Content-Type', 'application/json; charset=utf-8').send(JSON.stringify(id));
}

function sendErrors(reply: FastifyReply, status: number, items: ErrorItem[]): FastifyReply {
  return reply.code(status).header('Content-Type', 'application/json; charset=utf-8').send(items);
}

function contains(value: string, part: string): boolean {
  return value.toLowerCase().includes(part.toLowerCase());
}

/** Status filters ignore case and spaces ("Payment Invalid" = "PaymentInvalid"). */
function same(value: string, filter: string): boolean {
  const norm = (s: string) => s.replace(/\s+/g, '').toLowerCase();
  return norm(value) === norm(filter);
}

/** { items, page, limit, total } with 1-based pages (default page 1, limit 10). */
function paginate<T>(items: T[], query: Readonly<Record<string, string | undefined>>) {
  const page = Math.max(1, Number.parseInt(query.page ?? '1', 10) || 1);
  const limit = Math.max(1, Number.parseInt(query.limit ?? '10', 10) || 10);
  return { items: items.slice((page - 1) * limit, page * limit), page, limit, total: items.length };
}
