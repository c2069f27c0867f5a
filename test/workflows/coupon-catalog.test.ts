/**
 * The coupon catalog on the time-skipping server: a global redemption limit across subscriptions,
 * one redemption per subscription id however often it asks, expiry, and the release of what a
 * subscription refused (the client redeems before creating or updating the subscription).
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { ConflictError, NotFoundError, RejectedError, ValidationError, type BillingClient } from '../../client';
import { addDays, localDateOf } from '../../common/billing/calendar';
import { TEST_MERCHANT_SECRET } from '../helpers/engine';
import { scriptedCharges } from '../helpers/scripted-charges';
import { startWorkflowTestEnv, type WorkflowTestEnv } from '../helpers/workflow-env';

const TZ = 'America/Sao_Paulo';

describe('coupon catalog (time-skipping server)', () => {
  let env: TestWorkflowEnvironment;
  let billing: BillingClient;
  let testEnv: WorkflowTestEnv;
  const charges = scriptedCharges();
  const today = async () => localDateOf(await env.currentTimeMs(), TZ);

  const subscription = (id: string, extra: Record<string, unknown> = {}) => ({
    subscriptionId: id,
    customerId: `cus-${id}`,
    plan: {
      planId: 'gold',
      amountCents: 5990,
      recurrence: { kind: 'calendar' as const, frequency: 'monthly' as const, interval: 1 },
      chargeHourLocal: 0,
    },
    paymentMethod: { type: 'zspay_card' as const, zspayClientId: 'cli-1', cardId: 'card-1' },
    merchant: { callbackUrl: `${testEnv.sandbox.url}/merchant/callbacks`, secretRef: TEST_MERCHANT_SECRET.ref },
    ...extra,
  });

  const refusal = async (call: Promise<unknown>) => {
    const error = await call.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ValidationError);
    return (error as ValidationError).issues;
  };

  beforeAll(async () => {
    testEnv = await startWorkflowTestEnv(charges.activities);
    ({ env, billing } = testEnv);
  });
  afterAll(() => testEnv?.teardown());

  it('counts redemptions across subscriptions up to the limit, and refuses the next naming couponCode', async () => {
    const startDate = addDays(await today(), 1);
    expect(await billing.coupons.create({ code: 'LAUNCH', percentOff: 10, cycles: 2, maxRedemptions: 2 })).toEqual({
      code: 'LAUNCH',
      workflowId: 'coupon-LAUNCH',
      created: true,
    });
    // The same terms again: the same coupon; other terms: refused, never changed.
    expect(
      (await billing.coupons.create({ code: 'LAUNCH', percentOff: 10, cycles: 2, maxRedemptions: 2 })).created,
    ).toBe(false);
    await expect(billing.coupons.create({ code: 'LAUNCH', percentOff: 50, maxRedemptions: 2 })).rejects.toThrow(
      ConflictError,
    );

    await billing.subscriptions.create({ ...subscription('cat-a', { startDate }), couponCode: 'LAUNCH' });
    await billing.subscriptions.create({ ...subscription('cat-b', { startDate }), couponCode: 'LAUNCH' });
    const issues = await refusal(
      billing.subscriptions.create({ ...subscription('cat-c', { startDate }), couponCode: 'LAUNCH' }),
    );
    expect(issues).toEqual([
      { field: 'couponCode', message: 'coupon LAUNCH reached its limit of 2 redemptions (coupon.maxRedemptions)' },
    ]);
    // Nothing was started for the refused subscription.
    await expect(billing.subscriptions.get('cat-c')).rejects.toThrow(NotFoundError);

    const a = await billing.subscriptions.get('cat-a');
    expect(a.coupon).toEqual({ code: 'LAUNCH', terms: '10% off for 2 cycles', cyclesLeft: 2 });
    expect(a.couponRedemptions).toEqual(['LAUNCH']);
    const forecast = await billing.subscriptions.forecast('cat-b', 1);
    expect(forecast.charges.map((c) => [c.amountCents, c.discountCents])).toEqual([[5391, 599]]);
    expect(await billing.coupons.get('LAUNCH')).toMatchObject({ redemptions: 2, remaining: 0, released: 0 });
  });

  it('the same subscription twice counts once, and answers the same redemption', async () => {
    await billing.coupons.create({ code: 'ONCE', amountOffCents: 500, maxRedemptions: 1 });
    const first = await billing.coupons.redeem('ONCE', 'twice-1');
    const again = await billing.coupons.redeem('ONCE', 'twice-1');
    expect(again).toEqual(first);
    expect(first.coupon).toEqual({ code: 'ONCE', amountOffCents: 500 });
    expect(await billing.coupons.get('ONCE')).toMatchObject({ redemptions: 1, remaining: 0 });

    // A retried create with the code (same subscription, same input) counts once and answers created: false.
    await billing.coupons.create({ code: 'RETRY', percentOff: 20, maxRedemptions: 1 });
    const input = { ...subscription('twice-2', { startDate: addDays(await today(), 1) }), couponCode: 'RETRY' };
    expect((await billing.subscriptions.create(input)).created).toBe(true);
    expect((await billing.subscriptions.create(input)).created).toBe(false);
    expect(await billing.coupons.get('RETRY')).toMatchObject({ redemptions: 1, remaining: 0 });
  });

  it('an expired coupon is refused naming couponCode, on create and on applyCoupon', async () => {
    const yesterday = addDays(await today(), -1);
    await billing.coupons.create({ code: 'OLD', percentOff: 15, expiresAt: yesterday });
    const issues = await refusal(
      billing.subscriptions.create({ ...subscription('late-1', { startDate: await today() }), couponCode: 'OLD' }),
    );
    expect(issues).toEqual([
      {
        field: 'couponCode',
        message: `coupon OLD expired on ${yesterday} (coupon.expiresAt); it can no longer be redeemed`,
      },
    ]);
    await billing.subscriptions.create(subscription('late-2', { startDate: addDays(await today(), 1) }));
    const applyIssues = await refusal(billing.subscriptions.applyCoupon('late-2', { couponCode: 'OLD' }));
    expect(applyIssues[0]?.field).toBe('couponCode');
    expect(await billing.coupons.get('OLD')).toMatchObject({ redemptions: 0, expired: true });
    // An unknown code names the field too.
    expect(await refusal(billing.subscriptions.applyCoupon('late-2', { couponCode: 'NOPE' }))).toEqual([
      { field: 'couponCode', message: 'no coupon NOPE in the catalog' },
    ]);
  });

  it('a redemption the subscription refused is released; one it holds is kept', async () => {
    await billing.coupons.create({ code: 'SECOND', percentOff: 5, maxRedemptions: 5 });
    await billing.subscriptions.create(
      subscription('busy-1', { startDate: addDays(await today(), 1), coupon: { code: 'INLINE', percentOff: 10 } }),
    );
    // A coupon is in force: applyCoupon is refused, and the catalog gets the redemption back.
    await expect(billing.subscriptions.applyCoupon('busy-1', { couponCode: 'SECOND' })).rejects.toThrow(RejectedError);
    expect(await billing.coupons.get('SECOND')).toMatchObject({ redemptions: 0, released: 1 });

    await billing.subscriptions.create(subscription('busy-2', { startDate: addDays(await today(), 1) }));
    await billing.subscriptions.applyCoupon('busy-2', { couponCode: 'SECOND' });
    // Asked again: refused by the subscription (a coupon is in force), but it holds this code: kept.
    await expect(billing.subscriptions.applyCoupon('busy-2', { couponCode: 'SECOND' })).rejects.toThrow(RejectedError);
    expect(await billing.coupons.get('SECOND')).toMatchObject({ redemptions: 1, released: 1 });

    // A create the first run refuses (an unknown merchant secret) releases its redemption.
    await expect(
      billing.subscriptions.create({
        ...subscription('busy-3', { startDate: addDays(await today(), 1) }),
        merchant: { callbackUrl: `${testEnv.sandbox.url}/merchant/callbacks`, secretRef: 'unknown-ref' },
        couponCode: 'SECOND',
      }),
    ).rejects.toThrow(ValidationError);
    expect(await billing.coupons.get('SECOND')).toMatchObject({ redemptions: 1, released: 2 });
  });
});
