/**
 * Provider webhooks into the engine: each event, once the ingress has authenticated it (the secret in
 * its URL), is parsed and routed to its workflow by signal. Workflows are the dedupe record (a paid
 * invoice ignores a second "paid") and confirm money events with the provider before acting, so a
 * redelivered or forged event has at most one effect. Events for unknown references are answered
 * `ignored` so the provider stops retrying.
 */
import { ZodError, type z } from 'zod';
import { BillingPaidSaleIds, BillingPendingSaleIds, BillingProviderSubscriptionId } from '../common/search-attributes';
import type { AdiqBillingUpdate } from '../common/subscription/adiq-managed';
import { subscriptionIdOf } from '../common/subscription/input';
import { fieldIssues, ValidationError } from '../common/validation';
import { currentRuns } from '../common/visibility';
import {
  failureNotificationDecline,
  failureNotificationSchema,
  paymentNotificationOutcome,
  paymentStatusNotificationSchema,
} from '../providers/adiq/notifications';
import type { ZspayInvoiceUpdate } from '../common/subscription/zspay-managed';
import { valorToCents, zspayCentsToCents } from '../providers/zspay/money';
import { referenceOf } from '../providers/zspay/reference';
import { parseZspayWebhook, type invoiceWebhookDataSchema } from '../providers/zspay/webhooks';
import { NotFoundError } from './errors';
import type { BillingClient } from './index';

export interface WebhookResult {
  /** What the engine did with the event. */
  outcome: 'routed' | 'ignored';
  detail: string;
}

/** Subscriptions waiting for a boleto with this sale id, found through their search attribute. */
async function subscriptionsAwaitingSale(client: BillingClient, saleId: string): Promise<string[]> {
  const ids: string[] = [];
  const query = `WorkflowType = 'subscriptionWorkflow' AND ExecutionStatus = 'Running' AND ${BillingPendingSaleIds.name} = '${saleId.replace(/'/g, '')}'`;
  for await (const workflow of currentRuns(client.temporal, query)) ids.push(subscriptionIdOf(workflow.workflowId));
  return ids;
}

/** Subscriptions whose paid invoices include this sale (search attribute `BillingPaidSaleIds`). */
async function subscriptionsWithPaidSale(client: BillingClient, saleId: string): Promise<string[]> {
  const ids: string[] = [];
  const query = `WorkflowType = 'subscriptionWorkflow' AND ExecutionStatus = 'Running' AND ${BillingPaidSaleIds.name} = '${saleId.replace(/'/g, '')}'`;
  for await (const workflow of currentRuns(client.temporal, query)) ids.push(subscriptionIdOf(workflow.workflowId));
  return ids;
}

