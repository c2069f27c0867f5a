/**
 * Zspay's status code tables (section "Status", and the transfer webhook's parameter list) in the
 * engine's terms. Codes arrive as numbers or numeric strings ("status_pedido_id": "1"); a code that
 * is not in a table reads as 'unknown' and never fails a parse.
 */

/** "Tipos Pagamento". */
export const PAYMENT_TYPE = { 1: 'boleto', 2: 'debit', 3: 'credit' } as const;
export const PaymentTypeId = { boleto: 1, debit: 2, credit: 3 } as const;

/** "Status de pagamento" (one payment / receivable of an order). */
export const PAYMENT_STATUS = { 1: 'pending', 2: 'paid', 3: 'canceled', 4: 'refunded', 5: 'pre_authorized' } as const;

/** "Status do pedido (venda)". */
export const ORDER_STATUS = {
  1: 'pending',
  2: 'approved',
  3: 'failed',
  4: 'canceled',
  5: 'partially_paid',
  6: 'refunded',
  7: 'processing',
  8: 'pre_authorized',
} as const;
export const OrderStatusId = {
  pending: 1,
  approved: 2,
  failed: 3,
  canceled: 4,
  partially_paid: 5,
  refunded: 6,
  processing: 7,
  pre_authorized: 8,
} as const;

/** "Status da assinatura". */
export const SUBSCRIPTION_STATUS = { 1: 'waiting', 2: 'canceled', 3: 'paid', 4: 'overdue', 5: 'suspended' } as const;
export const SubscriptionStatusId = { waiting: 1, canceled: 2, paid: 3, overdue: 4, suspended: 5 } as const;

/** Transfer webhook: status_transferencia_id "[1 => Nova, 2 => Pendente, 3 => Sucesso, 4 => Falha]". */
export const TRANSFER_STATUS = { 1: 'new', 2: 'pending', 3: 'succeeded', 4: 'failed' } as const;
export const TransferStatusId = { new: 1, pending: 2, succeeded: 3, failed: 4 } as const;

/** tipoTransferencia: 1 digital account, 2 bank account; the webhook also shows 3 "Automática". */
export const TRANSFER_TYPE = { 1: 'digital_account', 2: 'bank_account', 3: 'automatic' } as const;
export const TransferTypeId = { digital_account: 1, bank_account: 2 } as const;

/** Invoice (fatura) `status` strings seen in "Recuperar pagamentos de uma assinatura" and the invoice webhooks. */
export const INVOICE_STATUSES = ['pending', 'paid', 'failed', 'void'] as const;

type CodeTable = Readonly<Record<number, string>>;

/** The table's term for a code, or 'unknown' (new codes must not break the engine). */
export function statusOf<T extends CodeTable>(
  table: T,
  code: number | string | null | undefined,
): T[keyof T] | 'unknown' {
  if (code === null || code === undefined) return 'unknown';
  const n = Number(code);
  return Number.isInteger(n) && n in table ? table[n as keyof T] : 'unknown';
}

export type OrderStatus = (typeof ORDER_STATUS)[keyof typeof ORDER_STATUS] | 'unknown';
export type TransferStatus = (typeof TRANSFER_STATUS)[keyof typeof TRANSFER_STATUS] | 'unknown';
export type SubscriptionStatus = (typeof SUBSCRIPTION_STATUS)[keyof typeof SUBSCRIPTION_STATUS] | 'unknown';

/** What an order's status means for a charge: money taken, still open, or not taken. */
export function orderSettlement(status: OrderStatus): 'succeeded' | 'pending' | 'not_charged' | 'reversed' {
  switch (status) {
    case 'approved':
    case 'partially_paid':
      return 'succeeded';
    case 'pending':
    case 'processing':
    case 'pre_authorized':
    case 'unknown':
      return 'pending';
    case 'failed':
    case 'canceled':
      return 'not_charged';
    case 'refunded':
      return 'reversed';
  }
}
