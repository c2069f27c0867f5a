/**
 * Scheduled transfers (payouts) through Zspay: to a digital account (an establishment) or a bank
 * account, on a local date and time in the merchant's zone. Bank transfers scheduled on a weekend
 * or Brazilian bank holiday move to the next business day.
 */
import { z } from 'zod';
import { calendarDateSchema } from './subscription/model';
import { businessIdSchema, timeZoneSchema } from './validation';
import { PAYOUT_WEEKDAYS } from './transfer-rules';

export const transferDestinationSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('digital_account'), establishmentId: businessIdSchema('destination.establishmentId') }),
  z.object({ type: z.literal('bank_account'), bankAccountId: businessIdSchema('destination.bankAccountId') }),
]);

export const scheduleTransferInputSchema = z.object({
  transferId: businessIdSchema('transferId'),
  /** The establishment whose balance pays for it (checked before executing). */
  sourceEstablishmentId: businessIdSchema('sourceEstablishmentId'),
  destination: transferDestinationSchema,
  amountCents: z
    .number({ message: 'amountCents must be a number' })
    .int('amountCents must be a whole number of cents')
    .positive('amountCents must be greater than zero'),
  description: z.string().min(1, 'description is required').max(140, 'description must be at most 140 characters'),
  executeOn: calendarDateSchema('executeOn'),
  executeAt: z
    .string()
    .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'executeAt must be a local time as HH:MM')
    .default('09:00'),
  timeZone: timeZoneSchema(),
  /** Insufficient balance: check again every `recheckMinutes` until `giveUpAfterHours`, then fail. */
  insufficientBalance: z
    .object({
      recheckMinutes: z
        .number()
        .int()
        .min(1, 'insufficientBalance.recheckMinutes must be at least 1')
        .max(1440)
        .default(60),
      giveUpAfterHours: z
        .number()
        .int()
        .min(0)
        .max(24 * 30, 'insufficientBalance.giveUpAfterHours must be at most 720')
        .default(72),
    })
    .default({ recheckMinutes: 60, giveUpAfterHours: 72 }),
});
export type ScheduleTransferInput = z.input<typeof scheduleTransferInputSchema>;
export type ParsedTransferInput = z.output<typeof scheduleTransferInputSchema>;

/**
 * A Zspay transfer webhook as the ingress hands it to the transfer workflow. Besides the id and
 * status, what the webhook says about the transfer (amount in cents, source, destination): each
 * given field is checked against the transfer the workflow sent.
 */
export const transferStatusSignalSchema = z.object({
  providerTransferId: z.string().min(1),
  status: z.union([z.number(), z.string()]),
  reason: z.string().optional(),
  amountCents: z.number().int().nonnegative().optional(),
  fromEstablishmentId: z.string().min(1).optional(),
  toEstablishmentId: z.string().min(1).optional(),
  bankAccountId: z.string().min(1).optional(),
});
export type TransferStatusUpdate = z.infer<typeof transferStatusSignalSchema>;

/**
 * A recurring payout: on a weekly schedule, settle an establishment's available balance (less
 * what it keeps) to a destination. A Temporal Schedule starts one settlement a time.
 */
export const recurringPayoutInputSchema = z.object({
  payoutId: businessIdSchema('payoutId'),
  sourceEstablishmentId: businessIdSchema('sourceEstablishmentId'),
  destination: transferDestinationSchema,
  weekday: z.enum(PAYOUT_WEEKDAYS, { message: `weekday must be one of ${PAYOUT_WEEKDAYS.join(', ')}` }),
  at: z
    .string()
    .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'at must be a local time as HH:MM')
    .default('09:00'),
  timeZone: timeZoneSchema(),
  /** Left in the account after each payout, in cents. */
  keepCents: z
    .number()
    .int('keepCents must be a whole number of cents')
    .min(0, 'keepCents must be 0 or more')
    .default(0),
  /** Below this, no transfer is made that week. */
  minimumCents: z
    .number()
    .int('minimumCents must be a whole number of cents')
    .positive('minimumCents must be greater than zero')
    .default(100),
});
export type RecurringPayoutInput = z.input<typeof recurringPayoutInputSchema>;
export type ParsedRecurringPayout = z.output<typeof recurringPayoutInputSchema>;

export * from './transfer-rules';
