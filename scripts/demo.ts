/**
 * `npm run demo`: a year of billing in seconds, on the time-skipping test server, against the
 * provider sandbox — our answer to Stripe's test clocks. Six subscriptions: healthy (upgraded mid-cycle
 * with proration in month 4), soft-declining then recovering, hard-declined (canceled card) then
 * rescued with a new card, boleto, canceled at period end, and one with a 20% coupon for 3 cycles.
 * Prints a timeline and a summary.
 */
import { randomUUID } from 'node:crypto';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { startWorker } from '../worker/run';
import { BillingClient } from '../client';
import { localDateOf } from '../common/billing/calendar';
import type { MerchantNotification } from '../common/merchant-notification';
import { buildSandbox } from '../sandbox/server';
import { customerWithCard } from '../sandbox/test-customer';
import { ZspayClient } from '../providers/zspay/client';
import { SANDBOX_CREDENTIALS } from '../common/sandbox-credentials';
import { createEngineActivities } from '../worker/activities';
import { loadWorkerConfig } from '../worker/config';
import { ensureTemporalBinaries } from './temporal-binaries';
import { parseClockSpec } from './test-clock';
import { startTimeSkippingServer } from './time-skipping';
import { formatBRL } from '../common/money';

const TZ = 'America/Sao_Paulo';
const brl = formatBRL;

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const { testServer } = ensureTemporalBinaries();
  // The year starts at 08:00 in São Paulo whatever the hour the demo runs (BILLING_TEST_CLOCK chooses another start).
  const env = await startTimeSkippingServer({ testServer, defaultClock: parseClockSpec('08:00') });
  const { app: sandbox, state } = await buildSandbox();
  await sandbox.listen({ port: 0, host: '127.0.0.1' });
  const address = sandbox.server.address();
  const sandboxUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  const taskQueue = `demo-${randomUUID()}`;
  const config = loadWorkerConfig({
    SANDBOX_URL: sandboxUrl,
    MERCHANT_WEBHOOK_SECRETS: JSON.stringify({ demo: 'demo-secret' }),
  });
  const worker = await startWorker({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    taskQueue,
    activities: createEngineActivities(config, env.client),
  });
  const billing = new BillingClient({ client: env.client, taskQueue });
  const zspay = new ZspayClient({ baseUrl: `${sandboxUrl}/zspay`, token: SANDBOX_CREDENTIALS.zspay.token });
  const script = (body: unknown) =>
    fetch(`${sandboxUrl}/__sandbox/scenarios`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });

  try {
    const startedAt = Date.now();
    const customer = (name: string) => customerWithCard(zspay, { name, email: `${name.toLowerCase()}@example.com` });
    const people = {
      ana: await customer('Ana'),
      bruno: await customer('Bruno'),
      carla: await customer('Carla'),
      davi: await customer('Davi'),
      eva: await customer('Eva'),
      fabio: await customer('Fabio'),
    };
    // Bruno's card lacks funds for the first two tries; Carla's card was canceled.
    await script({
      provider: 'zspay',
      operation: 'zspay.sale.precapture',
      match: people.bruno.cardId,
      outcome: { type: 'soft_decline', code: '51' },
      times: 2,
    });
    await script({
      provider: 'zspay',
      operation: 'zspay.sale.precapture',
      match: people.carla.cardId,
      outcome: { type: 'hard_decline', code: '14' },
      times: 1,
    });

    const startDate = localDateOf(await env.currentTimeMs(), TZ);
    const plan = {
      planId: 'pro-monthly',
      amountCents: 4990,
      recurrence: { kind: 'calendar' as const, frequency: 'monthly' as const, interval: 1 },
      chargeHourLocal: 9,
    };
    const merchant = { callbackUrl: `${sandboxUrl}/merchant/demo`, secretRef: 'demo' };
    const subscribe = (id: string, who: { clientId: string; cardId: string }, extra: Record<string, unknown> = {}) =>
      billing.subscriptions.create({
        subscriptionId: id,
        customerId: id,
        plan,
        paymentMethod: { type: 'zspay_card', zspayClientId: who.clientId, cardId: who.cardId },
        startDate,
        merchant,
        ...extra,
      });
    await subscribe('ana-healthy', people.ana);
    await subscribe('bruno-recovers', people.bruno);
    await subscribe('carla-canceled-card', people.carla);
    await subscribe('davi-boleto', people.davi, {
      paymentMethod: { type: 'zspay_boleto', zspayClientId: people.davi.clientId },
      plan: { ...plan, trialDays: 7, tolerancePeriodDays: 3 },
    });
    await subscribe('eva-leaves', people.eva, { plan: { ...plan, trialDays: 14 } });
    await subscribe('fabio-coupon', people.fabio, { coupon: { code: 'WELCOME20', percentOff: 20, cycles: 3 } });
    const ids = ['ana-healthy', 'bruno-recovers', 'carla-canceled-card', 'davi-boleto', 'eva-leaves', 'fabio-coupon'];
    /** Operations worth a line of their own in the timeline. */
    const operations: Array<{ date: string; subscription: string; event: string; amount: string; status: string }> = [];

    for (let month = 1; month <= 12; month += 1) {
      for (let day = 0; day < 30; day += 5) {
        await env.sleep('5 days');
        // Davi pays every boleto a couple of days after it is issued (the sandbox would send the webhook).
        const { invoices } = await billing.subscriptions.invoices('davi-boleto');
        for (const invoice of invoices.filter((i) => i.status === 'open' && i.boleto?.saleId)) {
          await fetch(`${sandboxUrl}/zspay/__control/boletos/${invoice.boleto!.saleId}/pay`, { method: 'POST' });
          await billing.subscriptions.paymentReceived('davi-boleto', { saleId: invoice.boleto!.saleId! });
        }
        if (month === 4 && day === 10) {
          // Mid-cycle, Ana upgrades: the unused days are credited at the old price and charged at the new one.
          const view = await billing.subscriptions.changePlan('ana-healthy', {
            plan: { ...plan, planId: 'pro-plus-monthly', amountCents: 8990 },
            proration: 'next_invoice',
          });
          operations.push({
            date: localDateOf(await env.currentTimeMs(), TZ),
            subscription: 'ana-healthy',
            event: 'plan → pro-plus-monthly (prorated)',
            amount: brl(view.nextInvoiceAdjustmentCents ?? 0),
            status: 'on the next invoice',
          });
        }
      }
      if (month === 2) {
        // Carla updates her card; the blocked invoice is retried at once.
        await billing.subscriptions.changePaymentMethod('carla-canceled-card', {
          paymentMethod: { type: 'zspay_card', zspayClientId: people.carla.clientId, cardId: people.carla.cardId },
        });
      }
      if (month === 3)
        await billing.subscriptions.cancel('eva-leaves', { atPeriodEnd: true, reason: 'moving to a competitor' });
      if (month === 6) {
        // Bruno's third month is refunded in full at Zspay ("Estornar venda"), sent once by the workflow.
        await billing.subscriptions.refund('bruno-recovers', { cycle: 3, reason: 'goodwill: outage in month 3' });
        const refunded = await waitFor(async () =>
          (await billing.subscriptions.invoices('bruno-recovers')).invoices.find(
            (i) => i.cycle === 3 && i.status === 'refunded',
          ),
        );
        operations.push({
          date: localDateOf(
            Date.parse(refunded?.refund?.refundedAt ?? new Date(await env.currentTimeMs()).toISOString()),
            TZ,
          ),
          subscription: 'bruno-recovers',
          event: `cycle 3 refunded at Zspay (sale ${refunded?.refund?.saleId ?? '?'})`,
          amount: brl(refunded?.amountCents ?? 0),
          status: refunded ? 'refunded; merchant told (payment.refunded)' : 'refund pending',
        });
      }
    }

    type Row = { date: string; subscription: string; event: string; amount: string; status: string };
    const rows: Row[] = [...operations];
    for (const id of ids) {
      const { invoices } = await billing.subscriptions.invoices(id);
      for (const invoice of invoices) {
        // A discount or adjustment lines: "(R$ 49,90 − R$ 9,98 WELCOME20)", "(R$ 89,90 + R$ 26,19 proration)".
        const adjustment = (invoice.lines ?? []).reduce((sum, line) => sum + line.amountCents, 0);
        const pricing =
          invoice.baseAmountCents === undefined
            ? ''
            : ` (${brl(invoice.baseAmountCents)}${invoice.discount ? ` − ${brl(invoice.discount.amountCents)} ${invoice.discount.code}` : ''}${adjustment !== 0 ? ` ${adjustment < 0 ? '−' : '+'} ${brl(Math.abs(adjustment))} proration` : ''})`;
        for (const attempt of invoice.attempts) {
          rows.push({
            date: localDateOf(Date.parse(attempt.at), TZ),
            subscription: id,
            event: `${invoice.kind === 'setup' ? 'setup fee' : `cycle ${invoice.cycle}`} ${attempt.outcome.replace('_', ' ')}${attempt.code ? ` (${attempt.code})` : ''}${pricing}`,
            amount: brl(invoice.amountCents),
            status: invoice.status,
          });
        }
      }
    }
    for (const callback of state.merchantCallbacks) {
      const notification = JSON.parse(callback.rawBody) as MerchantNotification;
      if (notification.type.startsWith('subscription.')) {
        rows.push({
          date: localDateOf(Date.parse(notification.occurredAt), TZ),
          subscription: notification.subscriptionId,
          event: notification.type.replace('subscription.', 'subscription '),
          amount: '',
          status: String((notification.data as { reason?: string }).reason ?? ''),
        });
      }
    }
    rows.sort((a, b) => a.date.localeCompare(b.date) || a.subscription.localeCompare(b.subscription));

    const widths = { date: 10, subscription: 20, event: 58, amount: 10 };
    console.log(
      `\nA year of billing from ${startDate}, simulated in ${((Date.now() - startedAt) / 1000).toFixed(1)} s\n`,
    );
    console.log(
      `${'date'.padEnd(widths.date)}  ${'subscription'.padEnd(widths.subscription)}  ${'event'.padEnd(widths.event)}  ${'amount'.padStart(widths.amount)}  status`,
    );
    console.log('-'.repeat(124));
    for (const row of rows) {
      console.log(
        `${row.date.padEnd(widths.date)}  ${row.subscription.padEnd(widths.subscription)}  ${row.event.padEnd(widths.event)}  ${row.amount.padStart(widths.amount)}  ${row.status}`,
      );
    }
    console.log('\nSummary');
    for (const id of ids) {
      const view = await billing.subscriptions.get(id);
      const { summary } = await billing.subscriptions.invoices(id);
      console.log(
        `  ${id.padEnd(22)} ${view.status.padEnd(10)} paid ${String(summary.paidCount).padStart(2)} invoices, ${brl(summary.paidCents).padStart(12)}, ${summary.failedAttempts} failed attempts`,
      );
    }
    const charged = state.ledger.filter((e) => e.kind === 'charge').reduce((sum, e) => sum + e.amountCents, 0);
    const refundedCents = state.ledger.filter((e) => e.kind === 'refund').reduce((sum, e) => sum + e.amountCents, 0);
    console.log(
      `  money moved at the provider (sandbox ledger): ${brl(charged)} charged, ${brl(refundedCents)} refunded; merchant notifications sent: ${state.merchantCallbacks.length}`,
    );
  } finally {
    await worker.shutdown();
  }
  await sandbox.close();
  await env.teardown();
}

/** Polls until `read` finds something (a workflow's background step), for at most `timeoutMs`. */
async function waitFor<T>(read: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await read();
    if (found !== undefined || Date.now() > deadline) return found;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
