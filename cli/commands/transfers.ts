/**
 * `billing transfers ...` and `billing payouts ...`: schedule, follow and cancel transfers and
 * recurring payouts through the typed client (the same checks as POST /v1/transfers and /v1/payouts).
 */
import { Option, type Command } from 'commander';
import { TRANSFER_STATES, type ScheduleTransferRequest, type TransfersApi } from '../../client/transfers';
import type { RecurringPayoutInput } from '../../common/transfer';
import {
  formatPayout,
  formatPayoutList,
  formatScheduledTransfer,
  formatTransfer,
  formatTransferList,
  merchantTimeZone,
} from '../format';
import { positiveInteger, type CliContext } from './context';

export function registerTransferCommands(program: Command, context: CliContext): void {
  const api = async (): Promise<TransfersApi> => (await context.client()).transfers;
  const zone = () => merchantTimeZone(context.io.env);

  const transfers = program.command('transfers').description('Schedule, follow and cancel transfers');

  transfers
    .command('create')
    .description(
      'Schedule a transfer from its JSON input (the body of POST /v1/transfers); without executeOn it runs now',
    )
    .requiredOption('-f, --file <path>', 'JSON file with the transfer, or - for stdin')
    .option('--run-now', 'transfer now (the file must then leave executeOn out)')
    .action(async (options: { file: string; runNow?: boolean }) => {
      const input = await context.readJson(options.file);
      const request = (
        options.runNow && typeof input === 'object' && input !== null ? { ...input, runNow: true } : input
      ) as ScheduleTransferRequest;
      const scheduled = await (await api()).schedule(request);
      context.print(scheduled, formatScheduledTransfer);
    });

  transfers
    .command('get')
    .alias('show')
    .description('Show a transfer and its history')
    .argument('<id>', 'transfer id')
    .action(async (id: string) => {
      context.print(await (await api()).get(id), (view) => formatTransfer(view, zone()));
    });

  transfers
    .command('list')
    .description('List transfers (visibility is eventually consistent)')
    .addOption(new Option('--state <state>', 'only this state').choices(TRANSFER_STATES))
    .option('--establishment <id>', 'only this establishment')
    .option('--from <when>', 'scheduled at or after: YYYY-MM-DD (merchant zone) or an ISO instant')
    .option('--to <when>', 'scheduled before: YYYY-MM-DD (merchant zone) or an ISO instant')
    .option('--limit <n>', 'at most n transfers', positiveInteger, 100)
    .action(
      async (options: {
        state?: (typeof TRANSFER_STATES)[number];
        establishment?: string;
        from?: string;
        to?: string;
        limit: number;
      }) => {
        const items = await (
          await api()
        ).list({
          state: options.state,
          establishmentId: options.establishment,
          from: options.from,
          to: options.to,
          limit: options.limit,
        });
        context.print(items, (list) => formatTransferList(list, zone()));
      },
    );

  transfers
    .command('cancel')
    .description('Cancel a transfer before it executes')
    .argument('<id>', 'transfer id')
    .option('--reason <text>', 'why (kept with the transfer)')
    .action(async (id: string, options: { reason?: string }) => {
      const view = await (await api()).cancel(id, options.reason);
      context.print(view, (v) => `Canceled.\n\n${formatTransfer(v, zone())}`);
    });

  const payouts = program.command('payouts').description('Recurring payouts: weekly Schedules that settle a balance');

  payouts
    .command('create')
    .description('Create a recurring payout from its JSON input (the body of POST /v1/payouts)')
    .requiredOption('-f, --file <path>', 'JSON file with the payout, or - for stdin')
    .action(async (options: { file: string }) => {
      const input = (await context.readJson(options.file)) as RecurringPayoutInput;
      const created = await (await api()).schedulePayout(input);
      context.print(created, (c) =>
        c.created ? `Created ${c.scheduleId}` : `Already exists with this input: ${c.scheduleId}`,
      );
    });

  payouts
    .command('get')
    .alias('show')
    .description('Show a recurring payout: its input, next and recent runs')
    .argument('<id>', 'payout id')
    .action(async (id: string) => {
      context.print(await (await api()).getPayout(id), (view) => formatPayout(view, zone()));
    });

  payouts
    .command('list')
    .description('List recurring payouts')
    .option('--limit <n>', 'at most n payouts', positiveInteger, 100)
    .action(async (options: { limit: number }) => {
      context.print(await (await api()).listPayouts(options.limit), (list) => formatPayoutList(list, zone()));
    });

  payouts
    .command('trigger')
    .description('Run a payout now, outside its weekly time')
    .argument('<id>', 'payout id')
    .action(async (id: string) => {
      await (await api()).triggerPayout(id);
      context.print({ payoutId: id, triggered: true }, () => `Triggered payout ${id}.`);
    });

  payouts
    .command('cancel')
    .description('Delete a recurring payout (a payout already running finishes)')
    .argument('<id>', 'payout id')
    .action(async (id: string) => {
      await (await api()).cancelPayout(id);
      context.print({ payoutId: id, canceled: true }, () => `Canceled payout ${id}.`);
    });
}
