/**
 * The billing-run workflow on the time-skipping server (which has no visibility to list from: the
 * listing activities are replaced, the Zspay reads are the real ones against the sandbox): a
 * subscription that ended after it was listed is an item failure, not a failed run.
 */
import type { BillingRunSummary } from '../../common/billing-run';
import { createZspayPaymentActivities } from '../../activities/payments/zspay';
import { startWorkflowTestEnv, type WorkflowTestEnv } from '../helpers/workflow-env';
import { defined } from '../helpers/defined';
import { quietActivityEnvironment } from '../providers/expect-error';
import { customerWithCard, runIn, zspayClient } from '../providers/zspay/helpers';

describe('billing-run workflow (time-skipping server)', () => {
  let testEnv: WorkflowTestEnv;
  let awaiting: Array<{ subscriptionId: string; pendingSaleIds: string[] }> = [];

  beforeAll(async () => {
    testEnv = await startWorkflowTestEnv({
      listSubscriptionsAwaitingPayment: () => Promise.resolve(awaiting),
      listZspayBilledSubscriptions: () => Promise.resolve([]),
      listSubscriptionsToTally: () => Promise.resolve([]),
      summarizeEngine: () => Promise.resolve({ byStatus: {}, mrrCents: 0, transfers: {} }),
    });
  });
  afterAll(() => testEnv?.teardown());

  it('lists a paid boleto whose subscription closed before it could be signaled, and finishes', async () => {
    const zspay = zspayClient(testEnv.sandbox.url);
    const { clientId } = await customerWithCard(zspay);
    const boleto = await runIn(quietActivityEnvironment(), createZspayPaymentActivities({ zspay }).issueBoleto, {
      reference: 'gone-1-1-1',
      amountCents: 5000,
      clientId,
      dueDate: '2027-01-15',
      description: 'x',
    });
    const saleId = defined(boleto.providerIds.saleId, 'a boleto sale id');
    await fetch(`${testEnv.sandbox.url}/zspay/__control/boletos/${saleId}/pay`, { method: 'POST' });
    // Listed as awaiting, but no workflow `subscription-gone-1` runs any more.
    awaiting = [{ subscriptionId: 'gone-1', pendingSaleIds: [saleId] }];

    const summary = (await testEnv.env.client.workflow.execute('billingRunWorkflow', {
      workflowId: 'billing-run-gone',
      taskQueue: testEnv.billing.taskQueue,
      args: [{}],
    })) as BillingRunSummary;
    expect(summary.repairedPayments).toEqual([]);
    expect(summary.itemsFailed).toBe(1);
    expect(summary.itemFailures).toEqual([
      {
        subscriptionId: 'gone-1',
        saleId,
        type: 'SignalFailed',
        reason: expect.stringContaining('paid at Zspay') as string,
      },
    ]);
    expect(await testEnv.billing.billingRuns.progress('billing-run-gone')).toMatchObject({
      status: 'completed',
      phase: 'done',
      itemsFailed: 1,
    });
  });
});
