/**
 * Refunds on the time-skipping server, with the engine's real Zspay activities against the sandbox:
 * the refund operation drives "Estornar venda" exactly once (a lost answer is read back, never sent
 * again), refund webhooks count only once Zspay's sale confirms them, and what may not be refunded
 * is refused naming why.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { RejectedError, type BillingClient } from '../../client';
import { localDateOf } from '../../common/billing/calendar';
import { SANDBOX_CREDENTIALS } from '../../common/sandbox-credentials';
import type { MerchantNotification } from '../../common/merchant-notification';
import type { Invoice } from '../../common/subscription/model';
import { customerWithCard } from '../../sandbox/test-customer';
import { TEST_MERCHANT_SECRET } from '../helpers/engine';
import { eventually } from '../helpers/eventually';
import { defined } from '../helpers/defined';
import { recordHistory } from '../helpers/histories';
import { stringContaining } from '../helpers/matchers';
import type { RunningSandbox } from '../helpers/sandbox';
import { startWorkflowTestEnv, type WorkflowTestEnv } from '../helpers/workflow-env';
import { zspayClient } from '../providers/zspay/helpers';

const TZ = 'America/Sao_Paulo';

describe('subscription refunds (time-skipping server, Zspay sandbox)', () => {
  let testEnv: WorkflowTestEnv;
  let env: TestWorkflowEnvironment;
  let sandbox: RunningSandbox;
  let billing: BillingClient;
  let sequence = 0;
  const transferReads: string[] = [];

  beforeAll(async () => {
    // The time-skipping server has no visibility list: the transfers read is the worker's fake,
    // whose answer must reach the merchant's notification (the read itself is checked end to end).
    testEnv = await startWorkflowTestEnv({
      transfersSincePayment: ({ since }: { since: string }) => {
        transferReads.push(since);
        return Promise.resolve([{ transferId: 'payout-store-9-2026-12-04', state: 'succeeded', scheduledAt: since }]);
      },
    });
    ({ env, sandbox, billing } = testEnv);
  });
  afterAll(() => testEnv?.teardown());

  const zspay = () => zspayClient(sandbox.url);
  const today = async () => localDateOf(await env.currentTimeMs(), TZ);
  const invoice = async (id: string, cycle: number): Promise<Invoice | undefined> =>
    (await billing.subscriptions.invoices(id)).invoices.find((i) => i.cycle === cycle);
  const notifications = async (id: string): Promise<MerchantNotification[]> =>
    (await sandbox.control.merchantCallbacks())
      .map((c) => JSON.parse(c.rawBody) as MerchantNotification)
      .filter((n) => n.subscriptionId === id)
      .sort((a, b) => a.sequence - b.sequence);
  const refundRequests = async (saleId: string) =>
    (await sandbox.control.requests({ provider: 'zspay', operation: 'zspay.sale.refund' })).filter(
      (r) => r.direction === 'incoming' && r.path.includes(`/vendas/${saleId}/estornar`),
    );
  const refundsInLedger = async (saleId: string) =>
    (await sandbox.control.ledger({ provider: 'zspay' })).filter((e) => e.kind === 'refund' && e.providerId === saleId);

  const payment = {
    paymentId: '6f1c2d3e-0000-4000-8000-00000000refd',
    trustSeed: 'seed',
    trustValue: 'value',
    altTrustValue: 'alt',
  };

  /** A card subscription whose first cycle is charged (and paid) at once at the sandbox. */
  async function paidCardSubscription(extra: Record<string, unknown> = {}) {
    const id = `refund-${++sequence}`;
    const { clientId, cardId } = await customerWithCard(zspay());
    await billing.subscriptions.create({
      subscriptionId: id,
      customerId: `cus-${id}`,
      plan: {
        planId: 'gold',
        amountCents: 5990,
        recurrence: { kind: 'calendar', frequency: 'monthly', interval: 1 },
        chargeHourLocal: 0,
      },
      paymentMethod: { type: 'zspay_card', zspayClientId: clientId, cardId },
      startDate: await today(),
      merchant: { callbackUrl: `${sandbox.url}/merchant/callbacks`, secretRef: TEST_MERCHANT_SECRET.ref },
      ...extra,
    });
    const paid = await eventually(
      () => invoice(id, 1),
      (i) => i?.status === 'paid',
    );
    expect(paid?.status).toBe('paid');
    const saleId = paid!.attempts.at(-1)!.providerIds!.saleId!;
    return { id, saleId };
  }

  it('refunds a paid card invoice once at Zspay: the sale reads Estornado, the invoice refunded, the merchant told, the payment status pushed', async () => {
    const { id, saleId } = await paidCardSubscription({
      externalPayments: { '1': { ...payment, paymentId: `${payment.paymentId.slice(0, -4)}0001` } },
    });
    const view = await billing.subscriptions.refund(id, { cycle: 1, reason: 'customer asked' });
    expect(view.status).toBe('active');

    const refunded = await eventually(
      () => invoice(id, 1),
      (i) => i?.status === 'refunded',
    );
    expect(refunded).toMatchObject({
      status: 'refunded',
      refund: {
        status: 'refunded',
        reference: `${id}-1-refund`,
        saleId,
        amountCents: 5990,
        reason: 'customer asked',
        source: 'engine',
      },
    });
    expect(await zspay().getSale(saleId)).toMatchObject({ status: 'refunded', statusCode: 6 });
    expect(await refundRequests(saleId)).toHaveLength(1);
    expect(await refundsInLedger(saleId)).toHaveLength(1);

    const told = await eventually(
      () => notifications(id),
      (sent) => sent.some((n) => n.type === 'payment.refunded'),
    );
    expect(told.find((n) => n.type === 'payment.refunded')?.data).toMatchObject({
      cycle: 1,
      amountCents: 5990,
      saleId,
      source: 'engine',
      reason: 'customer asked',
      payout: {
        transfersSincePayment: [{ transferId: 'payout-store-9-2026-12-04', state: 'succeeded' }],
        note: stringContaining('not reversed'),
      },
    });
    // Asked from the moment the refunded invoice was paid.
    expect(transferReads).toContain(defined(refunded?.paidAt, 'paidAt'));
    const pushed = await eventually(
      async () =>
        (await (
          await fetch(`${sandbox.url}/payment-status/__control/payments/${payment.paymentId.slice(0, -4)}0001`)
        ).json()) as { updates: Array<{ status: string }> },
      (p) => p.updates.some((u) => u.status === 'refunded'),
    );
    expect(pushed.updates.map((u) => u.status)).toEqual(['paid', 'refunded']);

    await recordHistory(env.client.workflow.getHandle(`subscription-${id}`), 'subscription-refunded');

    // Asked again: refused, nothing sent.
    await expect(billing.subscriptions.refund(id, { cycle: 1 })).rejects.toThrow(
      new RejectedError('the invoice is already refunded'),
    );
    expect(await refundRequests(saleId)).toHaveLength(1);
  });

  it('refuses what cannot be refunded, naming why, and sends nothing: no such invoice, a partial amount of a card sale', async () => {
    const { id, saleId } = await paidCardSubscription();
    await expect(billing.subscriptions.refund(id, { cycle: 2 })).rejects.toThrow(
      new RejectedError('cycle names no invoice of this subscription'),
    );
    const partial = billing.subscriptions.refund(id, { cycle: 1, amountCents: 1000 });
    await expect(partial).rejects.toBeInstanceOf(RejectedError);
    await expect(partial).rejects.toThrow(/amountCents must be the invoice’s full amount/);
    await expect(async () => billing.subscriptions.refund(id, { cycle: 1, amountCents: -5 })).rejects.toThrow(
      /amountCents must be positive/,
    );
    // The full amount, spelled out, is a refund.
    await billing.subscriptions.refund(id, { cycle: 1, amountCents: 5990 });
    await eventually(
      () => invoice(id, 1),
      (i) => i?.status === 'refunded',
    );
    expect(await refundRequests(saleId)).toHaveLength(1);
  });

  it('refuses an invoice that is not paid: a boleto awaiting payment, and a boleto at all', async () => {
    const id = `refund-boleto-${++sequence}`;
    const client = await zspay().createClient({
      nome: 'Maria',
      documento: '00000000000',
      email: 'maria@example.com',
      endereco: { logradouro: 'Rua A', numero: '1', cep: '03380-200', cidade: 'São Paulo', estado: 'SP' },
    });
    await billing.subscriptions.create({
      subscriptionId: id,
      customerId: `cus-${id}`,
      plan: {
        planId: 'gold',
        amountCents: 5990,
        recurrence: { kind: 'calendar', frequency: 'monthly', interval: 1 },
        chargeHourLocal: 0,
      },
      paymentMethod: { type: 'zspay_boleto', zspayClientId: String(client.id) },
      startDate: await today(),
    });
    const issued = await eventually(
      () => invoice(id, 1),
      (i) => i?.boleto?.saleId !== undefined,
    );
    await expect(billing.subscriptions.refund(id, { cycle: 1 })).rejects.toThrow(
      new RejectedError('only a paid invoice can be refunded'),
    );
    const boletoSale = issued!.boleto!.saleId!;
    await fetch(`${sandbox.url}/zspay/__control/boletos/${boletoSale}/pay`, { method: 'POST' });
    await billing.subscriptions.paymentReceived(id, { saleId: boletoSale });
    await eventually(
      () => invoice(id, 1),
      (i) => i?.status === 'paid',
    );
    await expect(billing.subscriptions.refund(id, { cycle: 1 })).rejects.toThrow(/boleto payment cannot be refunded/);
    expect(await refundRequests(boletoSale)).toHaveLength(0);
  });

  it('a refund whose answer is lost is read back on the retry and never sent twice', async () => {
    const { id, saleId } = await paidCardSubscription();
    const refundsBefore = (await sandbox.control.arrivals('zspay.sale.refund')).length;
    // Zspay refunds the sale, but its answer never arrives (the client times out).
    await sandbox.control.script({
      operation: 'zspay.sale.refund',
      match: saleId,
      times: 1,
      outcome: { type: 'timeout', phase: 'after' },
    });
    await billing.subscriptions.refund(id, { cycle: 1 });
    const refunded = await eventually(
      () => invoice(id, 1),
      (i) => i?.status === 'refunded',
      60_000,
    );
    expect(refunded?.refund?.status).toBe('refunded');
    // The hung request is logged only once its answer is given up; arrivals count it at once.
    expect((await sandbox.control.arrivals('zspay.sale.refund')).length - refundsBefore).toBe(1);
    expect(await refundsInLedger(saleId)).toHaveLength(1);
    // The retry asked Zspay (GET the sale) before anything else.
    const reads = (await sandbox.control.requests({ provider: 'zspay', operation: 'zspay.sale.get' })).filter(
      (r) => r.direction === 'incoming' && r.path.endsWith(`/vendas/${saleId}`),
    );
    expect(reads.length).toBeGreaterThanOrEqual(1);
  });

  it('a refund made at Zspay outside the engine updates the invoice once Zspay confirms the webhook; a contradicted one is ignored and counted', async () => {
    const { id, saleId } = await paidCardSubscription();
    // A refund webhook Zspay does not back (the sale is still approved): ignored, counted.
    await billing.subscriptions.refundReceived(id, { saleId });
    const ignored = await eventually(
      () => billing.subscriptions.get(id),
      (v) => v.ignoredPaymentNotices === 1,
    );
    expect(ignored.ignoredPaymentNotices).toBe(1);
    expect((await invoice(id, 1))?.status).toBe('paid');

    // The merchant refunds the sale in Zspay's own dashboard; its webhook reaches the engine (twice).
    const response = await fetch(`${sandbox.url}/zspay/vendas/${saleId}/estornar`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${SANDBOX_CREDENTIALS.zspay.token}` },
      body: '{}',
    });
    expect(response.status).toBe(200);
    await billing.subscriptions.refundReceived(id, { saleId });
    await billing.subscriptions.refundReceived(id, { saleId });
    const refunded = await eventually(
      () => invoice(id, 1),
      (i) => i?.status === 'refunded',
    );
    expect(refunded?.refund).toMatchObject({ status: 'refunded', source: 'provider', saleId, amountCents: 5990 });
    const told = await eventually(
      () => notifications(id),
      (sent) => sent.some((n) => n.type === 'payment.refunded'),
    );
    expect(told.filter((n) => n.type === 'payment.refunded')).toHaveLength(1);
    expect(told.find((n) => n.type === 'payment.refunded')?.data).toMatchObject({ saleId, source: 'provider' });
    // The engine itself sent no refund, and will not: the invoice is refunded.
    expect(await refundRequests(saleId)).toHaveLength(1);
    await expect(billing.subscriptions.refund(id, { cycle: 1 })).rejects.toThrow(/already refunded/);
    expect((await billing.subscriptions.get(id)).ignoredPaymentNotices).toBe(1);
  });
});
