/**
 * ActivePlatform imitation (activeplatform-complete-reseller-payment.txt): JSON:API media types
 * enforced, the manager token (X-Api-Token) reaching its reseller and the downstream ones, reseller
 * payments in memory, and the documented 422 for payments not waiting for payment / expired.
 *
 * Errors use the document's own shape, `{"errors": {"title", "status"}}` (one object, not the
 * JSON:API array). Not documented and chosen here: 401 for a missing/unknown token, 404 for an
 * unreachable reseller or unknown payment (existence is not revealed), 400 with a source pointer
 * for a bad body, 415/406 for wrong media types (as JSON:API servers answer).
 *
 * Control routes (under /activeplatform/__control): POST /resellers {resellerId, parentId},
 * POST /tokens {token, resellerId}, POST /payments {resellerId, paymentId, status, total, ...},
 * GET /payments/:resellerId/:paymentId, POST /payment-reads {allowed}: `false` makes the GET of a
 * payment answer 405 Method Not Allowed (the document defines only the PATCH; a provider may well
 * refuse the read the engine uses after a lost answer). Reset allows reads again.
 */
import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { centsOf } from './money';
import type { SandboxContext } from '../server';
import { collectionsSection } from '../persistence';
import { afterEffect, providerRoutes } from '../route';

const MEDIA_TYPE = 'application/vnd.api+json';
const ROOT_RESELLER = '1';
const PAYMENT_METHOD_NAMES: Record<number, string> = { 1: 'Bank transfer', 2: 'Cash', 3: 'Credit card' };

interface StoredPayment {
  id: string;
  resellerId: string;
  status: string;
  total: string;
  discountAmount: string;
  accountId: number;
  paymentMethodId: number | null;
  comment: string;
  createdAt: string;
  updatedAt: string;
  closedAt: string | null;
  expirationDate: string | null;
}

const numericId = z.union([z.int().positive(), z.string().regex(/^\d+$/)]).transform(String);

const seedPaymentSchema = z.object({
  resellerId: numericId,
  paymentId: numericId,
  status: z.string().min(1),
  total: z.string().regex(/^\d+(\.\d+)?$/, { error: 'total must be a decimal string in reais, e.g. "360.0"' }),
  discountAmount: z.string().optional(),
  accountId: z.int().positive().optional(),
  paymentMethodId: z.int().positive().nullable().optional(),
  comment: z.string().optional(),
  expirationDate: z.string().nullable().optional(),
});
const seedResellerSchema = z.object({ resellerId: numericId, parentId: numericId.nullable() });
const seedTokenSchema = z.object({ token: z.string().min(1), resellerId: numericId });

const completeBodySchema = z.object({
  data: z.object({ attributes: z.object({ payment_method_id: z.int().positive() }) }),
});

