/**
 * The subscription as the engine keeps it: its input (validated with zod by the client, the HTTP
 * API and the workflow alike), its state (carried across continue-as-new), its invoices.
 */
import { z } from 'zod';
import type { PaymentOutcomeStatus } from '../payment-outcome';
import type { ChargeHold } from './charge-hold';
import type { DeliveryStatus } from './outbox';
import { businessIdSchema } from '../validation';

export { calendarDateSchema } from '../validation';

/** How the customer pays. Card data never enters the engine: Zspay holds the card, we hold ids. */
export const paymentMethodSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('zspay_card'),
    zspayClientId: businessIdSchema('paymentMethod.zspayClientId'),
    cardId: businessIdSchema('paymentMethod.cardId'),
  }),
  z.object({ type: z.literal('zspay_boleto'), zspayClientId: businessIdSchema('paymentMethod.zspayClientId') }),
  /** Billed by Adiq Recurrence itself: the card lives in Adiq's vault. */
  z.object({
    type: z.literal('adiq_vault'),
    vaultId: z
      .string()
      .min(1, 'paymentMethod.vaultId is required')
      .max(36, 'paymentMethod.vaultId must be at most 36 characters'),
  }),
  /**
   * Billed by Zspay itself (a Zspay plan and subscription, "Nova assinatura"): Zspay's subscribe
   * takes the customer and address (it registers the client itself), not a client or card id.
   */
  z.object({
    type: z.literal('zspay_subscription'),
    customer: z.object({
      name: z.string().min(1, 'paymentMethod.customer.name is required').max(120),
      email: z.email({ message: 'paymentMethod.customer.email must be an e-mail address' }).max(120),
      document: z
        .string()
        .regex(/^\d{11}(\d{3})?$/, 'paymentMethod.customer.document must be a CPF (11) or CNPJ (14) digits'),
    }),
    address: z.object({
      street: z.string().min(1, 'paymentMethod.address.street is required').max(120),
      number: z.string().min(1, 'paymentMethod.address.number is required').max(20),
      zipCode: z.string().regex(/^\d{8}$/, 'paymentMethod.address.zipCode must have 8 digits'),
      city: z.string().min(1, 'paymentMethod.address.city is required').max(80),
      state: z.string().regex(/^[A-Z]{2}$/, 'paymentMethod.address.state must be the 2-letter UF'),
      complement: z.string().max(80).optional(),
    }),
  }),
]);
export type PaymentMethod = z.infer<typeof paymentMethodSchema>;

export const merchantEndpointSchema = z.object({
  callbackUrl: z
    .url({ protocol: /^https?$/, message: 'merchant.callbackUrl must be an http(s) URL' })
    .max(500, 'merchant.callbackUrl must be at most 500 characters'),
  secretRef: businessIdSchema('merchant.secretRef'),
});

/** A payment of the payment status API that an invoice is linked to (its outcomes are pushed there). */
export const externalPaymentSchema = z.object({
  paymentId: z.string().min(1, 'externalPayment.paymentId is required').max(64),
  trustSeed: z.string().min(1, 'externalPayment.trustSeed is required').max(4096),
  trustValue: z.string().min(1, 'externalPayment.trustValue is required').max(512),
  altTrustValue: z.string().min(1, 'externalPayment.altTrustValue is required').max(512),
});
export type ExternalPayment = z.infer<typeof externalPaymentSchema>;

export type SubscriptionStatus =
  | 'trialing' // trial or grace period: nothing charged yet
  | 'active' // paid up
  | 'past_due' // a charge failed and retries are scheduled (teimosinha), or a boleto awaits payment past its due date
  | 'blocked' // retries exhausted or hard decline: the partner was told `inadimplente`
  | 'suspended' // paused by an operator: nothing is charged
  | 'canceled'
  | 'completed'; // installments, duration or plan expiry reached

export const TERMINAL_STATUSES: readonly SubscriptionStatus[] = ['canceled', 'completed'];

export interface ChargeAttempt {
  number: number;
  /** Our reference for this attempt: `${subscriptionId}-${cycle}-${number}`, the exactly-once key. */
  reference: string;
  at: string;
  outcome: PaymentOutcomeStatus | 'skipped' | 'unpaid';
  code?: string;
  message?: string;
  providerIds?: Record<string, string>;
}

/** `refunded`: paid, then refunded in full at the provider (by the engine or outside it). */
export type InvoiceStatus = 'open' | 'paid' | 'failed' | 'void' | 'refunded';

