/**
 * The worker is killed with SIGKILL at each point of a card charge and restarted, and every
 * subscription is charged exactly once (the sandbox's ledger is the witness). A dead worker's
 * activity is retried after its heartbeat timeout (1 minute), so each round takes about a minute.
 */
import { FAULT_SCALE, startFaultHarness, until, type FaultHarness } from './harness';

jest.setTimeout(FAULT_SCALE.testTimeoutMs);

// Where the worker dies, and how the sandbox holds the charge there.
const KILL_POINTS = [
  { name: 'before the provider call (pre-authorization still waiting)', operation: 'zspay.sale.precapture', outcome: { type: 'latency', delayMs: 4_000 } },
  { name: 'while the provider processes the capture', operation: 'zspay.sale.capture', outcome: { type: 'latency', delayMs: 4_000 } },
  { name: 'after the provider captured, before the activity completed', operation: 'zspay.sale.capture', outcome: { type: 'timeout', phase: 'after', delayMs: 4_000 } },
] as const;

const CASES = KILL_POINTS.flatMap((point) => Array.from({ length: FAULT_SCALE.killRounds }, (_, round) => ({ ...point, round: round + 1 })));

describe(`a worker killed mid-charge (SIGKILL, ${FAULT_SCALE.name} scale)`, () => {
  let harness: FaultHarness;
  beforeAll(async () => {
    harness = await startFaultHarness({ timeoutHangMs: 4_000 });
  });
  afterAll(() => harness?.teardown());

  it.each(CASES)('charges exactly once when the worker dies $name (round $round)', async ({ operation, outcome }) => {
    const { sandbox, billing } = harness;
    const [customer] = await harness.customers(1);
    await sandbox.control.script({ provider: 'zspay', operation, outcome, times: 1 });
    await harness.startWorker();
    const before = await harness.arrivals(operation);
    const subscriptionId = await harness.subscribe(customer, 'kill');
    // The held request has reached the sandbox: kill the worker right there.
    await until(`${operation} to reach the sandbox`, async () => (await harness.arrivals(operation)) > before);
    await harness.killWorker();
    await harness.startWorker();
    await until('the first invoice to be paid', async () => (await billing.subscriptions.invoices(subscriptionId)).invoices[0]?.status === 'paid');
    expect(await harness.chargesOf(customer)).toBe(1);
    expect((await billing.subscriptions.invoices(subscriptionId)).invoices[0]).toMatchObject({ status: 'paid', attempts: [expect.objectContaining({ outcome: 'succeeded' })] });
    await harness.killWorker();
  });
});
