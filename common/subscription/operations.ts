/**
 * Arguments of the operations a running subscription accepts (Temporal Updates), validated with
 * zod in the client, the HTTP API and the Update validators alike.
 */
import { z } from 'zod';
import { calendarDateSchema, externalPaymentSchema, paymentMethodSchema } from './model';

export const cancelArgsSchema = z.object({
  /** false: cancel now; true: at the end of the period already paid (the next charge date). */
  atPeriodEnd: z.boolean({ message: 'atPeriodEnd must be true or false' }),
  reason: z.string().max(500, 'reason must be at most 500 characters').optional(),
});
export type CancelArgs = z.infer<typeof cancelArgsSchema>;

export const changeNextChargeDateArgsSchema = z.object({ date: calendarDateSchema('date') });
export type ChangeNextChargeDateArgs = z.infer<typeof changeNextChargeDateArgsSchema>;

export const changePaymentMethodArgsSchema = z.object({ paymentMethod: paymentMethodSchema });
export type ChangePaymentMethodArgs = z.infer<typeof changePaymentMethodArgsSchema>;

export const extendGraceArgsSchema = z.object({
  days: z
    .number({ message: 'days must be a number' })
    .int('days must be a whole number')
    .min(1, 'days must be at least 1')
    .max(90, 'days must be at most 90'),
});
export type ExtendGraceArgs = z.infer<typeof extendGraceArgsSchema>;

export const linkExternalPaymentArgsSchema = z.object({
  cycle: z
    .number({ message: 'cycle must be a number' })
    .int('cycle must be a whole number')
    .min(0, 'cycle must be 0 or more'),
  payment: externalPaymentSchema,
});
export type LinkExternalPaymentArgs = z.infer<typeof linkExternalPaymentArgsSchema>;

/** A payment confirmed by the provider (webhook ingress or billing run). */
export const paymentReceivedSchema = z.object({
  /** The provider's id of the sale/boleto that was paid. */
  saleId: z.string().min(1, 'saleId is required'),
  paidAt: z.iso.datetime({ offset: true, message: 'paidAt must be an ISO 8601 date-time' }).optional(),
  amountCents: z.number().int().positive().optional(),
});
export type PaymentReceived = z.infer<typeof paymentReceivedSchema>;
