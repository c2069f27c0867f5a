/**
 * Webhook ingress. Zspay and Adiq do not sign their callbacks, so the engine registers callback
 * URLs that carry a per-provider secret (`/webhooks/zspay/<secret>`), checked in constant time:
 * anything else is a 401 and changes nothing. Payloads are validated; each event is routed to its
 * workflow by signal. Workflows are the dedupe record (a paid invoice ignores a second "paid"), so
 * a redelivered event has one effect. Events for unknown references are logged and acknowledged
 * so the provider stops retrying.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { ZodError } from 'zod';
import type { BillingClient } from '../../client';
import { BillingPendingSaleIds } from '../../common/search-attributes';
import { fieldIssues, ValidationError } from '../../common/validation';
import { referenceOf } from '../../providers/zspay/reference';
import { parseZspayWebhook } from '../../providers/zspay/webhooks';
import { NotFoundError } from '../../client/errors';
import { secretsEqual } from '../auth';
import { sendProblem } from '../problems';

export interface WebhookSecrets {
  zspay: string;
  adiq: string;
}

export interface WebhookResult {
  /** What the engine did with the event. */
  outcome: 'routed' | 'ignored';
  detail: string;
}

function unauthorized(reply: FastifyReply) {
  return sendProblem(reply, { type: 'about:blank', title: 'Unauthorized', status: 401, detail: 'Unknown webhook secret.' });
}

/** Subscriptions waiting for a boleto with this sale id, found through their search attribute. */
async function subscriptionsAwaitingSale(client: BillingClient, saleId: string): Promise<string[]> {
  const ids: string[] = [];
  const query = `WorkflowType = 'subscriptionWorkflow' AND ExecutionStatus = 'Running' AND ${BillingPendingSaleIds.name} = '${saleId.replace(/'/g, '')}'`;
  for await (const workflow of client.temporal.workflow.list({ query })) ids.push(workflow.workflowId.replace(/^subscription-/, ''));
  return ids;
}

export async function routeZspayWebhook(client: BillingClient, body: unknown): Promise<WebhookResult> {
  let parsed;
  try {
    parsed = parseZspayWebhook(body);
  } catch (error) {
    if (error instanceof ZodError) throw new ValidationError(fieldIssues(error), 'Zspay webhook');
    throw error;
  }
  if (!parsed.known) return { outcome: 'ignored', detail: `unknown event type ${parsed.type}` };
  const { event } = parsed;
  if (event.type === 'transaction' && event.status === 'succeeded') {
    const saleId = String(event.data.id);
    const subscriptions = await subscriptionsAwaitingSale(client, saleId);
    if (subscriptions.length === 0) return { outcome: 'ignored', detail: `no subscription awaits sale ${saleId}` };
    for (const subscriptionId of subscriptions) await client.subscriptions.paymentReceived(subscriptionId, { saleId });
    return { outcome: 'routed', detail: `sale ${saleId} paid: ${subscriptions.map((s) => `subscription ${s}`).join(', ')}` };
  }
  if (event.type === 'transfer') {
    // Our reference (the transfer workflow id) travels in the transfer's description.
    const reference = referenceOf(event.data.descricao);
    const transferId = reference?.startsWith('transfer-') ? reference.slice('transfer-'.length) : undefined;
    if (!transferId) return { outcome: 'ignored', detail: `transfer ${event.data.id} carries no engine reference` };
    try {
      await client.transfers.statusUpdate(transferId, { providerTransferId: String(event.data.id), status: event.data.status_transferencia_id });
    } catch (error) {
      if (error instanceof NotFoundError) return { outcome: 'ignored', detail: `no running transfer ${transferId}` };
      throw error;
    }
    return { outcome: 'routed', detail: `transfer ${transferId} status ${event.data.status_transferencia_id}` };
  }
  return { outcome: 'ignored', detail: `${event.type} ${event.status} needs no action` };
}

export function registerWebhookRoutes(app: FastifyInstance, client: BillingClient, secrets: WebhookSecrets): void {
  app.post<{ Params: { secret: string } }>('/webhooks/zspay/:secret', async (request, reply) => {
    if (!secretsEqual(request.params.secret, secrets.zspay)) return unauthorized(reply);
    const result = await routeZspayWebhook(client, request.body);
    request.log.info({ webhook: 'zspay', ...result }, 'webhook handled');
    return reply.code(200).send(result);
  });

  app.post<{ Params: { secret: string } }>('/webhooks/adiq/:secret', async (request, reply) => {
    if (!secretsEqual(request.params.secret, secrets.adiq)) return unauthorized(reply);
    // Adiq notifications concern Adiq-managed subscriptions, which the engine does not run yet.
    request.log.info({ webhook: 'adiq' }, 'Adiq notification acknowledged');
    return reply.code(200).send({ outcome: 'ignored', detail: 'no Adiq-managed subscriptions in this engine yet' } satisfies WebhookResult);
  });
}
