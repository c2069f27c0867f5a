/** Every workflow the worker registers. */
export { resellerPaymentWorkflow } from './reseller-payment';
export { subscriptionWorkflow } from './subscription';
export { transferWorkflow } from './transfer';
export { billingRunWorkflow } from './billing-run';
export { settleBalanceWorkflow } from './payout';
export { adiqSubscriptionWorkflow } from './adiq-subscription';
export { zspaySubscriptionWorkflow } from './zspay-subscription';
export { adiqNotificationWorkflow } from './adiq-notification';
export { couponWorkflow } from './coupon';
