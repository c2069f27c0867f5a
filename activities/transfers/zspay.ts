/**
 * Zspay transfer activities: balance, immediate and scheduled transfers, cancel a scheduled one.
 *
 * Exactly once. Zspay transfers have no idempotency key and no read by id ("Transferências" in
 * zspay-api.pt-BR.txt documents only POST /transferencias, the list of *scheduled* transfers and
 * their DELETE); our reference travels in `descricao` ([ref:...]), which the scheduled list and the
 * transfer webhooks return.
 *
 * - Immediate transfer: it can never be looked up, so ANY retried attempt stops with a
 *   non-retryable UnknownOutcome (the workflow moves to `needs_reconciliation`, and the transfer
 *   webhook carrying the reference settles it) unless the attempt before provably did nothing:
 *   Zspay answered 429, or the connection was refused before sending (see previous-attempt.ts:
 *   the refused attempt's note, or Temporal's record of its failure). A worker killed after Zspay
 *   accepted the transfer, a timeout, a heartbeat lost with the completion: no proof, no resend.
 * - Scheduled transfer: a retried attempt looks for a scheduled transfer with our reference first
 *   and returns it. Zspay drops a transfer from that list once it executes, so close to its date
 *   "not listed" proves nothing: then, without proof that nothing was sent, it is reconciliation too.
 */
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { isProviderError, RateLimitedError } from '../../providers/errors';
import type { ZspayClient } from '../../providers/zspay/client';
import { referenceOf, withReference } from '../../providers/zspay/reference';
import { retryAfterWithJitter, toApplicationFailure, withProviderFailures } from '../provider-failure';
import { heartbeating } from '../heartbeat';
import {
  NOT_SENT_FAILURE,
  notSentNote,
  previousAttempt,
  readPreviousFailureFromTemporal,
  refusedBeforeActing,
  type PreviousFailureReader,
} from './previous-attempt';
import { FailureType } from '../../common/failure-types';

export interface ZspayTransferDeps {
  zspay: Pick<ZspayClient, 'getBalance' | 'transfer' | 'listScheduledTransfers' | 'deleteScheduledTransfer'>;
  /** Temporal's record of the previous attempt's failure (default: DescribeWorkflowExecution through the worker's client). */
  readPreviousFailure?: PreviousFailureReader;
}

export interface ExecuteTransferInput {
  reference: string;
  amountCents: number;
  destination: { type: 'digital_account'; establishmentId: string } | { type: 'bank_account'; bankAccountId: string };
  description: string;
  /** ISO date-time; absent = immediate. */
  scheduledFor?: string;
}

export interface TransferResult {
  transferId: string;
  reference: string;
  amountCents: number;
  scheduled: boolean;
  status: string;
}

/**
 * Zspay executes a scheduled transfer on its date (`agendado_para` is a date) and then lists it no
 * more. From this long before the instant asked for, it may already be gone from the list.
 */
const SCHEDULED_MAY_HAVE_RUN_MS = 36 * 3_600_000;

const tipoOf = (input: ExecuteTransferInput): 1 | 2 => (input.destination.type === 'digital_account' ? 1 : 2);

/** The non-retryable failure that sends the transfer to reconciliation instead of sending it again. */
function reconcileInstead(input: ExecuteTransferInput, why: string): ApplicationFailure {
  return ApplicationFailure.create({
    type: FailureType.UnknownOutcome,
    message: `Zspay ${input.scheduledFor ? 'scheduled' : 'immediate'} transfer ${input.reference} was possibly made by an earlier attempt (${why}); Zspay cannot be asked, so it is not sent again: the transfer webhook with the reference settles it`,
    nonRetryable: true,
    details: [{ reference: input.reference }],
  });
}

export function createZspayTransferActivities({
  zspay,
  readPreviousFailure = readPreviousFailureFromTemporal,
}: ZspayTransferDeps) {
  const findScheduled = async (tipo: 1 | 2, reference: string) =>
    (await zspay.listScheduledTransfers(tipo)).find((t) => referenceOf(t.descricao) === reference);

  /** The POST; a refusal before Zspay acted leaves a note and fails as NotSent, so the next attempt may send. */
  const send = async (input: ExecuteTransferInput, attempt: number): Promise<TransferResult> => {
    try {
      const transfer = await heartbeating({ reference: input.reference, sendingAtAttempt: attempt }, () =>
        zspay.transfer({
          tipoTransferencia: tipoOf(input),
          amountCents: input.amountCents,
          toEstabelecimentoId:
            input.destination.type === 'digital_account' ? input.destination.establishmentId : undefined,
          contaBancariaId: input.destination.type === 'bank_account' ? input.destination.bankAccountId : undefined,
          descricao: withReference(input.description, input.reference),
          agendadoPara: input.scheduledFor,
        }),
      );
      return {
        transferId: transfer.id,
        reference: input.reference,
        amountCents: transfer.amountCents,
        scheduled: transfer.scheduled,
        status: transfer.status,
      };
    } catch (error) {
      if (!refusedBeforeActing(error) || !isProviderError(error)) throw error;
      Context.current().heartbeat(notSentNote(input.reference, attempt));
      throw ApplicationFailure.create({
        type: NOT_SENT_FAILURE,
        message: `Zspay did not make transfer ${input.reference} (${error.name}: ${error.message}); the next attempt sends it`,
        nonRetryable: false,
        nextRetryDelay:
          error instanceof RateLimitedError && error.retryAfterMs !== undefined
            ? retryAfterWithJitter(error.retryAfterMs)
            : undefined,
        cause: toApplicationFailure(error) as Error,
      });
    }
  };

  return {
    getBalance: (input: { establishmentId: string }) =>
      withProviderFailures(() => zspay.getBalance(input.establishmentId)),

    executeTransfer: (input: ExecuteTransferInput): Promise<TransferResult> =>
      withProviderFailures(async () => {
        const { info } = Context.current();
        if (info.attempt === 1) return send(input, info.attempt);
        const judge = () => previousAttempt(input.reference, info, readPreviousFailure);

        if (!input.scheduledFor) {
          const previous = await heartbeating({ reference: input.reference, checkingAtAttempt: info.attempt }, judge);
          if (!previous.sentNothing) throw reconcileInstead(input, previous.evidence);
          return send(input, info.attempt);
        }

        const existing = await heartbeating({ reference: input.reference, checkingAtAttempt: info.attempt }, () =>
          findScheduled(tipoOf(input), input.reference),
        );
        if (existing)
          return {
            transferId: existing.id,
            reference: input.reference,
            amountCents: existing.amountCents,
            scheduled: true,
            status: 'new',
          };
        if (Date.now() >= Date.parse(input.scheduledFor) - SCHEDULED_MAY_HAVE_RUN_MS) {
          const previous = await judge();
          if (!previous.sentNothing)
            throw reconcileInstead(
              input,
              `not in the scheduled list, which drops it once it runs on its date; ${previous.evidence}`,
            );
        }
        return send(input, info.attempt);
      }),
  };
}

export type ZspayTransferActivities = ReturnType<typeof createZspayTransferActivities>;
