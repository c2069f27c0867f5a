/**
 * Refunds end to end on a dev server: the HTTP API and the CLI ask for a refund, the workflow sends
 * "Estornar venda" to the sandbox once; a refund made at Zspay outside the engine reaches the
 * webhook ingress (the sandbox sends the document's two refund webhooks), is routed by the
 * `BillingPaidSaleIds` search attribute, and is confirmed with the sale before the invoice changes.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { SANDBOX_CREDENTIALS } from '../../common/sandbox-credentials';
import { customerWithCard, zspayClient } from '../providers/zspay/helpers';
import { stackApi, startTestStack, type TestStack } from '../helpers/stack';
import { eventually } from '../helpers/eventually';
import { TEST_MERCHANT_SECRET } from '../helpers/engine';
import { stringContaining } from '../helpers/matchers';

const repoRoot = path.resolve(__dirname, '../..');

interface InvoiceBody {
  cycle: number;
  status: string;
  attempts: Array<{ providerIds?: { saleId?: string } }>;
  refund?: { status: string; source: string; saleId: string; reason?: string };
}

describe('refunds through the HTTP API, the CLI and Zspay webhooks (dev server, sandbox, worker)', () => {
  let stack: TestStack;
  const api = stackApi(() => stack);
  const invoices = async (id: string) =>
    ((await api(`/v1/subscriptions/${id}/invoices`)).body.invoices ?? []) as InvoiceBody[];
  const refundsAtZspay = async (saleId: string) =>
    (await stack.sandbox.control.ledger({ provider: 'zspay' })).filter(
      (e) => e.kind === 'refund' && e.providerId === saleId,
    );

  const cli = (args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> =>
    new Promise((resolve, reject) => {
      const env: NodeJS.ProcessEnv = { ...process.env, BILLING_ENCRYPTION: 'off' };
      const global = ['--address', stack.temporal.server.address, '--namespace', stack.temporal.server.namespace];
      const child = spawn(process.execPath, ['bin/billing.js', ...global, '--task-queue', stack.taskQueue, ...args], {
        cwd: repoRoot,
        stdio: 'pipe',
        env,
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout, stderr }));
      child.stdin.end();
    });

  /** A card subscription through the API, its first cycle paid at the sandbox: the paid sale's id. */
  async function paidCardSubscription(id: string, extra: Record<string, unknown> = {}): Promise<string> {
    const { clientId, cardId } = await customerWithCard(zspayClient(stack.sandbox.url));
    const created = await api('/v1/subscriptions', {
      subscriptionId: id,
      customerId: 'acme',
      plan: {
        planId: 'gold',
        amountCents: 5990,
        recurrence: { kind: 'calendar', frequency: 'monthly', interval: 1 },
        chargeHourLocal: 0,
      },
      paymentMethod: { type: 'zspay_card', zspayClientId: clientId, cardId },
      ...extra,
    });
    expect(created.status).toBe(201);
    const paid = await eventually(
      () => invoices(id),
      (list) => list[0]?.status === 'paid',
    );
    expect(paid[0]?.status).toBe('paid');
    return paid[0]!.attempts.at(-1)!.providerIds!.saleId!;
  }

  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(async () => {
    await stack?.teardown();
  });

  it('refunds a paid card invoice through the API once; bad arguments are 400 naming the field, a partial amount 422 naming amountCents', async () => {
    const saleId = await paidCardSubscription('e2e-refund-api');
    const malformed = await api('/v1/subscriptions/e2e-refund-api/refund', { cycle: 'one' });
    expect(malformed.status).toBe(400);
    expect(malformed.body.errors).toMatchObject({ cycle: [expect.stringContaining('cycle must be a number')] });
    const partial = await api('/v1/subscriptions/e2e-refund-api/refund', { cycle: 1, amountCents: 1000 });
    expect(partial.status).toBe(422);
    expect(partial.body.detail).toContain('amountCents must be the invoice’s full amount');

    const accepted = await api('/v1/subscriptions/e2e-refund-api/refund', { cycle: 1, reason: 'duplicate order' });
    expect(accepted.status).toBe(200);
    const refunded = await eventually(
      () => invoices('e2e-refund-api'),
      (list) => list[0]?.status === 'refunded',
    );
    expect(refunded[0]?.refund).toMatchObject({
      status: 'refunded',
      source: 'engine',
      saleId,
      reason: 'duplicate order',
    });
    expect(await refundsAtZspay(saleId)).toHaveLength(1);
    const again = await api('/v1/subscriptions/e2e-refund-api/refund', { cycle: 1 });
    expect(again.status).toBe(422);
    expect(again.body.detail).toContain('already refunded');
    expect(await refundsAtZspay(saleId)).toHaveLength(1);
  });

  it('refunds through the CLI: exit 0 and the invoice refunded; exit 5 naming the reason when refused', async () => {
    const saleId = await paidCardSubscription('e2e-refund-cli');
    const partial = await cli(['subscriptions', 'refund', 'e2e-refund-cli', '--cycle', '1', '--amount-cents', '100']);
    expect(partial.code).toBe(5);
    expect(partial.stderr).toContain('amountCents must be the invoice’s full amount');
    const run = await cli(['subscriptions', 'refund', 'e2e-refund-cli', '--cycle', '1', '--reason', 'cli']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Refund of cycle 1 recorded');
    await eventually(
      () => invoices('e2e-refund-cli'),
      (list) => list[0]?.status === 'refunded',
    );
    expect(await refundsAtZspay(saleId)).toHaveLength(1);
    const shown = await cli(['subscriptions', 'invoices', 'e2e-refund-cli']);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(/REFUND/);
    expect(shown.stdout).toMatch(/refunded/);
  });

  it('names to the merchant the transfers sent since the refunded payment (money already paid out is not reversed)', async () => {
    const id = 'e2e-refund-payout';
    const saleId = await paidCardSubscription(id, {
      merchant: { callbackUrl: `${stack.sandbox.url}/merchant/refunds`, secretRef: TEST_MERCHANT_SECRET.ref },
    });
    await fetch(`${stack.sandbox.url}/zspay/__control/balances/131`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ currentCents: 100_000 }),
    });
    const transfer = await api('/v1/transfers', {
      transferId: 'e2e-refund-payout-weekly',
      sourceEstablishmentId: '131',
      destination: { type: 'digital_account', establishmentId: '9' },
      amountCents: 5_000,
      description: 'Weekly payout',
      runNow: true,
    });
    expect(transfer.status).toBe(201);
    // The transfer left the balance, and visibility lists it.
    await eventually(
      () => api('/v1/transfers?establishmentId=9'),
      (r) =>
        Array.isArray(r.body) &&
        (r.body as Array<{ transferId: string; state?: string }>).some(
          (t) => t.transferId === 'e2e-refund-payout-weekly' && (t.state === 'pending' || t.state === 'succeeded'),
        ),
    );
    expect((await api(`/v1/subscriptions/${id}/refund`, { cycle: 1 })).status).toBe(200);
    await eventually(
      () => invoices(id),
      (list) => list[0]?.status === 'refunded',
    );
    expect(await refundsAtZspay(saleId)).toHaveLength(1);
    const told = await eventually(
      async () =>
        (await stack.sandbox.control.merchantCallbacks())
          .map((c) => JSON.parse(c.rawBody) as { type: string; subscriptionId: string; data: Record<string, unknown> })
          .find((n) => n.subscriptionId === id && n.type === 'payment.refunded'),
      (n) => n !== undefined,
    );
    expect(told?.data).toMatchObject({
      saleId,
      payout: {
        transfersSincePayment: [expect.objectContaining({ transferId: 'e2e-refund-payout-weekly' })],
        note: stringContaining('not reversed'),
      },
    });
  });

  it('a refund made at Zspay outside the engine reaches the invoice through the refund webhooks, after Zspay confirms it', async () => {
    const saleId = await paidCardSubscription('e2e-refund-outside');
    // The merchant refunds the sale in Zspay's own dashboard: Zspay (the sandbox) sends its webhooks.
    const response = await fetch(`${stack.sandbox.url}/zspay/vendas/${saleId}/estornar`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${SANDBOX_CREDENTIALS.zspay.token}` },
      body: '{}',
    });
    expect(response.status).toBe(200);
    const refunded = await eventually(
      () => invoices('e2e-refund-outside'),
      (list) => list[0]?.status === 'refunded',
      30_000,
    );
    expect(refunded[0]?.refund).toMatchObject({ status: 'refunded', source: 'provider', saleId });
    const webhooks = (await stack.sandbox.control.requests({ provider: 'zspay' })).filter(
      (r) => r.direction === 'webhook' && JSON.stringify(r.body).includes(`${saleId}`),
    );
    const kinds = webhooks.map((w) => {
      const body = w.body as { type: string; status: string };
      return `${body.type}:${body.status}`;
    });
    expect(kinds).toEqual(expect.arrayContaining(['transaction:void', 'receivable:refunded']));
    expect(webhooks.every((w) => w.status === 200)).toBe(true);
    // Only the merchant's own refund moved money.
    expect(await refundsAtZspay(saleId)).toHaveLength(1);
  });
});
