/** The billing run's batched Zspay reads under a rate limit: a retry resumes, it does not start over. */
import { Client } from '@temporalio/client';
import { createBillingRunActivities } from '../../../activities/billing-runs';
import { createZspayPaymentActivities } from '../../../activities/payments/zspay';
import { useSandbox, type RunningSandbox } from '../../helpers/sandbox';
import { defined } from '../../helpers/defined';
import { expectProviderDelay, quietActivityEnvironment, rejectionOf } from '../expect-error';
import { customerWithCard, runIn, zspayClient } from './helpers';

let sandbox: RunningSandbox;
useSandbox((started) => (sandbox = started));

describe('the billing run reading boletos at Zspay', () => {
  it('resumes a batch after a 429 from the last sale it read, and still finds every paid one', async () => {
    const zspay = zspayClient(sandbox.url);
    const { clientId } = await customerWithCard(zspay);
    const payments = createZspayPaymentActivities({ zspay });
    const saleIds: string[] = [];
    for (let i = 1; i <= 4; i += 1) {
      const boleto = await runIn(quietActivityEnvironment(), payments.issueBoleto, {
        reference: `sub-run-${i}`,
        amountCents: 5000,
        clientId,
        dueDate: '2027-01-15',
        description: 'x',
      });
      saleIds.push(defined(boleto.providerIds.saleId, 'a boleto sale id'));
    }
    const [first, , third] = saleIds;
    for (const paid of [first, third])
      await fetch(`${sandbox.url}/zspay/__control/boletos/${paid}/pay`, { method: 'POST' });
    await sandbox.control.script({
      operation: 'zspay.sale.get',
      match: third,
      times: 1,
      outcome: { type: 'rate_limit', retryAfterSeconds: 2 },
    });
    const reads = async () => (await sandbox.control.requests({ operation: 'zspay.sale.get' })).length;
    // A lazy client: paidSales never talks to Temporal.
    const { paidSales } = createBillingRunActivities({ temporal: new Client(), zspay });

    const firstAttempt = quietActivityEnvironment();
    let lastHeartbeat: unknown;
    firstAttempt.on('heartbeat', (details: unknown) => (lastHeartbeat = details));
    const failure = await rejectionOf(runIn(firstAttempt, paidSales, { saleIds }));
    expect(failure).toMatchObject({ type: 'RateLimited', nonRetryable: false });
    expectProviderDelay(failure, 2000);
    expect(lastHeartbeat).toEqual({ read: 2, paid: [first] });
    const readBefore = await reads();

    const retry = quietActivityEnvironment({ attempt: 2, heartbeatDetails: lastHeartbeat });
    expect(await runIn(retry, paidSales, { saleIds })).toEqual([first, third]);
    // Only the third and fourth were read again: the two before the 429 were not.
    expect((await reads()) - readBefore).toBe(2);
  });
});
