/**
 * The subscription workflow's Updates, queries and signals, shared by the workflow and the client.
 * Names are what `temporal workflow update/query/signal --name` and the Web UI show.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { AdiqBillingUpdate } from '../common/subscription/adiq-managed';
import type { ZspayInvoiceUpdate } from '../common/subscription/zspay-managed';
import type { ChangePlanArgs } from '../common/subscription/input';
import type { Invoice, InvoiceSummary, SubscriptionView } from '../common/subscription/model';
import type {
  ApplyCouponArgs,
  CancelArgs,
  ChangeNextChargeDateArgs,
  ChangePaymentMethodArgs,
  ExtendGraceArgs,
  LinkExternalPaymentArgs,
  PaymentReceived,
  RefundArgs,
  RefundNotice,
} from '../common/subscription/operations';

export const subscriptionQuery = defineQuery<SubscriptionView>('subscription');
export const invoicesQuery = defineQuery<{ invoices: Invoice[]; summary: InvoiceSummary }>('invoices');
export interface Forecast {
  charges: Array<{
    cycle: number;
    date: string;
    amountCents: number;
    /** With a coupon or lines for the invoice: the plan's amount, the discount, the lines' sum. */
    baseAmountCents?: number;
    discountCents?: number;
    adjustmentCents?: number;
  }>;
  retries: string[];
}
export const forecastQuery = defineQuery<Forecast, [number?]>('forecast');

/**
 * Sent with the workflow's start (update-with-start) by `subscriptions.create`: answers once the
 * first run checked what only the worker knows (the merchant's and partner's references), or
 * fails naming the field.
 */
export const createdUpdate = defineUpdate<{ runId: string; subscription: SubscriptionView }>('created');

export const cancelUpdate = defineUpdate<SubscriptionView, [CancelArgs]>('cancel');
export const suspendUpdate = defineUpdate<SubscriptionView>('suspend');
export const reactivateUpdate = defineUpdate<SubscriptionView>('reactivate');
export const changeNextChargeDateUpdate = defineUpdate<SubscriptionView, [ChangeNextChargeDateArgs]>(
  'changeNextChargeDate',
);
export const changePaymentMethodUpdate = defineUpdate<SubscriptionView, [ChangePaymentMethodArgs]>(
  'changePaymentMethod',
);
export const changePlanUpdate = defineUpdate<SubscriptionView, [ChangePlanArgs]>('changePlan');
export const applyCouponUpdate = defineUpdate<SubscriptionView, [ApplyCouponArgs]>('applyCoupon');
export const retryNowUpdate = defineUpdate<SubscriptionView>('retryNow');
export const skipNextRetryUpdate = defineUpdate<SubscriptionView>('skipNextRetry');
export const extendGraceUpdate = defineUpdate<SubscriptionView, [ExtendGraceArgs]>('extendGrace');
export const linkExternalPaymentUpdate = defineUpdate<SubscriptionView, [LinkExternalPaymentArgs]>(
  'linkExternalPayment',
);

/**
 * Refunds a paid invoice at the provider: answered once the refund is recorded (the invoice shows
 * `refund.status: 'requested'`); the workflow then sends it exactly once and records the outcome.
 */
export const refundUpdate = defineUpdate<SubscriptionView, [RefundArgs]>('refund');

/** A webhook says a sale was refunded (estornado): the provider's sale confirms it before anything changes. */
export const refundReceivedSignal = defineSignal<[RefundNotice]>('refundReceived');

/** Adiq reported a billing outcome (notification ingress) for an Adiq-billed subscription. */
export const adiqBillingSignal = defineSignal<[AdiqBillingUpdate]>('adiqBilling');

/** Zspay reported an invoice outcome (webhook ingress or the billing run) for a Zspay-billed subscription. */
export const zspayInvoiceSignal = defineSignal<[ZspayInvoiceUpdate]>('zspayInvoice');

/** The provider confirmed a payment (a boleto paid): from webhook ingress or a billing run. */
export const paymentReceivedSignal = defineSignal<[PaymentReceived]>('paymentReceived');
