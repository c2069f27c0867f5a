/**
 * The fault suite's stage: a dev server of its own (SQLite file, restartable), the provider sandbox,
 * and the engine's worker in a process of its own so it can be killed with SIGKILL. The sandbox's
 * ledger is the witness: what it records as charged is what the customers paid.
 *
 * Optional: the engine's webhook ingress (the HTTP API's /webhooks routes, with the sandbox's
 * webhooks pointed at it), and the fault suite's own workflows (test/faults/workflows) in the
 * worker. `killDuring` kills the worker while chosen provider requests are held (kill-points.ts).
 *
 * Scale: `npm test` runs the CI configuration; `npm run test:faults` sets FAULTS_SCALE=full.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { Client } from '@temporalio/client';
import { bundleWorkflowCode } from '@temporalio/worker';
import type { FastifyInstance } from 'fastify';
import { buildApi } from '../../api/server';
import { BillingClient } from '../../client';
import type { SubscriptionView } from '../../common/subscription/model';
import type { SandboxOptions } from '../../sandbox/server';
import type { ScriptedOutcome } from '../../sandbox/state';
import { startSandbox, type RunningSandbox } from '../helpers/sandbox';
import { createDevServerEnv, type DevServerEnv } from '../helpers/temporal';
import { customerWithCard, zspayClient } from '../providers/zspay/helpers';
import { until } from '../helpers/eventually';
import { at } from '../helpers/defined';

export { until };

const FULL = process.env.FAULTS_SCALE === 'full';

/** How much of each fault the suite throws: CI's configuration fits its time budget; full is the documented one. */
export const FAULT_SCALE = FULL
  ? {
      name: 'full',
      killRounds: 3,
      restartSubscriptions: 120,
      serverRestarts: 3,
      serverDownMs: [1_000, 20_000, 1_000],
      stormSubscriptions: 150,
      testTimeoutMs: 1_800_000,
    }
  : {
      name: 'ci',
      killRounds: 1,
      restartSubscriptions: 24,
      serverRestarts: 1,
      serverDownMs: [1_000],
      stormSubscriptions: 30,
      testTimeoutMs: 300_000,
    };

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

export interface FaultHarnessOptions {
  /** Serve the engine's webhook ingress and send the sandbox's provider webhooks to it. */
  webhooks?: boolean;
  /** Run the fault suite's own workflows (test/faults/workflows) besides the engine's: bundled here, once. */
  faultWorkflows?: boolean;
}

/**
 * A point where the worker dies: the provider request the sandbox holds while the worker is killed,
 * what starts the business process that sends it, and the witness that counts its effect.
 */
export interface KillPoint {
  name: string;
  provider: 'zspay' | 'adiq' | 'activeplatform';
  /** The sandbox operation held (see the sandbox's routes), e.g. 'zspay.transfer.create'. */
  operation: string;
  /** How it is held: `latency` (the effect happens after the hold) or `timeout` (phase after: done, answer lost). */
  hold: ScriptedOutcome & { delayMs: number };
  /** Starts the business process that sends the held request. */
  start(harness: FaultHarness): Promise<InFlight>;
}

/** A business process started at a kill point. */
export interface InFlight {
  /** Waits until it reached its final state after the restart; returns that state, for the test to assert. */
  settled(): Promise<string>;
  /** How many times its effect happened, by the witness (ledger, scheduled list, request log). */
  effects(): Promise<number>;
}

