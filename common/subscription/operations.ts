/**
 * Arguments of the operations a running subscription accepts (Temporal Updates), validated with
 * zod in the client, the HTTP API and the Update validators alike.
 */
import { z } from 'zod';
import { calendarDateSchema, externalPaymentSchema, paymentMethodSchema } from './model';
import { MAX_AMOUNT_CENTS } from '../billing/plan-rules';
import { businessIdSchema } from '../validation';

const whole = (field: string) =>
  z.number({ message: `${field} must be a number` }).int(`${field} must be a whole number`);

/**
 * A coupon, given in full (on create, or with the applyCoupon operation): percent or fixed cents
 * off each recurring invoice, for `cycles` invoices or forever, redeemable until `expiresAt`, at
 * most `maxRedemptions` times by the same subscription (see the README: there is no shared catalog).
 */
export const couponSchema = (field = 'coupon') =>
  z
    .object({
      code: businessIdSchema(`${field}.code`),
      percentOff: whole(`${field}.percentOff`)
        .min(1, `${field}.percentOff must be between 1 and 100`)
        .max(100, `${field}.percentOff must be between 1 and 100`)
        .optional(),
      amountOffCents: whole(`${field}.amountOffCents`)
        .min(1, `${field}.amountOffCents must be greater than zero`)
        .max(MAX_AMOUNT_CENTS, `${field}.amountOffCents is too large`)
        .optional(),
      cycles: whole(`${field}.cycles`)
        .min(1, `${field}.cycles must be between 1 and 120`)
        .max(120, `${field}.cycles must be between 1 and 120`)
        .optional(),
      expiresAt: calendarDateSchema(`${field}.expiresAt`).optional(),
      maxRedemptions: whole(`${field}.maxRedemptions`)
        .min(1, `${field}.maxRedemptions must be between 1 and 1000`)
        .max(1000, `${field}.maxRedemptions must be between 1 and 1000`)
        .optional(),
    })
    .strict()
    .superRefine((coupon, ctx) => {
      if ((coupon.percentOff === undefined) === (coupon.amountOffCents === undefined))
        ctx.addIssue({
          code: 'custom',
          path: ['percentOff'],
          message: `${field} takes exactly one of percentOff and amountOffCents`,
        });
    });
export type CouponInput = z.infer<ReturnType<typeof couponSchema>>;

export const applyCouponArgsSchema = z.object({ coupon: couponSchema() });
export type ApplyCouponArgs = z.infer<typeof applyCouponArgsSchema>;

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

/**
 * Refunds a paid invoice at the provider (Zspay refunds a card sale only in full). `cycle` names
 * the invoice: 0 the setup fee, 1... the recurring cycles, a negative one the proration invoice of
 * that cycle (-3: the difference charged by a plan change with proration now in cycle 3).
 */
export const refundArgsSchema = z.object({
  cycle: z.number({ message: 'cycle must be a number' }).int('cycle must be a whole number'),
  amountCents: z
    .number({ message: 'amountCents must be a number' })
    .int('amountCents must be a whole number of cents')
    .positive('amountCents must be positive')
    .max(10_000_000_000, 'amountCents must be at most 10000000000 (R$ 100 million)')
    .optional(),
  reason: z.string().max(500, 'reason must be at most 500 characters').optional(),
});
export type RefundArgs = z.infer<typeof refundArgsSchema>;

/** A webhook says a sale was refunded (estornado): a hint, until the provider's sale confirms it. */
export const refundNoticeSchema = z.object({ saleId: z.string().min(1, 'saleId is required') });
export type RefundNotice = z.infer<typeof refundNoticeSchema>;

/** A payment confirmed by the provider (webhook ingress or billing run). */
export const paymentReceivedSchema = z.object({
  /** The provider's id of the sale/boleto that was paid. */
  saleId: z.string().min(1, 'saleId is required'),
  paidAt: z.iso.datetime({ offset: true, message: 'paidAt must be an ISO 8601 date-time' }).optional(),
  amountCents: z.number().int().positive().optional(),
});
export type PaymentReceived = z.infer<typeof paymentReceivedSchema>;
