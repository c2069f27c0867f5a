/** `billing subscriptions ...`: create, read and steer subscriptions through the typed client. */
import { Option, type Command } from 'commander';
import { SUBSCRIPTION_STATUSES, type SubscriptionsApi } from '../../client/subscriptions';
import type { PaymentMethod, SubscriptionStatus, SubscriptionView } from '../../common/subscription/model';
import { createSubscriptionInputSchema, PRORATION_MODES, type ProrationMode } from '../../common/subscription/input';
import { parseInput } from '../../common/validation';
import {
  formatForecast,
  formatInvoices,
  formatSubscription,
  formatSubscriptionList,
  merchantTimeZone,
  UsageError,
} from '../format';
import { numberForSchema, positiveInteger, type CliContext } from './context';

/** What `change-plan` prints once the change is applied, by proration mode. */
const PLAN_CHANGED: Record<ProrationMode, string> = {
  none: 'Plan change scheduled.',
  next_invoice: 'Plan changed; proration added to the next invoice.',
  now: 'Plan changed; a positive difference is charged now (a credit goes on the next invoice).',
};

export function registerSubscriptionCommands(program: Command, context: CliContext): void {
  const subscriptions = program
    .command('subscriptions')
    .alias('subs')
    .description('Create, inspect and operate subscriptions');
  const api = async (): Promise<SubscriptionsApi> => (await context.client()).subscriptions;
  const zone = () => merchantTimeZone(context.io.env);
  const show = (view: SubscriptionView) => formatSubscription(view, zone());

  /** An operation on a running subscription: prints the subscription as the workflow left it. */
  const operate = async (done: string, run: (api: SubscriptionsApi) => Promise<SubscriptionView>) => {
    const view = await run(await api());
    context.print(view, (v) => `${done}\n\n${show(v)}`);
  };

  subscriptions
    .command('create')
    .description('Start a subscription from its JSON input (the body of POST /v1/subscriptions)')
    .requiredOption('-f, --file <path>', 'JSON file with the subscription, or - for stdin')
    .action(async (options: { file: string }) => {
      const input = await context.readJson(options.file);
      // A catalog coupon (couponCode) is redeemed by the client before the subscription starts.
      const couponCode =
        typeof input === 'object' && input !== null ? (input as { couponCode?: unknown }).couponCode : undefined;
      const started = await (
        await api()
      ).create(
        couponCode === undefined
          ? parseInput(createSubscriptionInputSchema, input, 'subscription')
          : (input as Parameters<SubscriptionsApi['create']>[0]),
      );
      context.print(started, (s) =>
        s.created
          ? `Created ${s.workflowId} (run ${s.runId})`
          : `Already exists with this input: ${s.workflowId} (run ${s.runId})`,
      );
    });

  subscriptions
    .command('get')
    .description('Show a subscription')
    .argument('<id>', 'subscription id')
    .action(async (id: string) => {
      context.print(await (await api()).get(id), show);
    });

  subscriptions
    .command('list')
    .description('List running subscriptions (visibility is eventually consistent)')
    .addOption(new Option('--status <status>', 'only this status').choices(SUBSCRIPTION_STATUSES))
    .option('--customer <customerId>', 'only this customer')
    .option('--plan <planId>', 'only this plan')
    .option('--limit <n>', 'at most n subscriptions', positiveInteger, 100)
    .action(async (options: { status?: SubscriptionStatus; customer?: string; plan?: string; limit: number }) => {
      const items = await (
        await api()
      ).list({ status: options.status, customerId: options.customer, planId: options.plan, limit: options.limit });
      context.print(items, formatSubscriptionList);
    });

  subscriptions
    .command('invoices')
    .description("Show a subscription's invoices and totals")
    .argument('<id>', 'subscription id')
    .action(async (id: string) => {
      context.print(await (await api()).invoices(id), (invoices) => formatInvoices(invoices, zone()));
    });

  subscriptions
    .command('forecast')
    .description('Show the next charges and scheduled retries')
    .argument('<id>', 'subscription id')
    .option('--count <n>', 'number of charges', positiveInteger, 6)
    .action(async (id: string, options: { count: number }) => {
      context.print(await (await api()).forecast(id, options.count), formatForecast);
    });

  subscriptions
    .command('cancel')
    .description('Cancel now, or at the end of the paid period')
    .argument('<id>', 'subscription id')
    .option('--at-period-end', 'cancel on the next charge date instead of now', false)
    .option('--reason <text>', 'why (kept with the subscription)')
    .action((id: string, options: { atPeriodEnd: boolean; reason?: string }) =>
      operate(options.atPeriodEnd ? 'Cancels at the end of the period.' : 'Canceled.', (s) => s.cancel(id, options)),
    );

  subscriptions
    .command('suspend')
    .description('Pause charging')
    .argument('<id>', 'subscription id')
    .action((id: string) => operate('Suspended.', (s) => s.suspend(id)));

  subscriptions
    .command('reactivate')
    .description('Resume a suspended or blocked subscription')
    .argument('<id>', 'subscription id')
    .action((id: string) => operate('Reactivated.', (s) => s.reactivate(id)));

  subscriptions
    .command('change-date')
    .description('Move the next charge date')
    .argument('<id>', 'subscription id')
    .argument('<date>', 'new date, YYYY-MM-DD')
    .action((id: string, date: string) =>
      operate('Next charge date changed.', (s) => s.changeNextChargeDate(id, { date })),
    );

  subscriptions
    .command('change-card')
    .description('Change the payment method: a stored Zspay card, or boleto')
    .argument('<id>', 'subscription id')
    .requiredOption('--client <zspayClientId>', 'Zspay client id')
    .option('--card <cardId>', 'Zspay card id')
    .option('--boleto', 'pay by boleto instead of card')
    .action((id: string, options: { client: string; card?: string; boleto?: boolean }) => {
      const paymentMethod = paymentMethodFrom(options); // before connecting: a usage error needs no server
      return operate('Payment method changed.', (s) => s.changePaymentMethod(id, { paymentMethod }));
    });

  subscriptions
    .command('change-plan')
    .description('Switch plans from the next cycle on')
    .argument('<id>', 'subscription id')
    .requiredOption('-f, --file <path>', 'JSON file with the plan (or {"plan": ...}), or - for stdin')
    .addOption(
      new Option(
        '--proration <mode>',
        'none: from the next cycle; next_invoice: from today, the unused days credited and charged on the next invoice; now: from today, a positive difference charged to the card at once (a credit goes on the next invoice)',
      ).choices([...PRORATION_MODES]),
    )
    .action(async (id: string, options: { file: string; proration?: ProrationMode }) => {
      const json = await context.readJson(options.file);
      const args = typeof json === 'object' && json !== null && 'plan' in json ? json : { plan: json };
      const withProration = options.proration ? { ...args, proration: options.proration } : args;
      await operate(PLAN_CHANGED[options.proration ?? 'none'], (s) =>
        s.changePlan(id, withProration as Parameters<SubscriptionsApi['changePlan']>[1]),
      );
    });

  subscriptions
    .command('apply-coupon')
    .description('Discount the next recurring invoices with a coupon (percent or cents off, N cycles or forever)')
    .argument('<id>', 'subscription id')
    .requiredOption('--code <code>', 'the coupon code (alone: the catalog coupon of that code)')
    .option('--percent-off <n>', 'whole percent off (1..100)', numberForSchema)
    .option('--amount-off-cents <cents>', 'cents off each invoice', numberForSchema)
    .option('--cycles <n>', 'how many invoices it discounts (default: forever)', numberForSchema)
    .option('--expires-at <date>', 'the last day it may be redeemed (YYYY-MM-DD)')
    .option(
      '--max-redemptions <n>',
      'how many times this subscription may redeem the code (default 1)',
      numberForSchema,
    )
    .action(
      (
        id: string,
        options: {
          code: string;
          percentOff?: number;
          amountOffCents?: number;
          cycles?: number;
          expiresAt?: string;
          maxRedemptions?: number;
        },
      ) => {
        const coupon = Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined));
        // --code alone: the catalog coupon of that code (redeemed, then applied).
        const fromCatalog = options.percentOff === undefined && options.amountOffCents === undefined;
        return operate(`Coupon ${options.code} applied.`, (s) =>
          s.applyCoupon(
            id,
            (fromCatalog ? { couponCode: options.code } : { coupon }) as Parameters<SubscriptionsApi['applyCoupon']>[1],
          ),
        );
      },
    );

  subscriptions
    .command('retry-now')
    .description('Retry the failed charge today')
    .argument('<id>', 'subscription id')
    .action((id: string) => operate('Retry scheduled for today.', (s) => s.retryNow(id)));

  subscriptions
    .command('skip-retry')
    .description('Skip the next scheduled retry')
    .argument('<id>', 'subscription id')
    .action((id: string) => operate('Next retry skipped.', (s) => s.skipNextRetry(id)));

  subscriptions
    .command('extend-grace')
    .description('Extend the trial, grace, tolerance or retry period')
    .argument('<id>', 'subscription id')
    .argument('<days>', 'days to add (1..90)', numberForSchema)
    .action((id: string, days: number) =>
      operate(`Grace extended by ${days} days.`, (s) => s.extendGrace(id, { days })),
    );

  subscriptions
    .command('refund')
    .description(
      'Refund a paid invoice at Zspay, in full: a card sale, or a Zspay-billed fatura (sent once; see `invoices`)',
    )
    .argument('<id>', 'subscription id')
    .requiredOption(
      '--cycle <n>',
      "the invoice's cycle (0: the setup fee; -3: the proration invoice of cycle 3, written --cycle=-3)",
      numberForSchema,
    )
    .option(
      '--amount-cents <cents>',
      "the invoice's full amount (Zspay refunds a sale or a fatura only in full)",
      numberForSchema,
    )
    .option('--reason <text>', 'why (kept on the invoice and told to the merchant)')
    .action((id: string, options: { cycle: number; amountCents?: number; reason?: string }) =>
      operate(`Refund of cycle ${options.cycle} recorded; Zspay refunds it and the invoice then reads refunded.`, (s) =>
        s.refund(id, { cycle: options.cycle, amountCents: options.amountCents, reason: options.reason }),
      ),
    );
}

function paymentMethodFrom(options: { client: string; card?: string; boleto?: boolean }): PaymentMethod {
  if (options.boleto && options.card) throw new UsageError('Give either --card <cardId> or --boleto, not both.');
  if (options.boleto) return { type: 'zspay_boleto', zspayClientId: options.client };
  if (options.card) return { type: 'zspay_card', zspayClientId: options.client, cardId: options.card };
  throw new UsageError('Give --card <cardId> for a card, or --boleto.');
}
