/**
 * The Temporal server crashes (SIGKILL) and comes back on the same SQLite file while many
 * subscriptions are being charged. The worker rides it out; afterwards every customer was charged
 * exactly as the provider decided (once, or not at all after a decline) and every subscription is in
 * the state its charge put it in.
 */
import {
  FAULT_SCALE,
  FIRST_CHARGE_STATE,
  inBatches,
  startFaultHarness,
  until,
  type ChargeFate,
  type Customer,
  type FaultHarness,
} from './harness';

jest.setTimeout(FAULT_SCALE.testTimeoutMs);

describe(`the Temporal server restarted mid-run (${FAULT_SCALE.name} scale)`, () => {
  let harness: FaultHarness;
  beforeAll(async () => {
    harness = await startFaultHarness();
  });
  afterAll(() => harness?.teardown());

  it(`charges ${FAULT_SCALE.restartSubscriptions} subscriptions exactly once across ${FAULT_SCALE.serverRestarts} server crash(es)`, async () => {
    const { sandbox } = harness;
    const customers = await harness.customers(FAULT_SCALE.restartSubscriptions);
    // One in six is declined: soft (insufficient funds, teimosinha retries later) or hard (blocked at once).
    const expectedOf = (index: number): ChargeFate => (index % 6 === 1 ? 'soft' : index % 6 === 4 ? 'hard' : 'paid');
    for (const [index, customer] of customers.entries()) await harness.decideFirstCharge(customer, expectedOf(index));
    // Every charge call is slow, so the crash lands while many are in flight.
    await sandbox.control.script({
      provider: 'zspay',
      operation: 'zspay.sale',
      outcome: { type: 'latency', delayMs: 700 },
    });
    await harness.startWorker();

    const subscriptions = await inBatches(customers, 10, (customer) => harness.subscribe(customer, 'restart'));
    const charged = async () =>
      (await sandbox.control.ledger({ provider: 'zspay' })).filter((e) => e.kind === 'charge').length;
    const paying = customers.filter((_, index) => expectedOf(index) === 'paid').length;
    for (let restart = 1; restart <= FAULT_SCALE.serverRestarts; restart += 1) {
      // Crash at evenly spaced points of the run: after a share of the charges, before the rest.
      const target = Math.floor((paying * restart) / (FAULT_SCALE.serverRestarts + 1));
      await until(`${target} charges before crash ${restart}`, async () => (await charged()) >= target);
      // Down for longer than the SDK retries a call (about 10 s), some crashes lose completions outright.
      await harness.temporal.restart({ downMs: FAULT_SCALE.serverDownMs[restart - 1] });
    }

    const states = await harness.firstChargeStates(subscriptions);
    const ledger = await inBatches(customers, 10, (customer: Customer) => harness.chargesOf(customer));

    expect(states).toEqual(customers.map((_, index) => FIRST_CHARGE_STATE[expectedOf(index)]));
    expect(ledger).toEqual(customers.map((_, index) => (expectedOf(index) === 'paid' ? 1 : 0)));
  });
});
