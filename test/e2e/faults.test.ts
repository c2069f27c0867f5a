/**
 * Faults survived, with the sandbox's ledger as witness: the worker is killed with SIGKILL at each
 * point of a card charge and restarted, and every subscription is charged exactly once.
 * A dead worker's activity is retried after its heartbeat timeout (1 minute), so each case takes
 * about a minute. (The full fault suite — dev-server restarts and provider storms — is not here yet.)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { Client } from '@temporalio/client';
import { BillingClient } from '../../client';
import { startSandbox, type RunningSandbox } from '../helpers/sandbox';
import { createDevServerEnv, type DevServerEnv } from '../helpers/temporal';
import { customerWithCard, zspayClient } from '../providers/zspay/helpers';

describe('a worker killed mid-charge (dev server, SIGKILL)', () => {
  let temporal: DevServerEnv;
  let sandbox: RunningSandbox;
  let billing: BillingClient;
  const taskQueue = `faults-${randomUUID()}`;
  let worker: ChildProcess | undefined;

  const startWorkerProcess = () =>
    new Promise<ChildProcess>((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, '..', 'helpers', 'worker-process.ts')], {
        env: { ...process.env, TEMPORAL_ADDRESS: temporal.server.address, BILLING_TASK_QUEUE: taskQueue, SANDBOX_URL: sandbox.url },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      child.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('worker-ready') && resolve(child));
      child.once('exit', (code) => reject(new Error(`worker exited with ${code}`)));
    });
  const killWorker = async () => {
    if (!worker || worker.exitCode !== null || worker.signalCode !== null) return;
    const exited = new Promise((resolve) => worker!.once('exit', resolve));
    worker.kill('SIGKILL');
    await exited;
  };
  const until = async (what: string, check: () => Promise<boolean>, timeoutMs = 150_000) => {
    const deadline = Date.now() + timeoutMs;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  };
  const arrivals = async (operation: string) => (await sandbox.control.arrivals(operation)).length;

  beforeAll(async () => {
    temporal = await createDevServerEnv();
    sandbox = await startSandbox({ timeoutHangMs: 4_000 });
    billing = new BillingClient({ client: new Client({ connection: temporal.env.connection }), taskQueue });
  });
  afterAll(async () => {
    await killWorker();
    await sandbox?.close();
    await temporal?.teardown();
  });

  // Each case: where the worker dies, and how the sandbox holds the charge there.
  const CASES = [
    { name: 'before the provider call (pre-authorization still waiting)', operation: 'zspay.sale.precapture', outcome: { type: 'latency', delayMs: 4_000 } },
    { name: 'while the provider processes the capture', operation: 'zspay.sale.capture', outcome: { type: 'latency', delayMs: 4_000 } },
    { name: 'after the provider captured, before the activity completed', operation: 'zspay.sale.capture', outcome: { type: 'timeout', phase: 'after', delayMs: 4_000 } },
  ] as const;

  it.each(CASES)('charges exactly once when the worker dies $name', async ({ operation, outcome }) => {
    const { clientId, cardId } = await customerWithCard(zspayClient(sandbox.url));
    await sandbox.control.script({ provider: 'zspay', operation, outcome, times: 1 });
    worker = await startWorkerProcess();
    const before = await arrivals(operation);
    const subscriptionId = `fault-${randomUUID().slice(0, 8)}`;
    await billing.subscriptions.create({
      subscriptionId,
      customerId: 'faults',
      plan: { planId: 'gold', amountCents: 5990, recurrence: { kind: 'calendar', frequency: 'monthly', interval: 1 }, chargeHourLocal: 0 },
      paymentMethod: { type: 'zspay_card', zspayClientId: clientId, cardId },
    });
    // The held request has reached the sandbox: kill the worker right there.
    await until(`${operation} to reach the sandbox`, async () => (await arrivals(operation)) > before);
    await killWorker();
    worker = await startWorkerProcess();
    await until('the first invoice to be paid', async () => (await billing.subscriptions.invoices(subscriptionId)).invoices[0]?.status === 'paid');
    const charges = (await sandbox.control.ledger({ provider: 'zspay' })).filter((e) => e.kind === 'charge' && e.customer === clientId);
    expect(charges).toHaveLength(1);
    expect((await billing.subscriptions.invoices(subscriptionId)).invoices[0]).toMatchObject({ status: 'paid', attempts: [expect.objectContaining({ outcome: 'succeeded' })] });
    await killWorker();
  });
});
