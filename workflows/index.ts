/** Every workflow the worker registers. */
export { resellerPaymentWorkflow } from './reseller-payment';