export function registerActivePlatform(app: FastifyInstance, ctx: SandboxContext): void {
  const payments = new Map<string, StoredPayment>();
  /** reseller id -> parent id (null for a root). */
  const resellers = new Map<string, string | null>();
  /** manager token -> the manager's reseller. */
  const tokens = new Map<string, string>();
  /** Whether GET .../payments/:id is served (see POST /__control/payment-reads). */
  let paymentReadsAllowed = true;
  const initialise = () => {
    paymentReadsAllowed = true;
    payments.clear();
    resellers.clear();
    tokens.clear();
    resellers.set(ROOT_RESELLER, null);
    tokens.set(ctx.options.credentials.activeplatform.apiToken, ROOT_RESELLER);
  };
  initialise();
  ctx.onReset(initialise);
  ctx.persist('activeplatform', collectionsSection({ payments, resellers, tokens }));

  const key = (resellerId: string, paymentId: string) => `${resellerId}/${paymentId}`;

  /** The token's reseller, or any reseller below it. */
  const reachable = (token: string, resellerId: string): boolean => {
    const own = tokens.get(token);
    if (own === undefined) return false;
    const seen = new Set<string>();
    for (
      let current: string | null | undefined = resellerId;
      current != null && !seen.has(current);
      current = resellers.get(current)
    ) {
      if (current === own) return true;
      seen.add(current);
    }
    return false;
  };

  // Every error of this provider, including Fastify's own (bad JSON, unknown media type), in the documented shape.
  app.setErrorHandler((error: FastifyError, _request, reply) => {
    const status = error.statusCode && error.statusCode >= 400 ? error.statusCode : 500;
    return sendError(reply, status, status === 415 ? 'Unsupported Media Type' : error.message);
  });

  // ---- control ----------------------------------------------------------------------------
  app.post('/__control/resellers', async (request, reply) => {
    const parsed = seedResellerSchema.safeParse(request.body);
    if (!parsed.success) return reply.code(400).send({ message: 'Invalid reseller', issues: parsed.error.issues });
    resellers.set(parsed.data.resellerId, parsed.data.parentId);
    return reply.code(201).send(parsed.data);
  });
  app.post('/__control/tokens', async (request, reply) => {
    const parsed = seedTokenSchema.safeParse(request.body);
    if (!parsed.success) return reply.code(400).send({ message: 'Invalid token', issues: parsed.error.issues });
    tokens.set(parsed.data.token, parsed.data.resellerId);
    return reply.code(201).send({ resellerId: parsed.data.resellerId });
  });
  app.post('/__control/payments', async (request, reply) => {
    const parsed = seedPaymentSchema.safeParse(request.body);
    if (!parsed.success) return reply.code(400).send({ message: 'Invalid payment', issues: parsed.error.issues });
    const seed = parsed.data;
    // An unknown reseller is created below the root, so the default token reaches it.
    if (!resellers.has(seed.resellerId)) resellers.set(seed.resellerId, ROOT_RESELLER);
    const now = ctx.state.timestamp();
    const payment: StoredPayment = {
      id: seed.paymentId,
      resellerId: seed.resellerId,
      status: seed.status,
      total: seed.total,
      discountAmount: seed.discountAmount ?? '0.0',
      accountId: seed.accountId ?? 502,
      paymentMethodId: seed.paymentMethodId ?? null,
      comment: seed.comment ?? `Payment ${seed.paymentId}`,
      createdAt: now,
      updatedAt: now,
      closedAt: seed.status === 'completed' ? now : null,
      expirationDate: seed.expirationDate ?? null,
    };
    payments.set(key(seed.resellerId, seed.paymentId), payment);
    return reply.code(201).send(payment);
  });
  app.post('/__control/payment-reads', async (request, reply) => {
    const parsed = z.object({ allowed: z.boolean() }).safeParse(request.body);
    if (!parsed.success) return reply.code(400).send({ message: 'Expected { allowed: boolean }' });
    paymentReadsAllowed = parsed.data.allowed;
    return reply.send({ allowed: paymentReadsAllowed });
  });
  app.get<{ Params: { resellerId: string; paymentId: string } }>(
    '/__control/payments/:resellerId/:paymentId',
    async (request, reply) => {
      const { resellerId, paymentId } = request.params;
      const payment = payments.get(key(resellerId, paymentId));
      return payment ? reply.send(payment) : reply.code(404).send({ message: 'No such payment' });
    },
  );

  // ---- provider ---------------------------------------------------------------------------
  const route = providerRoutes(app, ctx, {
    provider: 'activeplatform',
    param: (raw) => raw ?? '',
    // Media types, then the manager token, which is the caller's identity: it decides which
    // resellers (its own and the downstream ones) are reachable.
    authorize: async (request, reply) => {
      if (request.method === 'PATCH' && !isJsonApiContentType(request.headers['content-type'])) {
        await sendError(reply, 415, `Content-Type must be ${MEDIA_TYPE}`);
        return undefined;
      }
      if (!acceptsJsonApi(request.headers.accept)) {
        await sendError(reply, 406, `Accept must include ${MEDIA_TYPE}`);
        return undefined;
      }
      const token = request.headers['x-api-token'];
      if (typeof token !== 'string' || !tokens.has(token)) {
        await sendError(reply, 401, 'Unauthorized: invalid or missing X-Api-Token');
        return undefined;
      }
      return token;
    },
    invalid: (reply) =>
      sendError(
        reply,
        400,
        'payment_method_id is required and must be a positive integer',
        '/data/attributes/payment_method_id',
      ),
    notFound: (reply, _what: string) => sendError(reply, 404, 'Record not found'),
  });
  const paymentOf = {
    keys: ({ params }: { params: { resellerId: string; paymentId: string } }) => [params.resellerId, params.paymentId],
    // An unreachable reseller's payment is not found either: existence is not revealed.
    find: {
      load: ({ params, auth }: { params: { resellerId: string; paymentId: string }; auth: string }) =>
        reachable(auth, params.resellerId) ? payments.get(key(params.resellerId, params.paymentId)) : undefined,
      missing: 'payment',
    },
  };

  route(
    'GET',
    '/api/v3/resellers/:resellerId/payments/:paymentId',
    {
      operation: 'activeplatform.payment.get',
      ...paymentOf,
      // Switched off, the GET the document does not define is refused before any scripted outcome.
      refuse: (_request, reply) =>
        paymentReadsAllowed ? undefined : sendError(reply.header('Allow', 'PATCH'), 405, 'Method Not Allowed'),
    },
    async ({ found: payment, reply }) =>
      afterEffect(() => reply.header('Content-Type', MEDIA_TYPE).send(paymentDocument(payment))),
  );

  route(
    'PATCH',
    '/api/v3/resellers/:resellerId/payments/:paymentId',
    { operation: 'activeplatform.payment.complete', ...paymentOf, body: completeBodySchema },
    async ({ found: payment, body, reply }) => {
      // The document: only Waiting for payment and Expired payments can be completed.
      if (payment.status !== 'waiting_for_payment' && payment.status !== 'expired') {
        return sendError(reply, 422, 'Only payments with "waiting for payment/expired" status can be completed.');
      }
      const now = ctx.state.timestamp();
      Object.assign(payment, {
        status: 'completed',
        paymentMethodId: body.data.attributes.payment_method_id,
        updatedAt: now,
        closedAt: now,
      });
      ctx.state.record({
        provider: 'activeplatform',
        kind: 'completion',
        amountCents: centsOf(payment.total) ?? 0,
        reference: payment.id,
        providerId: payment.id,
        customer: String(payment.accountId),
        description: `reseller ${payment.resellerId} payment ${payment.id} completed with method ${payment.paymentMethodId}`,
      });
      return afterEffect(() => reply.header('Content-Type', MEDIA_TYPE).send(paymentDocument(payment)));
    },
  );
}

