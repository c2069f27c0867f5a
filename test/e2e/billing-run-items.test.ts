/**
 * Billing runs that survive bad items (dev server: the run reads visibility): a boleto Zspay no
 * longer knows is listed with its reason while the other paid boletos are repaired; a run that
 * failed or was terminated shows as such through the client, the HTTP API and the CLI; the summary
 * counts a subscription charged and then canceled inside its window.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import type { WorkflowHandle } from '@temporalio/client';
import type { BillingRunSummary, BillingRunView } from '../../common/billing-run';
import { NotFoundError } from '../../client';
import { runCli } from '../../cli/main';
import { startTestStack, type TestStack } from '../helpers/stack';
import { recordHistory } from '../helpers/histories';
import { customerWithCard, zspayClient } from '../providers/zspay/helpers';
import { eventually } from '../helpers/eventually';
import { defined } from '../helpers/defined';

const plan = {
  planId: 'basic',
  amountCents: 2990,
  recurrence: { kind: 'calendar', frequency: 'monthly', interval: 1 },
  chargeHourLocal: 0,
} as const;

describe('billing runs that survive bad items (dev server)', () => {
  let stack: TestStack;
  let clientId: string;
  let cardId: string;
  let runs = 0;
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'billing-runs-cli-'));

  beforeAll(async () => {
    stack = await startTestStack();
    ({ clientId, cardId } = await customerWithCard(zspayClient(stack.sandbox.url)));
  });
  afterAll(async () => {
    await stack?.teardown();
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** Starts a run directly (the Schedule's path is covered by billing-run.test.ts and the CLI below). */
  const startRun = (): Promise<WorkflowHandle> =>
    stack.client.temporal.workflow.start('billingRunWorkflow', {
      workflowId: `billing-run-items-${++runs}`,
      taskQueue: stack.taskQueue,
      args: [{}],
    });
  const api = async (path: string, method = 'GET') => {
    const response = await fetch(`${stack.apiUrl}${path}`, {
      method,
      headers: { Authorization: `Bearer ${stack.apiKey}` },
    });
    return {
      status: response.status,
      type: response.headers.get('content-type'),
      body: await response.json(),
    };
  };
  /** The CLI in this process (the worker must keep polling while it waits), its output captured. */
  const cli = async (...args: string[]) => {
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    let out = '';
    let err = '';
    stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    const global = ['--address', stack.temporal.server.address, '--namespace', stack.temporal.server.namespace];
    const code = await runCli(['node', 'billing', ...global, '--task-queue', stack.taskQueue, ...args], {
      stdout,
      stderr,
      stdin: new PassThrough(),
      // The stack stores payloads in clear: no keys from the repository's .data for this CLI.
      env: { PATH: process.env.PATH, HOME: process.env.HOME, BILLING_ENCRYPTION: 'off', BILLING_DATA_DIR: dataDir },
    });
    return { code, stdout: out, stderr: err };
  };

  async function boletoSubscription(subscriptionId: string): Promise<string> {
    await stack.client.subscriptions.create({
      subscriptionId,
      customerId: 'acme',
      plan,
      paymentMethod: { type: 'zspay_boleto', zspayClientId: clientId },
    });
    const invoices = await eventually(
      () => stack.client.subscriptions.invoices(subscriptionId),
      (r) => r.invoices[0]?.boleto?.saleId !== undefined,
    );
    const saleId = defined(invoices.invoices[0]?.boleto?.saleId, `a boleto sale for ${subscriptionId}`);
    // The run lists subscriptions by this search attribute: wait until visibility has it.
    await eventually(
      async () => (await stack.client.temporal.workflow.count(`BillingPendingSaleIds = '${saleId}'`)).count,
      (count) => count === 1,
    );
    return saleId;
  }
  const payWithWebhookLost = async (saleId: string) => {
    await stack.sandbox.control.setWebhooks(false);
    expect((await fetch(`${stack.sandbox.url}/zspay/__control/boletos/${saleId}/pay`, { method: 'POST' })).status).toBe(
      200,
    );
    await stack.sandbox.control.setWebhooks(true);
  };

  it('counts a subscription charged then canceled inside the window, though its workflow is closed', async () => {
    await stack.client.subscriptions.create({
      subscriptionId: 'ended-1',
      customerId: 'acme',
      plan: { ...plan, amountCents: 5990 },
      paymentMethod: { type: 'zspay_card', zspayClientId: clientId, cardId },
    });
    await eventually(
      () => stack.client.subscriptions.invoices('ended-1'),
      (r) => r.invoices[0]?.status === 'paid',
    );
    await stack.client.subscriptions.cancel('ended-1', { atPeriodEnd: false });
    const handle = stack.client.temporal.workflow.getHandle('subscription-ended-1');
    expect(
      await eventually(
        async () => (await handle.describe()).status.name,
        (s) => s === 'COMPLETED',
      ),
    ).toBe('COMPLETED');
    await eventually(
      async () =>
        (
          await stack.client.temporal.workflow.count(
            `WorkflowId = 'subscription-ended-1' AND ExecutionStatus = 'Completed'`,
          )
        ).count,
      (count) => count === 1,
    );

    const summary = (await (await startRun()).result()) as BillingRunSummary;
    // Only running subscriptions were tallied before: this charge would be missing.
    expect(summary.activity).toMatchObject({ charged: 1, chargedCents: 5990, chargedBRL: 'R$ 59,90', failed: 0 });
    expect(summary.subscriptionsTallied).toBe(1);
    expect(summary.byStatus).toEqual({});
  });

  it('lists a boleto Zspay answers 404 for with its reason, repairs the other paid boletos, and finishes', async () => {
    const paidA = await boletoSubscription('items-a');
    const gone = await boletoSubscription('items-b');
    const paidC = await boletoSubscription('items-c');
    await payWithWebhookLost(paidA);
    await payWithWebhookLost(paidC);
    // Zspay no longer knows B's sale: its GET answers 404.
    expect((await fetch(`${stack.sandbox.url}/zspay/__control/sales/${gone}`, { method: 'DELETE' })).status).toBe(204);

    const handle = await startRun();
    const summary = (await handle.result()) as BillingRunSummary;
    expect(summary.subscriptionsChecked).toBe(3);
    expect(summary.repairedPayments).toEqual(
      expect.arrayContaining([
        { subscriptionId: 'items-a', saleId: paidA },
        { subscriptionId: 'items-c', saleId: paidC },
      ]),
    );
    expect(summary.repairedPayments).toHaveLength(2);
    const failure = {
      subscriptionId: 'items-b',
      saleId: gone,
      type: 'InvalidRequest',
      statusCode: 404,
      reason: expect.stringContaining('404') as string,
    };
    expect(summary.itemsFailed).toBe(1);
    expect(summary.itemFailures).toEqual([failure]);
    await recordHistory(handle, 'billing-run-item-failures');

    for (const id of ['items-a', 'items-c']) {
      const paid = await eventually(
        () => stack.client.subscriptions.invoices(id),
        (r) => r.invoices[0]?.status === 'paid',
      );
      expect(paid.invoices[0]?.status).toBe('paid');
    }
    expect((await stack.client.subscriptions.invoices('items-b')).invoices[0]?.status).toBe('open');

    // The client, the API and the CLI show the item and the run's status.
    expect(await stack.client.billingRuns.progress(handle.workflowId)).toMatchObject({
      status: 'completed',
      phase: 'done',
      repaired: 2,
      itemsFailed: 1,
      itemFailures: [failure],
    });
    const view = await api(`/v1/billing-runs/${handle.workflowId}`);
    expect(view).toMatchObject({ status: 200, body: { status: 'completed', summary: { itemFailures: [failure] } } });
    const shown = await cli('billing-runs', 'show', handle.workflowId);
    expect(shown).toMatchObject({ code: 0, stderr: '' });
    expect(shown.stdout).toContain('completed');
    expect(shown.stdout).toMatch(new RegExp(`items-b\\s+${gone}\\s+.*404`));
  });

  it('shows a failed run as failed, with its reason, through the client, the API and the CLI', async () => {
    // Credentials refused concern every read, not one item: the run fails, for a human to fix.
    await stack.sandbox.control.script({ operation: 'zspay.sale.get', outcome: { type: 'unauthorized' } });
    const handle = await startRun();
    try {
      await expect(handle.result()).rejects.toThrow();
    } finally {
      await stack.sandbox.control.clearScenarios();
    }
    const view = await stack.client.billingRuns.get(handle.workflowId);
    expect(view).toMatchObject({ status: 'failed', failure: expect.stringContaining('ZSPAY_TOKEN') as string });
    expect(view.closedAt).toBeDefined();
    // Its progress stopped while reconciling; the status says it will not go further.
    expect(await stack.client.billingRuns.progress(handle.workflowId)).toMatchObject({
      status: 'failed',
      phase: 'reconciling',
    });
    expect(await api(`/v1/billing-runs/${handle.workflowId}`)).toMatchObject({
      status: 200,
      body: { status: 'failed', progress: { phase: 'reconciling' } },
    });
    const json = await cli('--json', 'billing-runs', 'show', handle.workflowId);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ workflowId: handle.workflowId, status: 'failed' });
  });

  it('shows a terminated run as terminated, with the operator reason', async () => {
    // Every read fails and is retried: the run stays on its reads until an operator stops it.
    await stack.sandbox.control.script({ operation: 'zspay.sale.get', outcome: { type: 'server_error' } });
    const handle = await startRun();
    try {
      // (A query before the run's first workflow task is answered with an error: not yet.)
      await eventually(
        () => stack.client.billingRuns.progress(handle.workflowId).catch(() => undefined),
        (p) => p?.phase === 'reconciling',
      );
      await handle.terminate('stopped by the operator');
    } finally {
      await stack.sandbox.control.clearScenarios();
    }
    const view: BillingRunView = await stack.client.billingRuns.get(handle.workflowId);
    expect(view).toMatchObject({
      status: 'terminated',
      failure: expect.stringContaining('stopped by the operator') as string,
    });
    expect(await api(`/v1/billing-runs/${handle.workflowId}`)).toMatchObject({
      status: 200,
      body: { status: 'terminated' },
    });
  });

  it('answers an unknown run id with 404: a problem document, NotFoundError, exit code 3', async () => {
    const unknown = await api('/v1/billing-runs/billing-run-nope');
    expect(unknown).toMatchObject({
      status: 404,
      type: expect.stringContaining('application/problem+json') as string,
      body: { status: 404, title: 'Not found' },
    });
    // A workflow that is not a billing run is no billing run either.
    expect((await api('/v1/billing-runs/subscription-items-a')).status).toBe(404);
    await expect(stack.client.billingRuns.get('billing-run-nope')).rejects.toBeInstanceOf(NotFoundError);
    await expect(stack.client.billingRuns.progress('billing-run-nope')).rejects.toBeInstanceOf(NotFoundError);
    const shown = await cli('--json', 'billing-runs', 'show', 'billing-run-nope');
    expect(shown.code).toBe(3);
    expect(JSON.parse(shown.stdout)).toMatchObject({ error: { type: 'not_found' } });
  });

  it('triggers a run from the CLI, waits for it, and reads, pauses and resumes the schedule', async () => {
    expect((await cli('billing-runs', 'schedule')).code).toBe(3);
    await stack.client.billingRuns.ensureSchedule();

    const triggered = await cli('--json', 'billing-runs', 'trigger', '--wait');
    expect(triggered.code).toBe(0);
    const run = JSON.parse(triggered.stdout) as BillingRunView;
    expect(run).toMatchObject({ status: 'completed', summary: { itemsFailed: 1 } });

    const paused = await cli('--json', 'billing-runs', 'schedule', 'pause', '--note', 'month-end freeze');
    expect(paused.code).toBe(0);
    expect(JSON.parse(paused.stdout)).toMatchObject({ paused: true, note: 'month-end freeze' });
    expect((await stack.client.billingRuns.describe()).state.paused).toBe(true);
    const shown = await cli('billing-runs', 'schedule', 'show');
    expect(shown.stdout).toMatch(/State\s+paused/);
    const unpaused = await cli('--json', 'billing-runs', 'schedule', 'unpause');
    expect(JSON.parse(unpaused.stdout)).toMatchObject({ paused: false });
    expect((await cli('billing-runs', 'schedule', 'stop')).code).toBe(2);
  });
});
