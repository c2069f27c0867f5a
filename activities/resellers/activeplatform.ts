/**
 * ActivePlatform reseller payment activities.
 *
 * Retry safety of completeResellerPayment: completing is not idempotent at ActivePlatform: a
 * second PATCH on a completed payment answers 422 ("Only payments with "waiting for
 * payment/expired" status can be completed."), the same answer as for a canceled payment. When a
 * previous attempt's answer was lost (timeout => UnknownOutcome, Temporal retries), this attempt
 * gets that 422. So on a 422 we read the payment back (GET, not mutating): if it is now
 * 'completed', the goal is met and we return it as success; any other status keeps the 422 as
 * InvalidState (non-retryable). The PATCH itself is never repeated after a completion, so the
 * payment is completed once. A payment completed by someone else in the meantime is also reported
 * as completed (with a warning when the payment method differs): nothing more can be done there.
 */
import { log } from '@temporalio/activity';
import type { CompletedResellerPayment } from '../../common/reseller-payment';
import type { ActivePlatformClient, PaymentRef, ResellerPayment } from '../../providers/activeplatform/client';
import { InvalidStateError } from '../../providers/errors';
import { reaisToCents } from '../../providers/money';
import { withProviderFailures } from '../provider-failure';

export interface CompleteResellerPaymentActivityInput {
  resellerId: number;
  paymentId: number;
  paymentMethodId: number;
}

export interface ResellerActivityDeps {
  activePlatform: Pick<ActivePlatformClient, 'completePayment' | 'getPayment'>;
}

export function createResellerActivities({ activePlatform }: ResellerActivityDeps) {
  return {
    async completeResellerPayment(input: CompleteResellerPaymentActivityInput): Promise<CompletedResellerPayment> {
      return withProviderFailures(async () => {
        try {
          return toCompletedResellerPayment(await activePlatform.completePayment(input));
        } catch (error) {
          if (!(error instanceof InvalidStateError && error.statusCode === 422)) throw error;
          const current = await activePlatform.getPayment(input);
          if (current.status !== 'completed') throw error;
          if (current.paymentMethodId != null && current.paymentMethodId !== input.paymentMethodId) {
            log.warn('Payment was already completed with another payment method', {
              paymentId: input.paymentId,
              paymentMethodId: current.paymentMethodId,
              requested: input.paymentMethodId,
            });
          } else {
            log.info('Payment already completed (a previous attempt\'s answer was lost); treating as success', {
              paymentId: input.paymentId,
            });
          }
          return toCompletedResellerPayment(current);
        }
      });
    },

    /** Reads a payment (for reconciliation and support tools). */
    async getResellerPayment(input: PaymentRef): Promise<CompletedResellerPayment> {
      return withProviderFailures(async () => toCompletedResellerPayment(await activePlatform.getPayment(input)));
    },
  };
}

export type ResellerActivities = ReturnType<typeof createResellerActivities>;

/** What crosses into workflow history: small, amounts in cents, no JSON:API document. */
export function toCompletedResellerPayment(payment: ResellerPayment): CompletedResellerPayment {
  const attributes = payment.document.data.attributes;
  return {
    paymentId: payment.id,
    status: payment.rawStatus,
    totalCents: payment.totalCents,
    discountCents: attributes.discount_amount ? reaisToCents(attributes.discount_amount, { allowTrailingZeros: true }) : 0,
    closedAt: payment.closedAt ?? null,
    paymentMethodId: payment.paymentMethodId ?? null,
    paymentMethodName: attributes.payment_method_name ?? null,
  };
}
