/**
 * Webhook ingress. Zspay and Adiq do not sign their callbacks, so the engine registers callback
 * URLs that carry a per-provider secret (`/webhooks/zspay/<secret>`), checked in constant time:
 * anything else is a 401 and changes nothing. The client routes each event (client/webhooks.ts).
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { BillingClient } from '../../client';
import { secretsEqual } from '../auth';
import { sendProblem } from '../problems';

function unauthorized(reply: FastifyReply) {
  return sendProblem(reply, {
    type: 'about:blank',
    title: 'Unauthorized',
    status: 401,
    detail: 'Unknown webhook secret.',
  });
}

export type WebhookSecrets = { zspay: string; adiq: string };

export function registerWebhookRoutes(app: FastifyInstance, client: BillingClient, secrets: WebhookSecrets): void {
  app.post<{ Params: { secret: string } }>('/webhooks/zspay/:secret', async (request, reply) => {
    if (!secretsEqual(request.params.secret, secrets.zspay)) return unauthorized(reply);
    const result = await client.webhooks.zspay(request.body);
    request.log.info({ webhook: 'zspay', ...result }, 'webhook handled');
    return reply.code(200).send(result);
  });

  app.post<{ Params: { secret: string } }>('/webhooks/adiq/:secret', async (request, reply) => {
    if (!secretsEqual(request.params.secret, secrets.adiq)) return unauthorized(reply);
    const result = await client.webhooks.adiq(request.body);
    request.log.info({ webhook: 'adiq', ...result }, 'webhook handled');
    return reply.code(200).send(result);
  });
}
