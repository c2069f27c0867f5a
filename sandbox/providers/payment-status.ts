/**
 * Payment status API imitation (payment-status-update-api.txt): `POST /status/{payment-id}` with
 * the `api-key` header and the body's `apiKey`, every body field required with the documented RFC
 * 7231 problem document ("The X field is required."), {"success": true} on success. Field names
 * are matched with the reference section's exact casing (trust_Seed...), so a client using the JS
 * example's casing is caught here.
 *
 * Not documented and chosen here: 401 problem document for a missing/wrong key (header or body);
 * 400 when the body `id` differs from the path's payment id.
 *
 * Control route (under /payment-status/__control): GET /payments/:paymentId.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { SandboxContext } from '../server';
import { collectionsSection } from '../persistence';
import { afterEffect, isRecord, providerRoutes } from '../route';

const REQUIRED_FIELDS = ['apiKey', 'id', 'status', 'trust_Seed', 'trust_Value', 'alt_Trust_Value'] as const;

interface StatusUpdate {
  status: string;
  trust_Seed: string;
  trust_Value: string;
  alt_Trust_Value: string;
  at: string;
}

export function registerPaymentStatus(app: FastifyInstance, ctx: SandboxContext): void {
  const payments = new Map<string, StatusUpdate[]>();
  ctx.onReset(() => payments.clear());
  ctx.persist('payment-status', collectionsSection({ payments }));

  app.get<{ Params: { paymentId: string } }>('/__control/payments/:paymentId', async (request, reply) => {
    const { paymentId } = request.params;
    const updates = payments.get(paymentId);
    if (!updates) return reply.code(404).send({ message: 'No status received for this payment' });
    return reply.send({ paymentId, status: updates.at(-1)?.status, updates });
  });

  const expectedKey = ctx.options.credentials.paymentStatus.apiKey;
  const route = providerRoutes(app, ctx, {
    provider: 'payment-status',
    param: (raw) => raw ?? '',
    authorize: async (request, reply) => {
      if (request.headers['api-key'] === expectedKey) return true;
      await unauthorized(reply);
      return undefined;
    },
  });

  route(
    'POST',
    '/status/:paymentId',
    { operation: 'payment-status.status.update', keys: ({ params }) => [params.paymentId] },
    async ({ params: { paymentId }, body, reply }) => {
      if (!isRecord(body)) return badRequest(reply, { '': ['A non-empty request body is required.'] });
      const errors: Record<string, string[]> = {};
      for (const field of REQUIRED_FIELDS) {
        const value = body[field];
        if (typeof value !== 'string' || value === '') errors[field] = [`The ${field} field is required.`];
      }
      if (Object.keys(errors).length > 0) return badRequest(reply, errors);
      if (body.apiKey !== expectedKey) return unauthorized(reply);
      if (body.id !== paymentId)
        return badRequest(reply, { id: ['The id field must match the payment id in the path.'] });

      const update: StatusUpdate = {
        status: String(body.status),
        trust_Seed: String(body.trust_Seed),
        trust_Value: String(body.trust_Value),
        alt_Trust_Value: String(body.alt_Trust_Value),
        at: ctx.state.timestamp(),
      };
      payments.set(paymentId, [...(payments.get(paymentId) ?? []), update]);
      ctx.state.record({
        provider: 'payment-status',
        kind: 'status',
        amountCents: 0,
        reference: paymentId,
        providerId: paymentId,
        description: `status=${update.status}`,
      });
      return afterEffect(() => reply.send({ success: true }));
    },
  );
}

/** The document's Bad Request example, field by field. */
function badRequest(reply: FastifyReply, errors: Record<string, string[]>): FastifyReply {
  return reply.code(400).header('Content-Type', 'application/problem+json; charset=utf-8').send({
    type: 'https://tools.ietf.org/html/rfc7231#section-6.5.1',
    title: 'One or more validation errors occurred.',
    status: 400,
    traceId: randomUUID(),
    errors,
  });
}

function unauthorized(reply: FastifyReply): FastifyReply {
  return reply.code(401).header('Content-Type', 'application/problem+json; charset=utf-8').send({
    type: 'https://tools.ietf.org/html/rfc7235#section-3.1',
    title: 'Unauthorized',
    status: 401,
    traceId: randomUUID(),
  });
}
