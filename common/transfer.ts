/**
 * Scheduled transfers (payouts) through Zspay: to a digital account (an establishment) or a bank
 * account, on a local date and time in the merchant's zone. Bank transfers scheduled on a weekend
 * or Brazilian bank holiday move to the next business day.
 */
import { z } from 'zod';
import { nextBusinessDay } from './billing/holidays';
import type { CalendarDate } from './billing/calendar';
import { calendarDateSchema } from './subscription/model';
import { businessIdSchema, timeZoneSchema } from './validation';

export const transferDestinationSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('digital_account'), establishmentId: businessIdSchema('destination.establishmentId') }),
  z.object({ type: z.literal('bank_account'), bankAccountId: businessIdSchema('destination.bankAccountId') }),
]);

export const scheduleTransferInputSchema = z.object({
  transferId: businessIdSchema('transferId'),
  /** The establishment whose balance pays for it (checked before executing). */
  sourceEstablishmentId: businessIdSchema('sourceEstablishmentId'),
  destination: transferDestinationSchema,
  amountCents: z.number({ message: 'amountCents must be a number' }).int('amountCents must be a whole number of cents').positive('amountCents must be greater than zero'),
  description: z.string().min(1, 'description is required').max(140, 'description must be at most 140 characters'),
  executeOn: calendarDateSchema('executeOn'),
  executeAt: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'executeAt must be a local time as HH:MM').default('09:00'),
  timeZone: timeZoneSchema(),
  /** Insufficient balance: check again every `recheckMinutes` until `giveUpAfterHours`, then fail. */
  insufficientBalance: z
    .object({
      recheckMinutes: z.number().int().min(1, 'insufficientBalance.recheckMinutes must be at least 1').max(1440).default(60),
      giveUpAfterHours: z.number().int().min(0).max(24 * 30, 'insufficientBalance.giveUpAfterHours must be at most 720').default(72),
    })
    .default({ recheckMinutes: 60, giveUpAfterHours: 72 }),
});
export type ScheduleTransferInput = z.input<typeof scheduleTransferInputSchema>;
export type ParsedTransferInput = z.output<typeof scheduleTransferInputSchema>;

export function transferWorkflowId(transferId: string): string {
  return `transfer-${transferId}`;
}

/** Bank transfers only move on business days; digital-account transfers move any day. */
export function executionDate(input: Pick<ParsedTransferInput, 'destination' | 'executeOn'>): CalendarDate {
  return input.destination.type === 'bank_account' ? nextBusinessDay(input.executeOn) : input.executeOn;
}

export type TransferState =
  | 'scheduled'
  | 'waiting_for_balance'
  | 'executing'
  | 'pending' // sent; Zspay reports new/pending until the bank settles it
  | 'succeeded'
  | 'failed'
  | 'canceled'
  | 'needs_reconciliation'; // possibly sent (answer lost, worker gone) and Zspay cannot be asked: the transfer webhook settles it

/**
 * Zspay transfer statuses: 1 Nova, 2 Pendente, 3 Sucesso, 4 Falha — as codes in webhooks, or as
 * the client's names (new, pending, succeeded, failed).
 */
export function transferStateOfZspayStatus(status: number | string): TransferState | undefined {
  switch (String(status)) {
    case '1':
    case '2':
    case 'new':
    case 'pending':
      return 'pending';
    case '3':
    case 'succeeded':
      return 'succeeded';
    case '4':
    case 'failed':
      return 'failed';
    default:
      return undefined;
  }
}

export interface TransferView {
  transferId: string;
  state: TransferState;
  amountCents: number;
  destination: ParsedTransferInput['destination'];
  executeOn: CalendarDate;
  executeAt: string;
  /** When it runs (or ran), as an ISO instant. */
  scheduledAt: string;
  providerTransferId?: string;
  reason?: string;
  history: Array<{ at: string; state: TransferState; note?: string }>;
  /** Status webhooks ignored because what Zspay told us about the transfer contradicts them. */
  contradictedWebhooks?: number;
  /** The last of them, and why. */
  lastContradictedWebhook?: { at: string; providerTransferId: string; status: number | string; reason: string };
}

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

