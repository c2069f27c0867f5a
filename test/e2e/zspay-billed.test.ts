/**
 * A subscription billed by Zspay end to end on a dev server: created through the HTTP API with
 * paymentMethod zspay_subscription, its Zspay plan and subscription made once, Zspay's invoice
 * webhook (the sandbox's scheduler fails a collection) -> webhook ingress -> routed by
 * BillingProviderSubscriptionId -> confirmed with the invoice list -> past due, then paid; a cancel
 * through the API reaches Zspay; a paid invoice is refunded through the API ("Estornar uma fatura").
 *
 * The merchant's zone is UTC here: Zspay is subscribed at an instant that is the start date both in
 * the merchant's zone and in UTC, which in São Paulo's late evening is tomorrow — a dev server cannot
 * skip to it, and the test would check less at those hours (the time-skipping tests follow São
 * Paulo: test/workflows/zspay-subscription.test.ts).
 */
import { stackApi, startTestStack, type TestStack } from '../helpers/stack';
import { eventually } from '../helpers/eventually';

describe('Zspay-billed subscriptions through the HTTP API (dev server, sandbox, worker)', () => {
  let stack: TestStack;
  const api = stackApi(() => stack);

  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(async () => {
    await stack?.teardown();
  });

  /** Zspay's collection of the invoice due (as of `date`, Zspay's today: next month's is due then). */
  const bill = async (zspayId: string, paid: boolean, date?: string) => {
    const response = await fetch(`${stack.sandbox.url}/zspay/__control/subscriptions/${zspayId}/bill`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ paid, date }),
    });
    expect(response.status).toBe(200);
  };

  it('creates the Zspay subscription once, follows its invoice webhooks, refunds an invoice through the API and follows one refunded at Zspay, and cancels it at Zspay', async () => {
    const created = await api('/v1/subscriptions', {
      subscriptionId: 'e2e-zspay-billed-1',
      customerId: 'acme',
      plan: {
        planId: 'gym',
        amountCents: 9990,
        recurrence: { kind: 'calendar', frequency: 'monthly', interval: 1 },
        timeZone: 'UTC',
      },
      paymentMethod: {
        type: 'zspay_subscription',
        customer: { name: 'João Paulo', email: 'joao@example.com', document: '41372222222' },
        address: { street: 'Rua Leoneta', number: '123', zipCode: '03380235', city: 'São Paulo', state: 'SP' },
      },
    });
    expect(created.status).toBe(201);
    const view = await eventually(
      () => api('/v1/subscriptions/e2e-zspay-billed-1'),
      (r) => r.body.providerSubscription !== undefined,
    );
    const zspayId = (view.body.providerSubscription as { subscriptionId: string }).subscriptionId;
    expect(view.body).toMatchObject({ status: 'active', providerSubscription: { provider: 'zspay' } });
    expect(await stack.sandbox.control.requests({ operation: 'zspay.subscription.create' })).toHaveLength(1);

    // Zspay fails the first collection: its overdue webhook reaches the engine, which confirms it.
    await bill(zspayId, false);
    await eventually(
      () => api('/v1/subscriptions/e2e-zspay-billed-1'),
      (r) => r.body.status === 'past_due',
    );
    // Its retry succeeds: paid.
    await bill(zspayId, true);
    const paid = await eventually(
      () => api('/v1/subscriptions/e2e-zspay-billed-1/invoices'),
      (r) => (r.body.invoices as Array<{ status: string }> | undefined)?.[0]?.status === 'paid',
    );
    expect(paid.body.invoices).toHaveLength(1);
    expect((await api('/v1/subscriptions/e2e-zspay-billed-1')).body).toMatchObject({ status: 'active' });
    expect((paid.body.invoices as Array<{ refund?: unknown }>)[0]?.refund).toBeUndefined();

    // The paid invoice refunded through the API: sent once to Zspay, the invoice then reads refunded.
    const cycle = (paid.body.invoices as Array<{ cycle: number }>)[0]!.cycle;
    const refund = await api('/v1/subscriptions/e2e-zspay-billed-1/refund', { cycle });
    expect(refund.status).toBe(200);
    await eventually(
      () => api('/v1/subscriptions/e2e-zspay-billed-1/invoices'),
      (r) => (r.body.invoices as Array<{ status: string }> | undefined)?.[0]?.status === 'refunded',
    );
    expect(await stack.sandbox.control.requests({ operation: 'zspay.invoice.refund' })).toHaveLength(1);
    const again = await api('/v1/subscriptions/e2e-zspay-billed-1/refund', { cycle });
    expect(again.status).toBe(422);
    expect(JSON.stringify(again.body)).toContain('already refunded');

    // The next invoice paid, then refunded by the merchant at Zspay itself: its refund webhook
    // reaches the ingress, the invoice list confirms it, the invoice reads refunded.
    await bill(zspayId, true, '2099-12-31');
    await eventually(
      () => api('/v1/subscriptions/e2e-zspay-billed-1/invoices'),
      (r) => (r.body.invoices as Array<{ status: string }> | undefined)?.[1]?.status === 'paid',
    );
    const faturas = (await (
      await fetch(`${stack.sandbox.url}/zspay/planos/assinatura/${zspayId}/faturas`, {
        headers: { Authorization: 'Bearer sandbox-zspay-token' },
      })
    ).json()) as { faturas: Array<{ id: number; status: string }> };
    const second = faturas.faturas.find((f) => f.status === 'paid')!;
    const atZspay = await fetch(`${stack.sandbox.url}/zspay/planos/assinatura/${zspayId}/faturas`, {
      method: 'POST',
      headers: { Authorization: 'Bearer sandbox-zspay-token', 'Content-Type': 'application/json' },
      body: JSON.stringify({ id: second.id }),
    });
    expect(atZspay.status).toBe(200);
    const refunded = await eventually(
      () => api('/v1/subscriptions/e2e-zspay-billed-1/invoices'),
      (r) => (r.body.invoices as Array<{ status: string }> | undefined)?.[1]?.status === 'refunded',
    );
    expect((refunded.body.invoices as Array<{ refund?: { source: string } }>)[1]?.refund).toMatchObject({
      source: 'provider',
    });
    expect(await stack.sandbox.control.requests({ operation: 'zspay.invoice.refund' })).toHaveLength(2);

    // What Zspay cannot do is refused with the reason; a cancel reaches Zspay.
    const refused = await api('/v1/subscriptions/e2e-zspay-billed-1/cancel', { atPeriodEnd: true });
    expect(refused.status).toBe(422);
    expect(JSON.stringify(refused.body)).toContain('immediate removal');
    expect((await api('/v1/subscriptions/e2e-zspay-billed-1/cancel', { atPeriodEnd: false })).status).toBe(200);
    await eventually(
      async () =>
        (await (
          await fetch(`${stack.sandbox.url}/zspay/planos/assinatura/${zspayId}`, {
            headers: { Authorization: 'Bearer sandbox-zspay-token' },
          })
        ).json()) as { data: { status_assinatura_id: number } },
      (s) => s.data.status_assinatura_id === 2,
    );
  });
});
