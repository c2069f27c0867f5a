/**
 * Refunds at Zspay ("Estornar venda via cartão de crédito"): the activity against the sandbox in a
 * mock activity context (exactly once across retries: a retry reads the sale first), and the
 * sandbox's refund against the document (status 6 Estornado, the two refund webhooks shaped like the
 * document's examples, fault scripting).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createZspayPaymentActivities } from '../../../activities/payments/zspay';
import { SANDBOX_CREDENTIALS } from '../../../common/sandbox-credentials';
import { okResponseSchema } from '../../../providers/zspay/schemas';
import { parseZspayWebhook } from '../../../providers/zspay/webhooks';
import { useSandbox, type RunningSandbox } from '../../helpers/sandbox';
import { quietActivityEnvironment, rejectionOf } from '../expect-error';
import { customerWithCard, runIn, zspayClient } from './helpers';

const fixture = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(join(__dirname, '../../fixtures/providers/zspay', `${name}.json`), 'utf8')) as Record<
    string,
    unknown
  >;

let sandbox: RunningSandbox;
// Webhooks need a URL to be sent to; the tests turn sending off and read them from the request log.
useSandbox((started) => (sandbox = started), { webhookUrls: { zspay: 'http://127.0.0.1:9/zspay-webhooks' } });

describe('Zspay refunds', () => {
  const refunds = async (saleId: string) =>
    (await sandbox.control.ledger({ provider: 'zspay' })).filter((e) => e.kind === 'refund' && e.providerId === saleId);
  const refundArrivals = async () => (await sandbox.control.arrivals('zspay.sale.refund')).length;
  const saleReads = async () => (await sandbox.control.arrivals('zspay.sale.get')).length;

  /** A paid card sale (authorized, then captured), as a subscription's charge leaves it. */
  async function paidSale() {
    const zspay = zspayClient(sandbox.url);
    const { clientId, cardId } = await customerWithCard(zspay);
    const activities = createZspayPaymentActivities({ zspay });
    const card = { reference: 'sub-r-1-1', amountCents: 4990, clientId, cardId, description: 'x' };
    const authorization = await runIn(quietActivityEnvironment(), activities.authorizeCard, card);
    const saleId = (authorization as { saleId: string }).saleId;
    const outcome = await runIn(quietActivityEnvironment(), activities.captureCard, {
      reference: card.reference,
      amountCents: card.amountCents,
      saleId,
    });
    expect(outcome.status).toBe('succeeded');
    return { zspay, activities, saleId, refund: { reference: 'sub-r-1-refund', saleId, amountCents: 4990 } };
  }

  it('refunds a paid card sale in full: the sale reads 6 Estornado, the money is returned once', async () => {
    const { zspay, activities, saleId, refund } = await paidSale();
    expect(await runIn(quietActivityEnvironment(), activities.refundCardSale, refund)).toEqual({
      saleId,
      providerStatus: 6,
      alreadyRefunded: false,
    });
    expect(await zspay.getSale(saleId)).toMatchObject({ status: 'refunded', statusCode: 6 });
    expect(await refunds(saleId)).toEqual([expect.objectContaining({ amountCents: 4990 })]);
  });

  it('a retry after a lost answer reads the sale, finds it refunded and sends nothing', async () => {
    const { activities, saleId, refund } = await paidSale();
    await sandbox.control.script({
      operation: 'zspay.sale.refund',
      match: saleId,
      times: 1,
      outcome: { type: 'timeout', phase: 'after' },
    });
    expect(
      await rejectionOf(quietActivityEnvironment({ attempt: 1 }).run(activities.refundCardSale, refund)),
    ).toMatchObject({ type: 'UnknownOutcome', nonRetryable: false });
    const before = await refundArrivals();
    expect(await runIn(quietActivityEnvironment({ attempt: 2 }), activities.refundCardSale, refund)).toMatchObject({
      alreadyRefunded: true,
      providerStatus: 6,
    });
    expect(await refundArrivals()).toBe(before);
    expect(await refunds(saleId)).toHaveLength(1);
  });

  it('a retry after a 5xx (nothing done) reads the sale, still approved, and refunds it once', async () => {
    const { activities, saleId, refund } = await paidSale();
    await sandbox.control.script({
      operation: 'zspay.sale.refund',
      match: saleId,
      times: 1,
      outcome: { type: 'server_error', status: 503 },
    });
    expect(
      await rejectionOf(quietActivityEnvironment({ attempt: 1 }).run(activities.refundCardSale, refund)),
    ).toMatchObject({ type: 'Transient' });
    const reads = await saleReads();
    expect(await runIn(quietActivityEnvironment({ attempt: 2 }), activities.refundCardSale, refund)).toMatchObject({
      alreadyRefunded: false,
    });
    expect(await saleReads()).toBe(reads + 1);
    expect(await refunds(saleId)).toHaveLength(1);
  });

  it('after a 429 the next attempt sends without reading (Zspay did nothing)', async () => {
    const { activities, saleId, refund } = await paidSale();
    await sandbox.control.script({
      operation: 'zspay.sale.refund',
      match: saleId,
      times: 1,
      outcome: { type: 'rate_limit', retryAfterSeconds: 1 },
    });
    const first = quietActivityEnvironment({ attempt: 1 });
    let details: unknown;
    first.on('heartbeat', (d: unknown) => {
      details = d;
    });
    expect(await rejectionOf(first.run(activities.refundCardSale, refund))).toMatchObject({ type: 'RateLimited' });
    expect(details).toEqual({ saleId, refusedAtAttempt: 1 });
    const reads = await saleReads();
    await runIn(quietActivityEnvironment({ attempt: 2, heartbeatDetails: details }), activities.refundCardSale, refund);
    expect(await saleReads()).toBe(reads);
    expect(await refunds(saleId)).toHaveLength(1);
  });

  it('a sale that cannot be refunded (a boleto awaiting payment) fails for good, naming its status, and nothing moves', async () => {
    const zspay = zspayClient(sandbox.url);
    const { clientId } = await customerWithCard(zspay);
    const boleto = await zspay.createBoletoSale({
      clienteId: clientId,
      amountCents: 990,
      dueDate: '2030-01-10',
      descricao: 'x',
    });
    const activities = createZspayPaymentActivities({ zspay });
    const failure = await rejectionOf(
      quietActivityEnvironment({ attempt: 1 }).run(activities.refundCardSale, {
        reference: 'sub-b-1-refund',
        saleId: boleto.id,
        amountCents: 990,
      }),
    );
    expect(failure).toMatchObject({ nonRetryable: true });
    expect(String((failure as Error).message)).toMatch(/pending|Pendente|não pode ser estornado/);
    expect(await refunds(boleto.id)).toHaveLength(0);
  });

  it("the sandbox answers the document's refund result and sends the document's two refund webhooks", async () => {
    const { saleId } = await paidSale();
    await sandbox.control.setWebhooks(false);
    const response = await fetch(`${sandbox.url}/zspay/vendas/${saleId}/estornar`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${SANDBOX_CREDENTIALS.zspay.token}` },
      body: '{ }',
    });
    expect(response.status).toBe(200);
    const answer: unknown = await response.json();
    expect(okResponseSchema.safeParse(answer).success).toBe(true);
    expect(Object.keys(answer as object).sort()).toEqual(Object.keys(fixture('sale-refund.response')).sort());

    const sent = (await sandbox.control.requests({ provider: 'zspay' }))
      .filter((r) => r.direction === 'webhook')
      .map((r) => r.body as Record<string, unknown> & { data: Record<string, unknown> });
    const transaction = sent.find((b) => b.type === 'transaction' && b.status === 'void');
    const receivable = sent.find((b) => b.type === 'receivable' && b.status === 'refunded');
    expect(transaction).toBeDefined();
    expect(receivable).toBeDefined();
    for (const [body, example] of [
      [transaction!, fixture('webhook-transaction-void')],
      [receivable!, fixture('webhook-receivable-refunded')],
    ] as const) {
      // Parsed by the engine as the known event, with every key of the document's example.
      const parsed = parseZspayWebhook(body);
      expect(parsed.known && parsed.knownStatus).toBe(body.status);
      expect(Object.keys(body)).toEqual(expect.arrayContaining(Object.keys(example)));
      expect(Object.keys(body.data)).toEqual(
        expect.arrayContaining(
          Object.keys(example.data as object).filter((k) => k !== 'removed' && k !== 'pos_identification_number'),
        ),
      );
    }
    expect(transaction!.data).toMatchObject({ id: Number(saleId), status_pedido_id: 6 });
    expect(receivable!.data).toMatchObject({ pedido_id: Number(saleId), status_pagamento_id: 4 });

    // A second refund of the same sale is refused: nothing is returned twice.
    const again = await fetch(`${sandbox.url}/zspay/vendas/${saleId}/estornar`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${SANDBOX_CREDENTIALS.zspay.token}` },
      body: '{ }',
    });
    expect(again.status).toBeGreaterThanOrEqual(400);
    expect(await refunds(saleId)).toHaveLength(1);
  });
});
