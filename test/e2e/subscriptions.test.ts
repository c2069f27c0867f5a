/**
 * Subscriptions end to end on a dev server: HTTP API -> workflow -> Zspay sandbox, and the
 * sandbox's webhooks -> webhook ingress -> signal -> the subscription's state.
 */
import { customerWithCard, zspayClient } from '../providers/zspay/helpers';
import { stackApi, startTestStack, type TestStack } from '../helpers/stack';
import { eventually } from '../helpers/eventually';
import { defined } from '../helpers/defined';

describe('subscriptions through the HTTP API (dev server, sandbox, worker)', () => {
  let stack: TestStack;
  const api = stackApi(() => stack);
  const plan = {
    planId: 'gold',
    amountCents: 5990,
    recurrence: { kind: 'calendar', frequency: 'monthly', interval: 1 },
  };

  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(async () => {
    await stack?.teardown();
  });

  it('charges a stored card once on the first due date and lists the subscription by status and customer', async () => {
    const { clientId, cardId } = await customerWithCard(zspayClient(stack.sandbox.url));
    const created = await api('/v1/subscriptions', {
      subscriptionId: 'e2e-card-1',
      customerId: 'acme',
      plan: { ...plan, chargeHourLocal: 0 },
      paymentMethod: { type: 'zspay_card', zspayClientId: clientId, cardId },
    });
    expect(created.status).toBe(201);
    // A new subscription is active at once; its first charge follows.
    await eventually(
      () => api('/v1/subscriptions/e2e-card-1/invoices'),
      (r) => (r.body.invoices as Array<{ status: string }> | undefined)?.[0]?.status === 'paid',
    );
    const view = await api('/v1/subscriptions/e2e-card-1');
    expect(view.body).toMatchObject({
      status: 'active',
      customerId: 'acme',
      providerStatus: { zspay: 3, adiq: 'Active' },
    });
    const charges = (await stack.sandbox.control.ledger({ provider: 'zspay' })).filter((e) => e.kind === 'charge');
    expect(charges).toHaveLength(1);
    expect(charges[0]!.amountCents).toBe(5990);

    // A create retried after a dropped connection: the same body answers the subscription it made
    // (read back from the first run's encrypted input), a different body for the id is a 409.
    const retried = await api('/v1/subscriptions', {
      paymentMethod: { cardId, type: 'zspay_card', zspayClientId: clientId },
      plan: { ...plan, chargeHourLocal: 0 },
      customerId: 'acme',
      subscriptionId: 'e2e-card-1',
    });
    expect(retried.status).toBe(200);
    expect(retried.body).toMatchObject({ workflowId: 'subscription-e2e-card-1', created: false });
    expect(typeof retried.body.runId).toBe('string');
    const duplicate = await api('/v1/subscriptions', {
      subscriptionId: 'e2e-card-1',
      customerId: 'acme-2',
      plan: { ...plan, chargeHourLocal: 0 },
      paymentMethod: { type: 'zspay_card', zspayClientId: clientId, cardId },
    });
    expect(duplicate.status).toBe(409);
    expect(duplicate.body.detail).toContain('already exists with a different input (customerId differ)');

    const listed = await eventually(
      () => api('/v1/subscriptions?status=active&customerId=acme'),
      (r) => Array.isArray(r.body) && r.body.length > 0,
    );
    expect(listed.body).toEqual([
      expect.objectContaining({ subscriptionId: 'e2e-card-1', status: 'active', customerId: 'acme', planId: 'gold' }),
    ]);
  });

  it('settles a boleto when the sandbox sends the paid webhook to the ingress', async () => {
    const zspay = zspayClient(stack.sandbox.url);
    const { clientId } = await customerWithCard(zspay);
    expect(
      (
        await api('/v1/subscriptions', {
          subscriptionId: 'e2e-boleto-1',
          customerId: 'acme',
          plan: { ...plan, chargeHourLocal: 0 },
          paymentMethod: { type: 'zspay_boleto', zspayClientId: clientId },
        })
      ).status,
    ).toBe(201);
    const issued = await eventually(
      () => api('/v1/subscriptions/e2e-boleto-1/invoices'),
      (r) => ((r.body.invoices as Array<{ boleto?: unknown }>)?.[0]?.boleto ?? null) !== null,
    );
    const saleId = defined((issued.body.invoices as Array<{ boleto: { saleId: string } }>)[0], 'an issued invoice')
      .boleto.saleId;

    // The customer pays at the bank: Zspay (the sandbox) calls the engine's webhook URL.
    await eventually(
      async () => {
        const response = await fetch(`${stack.sandbox.url}/zspay/__control/boletos/${saleId}/pay`, { method: 'POST' });
        return response.status;
      },
      (status) => status < 300,
    );
    const paid = await eventually(
      () => api('/v1/subscriptions/e2e-boleto-1/invoices'),
      (r) => (r.body.invoices as Array<{ status: string }>)[0]?.status === 'paid',
    );
    expect((paid.body.invoices as Array<{ status: string }>)[0]?.status).toBe('paid');
    const webhooks = (await stack.sandbox.control.requests({ provider: 'zspay' })).filter(
      (r) => r.direction === 'webhook',
    );
    expect(webhooks.some((w) => w.status === 200)).toBe(true);
  });

  it('rejects webhooks without the right secret (401) and malformed ones (400), changing nothing', async () => {
    const post = (secret: string, body: unknown) =>
      fetch(`${stack.apiUrl}/webhooks/zspay/${secret}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      });
    const event = { type: 'transaction', status: 'succeeded', data: { id: 999, status_pedido_id: '2' } };
    expect((await post('wrong', event)).status).toBe(401);
    const malformed = await post(stack.webhookSecrets.zspay, {
      type: 'transaction',
      status: 'succeeded',
      data: { status_pedido_id: '2' },
    });
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as { errors: Record<string, string[]> }).errors).toHaveProperty(['data.id']);
    const unknown = await post(stack.webhookSecrets.zspay, event);
    expect(unknown.status).toBe(200);
    expect(await unknown.json()).toEqual({ outcome: 'ignored', detail: 'no subscription awaits sale 999' });
  });

  it('answers operations refused in the current state with 422 and a reason', async () => {
    const response = await api('/v1/subscriptions/e2e-card-1/retry-now', {});
    expect(response.status).toBe(422);
    expect(response.body.detail).toBe('there is no failed invoice to retry');
    expect((await api('/v1/subscriptions/nope/suspend', {})).status).toBe(404);
  });

  it('schedules a bank transfer through the API and follows its status webhook to success', async () => {
    await fetch(`${stack.sandbox.url}/zspay/__control/balances/131`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ currentCents: 100_000 }),
    });
    const account = await zspayClient(stack.sandbox.url).createBankAccount({
      tipoContaBancaria: 1,
      nomeTitular: 'Loja',
      bancoId: 2,
      agencia: '0001',
      conta: '12345',
    });
    const created = await api('/v1/transfers', {
      transferId: 'e2e-transfer-1',
      sourceEstablishmentId: '131',
      destination: { type: 'bank_account', bankAccountId: String(account.id) },
      amountCents: 25_000,
      description: 'Payout',
      // A date already past is refused; asked to run now, it executes at once (a bank transfer: on
      // the next business day when today is not one).
      executeOn: '2026-11-19',
      executeAt: '00:00',
    });
    expect(created.status).toBe(400);
    expect(created.body.errors).toEqual({
      executeOn: [expect.stringContaining('executeOn 2026-11-19 is in the past')],
    });
    const body = {
      transferId: 'e2e-transfer-1',
      sourceEstablishmentId: '131',
      destination: { type: 'bank_account', bankAccountId: String(account.id) },
      amountCents: 25_000,
      description: 'Payout',
      runNow: true,
    };
    expect((await api('/v1/transfers', body)).status).toBe(201);
    // Retried: the same request answers the same transfer.
    expect(await api('/v1/transfers', body)).toMatchObject({ status: 200, body: { created: false } });
    const sent = await eventually(
      () => api('/v1/transfers/e2e-transfer-1'),
      (r) => r.body.state === 'pending' || r.body.state === 'succeeded',
    );
    expect(sent.body.state).toBe('pending');
    await fetch(`${stack.sandbox.url}/zspay/__control/transfers/${String(sent.body.providerTransferId)}/status`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ status: 3 }),
    });
    const settled = await eventually(
      () => api('/v1/transfers/e2e-transfer-1'),
      (r) => r.body.state === 'succeeded',
    );
    expect(settled.body.state).toBe('succeeded');
    expect((await api('/v1/transfers/e2e-transfer-1/cancel', {})).status).toBe(422);
  });
});
