/**
 * Signals, queries and updates of every workflow, shared by the workflows and the client.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { BillingRunProgress } from '../common/billing-run';
import type { CouponCatalogView, CouponRedemption } from '../common/coupon-rules';
import type { ResellerPaymentView } from '../common/reseller-payment';
import type { TransferStatusUpdate, TransferView } from '../common/transfer';

/** A paying provider confirmed the payment (webhook ingress or billing run). */
export const resellerPaymentConfirmedSignal =
  defineSignal<[{ providerReference: string; paidAt?: string }]>('resellerPaymentConfirmed');
export const resellerPaymentQuery = defineQuery<ResellerPaymentView>('resellerPayment');

export const transferQuery = defineQuery<TransferView>('transfer');
/** Cancel a transfer before it executes; refused with a reason once it was sent. */
export const cancelTransferUpdate = defineUpdate<TransferView, [{ reason?: string }]>('cancel');
/** A Zspay transfer webhook, routed by the reference in the transfer's description. */
export const transferStatusSignal = defineSignal<[TransferStatusUpdate]>('transferStatus');

export const billingRunProgressQuery = defineQuery<BillingRunProgress>('progress');

export const couponQuery = defineQuery<CouponCatalogView>('coupon');
/** Redeem a catalog coupon for a subscription: once per subscription id (again: the same answer). */
export const redeemCouponUpdate = defineUpdate<CouponRedemption, [{ subscriptionId: string }]>('redeem');
/** Give a subscription's redemption back (nothing when it holds none). */
export const releaseCouponUpdate = defineUpdate<CouponCatalogView, [{ subscriptionId: string }]>('release');
/** The redemption a subscription holds, if any. */
export const couponRedemptionQuery = defineQuery<CouponRedemption | null, [string]>('redemption');
