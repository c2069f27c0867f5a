/**
 * Sends one transfer scheduled at Zspay (`agendadoPara`) with the engine's own activity and options.
 * No engine workflow schedules at Zspay (transferWorkflow waits on its own durable timer and then
 * sends an immediate transfer), so this driver is how the fault suite kills a worker mid-send of one.
 */
import { proxyActivities } from '@temporalio/workflow';
import type { EngineActivities } from '../../../activities';
import type { ExecuteTransferInput, TransferResult } from '../../../activities/transfers/zspay';
import { sendTransferActivity } from '../../../workflows/transfer';

const { executeTransfer } = proxyActivities<EngineActivities>(sendTransferActivity);

export async function zspayScheduledTransferWorkflow(
  input: ExecuteTransferInput & { scheduledFor: string },
): Promise<TransferResult> {
  return executeTransfer(input);
}
