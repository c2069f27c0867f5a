/**
 * Webhook ingress. Zspay and Adiq do not sign their callbacks, so the engine registers callback
 * URLs that carry a per-provider secret (`/webhooks/zspay/<secret>`), checked in constant time:
 * anything else is a 401 and changes nothing. The secret is checked as the request arrives, before
 * its body is read, so a wrong secret is a 401 whatever the body (never a parser's 400 or 415 that
 * would tell a stranger the URL's shape). The client routes each event (client/webhooks.ts).
 */
import type { FastifyInstance, FastifyReply, onRequestHookHandler } from 'fastify';
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

/** Answers 401 before the body is parsed unless the URL carries `expected`. */
function requireSecret(expected: string): onRequestHookHandler {
  return (request, reply, done) => {
    if (secretsEqual((request.params as { secret: string }).secret, expected)) return done();
    unauthorized(reply);
  };
}

export function registerWebhookRoutes(app: FastifyInstance, client: BillingClient, secrets: WebhookSecrets): void {
  app.post('/webhooks/zspay/:secret', { onRequest: requireSecret(secrets.zspay) }, async (request, reply) => {
    const result = await client.webhooks.zspay(request.body);
    request.log.info({ webhook: 'zspay', ...result }, 'webhook handled');
    return reply.code(200).send(result);
  });

  app.post('/webhooks/adiq/:secret', { onRequest: requireSecret(secrets.adiq) }, async (request, reply) => {
    const result = await client.webhooks.adiq(request.body);
    request.log.info({ webhook: 'adiq', ...result }, 'webhook handled');
    return reply.code(200).send(result);
  });
}
