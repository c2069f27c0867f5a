/**
 * ActivePlatform reseller payment activities.
 *
 * Completing is the document's PATCH and nothing else on a first attempt: its 422 ("Only payments
 * with "waiting for payment/expired" status can be completed.") is the answer, non-retryable
 * InvalidState with the document's title.
 *
 * A retry is different. The PATCH is not idempotent: a second one on a payment our own earlier
 * attempt completed (whose answer was lost: timeout, unreadable body, worker gone) also answers
 * 422, the same answer as for a canceled payment. So on a retry, and only then, a 422 is checked
 * by reading the payment (the "Get the Reseller's Payment information by ID" method the document
 * refers to but does not define): 'completed' means the goal is met and it is returned as success
 * (with a warning when another payment method completed it). The read must fail safe: if it fails
 * for any reason (405 from a provider without that GET, 404, timeout), the 422 stands, never the
 * read's error. The PATCH is never repeated after a completion, so the payment is completed once.
 */
import { Context, log } from '@temporalio/activity';
import type { CompletedResellerPayment } from '../../common/reseller-payment';
import type { ActivePlatformClient, ResellerPayment } from '../../providers/activeplatform/client';
import { InvalidStateError } from '../../providers/errors';
import { reaisToCents } from '../../providers/money';
import { withProviderFailures } from '../provider-failure';
import { heartbeating } from '../heartbeat';

export interface CompleteResellerPaymentActivityInput {
  resellerId: number;
  paymentId: number;
  paymentMethodId: number;
}

export interface ResellerActivityDeps {
  activePlatform: Pick<ActivePlatformClient, 'completePayment' | 'getPayment'>;
}

export function createResellerActivities({ activePlatform }: ResellerActivityDeps) {
  /** The payment, when a read shows it completed; undefined when it is not or cannot be read. */
  const completedByEarlierAttempt = async (
    input: CompleteResellerPaymentActivityInput,
  ): Promise<ResellerPayment | undefined> => {
    let current: ResellerPayment;
    try {
      current = await activePlatform.getPayment(input);
    } catch (readError) {
      log.warn('Could not read the payment back after a 422 on a retry; the 422 stands', {
        paymentId: input.paymentId,
        error: readError instanceof Error ? readError.message : String(readError),
      });
      return undefined;
    }
    if (current.status !== 'completed') return undefined;
    if (current.paymentMethodId != null && current.paymentMethodId !== input.paymentMethodId) {
      log.warn('Payment was already completed with another payment method', {
        paymentId: input.paymentId,
        paymentMethodId: current.paymentMethodId,
        requested: input.paymentMethodId,
      });
    } else {
      log.info("Payment already completed (an earlier attempt's answer was lost); treating as success", {
        paymentId: input.paymentId,
      });
    }
    return current;
  };

  return {
    async completeResellerPayment(input: CompleteResellerPaymentActivityInput): Promise<CompletedResellerPayment> {
      // Heartbeats while ActivePlatform answers: an attempt whose worker died is retried in seconds.
      return withProviderFailures(() =>
        heartbeating({ resellerId: input.resellerId, paymentId: input.paymentId }, async () => {
          try {
            return toCompletedResellerPayment(await activePlatform.completePayment(input));
          } catch (error) {
            const notCompletable = error instanceof InvalidStateError && error.statusCode === 422;
            if (!notCompletable || Context.current().info.attempt === 1) throw error;
            const current = await completedByEarlierAttempt(input);
            if (!current) throw error;
            return toCompletedResellerPayment(current);
          }
        }),
      );
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
    discountCents: attributes.discount_amount
      ? reaisToCents(attributes.discount_amount, { allowTrailingZeros: true })
      : 0,
    closedAt: payment.closedAt ?? null,
    paymentMethodId: payment.paymentMethodId ?? null,
    paymentMethodName: attributes.payment_method_name ?? null,
  };
}
