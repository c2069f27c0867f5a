/**
 * Zspay transfer activities: balance, immediate and scheduled transfers, cancel a scheduled one.
 *
 * Retry safety. Transfers have no reference field and no lookup by id; the reference travels in
 * `descricao` ([ref:...]), which the scheduled-transfer list returns. So a retried attempt first
 * looks for a scheduled transfer with our reference and returns it. An immediate transfer cannot
 * be found afterwards: when an attempt ended with an unknown outcome (marked in the heartbeat
 * details), the next attempt stops with a non-retryable failure asking for reconciliation
 * (statement / transfer webhook with the reference) instead of risking a second transfer.
 */
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { UnknownOutcomeError } from '../../providers/errors';
import type { ZspayClient } from '../../providers/zspay/client';
import { referenceOf, withReference } from '../../providers/zspay/reference';
import { withProviderFailures } from '../provider-failure';

export interface ZspayTransferDeps {
  zspay: Pick<ZspayClient, 'getBalance' | 'transfer' | 'listScheduledTransfers' | 'deleteScheduledTransfer'>;
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

const tipoOf = (input: ExecuteTransferInput): 1 | 2 => (input.destination.type === 'digital_account' ? 1 : 2);

export function createZspayTransferActivities({ zspay }: ZspayTransferDeps) {
  const findScheduled = async (tipo: 1 | 2, reference: string) =>
    (await zspay.listScheduledTransfers(tipo)).find((t) => referenceOf(t.descricao) === reference);

  return {
    getBalance: (input: { establishmentId: string }) => withProviderFailures(() => zspay.getBalance(input.establishmentId)),

    executeTransfer: (input: ExecuteTransferInput): Promise<TransferResult> =>
      withProviderFailures(async () => {
        const info = Context.current().info;
        const tipo = tipoOf(input);
        if (info.attempt > 1) {
          const existing = await findScheduled(tipo, input.reference);
          if (existing) return { transferId: existing.id, reference: input.reference, amountCents: existing.amountCents, scheduled: true, status: 'new' };
          const previous = info.heartbeatDetails as { unknownOutcome?: string } | undefined;
          if (previous?.unknownOutcome === input.reference && !input.scheduledFor) {
            throw ApplicationFailure.nonRetryable(
              `Zspay immediate transfer ${input.reference}: a previous attempt's outcome is unknown and Zspay cannot be asked; reconcile before retrying`,
              'UnknownOutcome',
              { reference: input.reference },
            );
          }
        }
        try {
          const transfer = await zspay.transfer({
            tipoTransferencia: tipo,
            amountCents: input.amountCents,
            toEstabelecimentoId: input.destination.type === 'digital_account' ? input.destination.establishmentId : undefined,
            contaBancariaId: input.destination.type === 'bank_account' ? input.destination.bankAccountId : undefined,
            descricao: withReference(input.description, input.reference),
            agendadoPara: input.scheduledFor,
          });
          return { transferId: transfer.id, reference: input.reference, amountCents: transfer.amountCents, scheduled: transfer.scheduled, status: transfer.status };
        } catch (error) {
          if (error instanceof UnknownOutcomeError) Context.current().heartbeat({ unknownOutcome: input.reference });
          throw error;
        }
      }),

    /** A scheduled transfer by id (Zspay only lists scheduled ones); undefined when gone or executed. */
    getTransfer: (input: { transferId: string; type: 'digital_account' | 'bank_account' }) =>
      withProviderFailures(async () => {
        const list = await zspay.listScheduledTransfers(input.type === 'digital_account' ? 1 : 2);
        return list.find((t) => t.id === input.transferId);
      }),

    cancelScheduledTransfer: (input: { transferId: string }) =>
      withProviderFailures(async () => {
        await zspay.deleteScheduledTransfer(input.transferId);
        return { transferId: input.transferId, canceled: true };
      }),
  };
}

export type ZspayTransferActivities = ReturnType<typeof createZspayTransferActivities>;