/** What the workflow knows of the transfer it sent: its input, and the id Zspay answered with. */
export interface SentTransfer {
  amountCents: number;
  sourceEstablishmentId: string;
  destination: ParsedTransferInput['destination'];
  /** Zspay's id from the answer to the POST (undefined when that answer was lost). */
  providerTransferId?: string;
}

/**
 * Why a transfer webhook cannot be about the transfer we sent, or undefined when nothing in it
 * contradicts it. Zspay offers no read of an immediate transfer (no GET /transferencias/{id}), so
 * the check is against what Zspay itself answered (the transfer id) and what we asked it to do.
 */
export function webhookContradiction(update: TransferStatusUpdate, sent: SentTransfer): string | undefined {
  const reais = (cents: number) => `R$ ${(cents / 100).toFixed(2)}`;
  if (sent.providerTransferId !== undefined && update.providerTransferId !== sent.providerTransferId) {
    return `Zspay answered the transfer with id ${sent.providerTransferId}; this webhook is about transfer ${update.providerTransferId} with the same reference`;
  }
  if (update.amountCents !== undefined && update.amountCents !== sent.amountCents) {
    return `the webhook's amount ${reais(update.amountCents)} is not the ${reais(sent.amountCents)} sent`;
  }
  if (update.fromEstablishmentId !== undefined && update.fromEstablishmentId !== sent.sourceEstablishmentId) {
    return `the webhook's source establishment ${update.fromEstablishmentId} is not ${sent.sourceEstablishmentId}`;
  }
  const { destination } = sent;
  if (destination.type === 'digital_account' && update.toEstablishmentId !== undefined && update.toEstablishmentId !== destination.establishmentId) {
    return `the webhook's destination establishment ${update.toEstablishmentId} is not ${destination.establishmentId}`;
  }
  if (destination.type === 'bank_account' && update.bankAccountId !== undefined && update.bankAccountId !== destination.bankAccountId) {
    return `the webhook's bank account ${update.bankAccountId} is not ${destination.bankAccountId}`;
  }
  return undefined;
}

/**
 * A recurring payout: on a weekly schedule, settle an establishment's available balance (less
 * what it keeps) to a destination. A Temporal Schedule starts one settlement a time.
 */
export const PAYOUT_WEEKDAYS = ['SUNDAY', 'MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY'] as const;

export const recurringPayoutInputSchema = z.object({
  payoutId: businessIdSchema('payoutId'),
  sourceEstablishmentId: businessIdSchema('sourceEstablishmentId'),
  destination: transferDestinationSchema,
  weekday: z.enum(PAYOUT_WEEKDAYS, { message: `weekday must be one of ${PAYOUT_WEEKDAYS.join(', ')}` }),
  at: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'at must be a local time as HH:MM').default('09:00'),
  timeZone: timeZoneSchema(),
  /** Left in the account after each payout, in cents. */
  keepCents: z.number().int('keepCents must be a whole number of cents').min(0, 'keepCents must be 0 or more').default(0),
  /** Below this, no transfer is made that week. */
  minimumCents: z.number().int('minimumCents must be a whole number of cents').positive('minimumCents must be greater than zero').default(100),
});
export type RecurringPayoutInput = z.input<typeof recurringPayoutInputSchema>;
export type ParsedRecurringPayout = z.output<typeof recurringPayoutInputSchema>;

export function payoutScheduleId(payoutId: string): string {
  return `payout-${payoutId}`;
}

export interface SettlementResult {
  payoutId: string;
  date: CalendarDate;
  /** Undefined when the balance was under the minimum. */
  transferId?: string;
  amountCents: number;
  state: TransferState | 'skipped';
  reason?: string;
}
