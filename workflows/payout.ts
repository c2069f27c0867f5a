/**
 * One run of a recurring payout (started by its Temporal Schedule): read the available balance and
 * transfer it, less what the establishment keeps, as a child transfer workflow. The child's id is
 * the payout and the local date, so a run repeated the same day never pays twice.
 */
import { executeChild, WorkflowIdReusePolicy } from '@temporalio/workflow';
import { providerActivities } from './provider-activities';
import { localDateOf } from '../common/billing/calendar';
import { providerReadRetry } from '../common/retry-policies';
import { checkPayoutInput, type SettlementResult } from '../common/transfer-rules';
import type { RecurringPayoutInput } from '../common/transfer';
import { invalidInput } from './failures';
import { transferWorkflow } from './transfer';
import { formatBRL } from '../common/money';

export async function settleBalanceWorkflow(rawInput: RecurringPayoutInput): Promise<SettlementResult> {
  const { getBalance } = providerActivities('zspay', { startToCloseTimeout: '30 seconds', retry: providerReadRetry });
  const checked = checkPayoutInput(rawInput);
  if (!checked.input) throw invalidInput(`Invalid payout: ${checked.problems.join('; ')}`);
  const input = checked.input;
  const date = localDateOf(Date.now(), input.timeZone);
  const balance = await getBalance({ establishmentId: input.sourceEstablishmentId });
  const amountCents = balance.currentCents - input.keepCents;
  if (amountCents < input.minimumCents) {
    return {
      payoutId: input.payoutId,
      date,
      amountCents: Math.max(0, amountCents),
      state: 'skipped',
      reason: `available ${formatBRL(Math.max(0, amountCents))} is under the minimum`,
    };
  }
  const transferId = `${input.payoutId}-${date}`;
  const local = new Intl.DateTimeFormat('en-GB', {
    timeZone: input.timeZone,
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(new Date());
  const view = await executeChild(transferWorkflow, {
    workflowId: `transfer-${transferId}`,
    workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
    args: [
      {
        transferId,
        sourceEstablishmentId: input.sourceEstablishmentId,
        destination: input.destination,
        amountCents,
        description: `Payout ${input.payoutId} ${date}`,
        executeOn: date,
        executeAt: local,
        timeZone: input.timeZone,
        insufficientBalance: { recheckMinutes: 60, giveUpAfterHours: 24 },
      },
    ],
  });
  return { payoutId: input.payoutId, date, transferId, amountCents, state: view.state };
}
