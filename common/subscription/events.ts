/**
 * Everything that can happen to a subscription, as data: operations (Temporal Updates), what
 * providers report (webhooks, billing runs, charge outcomes), timers coming due, and the delivery
 * of side effects. The transition table (table.ts) gives each event in each status one answer.
 */
import type { CalendarDate } from '../billing/calendar';
import type { PaymentOutcome } from '../payment-outcome';
import type { Coupon } from '../billing/proration';
import type { ProrationMode, SubscriptionPlan } from './input';
import type { ExternalPayment, PaymentMethod } from './model';
import type { PaymentReceived } from './operations';
import type { AdiqBillingUpdate } from './adiq-managed';
import type { ZspayInvoiceUpdate } from './zspay-managed';

/** What a collection attempt came to (a boleto's payment or expiry arrives later as its own event). */
export type ChargeOutcome = Pick<
  PaymentOutcome,
  'status' | 'reference' | 'declineCode' | 'message' | 'providerIds' | 'boleto'
>;

export type OperationEvent =
  | { type: 'cancelNow'; reason?: string }
  | { type: 'cancelAtPeriodEnd'; reason?: string }
  | { type: 'suspend' }
  | { type: 'reactivate' }
  | { type: 'changeNextChargeDate'; date: CalendarDate }
  | { type: 'changePaymentMethod'; paymentMethod: PaymentMethod }
  /**
   * `proration` absent or `none`: from the next cycle; `next_invoice`: from today, prorated on the next
   * invoice; `now`: from today, a positive difference charged at once on a proration invoice.
   */
  | { type: 'changePlan'; plan: SubscriptionPlan; proration?: ProrationMode }
  | { type: 'applyCoupon'; coupon: Coupon }
  | { type: 'retryNow' }
  | { type: 'skipNextRetry' }
  | { type: 'extendGrace'; days: number }
  | { type: 'linkExternalPayment'; cycle: number; payment: ExternalPayment }
  /** Refund a paid invoice at the provider (full only for a Zspay card sale). */
  | { type: 'refund'; cycle: number; amountCents?: number; reason?: string };

/** A transfer (one-off or a payout's) sent since a payment was made: its money may have left the balance. */
export interface PaidOutTransfer {
  transferId: string;
  state: string;
}

export type ProviderEvent =
  /** A webhook or billing run says a sale was paid: a hint, until the provider confirms it. */
  | { type: 'paymentNoticed'; payment: PaymentReceived }
  | { type: 'paymentConfirmed'; saleId: string }
  | { type: 'paymentContradicted'; saleId: string; providerStatus: string }
  /** The engine's refund call came back: the sale is refunded, or the provider refused the refund. */
  | {
      type: 'refundSettled';
      cycle: number;
      result: 'refunded' | 'failed';
      error?: string;
      /** Transfers that may have carried the money out since the payment (named to the merchant). */
      transfersSincePayment?: PaidOutTransfer[];
    }
  /** A webhook says a sale was refunded (estornado): a hint, until the provider confirms it. */
  | { type: 'refundNoticed'; saleId: string }
  | { type: 'refundConfirmed'; saleId: string; transfersSincePayment?: PaidOutTransfer[] }
  | { type: 'refundContradicted'; saleId: string; providerStatus: string };

export type ChargeEvent =
  /** The workflow starts collecting a cycle (its due date and hour came). */
  | { type: 'chargeStarted'; cycle: number }
  | { type: 'chargeSettled'; cycle: number; outcome: ChargeOutcome }
  /** The provider refused the call for a reason no retry of it fixes (credentials, a request it rejects). */
  | { type: 'chargeHeld'; cycle: number; reason: string }
  /** An authorization was released without capture: the subscription was canceled or suspended meanwhile. */
  | { type: 'chargeReleased'; cycle: number; reason: string }
  | { type: 'boletoExpired'; cycle: number };

export type TimerEvent =
  /** The period a cancel-at-period-end waited for is over. */
  | { type: 'periodEnded' }
  /** Installments, duration or the plan's expiry reached. */
  | { type: 'planEnded'; reason: string };

/** Adiq-billed subscriptions: what Adiq reports. */
export type AdiqEvent =
  /** The Adiq subscription was created (registered on `startDate`: its first charge is that date plus the trial). */
  | { type: 'adiqSubscribed'; planId: string; subscriptionId: string; startDate: CalendarDate }
  /** A notification (webhook): a hint, until Adiq's billing search confirms it. */
  | { type: 'adiqBillingNoticed'; update: AdiqBillingUpdate }
  /** A billing outcome as Adiq's billing search shows it (a confirmed notice, or the daily look). */
  | { type: 'adiqBillingReported'; update: AdiqBillingUpdate }
  | { type: 'adiqNoticeContradicted'; billingId: string }
  | { type: 'adiqSubscriptionBlocked' }
  | { type: 'adiqSubscriptionCanceled' };

/** Zspay-billed subscriptions: what Zspay reports about the subscription it bills. */
export type ZspayEvent =
  /** The Zspay plan and subscription exist (created on `startDate`; Zspay charges from `firstDueDate`). */
  | { type: 'zspaySubscribed'; planId: string; subscriptionId: string; startDate: CalendarDate }
  /** An invoice webhook: a hint, until Zspay's invoice list confirms it. */
  | { type: 'zspayInvoiceNoticed'; update: ZspayInvoiceUpdate }
  /** An invoice as Zspay's invoice list shows it (a confirmed webhook, or the daily look). */
  | {
      type: 'zspayInvoiceReported';
      update: ZspayInvoiceUpdate;
      /** A refunded invoice: transfers that may have carried its money out since the payment. */
      transfersSincePayment?: PaidOutTransfer[];
    }
  | { type: 'zspayNoticeContradicted'; invoiceId: string }
  /** Zspay shows the subscription canceled (removed outside the engine). */
  | { type: 'zspaySubscriptionCanceled' };

export type DeliveryEvent =
  { type: 'effectDelivered'; id: string } | { type: 'effectFailed'; id: string; error: string };

export type SubscriptionEvent =
  OperationEvent | ProviderEvent | ChargeEvent | TimerEvent | AdiqEvent | ZspayEvent | DeliveryEvent;
export type SubscriptionEventType = SubscriptionEvent['type'];
export type EventOf<T extends SubscriptionEventType> = Extract<SubscriptionEvent, { type: T }>;

/** The workflow's clock and the subscription's fixed targets, for one transition. */
export interface EventContext {
  /** Today in the merchant's time zone. */
  today: CalendarDate;
  /** Now, as an ISO instant (the workflow's clock). */
  now: string;
  nowMs: number;
  /** The merchant zone's UTC offset today, e.g. "-03:00", for Adiq's ExpireAt. */
  offset: string;
  /** Who side effects reach: no merchant endpoint, no notifications; no partner, no partner calls. */
  targets: { merchant: boolean; partner: boolean };
  /**
   * An outcome for an invoice already paid is only recorded (runs since the patch
   * `paid-invoice-stays-paid`); before it, such an outcome reopened the invoice (see machine.ts).
   */
  paidInvoicesStayPaid?: boolean;
}
