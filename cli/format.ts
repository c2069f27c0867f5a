/**
 * The CLI's pure side: human formatting (money, tables, the engine's views) and the mapping from
 * typed errors to the exit codes and JSON error documents scripts rely on. No I/O here.
 */
import type { ChargeHold } from '../common/subscription/charge-hold';
import { invoiceLabel } from '../common/subscription/machine';
import { DEFAULT_MERCHANT_TIME_ZONE, formatBRL, formatDate, formatDateTime } from '../common/money';
import { CommanderError } from 'commander';
import { ConflictError, NotFoundError, RejectedError, ValidationError, type FieldIssue } from '../client/errors';
import type { ResellerPaymentView } from '../common/reseller-payment';
import {
  TERMINAL_STATUSES,
  type Invoice,
  type InvoiceSummary,
  type PaymentMethod,
  type SubscriptionView,
} from '../common/subscription/model';
import type { SubscriptionListItem } from '../client/subscriptions';
import type { PayoutListItem, PayoutView, ScheduledTransfer, TransferListItem } from '../client/transfers';
import type { TransferView } from '../common/transfer';
import type { Forecast } from '../workflows/subscription-definitions';

/**
 * Exit codes, a contract with scripts:
 *   0 ok
 *   1 anything else (Temporal unreachable, unexpected failure)
 *   2 usage or validation error (each field and its reason on stderr)
 *   3 not found (no such subscription / reseller payment)
 *   4 conflict (e.g. a subscription id that already exists)
 *   5 rejected: the workflow refused the operation in its current state
 */
export const ExitCode = { ok: 0, failure: 1, usage: 2, notFound: 3, conflict: 4, rejected: 5 } as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** A command line the CLI itself refuses (an unreadable file, contradictory flags). */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Temporal did not answer at the configured address. */
export class TemporalUnavailableError extends Error {
  override readonly name = 'TemporalUnavailableError';
}

export type ErrorType = 'usage' | 'validation' | 'not_found' | 'conflict' | 'rejected' | 'unavailable' | 'error';

export interface ErrorDocument {
  error: { type: ErrorType; message: string; issues?: FieldIssue[] };
}

const isCommanderFailure = (error: unknown): error is CommanderError =>
  error instanceof CommanderError && error.exitCode !== 0;

export function errorType(error: unknown): ErrorType {
  if (error instanceof ValidationError) return 'validation';
  if (error instanceof UsageError || isCommanderFailure(error)) return 'usage';
  if (error instanceof NotFoundError) return 'not_found';
  if (error instanceof ConflictError) return 'conflict';
  if (error instanceof RejectedError) return 'rejected';
  if (error instanceof TemporalUnavailableError) return 'unavailable';
  return 'error';
}

const EXIT_CODE_OF: Record<ErrorType, ExitCode> = {
  usage: ExitCode.usage,
  validation: ExitCode.usage,
  not_found: ExitCode.notFound,
  conflict: ExitCode.conflict,
  rejected: ExitCode.rejected,
  unavailable: ExitCode.failure,
  error: ExitCode.failure,
};

export function exitCodeFor(error: unknown): ExitCode {
  // --help and --version end parsing with a CommanderError whose exit code is 0.
  if (error instanceof CommanderError && error.exitCode === 0) return ExitCode.ok;
  return EXIT_CODE_OF[errorType(error)];
}

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

export function errorDocument(error: unknown): ErrorDocument {
  // Commander prefixes its messages with "error: " for the terminal; the document carries the reason only.
  const message = error instanceof CommanderError ? error.message.replace(/^error: /, '') : messageOf(error);
  return {
    error: {
      type: errorType(error),
      message,
      ...(error instanceof ValidationError ? { issues: error.issues } : {}),
    },
  };
}

/** The error for a human on stderr: validation errors list each field and its reason, one a line. */
export function describeError(error: unknown): string {
  if (error instanceof ValidationError) {
    // ValidationError's message is "Invalid <what>: <issues>"; the issues get lines of their own.
    const separator = error.message.indexOf(': ');
    const heading = separator > 0 ? error.message.slice(0, separator) : 'Invalid input';
    return [`error: ${heading}`, ...error.issues.map((issue) => `  ${issue.field}: ${issue.message}`)].join('\n');
  }
  return `error: ${messageOf(error)}`;
}

