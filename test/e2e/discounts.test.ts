/**
 * Coupons and prorated plan changes end to end: HTTP API -> workflow -> Zspay sandbox.
 */
import { customerWithCard, zspayClient } from '../providers/zspay/helpers';
import { stackApi, startTestStack, type TestStack } from '../helpers/stack';
import { eventually } from '../helpers/eventually';

describe('coupons and proration through the HTTP API (dev server, sandbox, worker)', () => {
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

  it('charges the discounted amount, refuses bad coupons naming the field, and prorates an upgrade onto the next invoice', async () => {
    const { clientId, cardId } = await customerWithCard(zspayClient(stack.sandbox.url));
    const bad = await api('/v1/subscriptions', {
      subscriptionId: 'e2e-coupon-bad',
      customerId: 'acme',
      plan,
      paymentMethod: { type: 'zspay_card', zspayClientId: clientId, cardId },
      coupon: { code: 'BOTH', percentOff: 10, amountOffCents: 100 },
    });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('coupon takes exactly one of percentOff and amountOffCents');

    const created = await api('/v1/subscriptions', {
      subscriptionId: 'e2e-coupon-1',
      customerId: 'acme',
      plan,
      paymentMethod: { type: 'zspay_card', zspayClientId: clientId, cardId },
      coupon: { code: 'WELCOME10', percentOff: 10 },
    });
    expect(created.status).toBe(201);
    const invoices = await eventually(
      () => api('/v1/subscriptions/e2e-coupon-1/invoices'),
      (r) => (r.body.invoices as Array<{ status: string }> | undefined)?.[0]?.status === 'paid',
    );
    expect((invoices.body.invoices as unknown[])[0]).toMatchObject({
      cycle: 1,
      baseAmountCents: 5990,
      discount: { code: 'WELCOME10', amountCents: 599 },
      amountCents: 5391,
    });
    const charges = (await stack.sandbox.control.ledger({ provider: 'zspay' })).filter((e) => e.kind === 'charge');
    expect(charges.map((c) => c.amountCents)).toContain(5391);
    expect(charges.map((c) => c.amountCents)).not.toContain(5990);

    // A coupon is in force (forever): another is refused with the reason; nothing changes.
    const second = await api('/v1/subscriptions/e2e-coupon-1/apply-coupon', {
      coupon: { code: 'MORE', amountOffCents: 100 },
    });
    expect(second.status).toBe(422);
    expect(second.body.detail).toContain('a coupon is already in force');

    // The upgrade on the cycle's first day: all of its days are unused. Credit: the 5391 paid;
    // charge: the new 9990; the next invoice: 9990 - 999 (10%) + 4599.
    const changed = await api('/v1/subscriptions/e2e-coupon-1/change-plan', {
      plan: { ...plan, planId: 'platinum', amountCents: 9990 },
      proration: 'next_invoice',
    });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({
      planId: 'platinum',
      coupon: { code: 'WELCOME10', terms: '10% off forever' },
      nextInvoiceAdjustmentCents: 4599,
    });
    const forecast = await api('/v1/subscriptions/e2e-coupon-1/forecast?count=2');
    expect((forecast.body.charges as unknown[]).slice(0, 2)).toEqual([
      expect.objectContaining({
        cycle: 2,
        amountCents: 13590,
        baseAmountCents: 9990,
        discountCents: 999,
        adjustmentCents: 4599,
      }),
      expect.objectContaining({
        cycle: 3,
        amountCents: 8991,
        baseAmountCents: 9990,
        discountCents: 999,
        adjustmentCents: 0,
      }),
    ]);
    // Proration now is a mode the API takes; here the cycle was already prorated: 422 with the reason.
    const againNow = await api('/v1/subscriptions/e2e-coupon-1/change-plan', {
      plan: { ...plan, planId: 'x' },
      proration: 'now',
    });
    expect(againNow.status).toBe(422);
    expect(againNow.body.detail).toContain('already changed with proration in this cycle');
    const badProration = await api('/v1/subscriptions/e2e-coupon-1/change-plan', {
      plan: { ...plan, planId: 'x' },
      proration: 'later',
    });
    expect(badProration.status).toBe(400);
    expect(JSON.stringify(badProration.body)).toContain('proration must be one of none, next_invoice, now');
  });

  it('charges the difference of an upgrade at once with proration now, on a proration invoice of its own', async () => {
    const { clientId, cardId } = await customerWithCard(zspayClient(stack.sandbox.url));
    const id = 'e2e-proration-now';
    const created = await api('/v1/subscriptions', {
      subscriptionId: id,
      customerId: 'acme',
      plan,
      paymentMethod: { type: 'zspay_card', zspayClientId: clientId, cardId },
    });
    expect(created.status).toBe(201);
    await eventually(
      () => api(`/v1/subscriptions/${id}/invoices`),
      (r) => (r.body.invoices as Array<{ status: string }> | undefined)?.[0]?.status === 'paid',
    );
    const changed = await api(`/v1/subscriptions/${id}/change-plan`, {
      plan: { ...plan, planId: 'platinum', amountCents: 9990 },
      proration: 'now',
    });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ planId: 'platinum', amountCents: 9990 });
    type Line = { kind: string; amountCents: number };
    type Listed = { cycle: number; kind: string; amountCents: number; status: string; lines?: Line[] };
    const listed = await eventually(
      () => api(`/v1/subscriptions/${id}/invoices`),
      (r) => (r.body.invoices as Listed[] | undefined)?.some((i) => i.cycle === -1 && i.status === 'paid') ?? false,
    );
    const proration = (listed.body.invoices as Listed[]).find((i) => i.cycle === -1)!;
    // The cycle started today: (nearly) all of it is unused, credited at 59,90 and charged at 99,90.
    expect(proration).toMatchObject({ kind: 'proration', baseAmountCents: 0, status: 'paid' });
    expect(proration.lines?.map((l) => l.kind)).toEqual(['proration_credit', 'proration_charge']);
    expect(proration.amountCents).toBe((proration.lines ?? []).reduce((sum, l) => sum + l.amountCents, 0));
    expect(proration.amountCents).toBeGreaterThan(0);
    const charges = (await stack.sandbox.control.ledger({ provider: 'zspay' })).filter(
      (e) => e.kind === 'charge' && e.customer === clientId,
    );
    expect(charges.map((c) => c.amountCents)).toEqual([5990, proration.amountCents]);
  });
});
