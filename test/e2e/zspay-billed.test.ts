/**
 * A subscription billed by Zspay end to end on a dev server: created through the HTTP API with
 * paymentMethod zspay_subscription, its Zspay plan and subscription made once, Zspay's invoice
 * webhook (the sandbox's scheduler fails a collection) -> webhook ingress -> routed by
 * BillingProviderSubscriptionId -> confirmed with the invoice list -> past due, then paid; a cancel
 * through the API reaches Zspay.
 */
import { adiqRegistration } from '../../common/subscription/adiq-managed';
import { stackApi, startTestStack, type TestStack } from '../helpers/stack';
import { eventually } from '../helpers/eventually';

const TZ = 'America/Sao_Paulo';

describe('Zspay-billed subscriptions through the HTTP API (dev server, sandbox, worker)', () => {
  let stack: TestStack;
  const api = stackApi(() => stack);

  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(async () => {
    await stack?.teardown();
  });

  const bill = async (zspayId: string, paid: boolean) => {
    const response = await fetch(`${stack.sandbox.url}/zspay/__control/subscriptions/${zspayId}/bill`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ paid }),
    });
    expect(response.status).toBe(200);
  };

  it('creates the Zspay subscription once, follows its invoice webhooks, and cancels it at Zspay', async () => {
    const created = await api('/v1/subscriptions', {
      subscriptionId: 'e2e-zspay-billed-1',
      customerId: 'acme',
      plan: {
        planId: 'gym',
        amountCents: 9990,
        recurrence: { kind: 'calendar', frequency: 'monthly', interval: 1 },
      },
      paymentMethod: {
        type: 'zspay_subscription',
        customer: { name: 'João Paulo', email: 'joao@example.com', document: '41372222222' },
        address: { street: 'Rua Leoneta', number: '123', zipCode: '03380235', city: 'São Paulo', state: 'SP' },
      },
    });
    expect(created.status).toBe(201);
    // Zspay is subscribed on the start date, at an instant that is that date in São Paulo and in UTC:
    // late in São Paulo's evening that is tomorrow: then the subscription waits on its timer and Zspay
    // has heard nothing (the time-skipping tests follow it further: test/workflows/zspay-subscription).
    if (adiqRegistration(undefined, Date.now(), TZ).atMs > Date.now()) {
      const waiting = await api('/v1/subscriptions/e2e-zspay-billed-1');
      expect(waiting.body.providerSubscription).toBeUndefined();
      expect(await stack.sandbox.control.requests({ operation: 'zspay.subscription.create' })).toHaveLength(0);
      return;
    }
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
