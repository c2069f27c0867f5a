/**
 * A scheduled payout: waits on a durable timer until its local date and time, checks the balance
 * (never a blind overdraft attempt), transfers with Zspay, and follows the transfer's status
 * webhooks to its final state. Cancelable until it executes.
 *
 * Insufficient balance policy: check again every `recheckMinutes` until `giveUpAfterHours` after
 * the scheduled time, then fail with the shortfall as the reason.
 *
 * Exactly once: a send that may have reached Zspay is never repeated (see activities/transfers);
 * the workflow moves to `needs_reconciliation` and the transfer webhook carrying its reference
 * settles it. Webhooks are hints: Zspay offers no read of an immediate transfer, so one that
 * contradicts what Zspay answered to the send (another transfer id) or what was sent (amount,
 * source, destination) is ignored, logged and counted in the view.
 */
import {
  ApplicationFailure,
  condition,
  log,
  patched,
  setHandler,
  upsertMemo,
  upsertSearchAttributes,
  type ActivityOptions,
} from '@temporalio/workflow';
import { providerReadRetry, providerWriteRetry } from '../common/retry-policies';
import { TransferEstablishmentId, TransferScheduledAt, TransferStatus } from '../common/search-attributes';
import {
  executionDate,
  executionInstant,
  checkTransferInput,
  transferStateOfZspayStatus,
  transferStatusProblems,
  webhookContradiction,
  type ScheduleTransferInput,
  type TransferState,
  type TransferStatusUpdate,
  type TransferView,
} from '../common/transfer-rules';
import { cancelTransferUpdate, transferQuery, transferStatusSignal } from './definitions';
import { applicationCause, invalidInput } from './failures';
import { providerActivities } from './provider-activities';
import { FailureType } from '../common/failure-types';
import { formatBRL } from '../common/money';

/**
 * Sending a transfer: the activity heartbeats while it talks to Zspay, so a dead worker is noticed
 * after 10 seconds; a retry never resends what may have been sent, so a short timeout costs at
 * worst a reconciliation, never a second transfer.
 */
export const sendTransferActivity: ActivityOptions = {
  startToCloseTimeout: '1 minute',
  heartbeatTimeout: '10 seconds',
  retry: providerWriteRetry,
};

/** How long to follow a sent transfer's webhooks before handing it to reconciliation. */
const SETTLEMENT_WAIT_MS = 7 * 24 * 3_600_000;
/** Runs that met a cancel during the balance check end canceled instead of sending (see below). */
export const CANCEL_DURING_BALANCE_CHECK_PATCH = 'transfer-cancel-during-balance-check';

const FINAL: readonly TransferState[] = ['succeeded', 'failed', 'canceled', 'needs_reconciliation'];

