/**
 * The Temporal server crashes (SIGKILL) and comes back on the same SQLite file while many
 * subscriptions are being charged. The worker rides it out; afterwards every customer was charged
 * exactly as the provider decided (once, or not at all after a decline) and every subscription is in
 * the state its charge put it in.
 */
import { FAULT_SCALE, firstInvoiceOf, inBatches, startFaultHarness, until, type Customer, type FaultHarness } from './harness';

jest.setTimeout(FAULT_SCALE.testTimeoutMs);

describe(`the Temporal server restarted mid-run (${FAULT_SCALE.name} scale)`, () => {
  let harness: FaultHarness;
  beforeAll(async () => {
    harness = await startFaultHarness();
  });
  afterAll(() => harness?.teardown());

  it(`charges ${FAULT_SCALE.restartSubscriptions} subscriptions exactly once across ${FAULT_SCALE.serverRestarts} server crash(es)`, async () => {
    const { sandbox, billing } = harness;
    const customers = await harness.customers(FAULT_SCALE.restartSubscriptions);
    // One in six is declined: soft (insufficient funds, teimosinha retries later) or hard (blocked at once).
    const expectedOf = (index: number) => (index % 6 === 1 ? 'soft' : index % 6 === 4 ? 'hard' : 'paid');
    for (const [index, customer] of customers.entries()) {
      const expected = expectedOf(index);
      if (expected === 'soft') await sandbox.control.script({ provider: 'zspay', operation: 'zspay.sale.precapture', match: customer.clientId, outcome: { type: 'soft_decline', code: '51' }, times: 1 });
      if (expected === 'hard') await sandbox.control.script({ provider: 'zspay', operation: 'zspay.sale.precapture', match: customer.clientId, outcome: { type: 'hard_decline', code: '14' }, times: 1 });
    }
    // Every charge call is slow, so the crash lands while many are in flight.
    await sandbox.control.script({ provider: 'zspay', operation: 'zspay.sale', outcome: { type: 'latency', delayMs: 700 } });
    await harness.startWorker();

    const subscriptions = await inBatches(customers, 10, (customer) => harness.subscribe(customer, 'restart'));
    const charged = async () => (await sandbox.control.ledger({ provider: 'zspay' })).filter((e) => e.kind === 'charge').length;
    const paying = customers.filter((_, index) => expectedOf(index) === 'paid').length;
    for (let restart = 1; restart <= FAULT_SCALE.serverRestarts; restart += 1) {
      // Crash at evenly spaced points of the run: after a share of the charges, before the rest.
      const target = Math.floor((paying * restart) / (FAULT_SCALE.serverRestarts + 1));
      await until(`${target} charges before crash ${restart}`, async () => (await charged()) >= target);
      // Down for longer than the SDK retries a call (about 10 s), some crashes lose completions outright.
      await harness.temporal.restart({ downMs: FAULT_SCALE.serverDownMs[restart - 1] });
    }

    const states = await inBatches(subscriptions, 10, async (subscriptionId) => {
      let state = '';
      await until(`${subscriptionId} to settle its first charge`, async () => {
        const view = await billing.subscriptions.get(subscriptionId);
        const invoices = await billing.subscriptions.invoices(subscriptionId);
        state = firstInvoiceOf(view, invoices);
        return (invoices.invoices[0]?.attempts.length ?? 0) > 0;
      });
      return state;
    });
    const ledger = await inBatches(customers, 10, (customer: Customer) => harness.chargesOf(customer));

    expect(states).toEqual(
      customers.map((_, index) =>
        ({ paid: 'active · paid: succeeded', soft: 'past_due · open: soft_declined', hard: 'blocked · failed: hard_declined' })[expectedOf(index)],
      ),
    );
    expect(ledger).toEqual(customers.map((_, index) => (expectedOf(index) === 'paid' ? 1 : 0)));
  });
});
