/**
 * Payment status API activity: push a payment's new status to the merchant system. The update sets
 * a status (idempotent), so Temporal may retry it after a lost answer (UnknownOutcome).
 */
import type { PaymentStatusClient, PushStatusInput } from '../../providers/payment-status/client';
import { withProviderFailures } from '../provider-failure';

export type PushPaymentStatusInput = PushStatusInput;

export interface PaymentStatusActivityDeps {
  paymentStatus: Pick<PaymentStatusClient, 'pushStatus'>;
}

export function createPaymentStatusActivities({ paymentStatus }: PaymentStatusActivityDeps) {
  return {
    async pushPaymentStatus(input: PushPaymentStatusInput): Promise<{ paymentId: string; status: string }> {
      return withProviderFailures(async () => {
        await paymentStatus.pushStatus(input);
        return { paymentId: input.paymentId, status: input.status };
      });
    },
  };
}

export type PaymentStatusActivities = ReturnType<typeof createPaymentStatusActivities>;
