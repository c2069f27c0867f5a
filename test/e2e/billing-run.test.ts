/**
 * The billing-run Schedule on a dev server (the time-skipping server has no Schedules), and a run
 * that repairs a missed webhook.
 */
import { execFileSync } from 'node:child_process';
import { BILLING_RUN_SCHEDULE_ID } from '../../common/billing-run';
import { locateTemporalBinaries } from '../../scripts/temporal-binaries';
import { startTestStack, type TestStack } from '../helpers/stack';
import { recordHistory } from '../helpers/histories';
import { customerWithCard, zspayClient } from '../providers/zspay/helpers';
import { eventually } from '../helpers/eventually';
import { defined } from '../helpers/defined';

describe('billing runs on a Temporal Schedule (dev server)', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(async () => {
    await stack?.teardown();
  });

  it('creates the daily schedule idempotently, visible to `temporal schedule list`, and pausable', async () => {
    expect(await stack.client.billingRuns.ensureSchedule()).toBe('created');
    expect(await stack.client.billingRuns.ensureSchedule({ at: '07:30' })).toBe('updated');
    const description = await stack.client.billingRuns.describe();
    expect(description.spec.calendars?.[0]).toMatchObject({
      hour: [{ start: 7, end: 7, step: 1 }],
      minute: [{ start: 30, end: 30, step: 1 }],
    });
    expect(description.spec.timezone).toBe('America/Sao_Paulo');
    expect(description.policies).toMatchObject({ overlap: 'SKIP', catchupWindow: 86_400_000 });

    const listed = execFileSync(
      locateTemporalBinaries()!.cli,
      ['schedule', 'list', '--address', stack.temporal.server.address, '--output', 'json'],
      { encoding: 'utf8' },
    );
    expect(listed).toContain(BILLING_RUN_SCHEDULE_ID);

    await stack.client.billingRuns.pause('maintenance');
    expect((await stack.client.billingRuns.describe()).state).toMatchObject({ paused: true, note: 'maintenance' });
    await stack.client.billingRuns.unpause();
    expect((await stack.client.billingRuns.describe()).state.paused).toBe(false);
  });

  it('repairs a boleto payment whose webhook was lost, once, and summarizes the engine', async () => {
    const { clientId } = await customerWithCard(zspayClient(stack.sandbox.url));
    await stack.client.subscriptions.create({
      subscriptionId: 'run-boleto-1',
      customerId: 'acme',
      plan: {
        planId: 'basic',
        amountCents: 2990,
        recurrence: { kind: 'calendar', frequency: 'monthly', interval: 1 },
        chargeHourLocal: 0,
      },
      paymentMethod: { type: 'zspay_boleto', zspayClientId: clientId },
    });
    const invoices = await eventually(
      () => stack.client.subscriptions.invoices('run-boleto-1'),
      (r) => r.invoices[0]?.boleto?.saleId !== undefined,
    );
    const saleId = defined(invoices.invoices[0]?.boleto?.saleId, 'a boleto sale on the first invoice');

    // The customer pays, but the webhook is lost on the way.
    await stack.sandbox.control.setWebhooks(false);
    expect(
      (await fetch(`${stack.sandbox.url}/zspay/__control/boletos/${saleId}/pay`, { method: 'POST' })).status,
    ).toBeLessThan(300);
    await stack.sandbox.control.setWebhooks(true);
    expect((await stack.client.subscriptions.invoices('run-boleto-1')).invoices[0]?.status).toBe('open');

    // Visibility catches up with the pending-sale search attribute before the run reads it.
    await eventually(
      async () => (await stack.client.temporal.workflow.count(`BillingPendingSaleIds = '${saleId}'`)).count,
      (count) => count === 1,
    );
    await stack.client.billingRuns.ensureSchedule();
    const runId = await stack.client.billingRuns.trigger();
    const summary = await stack.client.billingRuns.result(runId);
    expect(summary.repairedPayments).toEqual([{ subscriptionId: 'run-boleto-1', saleId }]);
    expect(await stack.client.billingRuns.progress(runId)).toMatchObject({ phase: 'done', repaired: 1 });
    await recordHistory(stack.client.temporal.workflow.getHandle(runId), 'billing-run-repaired-webhook');

    const paid = await eventually(
      () => stack.client.subscriptions.invoices('run-boleto-1'),
      (r) => r.invoices[0]?.status === 'paid',
    );
    expect(paid.invoices[0]?.status).toBe('paid');
    expect(paid.summary.paidCount).toBe(1);
    expect(summary.byStatus).toEqual({ active: 1 });
    // A later run reports the repaired payment among the window's charges.
    const next = await stack.client.billingRuns.result(await stack.client.billingRuns.trigger());
    expect(next.activity).toMatchObject({ charged: 1, chargedCents: 2990, chargedBRL: 'R$ 29,90' });
    expect(summary.mrrCents).toBe(2990);
  });

  it('runs a recurring payout from its Schedule: the available balance less the reserve, once per day', async () => {
    await fetch(`${stack.sandbox.url}/zspay/__control/balances/131`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ currentCents: 50_000 }),
    });
    const { scheduleId } = await stack.client.transfers.schedulePayout({
      payoutId: 'weekly-store-9',
      sourceEstablishmentId: '131',
      destination: { type: 'digital_account', establishmentId: '9' },
      weekday: 'FRIDAY',
      at: '18:00',
      keepCents: 10_000,
    });
    expect(scheduleId).toBe('payout-weekly-store-9');
    await expect(
      stack.client.transfers.schedulePayout({
        payoutId: 'weekly-store-9',
        sourceEstablishmentId: '131',
        destination: { type: 'digital_account', establishmentId: '9' },
        weekday: 'FRIDAY',
      }),
    ).rejects.toThrow('already exists');

    await stack.client.transfers.triggerPayout('weekly-store-9');
    const runs = await eventually(
      async () => {
        const ids: string[] = [];
        for await (const wf of stack.client.temporal.workflow.list({
          query: `WorkflowType = 'transferWorkflow' AND ExecutionStatus = 'Completed'`,
        }))
          ids.push(wf.workflowId);
        return ids.filter((id) => id.startsWith('transfer-weekly-store-9-'));
      },
      (ids) => ids.length === 1,
    );
    expect(runs).toHaveLength(1);
    const view = await stack.client.transfers.get(runs[0]!.replace(/^transfer-/, ''));
    expect(view).toMatchObject({ state: 'succeeded', amountCents: 40_000 });
    const moved = (await stack.sandbox.control.ledger({ provider: 'zspay' })).filter((e) => e.kind === 'transfer');
    expect(moved.map((e) => e.amountCents)).toEqual([40_000]);
    for await (const wf of stack.client.temporal.workflow.list({ query: `WorkflowType = 'settleBalanceWorkflow'` })) {
      await recordHistory(stack.client.temporal.workflow.getHandle(wf.workflowId), 'payout-settled-balance');
    }
  });
});
