/** `billing adiq ...`: Adiq's side of the engine. */
import type { Command } from 'commander';
import type { CliContext } from './context';

export function registerAdiqCommands(program: Command, context: CliContext): void {
  const adiq = program.command('adiq').description('Adiq Recurrence: where Adiq sends its notifications');
  adiq
    .command('ensure-notification')
    .description(
      "Create, update or confirm Adiq's notification registration pointing at the engine's webhook URL (the worker's BILLING_PUBLIC_URL)",
    )
    .action(async () => {
      const result = await (await context.client()).adiq.ensureNotification();
      context.print(
        result,
        (r) => `Adiq notification registration ${r.notificationId} for merchant ${r.merchantId}: ${r.action}`,
      );
    });
}