function sendError(reply: FastifyReply, status: number, title: string, pointer?: string): FastifyReply {
  return reply
    .code(status)
    .header('Content-Type', MEDIA_TYPE)
    .send({ errors: { title, status: String(status), ...(pointer ? { source: { pointer } } : {}) } });
}

/** JSON:API: the media type, without parameters. */
function isJsonApiContentType(header: string | undefined): boolean {
  return header !== undefined && header.trim().toLowerCase() === MEDIA_TYPE;
}

function acceptsJsonApi(header: string | undefined): boolean {
  if (!header) return false;
  return header.split(',').some((range) => range.trim().toLowerCase() === MEDIA_TYPE);
}

/** The payment as the document's response example shows it. */
function paymentDocument(p: StoredPayment) {
  const methodName =
    p.paymentMethodId === null ? null : (PAYMENT_METHOD_NAMES[p.paymentMethodId] ?? `Method ${p.paymentMethodId}`);
  return {
    data: {
      id: p.id,
      type: 'payments',
      attributes: {
        created_at: p.createdAt,
        updated_at: p.updatedAt,
        account_id: p.accountId,
        discount_amount: p.discountAmount,
        total: p.total,
        comment: p.comment,
        status: p.status,
        document_id: `D${p.id}`,
        expiration_date: p.expirationDate,
        payment_method_id: p.paymentMethodId,
        requester_ip: '127.0.0.1',
        manager_id: null,
        purpose: '',
        payment_method_name: methodName,
        closed_at: p.closedAt,
      },
      relationships: {
        orders: { data: [] },
        invoices: { data: [] },
        reseller: { data: { id: p.resellerId, type: 'resellers' } },
        account: { data: { id: String(p.accountId), type: 'accounts' } },
        payment_method: {
          data: p.paymentMethodId === null ? null : { id: String(p.paymentMethodId), type: 'payment_methods' },
        },
      },
    },
    included:
      p.paymentMethodId === null
        ? []
        : [
            {
              id: String(p.paymentMethodId),
              type: 'payment_methods',
              attributes: { name: methodName, description: '', enabled: true, plugin_id: 'sandbox' },
            },
          ],
  };
}