async function routeZspayWebhook(client: BillingClient, body: unknown): Promise<WebhookResult> {
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
    return {
      outcome: 'routed',
      detail: `sale ${saleId} paid: ${subscriptions.map((s) => `subscription ${s}`).join(', ')}`,
    };
  }
  // A refund ("estornado"): the transaction's "void", the receivable's "refunded". Routed to the
  // subscription that shows the sale paid; the workflow asks Zspay (GET the sale) before acting.
  const refundedSale =
    event.type === 'transaction' && event.status === 'void'
      ? String(event.data.id)
      : event.type === 'receivable' && event.status === 'refunded'
        ? String(event.data.pedido_id ?? event.data.pedido?.id ?? '')
        : undefined;
  if (refundedSale !== undefined) {
    if (refundedSale === '') return { outcome: 'ignored', detail: `receivable ${event.data.id} names no sale` };
    const subscriptions = await subscriptionsWithPaidSale(client, refundedSale);
    if (subscriptions.length === 0)
      return { outcome: 'ignored', detail: `no subscription shows sale ${refundedSale} paid` };
    for (const subscriptionId of subscriptions)
      await client.subscriptions.refundReceived(subscriptionId, { saleId: refundedSale });
    return {
      outcome: 'routed',
      detail: `sale ${refundedSale} refunded: ${subscriptions.map((s) => `subscription ${s}`).join(', ')}`,
    };
  }
  // A Zspay-billed invoice paid, failed ("overdue") or refunded: the workflow reads the invoice list before acting.
  if (
    event.type === 'invoice' &&
    (event.status === 'paid' || event.status === 'overdue' || event.status === 'refunded')
  ) {
    const update = zspayInvoiceUpdateOf(event.data, event.status);
    const zspaySubscriptionId = String(event.data.assinatura_id);
    const subscriptionId = await subscriptionOfProvider(client, 'zspaySubscriptionWorkflow', zspaySubscriptionId);
    if (!subscriptionId)
      return { outcome: 'ignored', detail: `no subscription is billed by Zspay subscription ${zspaySubscriptionId}` };
    await client.subscriptions.zspayInvoice(subscriptionId, update);
    return {
      outcome: 'routed',
      detail: `invoice ${update.invoiceId} ${update.outcome}: subscription ${subscriptionId}`,
    };
  }
  if (event.type === 'transfer') {
    // Our reference (the transfer workflow id) travels in the transfer's description.
    const reference = referenceOf(event.data.descricao);
    const transferId = reference?.startsWith('transfer-') ? reference.slice('transfer-'.length) : undefined;
    if (!transferId) return { outcome: 'ignored', detail: `transfer ${event.data.id} carries no engine reference` };
    try {
      const data = event.data;
      const id = (value: string | number | null | undefined) =>
        value === null || value === undefined ? undefined : String(value);
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

/** The engine's subscription billed by this provider subscription, found through its search attribute. */
async function subscriptionOfProvider(
  client: BillingClient,
  workflowType: 'adiqSubscriptionWorkflow' | 'zspaySubscriptionWorkflow',
  providerSubscriptionId: string,
): Promise<string | undefined> {
  const query = `WorkflowType = '${workflowType}' AND ExecutionStatus = 'Running' AND ${BillingProviderSubscriptionId.name} = '${providerSubscriptionId.replace(/'/g, '')}'`;
  for await (const workflow of currentRuns(client.temporal, query)) return subscriptionIdOf(workflow.workflowId);
  return undefined;
}

/**
 * Zspay's invoice webhook ("paid"; "overdue": a failed charge, `retries` of `max_retries`; "refunded":
 * estornada, listed void) in the engine's terms.
 */
export function zspayInvoiceUpdateOf(
  data: z.infer<typeof invoiceWebhookDataSchema>,
  status: 'paid' | 'overdue' | 'refunded',
): ZspayInvoiceUpdate {
  const outcomes = { paid: 'paid', overdue: 'failed', refunded: 'refunded' } as const;
  return {
    invoiceId: String(data.id),
    outcome: outcomes[status],
    retries: data.retries,
    maxRetries: data.max_retries,
    amountCents: zspayCentsToCents(data.amount),
    dueDate: data.date_invoice ?? undefined,
    providerStatus: data.status,
    source: 'webhook',
  };
}

/** Adiq's two notifications: a failed attempt (ErrorCode) or a payment status (statusCode "200" = paid). */
export function adiqBillingUpdateOf(body: unknown): { adiqSubscriptionId: string; update?: AdiqBillingUpdate } {
  const isFailure =
    typeof body === 'object' && body !== null && Object.keys(body).some((key) => key.toLowerCase() === 'errorcode');
  if (isFailure) {
    const failure = parseNotification(failureNotificationSchema, body);
    return {
      adiqSubscriptionId: failure.SubscriptionId,
      update: failure.BillingId
        ? {
            billingId: failure.BillingId,
            outcome: 'failed',
            decline: failureNotificationDecline(failure),
            code: failure.ErrorCode ?? undefined,
            message: failure.ErrorMessage ?? undefined,
            source: 'notification',
          }
        : undefined,
    };
  }
  const status = parseNotification(paymentStatusNotificationSchema, body);
  if (!status.subscriptionId)
    throw new ValidationError(
      [{ field: 'subscriptionId', message: 'subscriptionId is required' }],
      'Adiq notification',
    );
  const outcome = paymentNotificationOutcome(status);
  if (outcome.kind === 'unknown' || !status.billingId) return { adiqSubscriptionId: status.subscriptionId };
  return {
    adiqSubscriptionId: status.subscriptionId,
    update:
      outcome.kind === 'paid'
        ? { billingId: status.billingId, outcome: 'paid', source: 'notification' }
        : {
            billingId: status.billingId,
            outcome: 'failed',
            decline: outcome.decline,
            code: outcome.code,
            message: outcome.description,
            source: 'notification',
          },
  };
}

function parseNotification<T>(schema: z.ZodType<T>, body: unknown): T {
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw new ValidationError(fieldIssues(parsed.error), 'Adiq notification');
  return parsed.data;
}

async function routeAdiqNotification(client: BillingClient, body: unknown): Promise<WebhookResult> {
  const { adiqSubscriptionId, update } = adiqBillingUpdateOf(body);
  if (!update)
    return { outcome: 'ignored', detail: `notification for ${adiqSubscriptionId} carries no billing outcome` };
  const subscriptionId = await subscriptionOfProvider(client, 'adiqSubscriptionWorkflow', adiqSubscriptionId);
  if (!subscriptionId)
    return { outcome: 'ignored', detail: `no subscription is billed by Adiq subscription ${adiqSubscriptionId}` };
  await client.subscriptions.adiqBilling(subscriptionId, update);
  return { outcome: 'routed', detail: `billing ${update.billingId} ${update.outcome}: subscription ${subscriptionId}` };
}

export class WebhooksApi {
  constructor(private readonly billing: BillingClient) {}

  /** A Zspay webhook (paid and refunded sales and invoices to their subscription, transfer statuses to their transfer). */
  zspay(body: unknown): Promise<WebhookResult> {
    return routeZspayWebhook(this.billing, body);
  }

  /** An Adiq notification (a failed attempt or a payment status) to the subscription Adiq bills. */
  adiq(body: unknown): Promise<WebhookResult> {
    return routeAdiqNotification(this.billing, body);
  }
}
