/**
 * Zspay webhooks (section "Webhook"): every callback carries `type`, `status`, `data` and, in most
 * examples, `hook_id` and `url` ("Parametros padrão"). One schema per documented type; statuses
 * are open (a new status parses, as 'unknown' in knownStatus). An unknown `type` parses too,
 * as { type: 'unknown' }, so a new kind of event is logged instead of failing the endpoint.
 */
import { z } from 'zod';
import { knownOrUnknown } from '../open-enum';
import { assinaturaSchema, centsAmountSchema, codeSchema, pagamentoSchema, planoSchema, valorSchema } from './schemas';

/** The documented statuses of each type, as in the document's examples. */
export const WEBHOOK_STATUSES = {
  plan: ['created', 'updated', 'deleted'],
  subscription: ['created', 'updated', 'suspended', 'active', 'deleted'],
  invoice: ['created', 'paid', 'overdue', 'refunded'],
  receivable: ['created', 'paid', 'canceled', 'refunded'],
  transaction: ['created', 'succeeded', 'failed', 'canceled', 'void'],
  // Only "created" is documented ("quando uma transferência é programada"); the sandbox sends
  // "updated" on a status change, which status_transferencia_id carries (see test/fixtures/providers/zspay/NOTES.md).
  transfer: ['created', 'updated'],
} as const;
export type WebhookType = keyof typeof WEBHOOK_STATUSES;
export const WEBHOOK_TYPES = Object.keys(WEBHOOK_STATUSES) as WebhookType[];

const idValue = z.union([z.number(), z.string()]);
const nullableString = z.string().nullable().optional();

/** Invoice (fatura) in webhooks: ids and amount (cents) as strings. */
export const invoiceWebhookDataSchema = z.looseObject({
  id: idValue,
  assinatura_id: idValue,
  plano_id: idValue.optional(),
  amount: centsAmountSchema,
  paid_at: nullableString,
  voided_at: nullableString,
  retries: z.number().optional(),
  max_retries: z.number().optional(),
  status: z.string(),
  date_invoice: nullableString,
  assinatura: z
    .looseObject({ id: idValue, status_assinatura_id: codeSchema.optional(), due_date: nullableString })
    .optional(),
});

/** Receivable = one payment of an order. */
export const receivableWebhookDataSchema = pagamentoSchema.extend({
  pedido: z.looseObject({ id: idValue, status_pedido_id: codeSchema }).optional(),
});

/** Transaction = the order (pedido) and its payments. */
export const transactionWebhookDataSchema = z.looseObject({
  id: idValue,
  status_pedido_id: codeSchema,
  status_pedido: z.looseObject({ id: codeSchema, titulo: z.string().optional() }).optional(),
  pedidos_produtos: z.array(z.looseObject({ valor_unitario: valorSchema, quantidade: z.number() })).optional(),
  pagamentos: z.array(pagamentoSchema).optional(),
});

export const transferWebhookDataSchema = z.looseObject({
  id: idValue,
  tipo_transferencia_id: codeSchema,
  status_transferencia_id: codeSchema,
  from_estabelecimento_id: idValue.nullable().optional(),
  to_estabelecimento_id: idValue.nullable().optional(),
  conta_bancaria_id: idValue.nullable().optional(),
  valor: valorSchema,
  descricao: nullableString,
});

const envelope = <T extends WebhookType, D extends z.ZodType>(type: T, data: D) =>
  z.looseObject({
    url: z.string().optional(),
    type: z.literal(type),
    status: z.string(),
    data,
    hook_id: idValue.optional(),
  });

export const planWebhookSchema = envelope('plan', planoSchema);
export const subscriptionWebhookSchema = envelope('subscription', assinaturaSchema);
export const invoiceWebhookSchema = envelope('invoice', invoiceWebhookDataSchema);
export const receivableWebhookSchema = envelope('receivable', receivableWebhookDataSchema);
export const transactionWebhookSchema = envelope('transaction', transactionWebhookDataSchema);
export const transferWebhookSchema = envelope('transfer', transferWebhookDataSchema);

export const zspayWebhookSchema = z.discriminatedUnion('type', [
  planWebhookSchema,
  subscriptionWebhookSchema,
  invoiceWebhookSchema,
  receivableWebhookSchema,
  transactionWebhookSchema,
  transferWebhookSchema,
]);
export type ZspayWebhook = z.infer<typeof zspayWebhookSchema>;

export type ParsedZspayWebhook =
  | { known: true; event: ZspayWebhook; knownStatus: string }
  | { known: false; type: string; status?: string; raw: unknown };

const anyWebhookSchema = z.looseObject({ type: z.string(), status: z.string().optional() });

/**
 * Parses a callback body. Known types are validated in full (a malformed known event throws a
 * ZodError: the endpoint should answer 400 so Zspay retries); unknown types are returned raw.
 */
export function parseZspayWebhook(body: unknown): ParsedZspayWebhook {
  const head = anyWebhookSchema.parse(body);
  if (!(WEBHOOK_TYPES as string[]).includes(head.type))
    return { known: false, type: head.type, status: head.status, raw: body };
  const event = zspayWebhookSchema.parse(body);
  return { known: true, event, knownStatus: knownOrUnknown(WEBHOOK_STATUSES[event.type], event.status) };
}