/**
 * A refund of a paid invoice. `requested`: acknowledged and recorded, the provider call is under
 * way (it reconciles by reading the sale before any retry); `refunded`: the provider shows the sale
 * refunded; `failed`: the provider refused it (the invoice stays paid; it may be asked again).
 */
export interface InvoiceRefund {
  status: 'requested' | 'refunded' | 'failed';
  /** `<subscription>-<cycle>-refund`: one refund per invoice, named by business ids. */
  reference: string;
  saleId: string;
  amountCents: number;
  reason?: string;
  /** `engine`: asked through the refund operation; `provider`: made outside the engine, seen in a webhook. */
  source: 'engine' | 'provider';
  requestedAt?: string;
  refundedAt?: string;
  error?: string;
}

/**
 * A line of a recurring invoice besides its base amount (signed cents: negative lowers the total).
 * `proration_credit`/`proration_charge`: a plan change with proration; `carried_in`: a balance from
 * the previous invoice; `carried_out`: this invoice's negative total (a credit) or boleto amount
 * under the minimum, moved to the next invoice.
 */
export interface InvoiceLine {
  kind: 'proration_credit' | 'proration_charge' | 'carried_in' | 'carried_out';
  amountCents: number;
  /** Proration lines: the cycle whose unused days they settle. */
  cycle?: number;
  description: string;
}

export interface Invoice {
  /**
   * 0 is the setup fee when the plan has one; recurring cycles count from 1. A proration invoice (a
   * plan change with proration `now`) is keyed by the negative of the cycle it settles (-3: the
   * proration of cycle 3), so it never clashes with a recurring cycle.
   */
  cycle: number;
  kind: 'setup' | 'recurring' | 'proration';
  /** What is charged: base - discount + lines, never below zero (0: nothing is charged, paid at once). */
  amountCents: number;
  /** The plan's amount before discount and lines (absent on invoices without either: = amountCents). */
  baseAmountCents?: number;
  /** The coupon's discount on the base amount. */
  discount?: { code: string; amountCents: number };
  /** Adjustments (proration, balances carried between invoices). */
  lines?: InvoiceLine[];
  dueDate: string;
  status: InvoiceStatus;
  attempts: ChargeAttempt[];
  paidAt?: string;
  externalPaymentId?: string;
  boleto?: { url?: string; barcode?: string; dueDate: string; saleId?: string };
  refund?: InvoiceRefund;
}

export interface InvoiceSummary {
  /** Invoices dropped from state to keep it small (continue-as-new carries the summary). */
  archivedCount: number;
  archivedPaidCents: number;
  paidCount: number;
  paidCents: number;
  failedAttempts: number;
}

/** The subscription as queries return it. */
export interface SubscriptionView {
  subscriptionId: string;
  customerId: string;
  planId: string;
  amountCents: number;
  status: SubscriptionStatus;
  /** The same status in each provider's terms (Zspay subscription status 1..5; Adiq). */
  providerStatus: { zspay: number; adiq: 'Active' | 'Blocked' | 'Canceled' };
  paymentMethod: PaymentMethod;
  /** Billed by a provider (Adiq- or Zspay-billed): the provider's subscription and plan ids, once it holds them. */
  providerSubscription?: { provider: 'adiq' | 'zspay'; subscriptionId: string; planId: string };
  nextChargeDate?: string;
  cancelAtPeriodEnd: boolean;
  dunning?: { cycle: number; failures: number; nextRetryDate?: string };
  /** What the partner (ZapSign) was last told and confirmed. */
  partnerStatus?: 'adimplente' | 'inadimplente';
  pendingPlanId?: string;
  /** The coupon discounting the next invoices, and how many cycles it has left (absent: forever). */
  coupon?: { code: string; terms: string; cyclesLeft?: number };
  /** The coupon codes this subscription redeemed (absent: none). */
  couponRedemptions?: string[];
  /** Signed cents waiting for the next invoice (proration, carried balances); absent when none. */
  nextInvoiceAdjustmentCents?: number;
  /** A charge refused for a reason no retry can fix, waiting to be tried again. */
  chargeHold?: ChargeHold;
  /** The cycle being charged right now, if any. */
  chargeInFlight?: { cycle: number; reference: string; since: string };
  /** What the partner must be told but has not confirmed yet (a call pending or failing). */
  partnerStatusPending?: 'adimplente' | 'inadimplente';
  /** Side effects (merchant notifications, partner and payment status calls) not yet delivered. */
  delivery: DeliveryStatus;
  /** Payment webhooks the provider contradicted, ignored. */
  ignoredPaymentNotices: number;
  summary: string;
}
