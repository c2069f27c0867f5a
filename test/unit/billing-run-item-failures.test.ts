/**
 * The billing run's sale reads against the sandbox (readSales): a sale Zspay no longer knows is an
 * item failure with its reason, not a failed batch; errors that concern every read still fail the
 * attempt (retried by Temporal, or for a human); a retry resumes after the last sale read.
 */
import { Client } from '@temporalio/client';
import { createBillingRunActivities } from '../../activities/billing-runs';
import { createZspayPaymentActivities } from '../../activities/payments/zspay';
import { useSandbox, type RunningSandbox } from '../helpers/sandbox';
import { defined } from '../helpers/defined';
import { expectProviderDelay, quietActivityEnvironment, rejectionOf } from '../providers/expect-error';
import { customerWithCard, runIn, zspayClient } from '../providers/zspay/helpers';

let sandbox: RunningSandbox;
useSandbox((started) => (sandbox = started));

describe('the billing run reading awaited boletos, one bad item among them', () => {
  async function boletos(count: number): Promise<string[]> {
    const zspay = zspayClient(sandbox.url);
    const { clientId } = await customerWithCard(zspay);
    const payments = createZspayPaymentActivities({ zspay });
    const saleIds: string[] = [];
    for (let i = 1; i <= count; i += 1) {
      const boleto = await runIn(quietActivityEnvironment(), payments.issueBoleto, {
        reference: `sub-items-${i}`,
        amountCents: 5000,
        clientId,
        dueDate: '2027-01-15',
        description: 'x',
      });
      saleIds.push(defined(boleto.providerIds.saleId, 'a boleto sale id'));
    }
    return saleIds;
  }
  const pay = (saleId: string) => fetch(`${sandbox.url}/zspay/__control/boletos/${saleId}/pay`, { method: 'POST' });
  const forget = async (saleId: string) =>
    expect((await fetch(`${sandbox.url}/zspay/__control/sales/${saleId}`, { method: 'DELETE' })).status).toBe(204);
  // A lazy client: the sale reads never talk to Temporal.
  const activities = () => createBillingRunActivities({ temporal: new Client(), zspay: zspayClient(sandbox.url) });

  it('lists a sale Zspay answers 404 for with its reason, and still finds every paid one', async () => {
    const [first, second, third] = await boletos(3);
    await pay(defined(first, 'sale 1'));
    await pay(defined(third, 'sale 3'));
    await forget(defined(second, 'sale 2'));

    const reads = await runIn(quietActivityEnvironment(), activities().readSales, {
      saleIds: [first, second, third] as string[],
    });
    expect(reads.paid).toEqual([first, third]);
    expect(reads.failed).toEqual([
      { saleId: second, type: 'InvalidRequest', statusCode: 404, reason: expect.stringContaining('404') as string },
    ]);
  });

  it('resumes after a 429 from the last sale read, keeping the failures read before it', async () => {
    const [first, second, third, fourth] = (await boletos(4)) as [string, string, string, string];
    await pay(first);
    await pay(fourth);
    await forget(second);
    await sandbox.control.script({
      operation: 'zspay.sale.get',
      match: third,
      times: 1,
      outcome: { type: 'rate_limit', retryAfterSeconds: 2 },
    });
    const saleIds = [first, second, third, fourth];
    const { readSales } = activities();

    const firstAttempt = quietActivityEnvironment();
    let lastHeartbeat: unknown;
    firstAttempt.on('heartbeat', (details: unknown) => (lastHeartbeat = details));
    const failure = await rejectionOf(runIn(firstAttempt, readSales, { saleIds }));
    expect(failure).toMatchObject({ type: 'RateLimited', nonRetryable: false });
    expectProviderDelay(failure, 2000);
    expect(lastHeartbeat).toMatchObject({ read: 2, paid: [first], failed: [{ saleId: second, statusCode: 404 }] });
    const readsBefore = (await sandbox.control.requests({ operation: 'zspay.sale.get' })).length;

    const retry = quietActivityEnvironment({ attempt: 2, heartbeatDetails: lastHeartbeat });
    const reads = await runIn(retry, readSales, { saleIds });
    expect(reads.paid).toEqual([first, fourth]);
    expect(reads.failed.map((f) => f.saleId)).toEqual([second]);
    // Only the third and fourth were read again.
    expect((await sandbox.control.requests({ operation: 'zspay.sale.get' })).length - readsBefore).toBe(2);
  });

  it('resumes from a heartbeat paidSales recorded (no failures in it)', async () => {
    const [first, second] = (await boletos(2)) as [string, string];
    await pay(second);
    const retry = quietActivityEnvironment({ attempt: 2, heartbeatDetails: { read: 1, paid: [] } });
    expect(await runIn(retry, activities().readSales, { saleIds: [first, second] })).toEqual({
      paid: [second],
      failed: [],
    });
  });

  it('fails the attempt, retryable, on a 5xx: not an item failure', async () => {
    const [first] = (await boletos(1)) as [string];
    await sandbox.control.script({ operation: 'zspay.sale.get', match: first, outcome: { type: 'server_error' } });
    const failure = await rejectionOf(runIn(quietActivityEnvironment(), activities().readSales, { saleIds: [first] }));
    expect(failure).toMatchObject({ type: 'Transient', nonRetryable: false });
  });

  it('fails the attempt, for good, when Zspay refuses the credentials: every read would fail alike', async () => {
    const [first] = (await boletos(1)) as [string];
    await sandbox.control.script({ operation: 'zspay.sale.get', match: first, outcome: { type: 'unauthorized' } });
    const failure = await rejectionOf(runIn(quietActivityEnvironment(), activities().readSales, { saleIds: [first] }));
    expect(failure).toMatchObject({ type: 'ProviderAuth', nonRetryable: true });
  });

  it('paidSales, kept for runs started before item failures, still fails its batch on a 404', async () => {
    const [first] = (await boletos(1)) as [string];
    await forget(first);
    const failure = await rejectionOf(runIn(quietActivityEnvironment(), activities().paidSales, { saleIds: [first] }));
    expect(failure).toMatchObject({ type: 'InvalidRequest', nonRetryable: true });
  });
});
