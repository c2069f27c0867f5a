/** `billing reseller-payments ...`: complete a reseller's payment at ActivePlatform and follow it. */
import { WorkflowFailedError } from '@temporalio/client';
import type { Command } from 'commander';
import type { ResellerPaymentState, ResellerPaymentView } from '../../common/reseller-payment';
import { formatResellerPayment, UsageError } from '../format';
import { numberForSchema, type CliContext } from './context';

const FINAL_STATES: readonly ResellerPaymentState[] = ['completed', 'rejected', 'confirmation_expired'];

interface CompleteOptions {
  reseller: number;
  payment: number;
  method: number;
  reference: string;
  await?: boolean;
  provider?: string;
  deadline?: string;
}

export function registerResellerPaymentCommands(program: Command, context: CliContext): void {
  const payments = program.command('reseller-payments').description("Complete resellers' payments at ActivePlatform");

  payments
    .command('complete')
    .description('Complete a payment paid elsewhere, now (--reference) or once the provider confirms it (--await)')
    .requiredOption('--reseller <id>', 'reseller id', numberForSchema)
    .requiredOption('--payment <id>', 'payment id', numberForSchema)
    .requiredOption('--method <id>', 'ActivePlatform payment method id', numberForSchema)
    .requiredOption('--reference <ref>', "the paying provider's reference")
    .option('--await', "wait for the provider's confirmation instead of completing now")
    .option('--provider <name>', 'with --await: the paying provider (zspay, adiq)')
    .option('--deadline <iso>', 'with --await: give up at this ISO 8601 date-time')
    .action(async (options: CompleteOptions) => {
      const started = await (await context.client()).resellerPayments.complete(completeInput(options));
      context.print(started, (s) => `${s.attached ? 'Already started' : 'Started'}: ${s.workflowId} (run ${s.runId})`);
    });

  payments
    .command('get')
    .description("Show a reseller payment's state; --wait follows it to its outcome")
    .argument('<reseller>', 'reseller id', numberForSchema)
    .argument('<payment>', 'payment id', numberForSchema)
    .option('--wait', 'wait until it is completed, rejected or expired')
    .action(async (resellerId: number, paymentId: number, options: { wait?: boolean }) => {
      const billing = await context.client();
      // Reading first turns an unknown payment into "not found" before any waiting.
      let view: ResellerPaymentView = await billing.resellerPayments.get(resellerId, paymentId);
      if (options.wait && !FINAL_STATES.includes(view.state)) {
        await context.withProgress(`Waiting for reseller ${resellerId} payment ${paymentId}`, async () => {
          try {
            await billing.resellerPayments.result(resellerId, paymentId);
          } catch (error) {
            // A rejected or expired payment is an outcome to show, not a failure of this command.
            if (!(error instanceof WorkflowFailedError)) throw error;
          }
        });
        view = await billing.resellerPayments.get(resellerId, paymentId);
      }
      context.print(view, formatResellerPayment);
    });
}

function completeInput(options: CompleteOptions): unknown {
  const base = { resellerId: options.reseller, paymentId: options.payment, paymentMethodId: options.method };
  if (!options.await) {
    if (options.provider !== undefined || options.deadline !== undefined)
      throw new UsageError('--provider and --deadline go with --await.');
    return { ...base, confirmation: { mode: 'confirmed', providerReference: options.reference } };
  }
  return {
    ...base,
    confirmation: {
      mode: 'await',
      provider: options.provider,
      providerReference: options.reference,
      deadline: options.deadline,
    },
  };
}
