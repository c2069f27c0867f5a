/**
 * Signals, queries and updates of every workflow, shared by the workflows and the client.
 */
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { ResellerPaymentView } from '../common/reseller-payment';

/** A paying provider confirmed the payment (webhook ingress or billing run). */
export const resellerPaymentConfirmedSignal = defineSignal<[{ providerReference: string; paidAt?: string }]>('resellerPaymentConfirmed');
export const resellerPaymentQuery = defineQuery<ResellerPaymentView>('resellerPayment');
