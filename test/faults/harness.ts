/**
 * The fault suite's stage: a dev server of its own (SQLite file, restartable), the provider sandbox,
 * and the engine's worker in a process of its own so it can be killed with SIGKILL. The sandbox's
 * ledger is the witness: what it records as charged is what the customers paid.
 *
 * Scale: `npm test` runs the CI configuration; `npm run test:faults` sets FAULTS_SCALE=full.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { Client } from '@temporalio/client';
import { BillingClient } from '../../client';
import type { SubscriptionView } from '../../common/subscription/model';
import type { SandboxOptions } from '../../sandbox/server';
import { startSandbox, type RunningSandbox } from '../helpers/sandbox';
import { createDevServerEnv, type DevServerEnv } from '../helpers/temporal';
import { customerWithCard, zspayClient } from '../providers/zspay/helpers';
import { until } from '../helpers/eventually';

export { until };

const FULL = process.env.FAULTS_SCALE === 'full';

/** How much of each fault the suite throws: CI's configuration fits its time budget; full is the documented one. */
export const FAULT_SCALE = FULL
  ? { name: 'full', killRounds: 3, restartSubscriptions: 120, serverRestarts: 3, serverDownMs: [1_000, 20_000, 1_000], stormSubscriptions: 150, testTimeoutMs: 1_800_000 }
  : { name: 'ci', killRounds: 1, restartSubscriptions: 24, serverRestarts: 1, serverDownMs: [1_000], stormSubscriptions: 30, testTimeoutMs: 300_000 };

/** What the provider does with a customer's first charge. */
export type ChargeFate = 'paid' | 'soft' | 'hard';

/** Where each fate leaves a subscription and its first invoice (see firstInvoiceOf). */
export const FIRST_CHARGE_STATE: Record<ChargeFate, string> = {
  paid: 'active · paid: succeeded',
  soft: 'past_due · open: soft_declined',
  hard: 'blocked · failed: hard_declined',
};

export interface Customer {
  clientId: string;
  cardId: string;
}

export interface FaultHarness {
  temporal: DevServerEnv;
  sandbox: RunningSandbox;
  billing: BillingClient;
  startWorker(): Promise<void>;
  killWorker(): Promise<void>;
  /** Zspay customers with a stored card each. */
  customers(count: number): Promise<Customer[]>;
  /** A monthly card subscription whose first charge is due now. */
  subscribe(customer: Customer, prefix: string): Promise<string>;
  /** Scripts the provider to decline this customer's first charge (soft: insufficient funds; hard: invalid card). */
  decideFirstCharge(customer: Customer, fate: ChargeFate): Promise<void>;
  /** Waits until each subscription's first charge has an outcome; its state per FIRST_CHARGE_STATE. */
  firstChargeStates(subscriptionIds: string[], context?: string): Promise<string[]>;
  /** Charges the sandbox's Zspay ledger records for this customer. */
  chargesOf(customer: Customer): Promise<number>;
  /** Requests that reached the sandbox for this operation (answered or still held). */
  arrivals(operation: string): Promise<number>;
  teardown(): Promise<void>;
}

/** Runs fn over items, at most `limit` at a time. */
export async function inBatches<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  for (let i = 0; i < items.length; i += limit) results.push(...(await Promise.all(items.slice(i, i + limit).map(fn))));
  return results;
}

export async function startFaultHarness(sandboxOptions: SandboxOptions = {}): Promise<FaultHarness> {
  const temporal = await createDevServerEnv();
  const sandbox = await startSandbox(sandboxOptions);
  const taskQueue = `faults-${randomUUID()}`;
  const billing = new BillingClient({ client: new Client({ connection: temporal.env.connection }), taskQueue });
  const zspay = zspayClient(sandbox.url);
  let worker: ChildProcess | undefined;

  const killWorker = async () => {
    if (!worker || worker.exitCode !== null || worker.signalCode !== null) return;
    const exited = new Promise((resolve) => worker!.once('exit', resolve));
    worker.kill('SIGKILL');
    await exited;
  };
  const startWorker = () =>
    new Promise<void>((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, '..', 'helpers', 'worker-process.ts')], {
        env: { ...process.env, TEMPORAL_ADDRESS: temporal.server.address, BILLING_TASK_QUEUE: taskQueue, SANDBOX_URL: sandbox.url },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      worker = child;
      child.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('worker-ready') && resolve());
      child.once('exit', (code, signal) => reject(new Error(`worker exited with ${code ?? signal}`)));
    });

  return {
    temporal,
    sandbox,
    billing,
    startWorker,
    killWorker,
    customers: (count) => inBatches(Array.from({ length: count }), 10, () => customerWithCard(zspay)),
    subscribe: async (customer, prefix) => {
      const subscriptionId = `${prefix}-${randomUUID().slice(0, 8)}`;
      await billing.subscriptions.create({
        subscriptionId,
        customerId: customer.clientId,
        plan: { planId: 'gold', amountCents: 5990, recurrence: { kind: 'calendar', frequency: 'monthly', interval: 1 }, chargeHourLocal: 0 },
        paymentMethod: { type: 'zspay_card', zspayClientId: customer.clientId, cardId: customer.cardId },
      });
      return subscriptionId;
    },
    decideFirstCharge: async (customer, fate) => {
      if (fate === 'paid') return;
      const outcome = fate === 'soft' ? ({ type: 'soft_decline', code: '51' } as const) : ({ type: 'hard_decline', code: '14' } as const);
      await sandbox.control.script({ provider: 'zspay', operation: 'zspay.sale.precapture', match: customer.clientId, outcome, times: 1 });
    },
    firstChargeStates: (subscriptionIds, context = '') =>
      inBatches(subscriptionIds, 10, async (subscriptionId) => {
        let state = '';
        await until(`${subscriptionId} to settle its first charge${context}`, async () => {
          const invoices = await billing.subscriptions.invoices(subscriptionId);
          state = firstInvoiceOf(await billing.subscriptions.get(subscriptionId), invoices);
          return (invoices.invoices[0]?.attempts.length ?? 0) > 0;
        });
        return state;
      }),
    chargesOf: async (customer) => (await sandbox.control.ledger({ provider: 'zspay' })).filter((e) => e.kind === 'charge' && e.customer === customer.clientId).length,
    arrivals: async (operation) => (await sandbox.control.arrivals(operation)).length,
    teardown: async () => {
      await killWorker();
      await sandbox.close();
      await temporal.teardown();
    },
  };
}

/** The status, the first invoice's state and the outcomes of its attempts, e.g. "active · paid: succeeded". */
function firstInvoiceOf(view: Pick<SubscriptionView, 'status'>, invoices: { invoices: Array<{ status: string; attempts: Array<{ outcome?: string }> }> }): string {
  const invoice = invoices.invoices[0];
  return `${view.status} · ${invoice ? `${invoice.status}: ${invoice.attempts.map((a) => a.outcome ?? 'in flight').join(', ')}` : 'no invoice'}`;
}
