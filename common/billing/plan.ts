/**
 * One plan model for both providers' recurrences, validated with messages that name the field.
 * Adiq: Monthly (every 30 days, no end), Bimonthly / Quarterly / Semesterly / Yearly (30-day
 * intervals, 2 / 3 / 6 / 12 installments), Custom (interval >= 20 days, installments > 0).
 * Zspay: `frequency` daily / weekly / monthly / annualy (their spelling) times `interval`.
 */
import { z } from 'zod';
import { calendarDateSchema, timeZoneSchema } from '../validation';
import {
  ADIQ_FIXED_INSTALLMENTS,
  ADIQ_FIXED_INTERVAL_DAYS,
  ADIQ_MIN_CUSTOM_INTERVAL_DAYS,
  ADIQ_PLAN_TYPES,
  MAX_AMOUNT_CENTS,
  MAX_DURATION_MONTHS,
  ZSPAY_FREQUENCIES,
} from './plan-rules';

export * from './plan-rules';

const wholeNumber = (field: string) =>
  z.number({ message: `${field} must be a number` }).int(`${field} must be a whole number`);

export const recurrenceSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('adiq'),
    planType: z.enum(ADIQ_PLAN_TYPES, { message: `recurrence.planType must be one of ${ADIQ_PLAN_TYPES.join(', ')}` }),
    interval: wholeNumber('recurrence.interval').positive('recurrence.interval must be positive').optional(),
    installments: wholeNumber('recurrence.installments')
      .positive('recurrence.installments must be greater than zero')
      .optional(),
  }),
  z.object({
    kind: z.literal('calendar'),
    frequency: z.enum(ZSPAY_FREQUENCIES, {
      message: `recurrence.frequency must be one of ${ZSPAY_FREQUENCIES.join(', ')}`,
    }),
    interval: wholeNumber('recurrence.interval')
      .min(1, 'recurrence.interval must be at least 1')
      .max(365, 'recurrence.interval must be at most 365'),
  }),
]);
export type Recurrence = z.infer<typeof recurrenceSchema>;

export const planSchema = z
  .object({
    /** Each charge, in integer cents (R$ 59.90 = 5990). */
    amountCents: wholeNumber('amountCents')
      .positive('amountCents must be greater than zero')
      .max(MAX_AMOUNT_CENTS, 'amountCents is too large'),
    recurrence: recurrenceSchema,
    /** Teimosinha retries after a soft decline (0..4). */
    attempts: wholeNumber('attempts')
      .min(0, 'attempts must be between 0 and 4')
      .max(4, 'attempts must be between 0 and 4')
      .default(4),
    /** Trial / grace period: free days before the first charge (Adiq trialDays, Zspay grace_period). */
    trialDays: wholeNumber('trialDays')
      .min(0, 'trialDays must be 0 or more')
      .max(3650, 'trialDays must be at most 3650')
      .default(0),
    /** Charged at sign-up (Zspay setup_amount), in cents. */
    setupAmountCents: wholeNumber('setupAmountCents')
      .positive('setupAmountCents must be greater than zero')
      .max(MAX_AMOUNT_CENTS, 'setupAmountCents is too large')
      .optional(),
    /** Days a boleto may still be paid after its due date (Zspay tolerance_period). */
    tolerancePeriodDays: wholeNumber('tolerancePeriodDays')
      .min(0, 'tolerancePeriodDays must be 0 or more')
      .max(60, 'tolerancePeriodDays must be at most 60')
      .default(0),
    /** The subscription ends after this many months (Zspay subscription_duration). */
    durationMonths: wholeNumber('durationMonths')
      .positive('durationMonths must be greater than zero')
      .max(MAX_DURATION_MONTHS, `durationMonths must be at most ${MAX_DURATION_MONTHS}`)
      .optional(),
    /** No charge falls after this date (Zspay plan_expiration_date). */
    expiresAt: calendarDateSchema('expiresAt').optional(),
    /** The local hour charges run at, in the plan's time zone. */
    chargeHourLocal: wholeNumber('chargeHourLocal')
      .min(0, 'chargeHourLocal must be between 0 and 23')
      .max(23, 'chargeHourLocal must be between 0 and 23')
      .default(9),
    timeZone: timeZoneSchema(),
  })
  .superRefine((plan, ctx) => {
    const r = plan.recurrence;
    if (r.kind !== 'adiq') return;
    if (r.planType === 'Custom') {
      if (r.interval === undefined || r.interval < ADIQ_MIN_CUSTOM_INTERVAL_DAYS) {
        ctx.addIssue({
          code: 'custom',
          path: ['recurrence', 'interval'],
          message: `recurrence.interval must be at least ${ADIQ_MIN_CUSTOM_INTERVAL_DAYS} days for a Custom plan`,
        });
      }
      if (r.installments === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['recurrence', 'installments'],
          message: 'recurrence.installments must be greater than zero for a Custom plan',
        });
      }
    } else {
      // Adiq assigns 30 days and the type's installments itself; other values would disagree with it.
      if (r.interval !== undefined && r.interval !== ADIQ_FIXED_INTERVAL_DAYS) {
        ctx.addIssue({
          code: 'custom',
          path: ['recurrence', 'interval'],
          message: `recurrence.interval is always ${ADIQ_FIXED_INTERVAL_DAYS} for a ${r.planType} plan`,
        });
      }
      const fixed = ADIQ_FIXED_INSTALLMENTS[r.planType];
      if (r.installments !== undefined && r.installments !== fixed) {
        ctx.addIssue({
          code: 'custom',
          path: ['recurrence', 'installments'],
          message: `recurrence.installments is ${fixed ?? 'unlimited'} for a ${r.planType} plan`,
        });
      }
    }
  });
export type Plan = z.infer<typeof planSchema>;
export type PlanInput = z.input<typeof planSchema>;
