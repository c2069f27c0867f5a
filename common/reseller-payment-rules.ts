/**
 * Reseller payment completion without zod (the workflow imports this module): ids, states, the view,
 * and a cheap input check (the full zod schema is in reseller-payment.ts).
 */
import { Check, isObject, known, type Problems } from './checks';
import type { CompleteResellerPaymentInput } from './reseller-payment';

export type { CompleteResellerPaymentInput };

export function resellerPaymentWorkflowId(resellerId: number, paymentId: number): string {
  return `reseller-payment-${resellerId}-${paymentId}`;
}

export type ResellerPaymentState =
  'awaiting_confirmation' | 'completing' | 'completed' | 'rejected' | 'confirmation_expired';

/** The completed payment as ActivePlatform reports it, amounts in integer cents. */
export interface CompletedResellerPayment {
  paymentId: string;
  status: string;
  totalCents: number;
  discountCents: number;
  closedAt: string | null;
  paymentMethodId: number | null;
  paymentMethodName: string | null;
}

export interface ResellerPaymentView {
  resellerId: number;
  paymentId: number;
  state: ResellerPaymentState;
  providerReference: string;
  confirmedAt?: string;
  result?: CompletedResellerPayment;
  reason?: string;
}

/** The input as the schema would accept it, or what is wrong with it. */
export function checkResellerPaymentInput(value: unknown): {
  input?: CompleteResellerPaymentInput;
  problems: Problems;
} {
  if (!isObject(value)) return { problems: ['(root): a reseller payment is required'] };
  const confirmation = isObject(value.confirmation) ? value.confirmation : {};
  const check = new Check()
    .whole('resellerId', value.resellerId, 1, Number.MAX_SAFE_INTEGER)
    .whole('paymentId', value.paymentId, 1, Number.MAX_SAFE_INTEGER)
    .whole('paymentMethodId', value.paymentMethodId, 1, Number.MAX_SAFE_INTEGER)
    .oneOf('confirmation.mode', confirmation.mode, ['confirmed', 'await'])
    .text('confirmation.providerReference', confirmation.providerReference, 100);
  if (confirmation.mode === 'await') {
    check
      .oneOf('confirmation.provider', confirmation.provider, ['zspay', 'adiq'])
      .that(
        'confirmation.deadline',
        typeof confirmation.deadline === 'string' && Number.isFinite(Date.parse(confirmation.deadline)),
        'must be an ISO 8601 date-time',
      );
  }
  if (check.problems.length > 0) return { problems: check.problems };
  const kept = known(
    confirmation,
    confirmation.mode === 'await'
      ? ['mode', 'provider', 'providerReference', 'deadline']
      : ['mode', 'providerReference'],
  );
  return {
    problems: [],
    input: {
      ...known(value, ['resellerId', 'paymentId', 'paymentMethodId']),
      confirmation: kept,
    } as unknown as CompleteResellerPaymentInput,
  };
}
