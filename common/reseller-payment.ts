/**
 * Completing a reseller's payment at ActivePlatform once it was paid elsewhere.
 * Exactly once per (reseller, payment): the workflow id is built from both.
 */
import { z } from 'zod';

const positiveId = (field: string) =>
  z
    .number({ message: `${field} must be a number` })
    .int(`${field} must be an integer`)
    .positive(`${field} must be positive`);

export const resellerPaymentConfirmationSchema = z.discriminatedUnion('mode', [
  /** The caller already knows the payment succeeded at the paying provider. */
  z.object({
    mode: z.literal('confirmed'),
    providerReference: z.string().min(1, 'providerReference is required').max(100),
  }),
  /** Wait for the paying provider's confirmation (e.g. a Zspay boleto paid webhook) until a deadline. */
  z.object({
    mode: z.literal('await'),
    provider: z.enum(['zspay', 'adiq']),
    providerReference: z.string().min(1, 'providerReference is required').max(100),
    deadline: z.iso.datetime({ offset: true, message: 'deadline must be an ISO 8601 date-time' }),
  }),
]);

export const completeResellerPaymentInputSchema = z.object({
  resellerId: positiveId('resellerId'),
  paymentId: positiveId('paymentId'),
  paymentMethodId: positiveId('paymentMethodId'),
  confirmation: resellerPaymentConfirmationSchema,
});
export type CompleteResellerPaymentInput = z.infer<typeof completeResellerPaymentInputSchema>;

export * from './reseller-payment-rules';