/** Integer cents as Brazilian reais, "R$ 1.234,56" (common/money.ts, the one format). */
export const formatCents = formatBRL;

/**
 * Human output's dates (common/money.ts): calendar dates as "01/12/2026", instants in the
 * merchant's zone (MERCHANT_TIMEZONE, America/Sao_Paulo by default) as "01/12/2026 06:14 BRT".
 * --json keeps ISO.
 */
export { formatDate, formatDateTime };

/** The zone human output shows instants in: MERCHANT_TIMEZONE when it is a real zone. */
export function merchantTimeZone(env: NodeJS.ProcessEnv): string {
  const zone = env.MERCHANT_TIMEZONE;
  if (!zone) return DEFAULT_MERCHANT_TIME_ZONE;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return zone;
  } catch {
    return DEFAULT_MERCHANT_TIME_ZONE;
  }
}

const optionalDateTime = (instant: string | undefined | null, timeZone: string) =>
  instant ? formatDateTime(instant, timeZone) : undefined;

/** A held charge for people: why, since when and the next try, in the merchant's zone. */
export function formatChargeHold(hold: ChargeHold, timeZone = DEFAULT_MERCHANT_TIME_ZONE): string {
  return `charge held since ${formatDateTime(hold.since, timeZone)} (${hold.reason}), next try ${formatDateTime(hold.retryAt, timeZone)}`;
}

export interface Column<Row> {
  header: string;
  value: (row: Row) => string | number | undefined;
  align?: 'left' | 'right';
}

// Code points, not UTF-16 units, so accented names line up.
const width = (text: string) => Array.from(text).length;
const cell = (value: string | number | undefined) => (value === undefined ? '-' : String(value).replace(/\s+/g, ' '));
const pad = (text: string, size: number, align: 'left' | 'right' = 'left') =>
  align === 'right' ? ' '.repeat(size - width(text)) + text : text + ' '.repeat(size - width(text));

/** A plain-text table: upper-case headers, columns two spaces apart, "-" for missing values. */
export function renderTable<Row>(columns: ReadonlyArray<Column<Row>>, rows: readonly Row[]): string {
  const cells = rows.map((row) => columns.map((column) => cell(column.value(row))));
  const headers = columns.map((column) => column.header.toUpperCase());
  const sized = columns.map((column, i) => ({
    align: column.align,
    size: Math.max(...[headers, ...cells].map((line) => width(line[i] ?? ''))),
  }));
  const line = (values: string[]) =>
    sized
      .map(({ align, size }, i) => pad(values[i] ?? '', size, align))
      .join('  ')
      .trimEnd();
  return [line(headers), ...cells.map(line)].join('\n');
}

/** Label/value lines for one record; undefined values are left out. */
export function renderDetails(fields: ReadonlyArray<readonly [string, string | number | undefined]>): string {
  const present = fields.filter((field): field is readonly [string, string | number] => field[1] !== undefined);
  const labelWidth = Math.max(0, ...present.map(([label]) => width(label)));
  return present.map(([label, value]) => `${pad(label, labelWidth)}  ${cell(value)}`).join('\n');
}

export function formatPaymentMethod(method: PaymentMethod): string {
  switch (method.type) {
    case 'zspay_card':
      return `Zspay card ${method.cardId} (client ${method.zspayClientId})`;
    case 'zspay_boleto':
      return `Zspay boleto (client ${method.zspayClientId})`;
    case 'adiq_vault':
      return `Adiq vault ${method.vaultId}`;
    case 'zspay_subscription':
      return `Zspay subscription (billed by Zspay, customer ${method.customer.email})`;
  }
}

/** Side effects not delivered: only worth a line when something is failing or was given up. */
function formatDelivery(delivery: SubscriptionView['delivery'] | undefined): string | undefined {
  if (!delivery || (delivery.failing === 0 && delivery.givenUp === 0)) return undefined;
  const parts = [
    delivery.failing > 0 ? `${delivery.failing} failing, retrying` : '',
    delivery.givenUp > 0 ? `${delivery.givenUp} given up` : '',
    delivery.lastError ?? '',
  ];
  return parts.filter(Boolean).join(' · ');
}

