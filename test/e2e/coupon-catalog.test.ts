/**
 * The coupon catalog end to end: HTTP API -> couponWorkflow and subscriptionWorkflow -> Zspay sandbox.
 */
import { customerWithCard, zspayClient } from '../providers/zspay/helpers';
import { stackApi, startTestStack, type TestStack } from '../helpers/stack';
import { eventually } from '../helpers/eventually';

describe('the coupon catalog through the HTTP API (dev server, sandbox, worker)', () => {
  let stack: TestStack;
  const api = stackApi(() => stack);
  const plan = {
    planId: 'gold',
    amountCents: 5990,
    recurrence: { kind: 'calendar', frequency: 'monthly', interval: 1 },
    chargeHourLocal: 0,
  };

  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(async () => {
    await stack?.teardown();
  });

  it('defines a coupon, redeems it for subscriptions up to its global limit, and refuses the next naming couponCode', async () => {
    const bad = await api('/v1/coupons', { code: 'HALF', percentOff: 50, amountOffCents: 100 });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('takes exactly one of percentOff and amountOffCents');

    const coupon = { code: 'E2E-HALF', percentOff: 50, cycles: 1, maxRedemptions: 1 };
    expect((await api('/v1/coupons', coupon)).status).toBe(201);
    expect((await api('/v1/coupons', coupon)).status).toBe(200);
    expect((await api('/v1/coupons', { ...coupon, percentOff: 60 })).status).toBe(409);

    const { clientId, cardId } = await customerWithCard(zspayClient(stack.sandbox.url));
    const paymentMethod = { type: 'zspay_card', zspayClientId: clientId, cardId };
    const created = await api('/v1/subscriptions', {
      subscriptionId: 'e2e-catalog-1',
      customerId: 'acme',
      plan,
      paymentMethod,
      couponCode: 'E2E-HALF',
    });
    expect(created.status).toBe(201);
    const invoices = await eventually(
      () => api('/v1/subscriptions/e2e-catalog-1/invoices'),
      (r) => (r.body.invoices as Array<{ status: string }> | undefined)?.[0]?.status === 'paid',
    );
    expect((invoices.body.invoices as unknown[])[0]).toMatchObject({
      baseAmountCents: 5990,
      discount: { code: 'E2E-HALF', amountCents: 2995 },
      amountCents: 2995,
    });
    const charges = (await stack.sandbox.control.ledger({ provider: 'zspay' })).filter((e) => e.kind === 'charge');
    expect(charges.map((c) => c.amountCents)).toContain(2995);

    // The limit is global: another subscription is refused, naming the field; nothing is started.
    const refused = await api('/v1/subscriptions', {
      subscriptionId: 'e2e-catalog-2',
      customerId: 'acme',
      plan,
      paymentMethod,
      couponCode: 'E2E-HALF',
    });
    expect(refused.status).toBe(400);
    expect(JSON.stringify(refused.body)).toContain('couponCode');
    expect(JSON.stringify(refused.body)).toContain('reached its limit of 1 redemption');
    expect((await api('/v1/subscriptions/e2e-catalog-2')).status).toBe(404);

    // With applyCoupon too.
    expect(
      (await api('/v1/subscriptions', { subscriptionId: 'e2e-catalog-3', customerId: 'acme', plan, paymentMethod }))
        .status,
    ).toBe(201);
    const applied = await api('/v1/subscriptions/e2e-catalog-3/apply-coupon', { couponCode: 'E2E-HALF' });
    expect(applied.status).toBe(400);
    expect(JSON.stringify(applied.body)).toContain('couponCode');

    const view = await api('/v1/coupons/E2E-HALF');
    expect(view.status).toBe(200);
    expect(view.body).toMatchObject({ code: 'E2E-HALF', redemptions: 1, remaining: 0, terms: '50% off for 1 cycle' });
    expect((await api('/v1/coupons/NOPE')).status).toBe(404);
    const list = await eventually(
      () => api('/v1/coupons'),
      (r) => Array.isArray(r.body) && (r.body as Array<{ code: string }>).some((c) => c.code === 'E2E-HALF'),
    );
    expect(list.status).toBe(200);
  });
});
