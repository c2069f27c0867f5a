/**
 * Scheduled transfers' rules, without zod (the transfer and payout workflows import this module):
 * dates, Zspay's statuses, the webhook check, and cheap input checks with the schemas' defaults
 * (the full zod schemas are in transfer.ts, for the client and the HTTP API).
 */
import { nextBusinessDay } from './billing/holidays';
import { instantAt, type CalendarDate } from './billing/calendar';
import { Check, isObject, known, withDefaults, type Fields, type Problems } from './checks';
import type {
  ParsedRecurringPayout,
  ParsedTransferInput,
  ScheduleTransferInput,
  TransferStatusUpdate,
} from './transfer';
import { formatBRL } from './money';

export type { ScheduleTransferInput, TransferStatusUpdate };

export function transferWorkflowId(transferId: string): string {
  return `transfer-${transferId}`;
}

/** Bank transfers only move on business days; digital-account transfers move any day. */
export function executionDate(input: Pick<ParsedTransferInput, 'destination' | 'executeOn'>): CalendarDate {
  return input.destination.type === 'bank_account' ? nextBusinessDay(input.executeOn) : input.executeOn;
}

/** The instant a transfer runs: its execution date at `executeAt` (HH:MM) in its time zone. */
export function executionInstant(
  input: Pick<ParsedTransferInput, 'destination' | 'executeOn' | 'executeAt' | 'timeZone'>,
): number {
  const time = /^(\d{2}):(\d{2})$/.exec(input.executeAt);
  if (!time) throw new RangeError(`Not a local time (HH:MM): ${input.executeAt}`);
  return instantAt(executionDate(input), Number(time[1]), Number(time[2]), input.timeZone);
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
  if (sent.providerTransferId !== undefined && update.providerTransferId !== sent.providerTransferId) {
    return `Zspay answered the transfer with id ${sent.providerTransferId}; this webhook is about transfer ${update.providerTransferId} with the same reference`;
  }
  if (update.amountCents !== undefined && update.amountCents !== sent.amountCents) {
    return `the webhook's amount ${formatBRL(update.amountCents)} is not the ${formatBRL(sent.amountCents)} sent`;
  }
  if (update.fromEstablishmentId !== undefined && update.fromEstablishmentId !== sent.sourceEstablishmentId) {
    return `the webhook's source establishment ${update.fromEstablishmentId} is not ${sent.sourceEstablishmentId}`;
  }
  const { destination } = sent;
  if (
    destination.type === 'digital_account' &&
    update.toEstablishmentId !== undefined &&
    update.toEstablishmentId !== destination.establishmentId
  ) {
    return `the webhook's destination establishment ${update.toEstablishmentId} is not ${destination.establishmentId}`;
  }
  if (
    destination.type === 'bank_account' &&
    update.bankAccountId !== undefined &&
    update.bankAccountId !== destination.bankAccountId
  ) {
    return `the webhook's bank account ${update.bankAccountId} is not ${destination.bankAccountId}`;
  }
  return undefined;
}

export const PAYOUT_WEEKDAYS = ['SUNDAY', 'MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY'] as const;

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

const DESTINATION_TYPES = ['digital_account', 'bank_account'] as const;

const knownDestination = (destination: Fields) =>
  known(destination, destination.type === 'bank_account' ? ['type', 'bankAccountId'] : ['type', 'establishmentId']);

function destinationProblems(value: unknown): Problems {
  if (!isObject(value)) return ['destination: destination is required'];
  const check = new Check('destination.');
  if (value.type === 'digital_account') return check.id('establishmentId', value.establishmentId).problems;
  if (value.type === 'bank_account') return check.id('bankAccountId', value.bankAccountId).problems;
  return check.oneOf('type', value.type, DESTINATION_TYPES).problems;
}

/** A transfer's input with the schema's defaults filled in, or what is wrong with it. */
export function checkTransferInput(value: unknown): { input?: ParsedTransferInput; problems: Problems } {
  if (!isObject(value)) return { problems: ['(root): a transfer is required'] };
  const balance = isObject(value.insufficientBalance) ? value.insufficientBalance : {};
  const problems = new Check()
    .id('transferId', value.transferId)
    .id('sourceEstablishmentId', value.sourceEstablishmentId)
    .merge(destinationProblems(value.destination))
    .whole('amountCents', value.amountCents, 1, Number.MAX_SAFE_INTEGER)
    .text('description', value.description, 140)
    .date('executeOn', value.executeOn)
    .time('executeAt', value.executeAt, true)
    .timeZone('timeZone', value.timeZone)
    .whole('insufficientBalance.recheckMinutes', balance.recheckMinutes, 1, 1440, true)
    .whole('insufficientBalance.giveUpAfterHours', balance.giveUpAfterHours, 0, 720, true).problems;
  if (problems.length > 0) return { problems };
  return {
    problems,
    input: {
      ...withDefaults(
        { executeAt: '09:00', timeZone: 'America/Sao_Paulo' },
        known(value, [
          'transferId',
          'sourceEstablishmentId',
          'amountCents',
          'description',
          'executeOn',
          'executeAt',
          'timeZone',
        ]),
      ),
      destination: knownDestination(value.destination as Fields),
      insufficientBalance: withDefaults(
        { recheckMinutes: 60, giveUpAfterHours: 72 },
        known(balance, ['recheckMinutes', 'giveUpAfterHours']),
      ),
    } as ParsedTransferInput,
  };
}

export function transferStatusProblems(value: unknown): Problems {
  if (!isObject(value)) return ['(root): a transfer status is required'];
  return new Check()
    .text('providerTransferId', value.providerTransferId, 100)
    .that(
      'status',
      typeof value.status === 'number' || typeof value.status === 'string',
      'must be a number or a string',
    )
    .text('reason', value.reason, 500, true)
    .whole('amountCents', value.amountCents, 0, Number.MAX_SAFE_INTEGER, true)
    .text('fromEstablishmentId', value.fromEstablishmentId, 100, true)
    .text('toEstablishmentId', value.toEstablishmentId, 100, true)
    .text('bankAccountId', value.bankAccountId, 100, true).problems;
}

/** A recurring payout's input with the schema's defaults filled in, or what is wrong with it. */
export function checkPayoutInput(value: unknown): { input?: ParsedRecurringPayout; problems: Problems } {
  if (!isObject(value)) return { problems: ['(root): a payout is required'] };
  const problems = new Check()
    .id('payoutId', value.payoutId)
    .id('sourceEstablishmentId', value.sourceEstablishmentId)
    .merge(destinationProblems(value.destination))
    .oneOf('weekday', value.weekday, PAYOUT_WEEKDAYS)
    .time('at', value.at, true)
    .timeZone('timeZone', value.timeZone)
    .whole('keepCents', value.keepCents, 0, Number.MAX_SAFE_INTEGER, true)
    .whole('minimumCents', value.minimumCents, 1, Number.MAX_SAFE_INTEGER, true).problems;
  if (problems.length > 0) return { problems };
  const fields = known(value, [
    'payoutId',
    'sourceEstablishmentId',
    'weekday',
    'at',
    'timeZone',
    'keepCents',
    'minimumCents',
  ]);
  return {
    problems,
    input: {
      ...withDefaults({ at: '09:00', timeZone: 'America/Sao_Paulo', keepCents: 0, minimumCents: 100 }, fields),
      destination: knownDestination(value.destination as Fields),
    } as ParsedRecurringPayout,
  };
}