export function formatSubscription(view: SubscriptionView, timeZone = DEFAULT_MERCHANT_TIME_ZONE): string {
  const dunning = view.dunning;
  return renderDetails([
    ['Subscription', view.subscriptionId],
    ['Customer', view.customerId],
    ['Plan', view.pendingPlanId ? `${view.planId} (changing to ${view.pendingPlanId})` : view.planId],
    ['Amount', formatCents(view.amountCents)],
    [
      'Coupon',
      view.coupon &&
        `${view.coupon.code}: ${view.coupon.terms}${view.coupon.cyclesLeft === undefined ? '' : `, ${view.coupon.cyclesLeft} cycle(s) left`}`,
    ],
    [
      'Next invoice',
      view.nextInvoiceAdjustmentCents === undefined
        ? undefined
        : `${view.nextInvoiceAdjustmentCents < 0 ? '' : '+'}${formatCents(view.nextInvoiceAdjustmentCents)} of adjustments (proration, carried balance)`,
    ],
    ['Status', `${view.status} (Zspay ${view.providerStatus.zspay}, Adiq ${view.providerStatus.adiq})`],
    ['Payment method', formatPaymentMethod(view.paymentMethod)],
    [
      'Billed by',
      view.providerSubscription &&
        `${view.providerSubscription.provider === 'zspay' ? 'Zspay' : 'Adiq'} subscription ${view.providerSubscription.subscriptionId} (plan ${view.providerSubscription.planId})`,
    ],
    ['Next charge', view.nextChargeDate && formatDate(view.nextChargeDate)],
    // An ended subscription may keep the flag; "cancels at period end" would then mislead.
    ['Cancels', view.cancelAtPeriodEnd && !TERMINAL_STATUSES.includes(view.status) ? 'at period end' : undefined],
    [
      'Dunning',
      dunning &&
        `${invoiceLabel(dunning.cycle)}, ${dunning.failures} failed, next retry ${dunning.nextRetryDate ? formatDate(dunning.nextRetryDate) : 'none'}`,
    ],
    [
      'Partner',
      view.partnerStatusPending
        ? `${view.partnerStatus ?? 'never told'} (telling it ${view.partnerStatusPending})`
        : view.partnerStatus,
    ],
    [
      'Charging',
      view.chargeInFlight &&
        `${invoiceLabel(view.chargeInFlight.cycle)} since ${formatDateTime(view.chargeInFlight.since, timeZone)} (${view.chargeInFlight.reference})`,
    ],
    ['Charge held', view.chargeHold && formatChargeHold(view.chargeHold, timeZone)],
    ['Notifications', formatDelivery(view.delivery)],
    [
      'Ignored notices',
      view.ignoredPaymentNotices > 0
        ? `${view.ignoredPaymentNotices} payment webhook(s) the provider contradicted`
        : undefined,
    ],
    ['Summary', view.summary],
  ]);
}

export function formatSubscriptionList(items: readonly SubscriptionListItem[]): string {
  if (items.length === 0) return 'No subscriptions found.';
  return renderTable<SubscriptionListItem>(
    [
      { header: 'Subscription', value: (s) => s.subscriptionId },
      { header: 'Status', value: (s) => s.status },
      { header: 'Customer', value: (s) => s.customerId },
      { header: 'Plan', value: (s) => s.planId },
      {
        header: 'Amount',
        value: (s) => (s.amountCents === undefined ? undefined : formatCents(s.amountCents)),
        align: 'right',
      },
    ],
    items,
  );
}

function refundCell(refund: NonNullable<Invoice['refund']>): string {
  const by = refund.source === 'provider' ? ' (at Zspay)' : '';
  return `${refund.status}${by}${refund.error ? `: ${refund.error}` : ''}`;
}

