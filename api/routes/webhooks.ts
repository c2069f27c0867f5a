/**
 * Webhook ingress. Zspay and Adiq do not sign their callbacks, so the engine registers callback
 * URLs that carry a per-provider secret (`/webhooks/zspay/<secret>`), checked in constant time:
 * anything else is a 401 and changes nothing. Payloads are validated; each event is routed to its
 * workflow by signal. Workflows are the dedupe record (a paid invoice ignores a second "paid"), so
 * a redelivered event has one effect. Events for unknown references are logged and acknowledged
 * so the provider stops retrying.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { ZodError, type z } from 'zod';
import type { BillingClient } from '../../client';
import { BillingPendingSaleIds, BillingProviderSubscriptionId } from '../../common/search-attributes';
import type { AdiqBillingUpdate } from '../../common/subscription/adiq-managed';
import { valorToCents } from '../../providers/zspay/money';
import { failureNotificationDecline, failureNotificationSchema, paymentNotificationOutcome, paymentStatusNotificationSchema } from '../../providers/adiq/notifications';
import { fieldIssues, ValidationError } from '../../common/validation';
import { referenceOf } from '../../providers/zspay/reference';
import { parseZspayWebhook } from '../../providers/zspay/webhooks';
import { NotFoundError } from '../../client/errors';
import { secretsEqual } from '../auth';
import { sendProblem } from '../problems';
import { currentRuns } from '../../client/visibility';

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
  for await (const workflow of currentRuns(client.temporal, query)) ids.push(workflow.workflowId.replace(/^subscription-/, ''));
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
      const data = event.data;
      const id = (value: string | number | null | undefined) => (value === null || value === undefined ? undefined : String(value));
      // What the webhook says was moved, for the workflow to check against what it sent.
      await client.transfers.statusUpdate(transferId, {
        providerTransferId: String(data.id),
        status: data.status_transferencia_id,
        amountCents: valorToCents(data.valor),
        fromEstablishmentId: id(data.from_estabelecimento_id),
        toEstablishmentId: id(data.to_estabelecimento_id),
        bankAccountId: id(data.conta_bancaria_id),
      });
    } catch (error) {
      if (error instanceof NotFoundError) return { outcome: 'ignored', detail: `no running transfer ${transferId}` };
      throw error;
    }
    return { outcome: 'routed', detail: `transfer ${transferId} status ${event.data.status_transferencia_id}` };
  }
  return { outcome: 'ignored', detail: `${event.type} ${event.status} needs no action` };
}

/** The engine's subscription billed by this Adiq subscription, found through its search attribute. */
async function subscriptionOfAdiq(client: BillingClient, adiqSubscriptionId: string): Promise<string | undefined> {
  const query = `WorkflowType = 'adiqSubscriptionWorkflow' AND ExecutionStatus = 'Running' AND ${BillingProviderSubscriptionId.name} = '${adiqSubscriptionId.replace(/'/g, '')}'`;
  for await (const workflow of currentRuns(client.temporal, query)) return workflow.workflowId.replace(/^subscription-/, '');
  return undefined;
}

/** Adiq's two notifications: a failed attempt (ErrorCode) or a payment status (statusCode "200" = paid). */
export function adiqBillingUpdateOf(body: unknown): { adiqSubscriptionId: string; update?: AdiqBillingUpdate } {
  const isFailure = typeof body === 'object' && body !== null && Object.keys(body).some((key) => key.toLowerCase() === 'errorcode');
  if (isFailure) {
    const failure = parseNotification(failureNotificationSchema, body);
    return {
      adiqSubscriptionId: failure.SubscriptionId,
      update: failure.BillingId
        ? { billingId: failure.BillingId, outcome: 'failed', decline: failureNotificationDecline(failure), code: failure.ErrorCode ?? undefined, message: failure.ErrorMessage ?? undefined, source: 'notification' }
        : undefined,
    };
  }
  const status = parseNotification(paymentStatusNotificationSchema, body);
  if (!status.subscriptionId) throw new ValidationError([{ field: 'subscriptionId', message: 'subscriptionId is required' }], 'Adiq notification');
  const outcome = paymentNotificationOutcome(status);
  if (outcome.kind === 'unknown' || !status.billingId) return { adiqSubscriptionId: status.subscriptionId };
  return {
    adiqSubscriptionId: status.subscriptionId,
    update:
      outcome.kind === 'paid'
        ? { billingId: status.billingId, outcome: 'paid', source: 'notification' }
        : { billingId: status.billingId, outcome: 'failed', decline: outcome.decline, code: outcome.code, message: outcome.description, source: 'notification' },
  };
}

function parseNotification<T>(schema: z.ZodType<T>, body: unknown): T {
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw new ValidationError(fieldIssues(parsed.error), 'Adiq notification');
  return parsed.data;
}

export async function routeAdiqNotification(client: BillingClient, body: unknown): Promise<WebhookResult> {
  const { adiqSubscriptionId, update } = adiqBillingUpdateOf(body);
  if (!update) return { outcome: 'ignored', detail: `notification for ${adiqSubscriptionId} carries no billing outcome` };
  const subscriptionId = await subscriptionOfAdiq(client, adiqSubscriptionId);
  if (!subscriptionId) return { outcome: 'ignored', detail: `no subscription is billed by Adiq subscription ${adiqSubscriptionId}` };
  await client.subscriptions.adiqBilling(subscriptionId, update);
  return { outcome: 'routed', detail: `billing ${update.billingId} ${update.outcome}: subscription ${subscriptionId}` };
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
    const result = await routeAdiqNotification(client, request.body);
    request.log.info({ webhook: 'adiq', ...result }, 'webhook handled');
    return reply.code(200).send(result);
  });
}
