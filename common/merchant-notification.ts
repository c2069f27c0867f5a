/**
 * What the engine tells a merchant's system. A failed collection carries Adiq's failure
 * notification fields (SubscriptionId, PlanId, OrderNumber, BillingId, ExpireAt, ErrorCode,
 * ErrorMessage) so merchants integrated with Adiq read it unchanged; every notification carries a
 * per-subscription sequence number so the merchant can order and deduplicate them.
 */
export type MerchantEventType =
  | 'payment.succeeded'
  | 'payment.failed'
  /** The provider refused a charge for a reason no retry fixes (credentials, configuration): it waits. */
  | 'payment.held'
  /** A paid invoice was refunded at the provider (by the engine's refund operation or outside it). */
  | 'payment.refunded'
  /** The provider refused a refund the engine asked for: the invoice stays paid. */
  | 'payment.refund_failed'
  /** A second payment of an invoice already paid (a late boleto and its retry both paid): refund one. */
  | 'payment.duplicate'
  | 'subscription.blocked'
  | 'subscription.recovered'
  | 'subscription.canceled'
  | 'subscription.completed';

export interface AdiqFailureFields {
  SubscriptionId: string;
  PlanId: string;
  OrderNumber: string;
  BillingId: string;
  /** The due date, as an ISO date-time in the merchant's offset. */
  ExpireAt: string;
  ErrorCode: string;
  ErrorMessage: string;
}

export interface MerchantNotification {
  /** `${subscriptionId}-${sequence}`: stable across retries, for the merchant's dedupe. */
  id: string;
  type: MerchantEventType;
  sequence: number;
  subscriptionId: string;
  occurredAt: string;
  data: Record<string, unknown> | AdiqFailureFields;
}

/** Where and how to reach the merchant. The secret is held by the worker, by reference. */
export interface MerchantEndpoint {
  callbackUrl: string;
  secretRef: string;
}