export function formatInvoices(
  {
    invoices,
    summary,
  }: {
    invoices: readonly Invoice[];
    summary: InvoiceSummary;
  },
  timeZone = DEFAULT_MERCHANT_TIME_ZONE,
): string {
  const table =
    invoices.length === 0
      ? 'No invoices yet.'
      : renderTable<Invoice>(
          [
            { header: 'Cycle', value: (i) => i.cycle, align: 'right' },
            { header: 'Kind', value: (i) => i.kind },
            // Shown once any invoice has a discount or lines: before, discount, lines, then what is charged.
            ...(invoices.some((i) => i.baseAmountCents !== undefined)
              ? [
                  {
                    header: 'Base',
                    value: (i: Invoice) => formatCents(i.baseAmountCents ?? i.amountCents),
                    align: 'right' as const,
                  },
                  {
                    header: 'Discount',
                    value: (i: Invoice) => (i.discount ? `-${formatCents(i.discount.amountCents)}` : ''),
                    align: 'right' as const,
                  },
                  {
                    header: 'Adjustments',
                    value: (i: Invoice) =>
                      i.lines ? formatCents(i.lines.reduce((total, line) => total + line.amountCents, 0)) : '',
                    align: 'right' as const,
                  },
                ]
              : []),
            { header: 'Amount', value: (i) => formatCents(i.amountCents), align: 'right' },
            { header: 'Due', value: (i) => formatDate(i.dueDate) },
            { header: 'Status', value: (i) => i.status },
            { header: 'Attempts', value: (i) => i.attempts.length, align: 'right' },
            { header: 'Last outcome', value: (i) => i.attempts.at(-1)?.outcome },
            { header: 'Paid at', value: (i) => optionalDateTime(i.paidAt, timeZone) },
            // Shown once any invoice has a refund.
            ...(invoices.some((i) => i.refund)
              ? [{ header: 'Refund', value: (i: Invoice) => (i.refund ? refundCell(i.refund) : '') }]
              : []),
          ],
          invoices,
        );
  const totals = `Paid: ${summary.paidCount} (${formatCents(summary.paidCents)}); failed attempts: ${summary.failedAttempts}`;
  const archived =
    summary.archivedCount > 0
      ? `; archived: ${summary.archivedCount} (${formatCents(summary.archivedPaidCents)} paid)`
      : '';
  return `${table}\n\n${totals}${archived}`;
}

export function formatForecast(forecast: Forecast): string {
  const table = renderTable<Forecast['charges'][number]>(
    [
      { header: 'Cycle', value: (c) => c.cycle, align: 'right' },
      { header: 'Date', value: (c) => formatDate(c.date) },
      { header: 'Amount', value: (c) => formatCents(c.amountCents), align: 'right' },
      ...(forecast.charges.some((c) => c.baseAmountCents !== undefined)
        ? [
            {
              header: 'Before',
              value: (c: Forecast['charges'][number]) =>
                c.baseAmountCents === undefined
                  ? ''
                  : `${formatCents(c.baseAmountCents)} − ${formatCents(c.discountCents ?? 0)} discount ${(c.adjustmentCents ?? 0) < 0 ? '−' : '+'} ${formatCents(Math.abs(c.adjustmentCents ?? 0))}`,
            },
          ]
        : []),
    ],
    forecast.charges,
  );
  return forecast.retries.length > 0 ? `${table}\n\nRetries: ${forecast.retries.map(formatDate).join(', ')}` : table;
}

export function formatResellerPayment(view: ResellerPaymentView, timeZone = DEFAULT_MERCHANT_TIME_ZONE): string {
  const result = view.result;
  return renderDetails([
    ['Reseller', view.resellerId],
    ['Payment', view.paymentId],
    ['State', view.state],
    ['Provider reference', view.providerReference],
    ['Confirmed at', optionalDateTime(view.confirmedAt, timeZone)],
    ['Reason', view.reason],
    ['Status', result?.status],
    ['Total', result && formatCents(result.totalCents)],
    ['Discount', result && formatCents(result.discountCents)],
    ['Closed at', optionalDateTime(result?.closedAt, timeZone)],
    ['Payment method', result?.paymentMethodName ?? undefined],
  ]);
}