export async function transferWorkflow(rawInput: ScheduleTransferInput): Promise<TransferView> {
  const { getBalance } = providerActivities('zspay', { startToCloseTimeout: '30 seconds', retry: providerReadRetry });
  const { executeTransfer } = providerActivities('zspay', sendTransferActivity);
  const checked = checkTransferInput(rawInput);
  if (!checked.input) throw invalidInput(`Invalid transfer: ${checked.problems.join('; ')}`);
  const input = checked.input;
  const executeOn = executionDate(input);
  const runAt = executionInstant(input);
  const reference = `transfer-${input.transferId}`;

  const view: TransferView = {
    transferId: input.transferId,
    state: 'scheduled',
    amountCents: input.amountCents,
    destination: input.destination,
    executeOn,
    executeAt: input.executeAt,
    scheduledAt: new Date(runAt).toISOString(),
    history: [],
    contradictedWebhooks: 0,
  };
  let cancelRequested = false;
  const pendingStatuses: TransferStatusUpdate[] = [];

  const moveTo = (state: TransferState, note?: string) => {
    view.state = state;
    if (note) view.reason = note;
    view.history.push({ at: new Date().toISOString(), state, note });
    upsertSearchAttributes([{ key: TransferStatus, value: state }]);
    const amount = formatBRL(input.amountCents);
    upsertMemo({
      summary: `${state.replace(/_/g, ' ')} · ${amount} to ${input.destination.type === 'bank_account' ? `bank account ${input.destination.bankAccountId}` : `establishment ${input.destination.establishmentId}`} · ${executeOn} ${input.executeAt}${note ? ` · ${note}` : ''}`,
    });
  };

  setHandler(transferQuery, () => view);
  setHandler(
    cancelTransferUpdate,
    ({ reason }) => {
      cancelRequested = true;
      moveTo('canceled', reason ?? 'canceled before execution');
      return view;
    },
    {
      validator: (_args) => {
        if (view.state === 'executing' || view.state === 'pending' || view.state === 'needs_reconciliation') {
          throw new Error('the transfer was already sent to Zspay; it can no longer be canceled');
        }
        if (FINAL.includes(view.state)) throw new Error(`the transfer is already ${view.state.replace(/_/g, ' ')}`);
      },
    },
  );
  setHandler(transferStatusSignal, (update) => {
    const problems = transferStatusProblems(update);
    if (problems.length === 0) pendingStatuses.push(update);
    else log.warn('Ignoring a malformed transfer status', { problems });
  });

  upsertSearchAttributes([
    {
      key: TransferEstablishmentId,
      value:
        input.destination.type === 'digital_account' ? input.destination.establishmentId : input.sourceEstablishmentId,
    },
    { key: TransferScheduledAt, value: new Date(runAt) },
  ]);
  moveTo(
    'scheduled',
    executeOn !== input.executeOn ? `moved from ${input.executeOn} to the next business day` : undefined,
  );

  // The durable timer: a cancel wakes it early.
  if (await condition(() => cancelRequested, Math.max(1, runAt - Date.now()))) return view;

  // Never a blind overdraft attempt: wait for the balance, up to a deadline.
  const giveUpAt = runAt + input.insufficientBalance.giveUpAfterHours * 3_600_000;
  for (;;) {
    const balance = await getBalance({ establishmentId: input.sourceEstablishmentId });
    // A cancel acknowledged while the balance was being read stands: nothing is sent. (Released
    // code sent the transfer anyway; the patch marker appears only in runs that met such a cancel.)
    if (cancelRequested && patched(CANCEL_DURING_BALANCE_CHECK_PATCH)) return view;
    if (balance.currentCents >= input.amountCents) break;
    const shortfall = input.amountCents - balance.currentCents;
    if (Date.now() + input.insufficientBalance.recheckMinutes * 60_000 > giveUpAt) {
      moveTo(
        'failed',
        `insufficient balance: ${formatBRL(balance.currentCents)} available, ${formatBRL(shortfall)} short, until ${new Date(giveUpAt).toISOString()}`,
      );
      throw ApplicationFailure.nonRetryable(view.reason, 'InsufficientBalance', { shortfallCents: shortfall });
    }
    if (view.state !== 'waiting_for_balance') moveTo('waiting_for_balance', `${formatBRL(shortfall)} short`);
    if (await condition(() => cancelRequested, `${input.insufficientBalance.recheckMinutes} minutes`)) return view;
  }

  moveTo('executing');
  try {
    const sent = await executeTransfer({
      reference,
      amountCents: input.amountCents,
      destination: input.destination,
      description: input.description,
    });
    view.providerTransferId = sent.transferId;
    moveTo(transferStateOfZspayStatus(sent.status) ?? 'pending');
  } catch (error) {
    const cause = applicationCause(error);
    if (cause?.type === FailureType.UnknownOutcome) {
      moveTo('needs_reconciliation', cause.message);
    } else {
      moveTo('failed', cause?.message ?? (error as Error).message);
      throw error;
    }
  }

  // Follow the webhooks (new → pending → success / failure) to a final state.
  const followUntil = Date.now() + SETTLEMENT_WAIT_MS;
  while (view.state !== 'succeeded' && view.state !== 'failed') {
    const remaining = followUntil - Date.now();
    if (remaining <= 0 || !(await condition(() => pendingStatuses.length > 0, remaining))) {
      if (view.state !== 'needs_reconciliation')
        moveTo('needs_reconciliation', 'no final status from Zspay within 7 days');
      break;
    }
    const update = pendingStatuses.shift()!;
    const contradiction = webhookContradiction(update, {
      amountCents: input.amountCents,
      sourceEstablishmentId: input.sourceEstablishmentId,
      destination: input.destination,
      providerTransferId: view.providerTransferId,
    });
    if (contradiction) {
      view.contradictedWebhooks = (view.contradictedWebhooks ?? 0) + 1;
      view.lastContradictedWebhook = {
        at: new Date().toISOString(),
        providerTransferId: update.providerTransferId,
        status: update.status,
        reason: contradiction,
      };
      log.warn('Ignoring a transfer webhook Zspay contradicts', {
        transferId: input.transferId,
        providerTransferId: update.providerTransferId,
        status: update.status,
        reason: contradiction,
      });
      continue;
    }
    view.providerTransferId ??= update.providerTransferId;
    const state = transferStateOfZspayStatus(update.status);
    if (state && state !== view.state)
      moveTo(state, state === 'failed' ? (update.reason ?? 'the bank refused the transfer') : undefined);
  }
  if (view.state === 'failed')
    throw ApplicationFailure.nonRetryable(`Transfer ${input.transferId} failed: ${view.reason}`, 'TransferFailed');
  return view;
}