export interface FaultHarness {
  temporal: DevServerEnv;
  sandbox: RunningSandbox;
  billing: BillingClient;
  startWorker(): Promise<void>;
  killWorker(): Promise<void>;
  /**
   * Holds each point's request at the sandbox, starts each point's process, kills the worker
   * (SIGKILL) once every held request has arrived, and starts a new worker. Several points share
   * one kill. Returns what is in flight, in the order of `points`.
   */
  killDuring(points: readonly KillPoint[]): Promise<InFlight[]>;
  /** Zspay customers with a stored card each. */
  customers(count: number): Promise<Customer[]>;
  /** A monthly subscription whose first charge is due now, paid by the customer's card (or by boleto). */
  subscribe(customer: Customer, prefix: string, paidBy?: 'card' | 'boleto'): Promise<string>;
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

/** The engine's workflows and the fault suite's drivers, bundled into a file for the worker process. */
async function bundleFaultWorkflows(): Promise<{ file: string; remove(): void }> {
  const { code } = await bundleWorkflowCode({
    workflowsPath: require.resolve('./workflows'),
    logger: { trace() {}, debug() {}, info() {}, warn: console.warn, error: console.error, log() {} },
  });
  const dir = mkdtempSync(path.join(os.tmpdir(), 'billing-fault-bundle-'));
  const file = path.join(dir, 'workflow-bundle.js');
  writeFileSync(file, code);
  return { file, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export async function startFaultHarness(
  sandboxOptions: SandboxOptions = {},
  options: FaultHarnessOptions = {},
): Promise<FaultHarness> {
  const temporal = await createDevServerEnv();
  const taskQueue = `faults-${randomUUID()}`;
  const billing = new BillingClient({ client: new Client({ connection: temporal.env.connection }), taskQueue });
  let api: FastifyInstance | undefined;
  let webhookUrls: SandboxOptions['webhookUrls'];
  if (options.webhooks) {
    const secret = `zs-${randomUUID()}`;
    api = await buildApi({
      client: billing,
      apiKey: `faults-${randomUUID()}`,
      webhookSecrets: { zspay: secret, adiq: `ad-${randomUUID()}` },
    });
    await api.listen({ port: 0, host: '127.0.0.1' });
    const address = api.server.address();
    if (!address || typeof address === 'string') throw new Error('API did not bind a TCP port');
    webhookUrls = { zspay: `http://127.0.0.1:${address.port}/webhooks/zspay/${secret}` };
  }
  const sandbox = await startSandbox({
    ...sandboxOptions,
    webhookUrls: { ...webhookUrls, ...sandboxOptions.webhookUrls },
  });
  const bundle = options.faultWorkflows ? await bundleFaultWorkflows() : undefined;
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
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', path.join(__dirname, '..', 'helpers', 'worker-process.ts')],
        {
          env: {
            ...process.env,
            TEMPORAL_ADDRESS: temporal.server.address,
            BILLING_TASK_QUEUE: taskQueue,
            SANDBOX_URL: sandbox.url,
            ...(bundle ? { BILLING_TEST_WORKFLOW_BUNDLE: bundle.file } : {}),
          },
          stdio: ['ignore', 'pipe', 'inherit'],
        },
      );
      worker = child;
      child.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('worker-ready') && resolve());
      child.once('exit', (code, signal) => reject(new Error(`worker exited with ${code ?? signal}`)));
    });

  const arrivals = async (operation: string) => (await sandbox.control.arrivals(operation)).length;

  const harness: FaultHarness = {
    temporal,
    sandbox,
    billing,
    startWorker,
    killWorker,
    killDuring: async (points) => {
      const operations = [...new Set(points.map((p) => p.operation))];
      const before = new Map(await Promise.all(operations.map(async (op) => [op, await arrivals(op)] as const)));
      const expected = new Map(operations.map((op) => [op, points.filter((p) => p.operation === op).length]));
      for (const point of points)
        await sandbox.control.script({
          provider: point.provider,
          operation: point.operation,
          outcome: point.hold,
          times: 1,
        });
      await startWorker();
      const inFlight = await Promise.all(points.map((point) => point.start(harness)));
      // Every held request has reached the sandbox: kill the worker right there.
      await until(`${operations.join(', ')} to reach the sandbox`, async () =>
        (
          await Promise.all(operations.map(async (op) => (await arrivals(op)) - before.get(op)! >= expected.get(op)!))
        ).every(Boolean),
      );
      await killWorker();
      const killedAt = Date.now();
      // Each request was still held when the worker died, or the point was not tested.
      const firstArrival = Math.min(
        ...(await Promise.all(
          operations.map(async (op) =>
            Date.parse(at(await sandbox.control.arrivals(op), before.get(op)!, `${op} arrivals`).at),
          ),
        )),
      );
      const shortestHold = Math.min(...points.map((p) => p.hold.delayMs));
      if (killedAt - firstArrival >= shortestHold)
        throw new Error(
          `the worker died ${killedAt - firstArrival} ms after the first held request arrived, after its ${shortestHold} ms hold`,
        );
      await startWorker();
      return inFlight;
    },
    customers: (count) => inBatches(Array.from({ length: count }), 10, () => customerWithCard(zspay)),
    subscribe: async (customer, prefix, paidBy = 'card') => {
      const subscriptionId = `${prefix}-${randomUUID().slice(0, 8)}`;
      await billing.subscriptions.create({
        subscriptionId,
        customerId: customer.clientId,
        plan: {
          planId: 'gold',
          amountCents: 5990,
          recurrence: { kind: 'calendar', frequency: 'monthly', interval: 1 },
          chargeHourLocal: 0,
        },
        paymentMethod:
          paidBy === 'card'
            ? { type: 'zspay_card', zspayClientId: customer.clientId, cardId: customer.cardId }
            : { type: 'zspay_boleto', zspayClientId: customer.clientId },
      });
      return subscriptionId;
    },
    decideFirstCharge: async (customer, fate) => {
      if (fate === 'paid') return;
      const outcome =
        fate === 'soft'
          ? ({ type: 'soft_decline', code: '51' } as const)
          : ({ type: 'hard_decline', code: '14' } as const);
      await sandbox.control.script({
        provider: 'zspay',
        operation: 'zspay.sale.precapture',
        match: customer.clientId,
        outcome,
        times: 1,
      });
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
    chargesOf: async (customer) =>
      (await sandbox.control.ledger({ provider: 'zspay' })).filter(
        (e) => e.kind === 'charge' && e.customer === customer.clientId,
      ).length,
    arrivals,
    teardown: async () => {
      await killWorker();
      await api?.close();
      await sandbox.close();
      bundle?.remove();
      await temporal.teardown();
    },
  };
  return harness;
}

/** The status, the first invoice's state and the outcomes of its attempts, e.g. "active · paid: succeeded". */
function firstInvoiceOf(
  view: Pick<SubscriptionView, 'status'>,
  invoices: { invoices: Array<{ status: string; attempts: Array<{ outcome?: string }> }> },
): string {
  const invoice = invoices.invoices[0];
  return `${view.status} · ${invoice ? `${invoice.status}: ${invoice.attempts.map((a) => a.outcome ?? 'in flight').join(', ')}` : 'no invoice'}`;
}