function formatDestination(destination: TransferView['destination']): string {
  return destination.type === 'bank_account'
    ? `bank account ${destination.bankAccountId}`
    : `establishment ${destination.establishmentId}`;
}

export function formatScheduledTransfer(scheduled: ScheduledTransfer): string {
  const what = scheduled.created ? 'Scheduled' : 'Already scheduled with this input:';
  return `${what} ${scheduled.workflowId} for ${formatDate(scheduled.executeOn)} (run ${scheduled.runId})`;
}

export function formatTransfer(view: TransferView, timeZone = DEFAULT_MERCHANT_TIME_ZONE): string {
  const details = renderDetails([
    ['Transfer', view.transferId],
    ['State', view.state.replace(/_/g, ' ')],
    ['Amount', formatCents(view.amountCents)],
    ['To', formatDestination(view.destination)],
    ['Executes', `${formatDate(view.executeOn)} ${view.executeAt}`],
    ['Scheduled at', formatDateTime(view.scheduledAt, timeZone)],
    ['Zspay transfer', view.providerTransferId],
    ['Reason', view.reason],
    [
      'Ignored webhooks',
      view.contradictedWebhooks
        ? `${view.contradictedWebhooks} contradicted the transfer${view.lastContradictedWebhook ? ` (last: ${view.lastContradictedWebhook.reason})` : ''}`
        : undefined,
    ],
  ]);
  if (view.history.length === 0) return details;
  const history = renderTable<TransferView['history'][number]>(
    [
      { header: 'At', value: (h) => formatDateTime(h.at, timeZone) },
      { header: 'State', value: (h) => h.state.replace(/_/g, ' ') },
      { header: 'Note', value: (h) => h.note },
    ],
    view.history,
  );
  return `${details}\n\n${history}`;
}

export function formatTransferList(items: readonly TransferListItem[], timeZone = DEFAULT_MERCHANT_TIME_ZONE): string {
  if (items.length === 0) return 'No transfers found.';
  return renderTable<TransferListItem>(
    [
      { header: 'Transfer', value: (t) => t.transferId },
      { header: 'State', value: (t) => t.state?.replace(/_/g, ' ') },
      { header: 'Establishment', value: (t) => t.establishmentId },
      { header: 'Scheduled at', value: (t) => optionalDateTime(t.scheduledAt, timeZone) },
    ],
    items,
  );
}

export function formatPayout(view: PayoutView, timeZone = DEFAULT_MERCHANT_TIME_ZONE): string {
  const input = view.input;
  return renderDetails([
    ['Payout', view.payoutId],
    ['Schedule', `${view.scheduleId}${view.paused ? ' (paused)' : ''}`],
    ['From', input?.sourceEstablishmentId && `establishment ${input.sourceEstablishmentId}`],
    ['To', input && formatDestination(input.destination)],
    ['When', input && `every ${input.weekday.toLowerCase()} at ${input.at} (${input.timeZone})`],
    ['Keeps', input && formatCents(input.keepCents)],
    ['Minimum', input && formatCents(input.minimumCents)],
    [
      'Next runs',
      view.nextRuns.length > 0 ? view.nextRuns.map((at) => formatDateTime(at, timeZone)).join(', ') : undefined,
    ],
    [
      'Recent runs',
      view.recentRuns.length > 0
        ? view.recentRuns.map((run) => `${formatDateTime(run.scheduledAt, timeZone)} (${run.workflowId})`).join(', ')
        : undefined,
    ],
    ['Note', view.note || undefined],
  ]);
}

export function formatPayoutList(items: readonly PayoutListItem[], timeZone = DEFAULT_MERCHANT_TIME_ZONE): string {
  if (items.length === 0) return 'No payouts found.';
  return renderTable<PayoutListItem>(
    [
      { header: 'Payout', value: (p) => p.payoutId },
      { header: 'Paused', value: (p) => (p.paused ? 'yes' : 'no') },
      { header: 'Next run', value: (p) => optionalDateTime(p.nextRun, timeZone) },
      { header: 'Summary', value: (p) => p.summary },
    ],
    items,
  );
}
