/**
 * The coupon catalog's inputs, validated with zod in the client, the HTTP API and the CLI (the
 * workflow checks the same with common/coupon-rules.ts, without zod).
 */
import { z } from 'zod';
import { MAX_AMOUNT_CENTS } from './billing/plan-rules';
import { COUPON_LIMITS } from './coupon-rules';
import { businessIdSchema, calendarDateSchema, timeZoneSchema } from './validation';

const whole = (field: string) =>
  z.number({ message: `${field} must be a number` }).int(`${field} must be a whole number`);

/** A coupon of the catalog: its terms, and how many subscriptions may redeem it in all. */
export const catalogCouponSchema = z
  .object({
    code: businessIdSchema('code'),
    percentOff: whole('percentOff')
      .min(1, 'percentOff must be between 1 and 100')
      .max(COUPON_LIMITS.percentOff, 'percentOff must be between 1 and 100')
      .optional(),
    amountOffCents: whole('amountOffCents')
      .min(1, 'amountOffCents must be greater than zero')
      .max(MAX_AMOUNT_CENTS, 'amountOffCents is too large')
      .optional(),
    cycles: whole('cycles')
      .min(1, `cycles must be between 1 and ${COUPON_LIMITS.cycles}`)
      .max(COUPON_LIMITS.cycles, `cycles must be between 1 and ${COUPON_LIMITS.cycles}`)
      .optional(),
    /** The last day it may be redeemed, in `timeZone`. */
    expiresAt: calendarDateSchema('expiresAt').optional(),
    /** How many subscriptions may redeem it in all (absent: no limit). */
    maxRedemptions: whole('maxRedemptions')
      .min(1, `maxRedemptions must be between 1 and ${COUPON_LIMITS.maxRedemptions}`)
      .max(COUPON_LIMITS.maxRedemptions, `maxRedemptions must be between 1 and ${COUPON_LIMITS.maxRedemptions}`)
      .optional(),
    timeZone: timeZoneSchema(),
  })
  .strict()
  .superRefine((coupon, ctx) => {
    if ((coupon.percentOff === undefined) === (coupon.amountOffCents === undefined))
      ctx.addIssue({
        code: 'custom',
        path: ['percentOff'],
        message: 'takes exactly one of percentOff and amountOffCents',
      });
  });
export type CatalogCouponInput = z.input<typeof catalogCouponSchema>;

export const couponCodeSchema = businessIdSchema('couponCode');

/** `applyCoupon` with a catalog code instead of the terms. */
export const applyCouponCodeArgsSchema = z.object({ couponCode: couponCodeSchema }).strict();

export * from './coupon-rules';
