/**
 * Coupons and prorated plan changes through the workflow on the time-skipping server: what the
 * provider is asked to charge, cycle after cycle, and what the invoices and the forecast show.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { ValidationError, type BillingClient } from '../../client';
import { stringContaining } from '../helpers/matchers';
import { addDays, compareDates, daysBetween, instantAt, localDateOf } from '../../common/billing/calendar';
import { TEST_MERCHANT_SECRET } from '../helpers/engine';
import { scriptedCharges } from '../helpers/scripted-charges';
import { startWorkflowTestEnv, type WorkflowTestEnv } from '../helpers/workflow-env';

const TZ = 'America/Sao_Paulo';

describe('subscription discounts and proration (time-skipping server)', () => {
  let env: TestWorkflowEnvironment;
  let billing: BillingClient;
  let testEnv: WorkflowTestEnv;
  const charges = scriptedCharges();
  const today = async () => localDateOf(await env.currentTimeMs(), TZ);
  const sleepUntilLocal = async (date: string, hour: number, minute: number) =>
    env.sleep(instantAt(date, hour, minute, TZ) - (await env.currentTimeMs()));
  const charged = (id: string) =>
    charges.calls.filter((c) => c.reference.startsWith(`${id}-`)).map((c) => [c.reference, c.amountCents]);

  async function subscribe(id: string, plan: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) {
    await billing.subscriptions.create({
      subscriptionId: id,
      customerId: `cus-${id}`,
      plan: {
        planId: 'gold',
        amountCents: 5990,
        recurrence: { kind: 'calendar', frequency: 'monthly', interval: 1 },
        chargeHourLocal: 0,
        ...plan,
      },
      paymentMethod: { type: 'zspay_card', zspayClientId: 'cli-1', cardId: 'card-1' },
      merchant: { callbackUrl: `${testEnv.sandbox.url}/merchant/callbacks`, secretRef: TEST_MERCHANT_SECRET.ref },
      ...extra,
    });
  }

  beforeAll(async () => {
    testEnv = await startWorkflowTestEnv(charges.activities);
    ({ env, billing } = testEnv);
  });
  afterAll(() => testEnv?.teardown());

  it('a coupon for 2 cycles discounts two charges, then the full price is charged', async () => {
    const id = 'coupon-2-cycles';
    // Starting tomorrow, so the forecast is read before the first charge.
    await subscribe(
      id,
      {},
      { startDate: addDays(await today(), 1), coupon: { code: 'WELCOME10', percentOff: 10, cycles: 2 } },
    );
    const forecast = await billing.subscriptions.forecast(id, 3);
    expect(forecast.charges.map((c) => [c.amountCents, c.discountCents])).toEqual([
      [5391, 599],
      [5391, 599],
      [5990, undefined],
    ]);
    await env.sleep('70 days');
    expect(charged(id)).toEqual([
      [`${id}-1-1`, 5391],
      [`${id}-2-1`, 5391],
      [`${id}-3-1`, 5990],
    ]);
    const { invoices } = await billing.subscriptions.invoices(id);
    expect(invoices.map((i) => [i.cycle, i.baseAmountCents, i.discount?.amountCents, i.amountCents, i.status])).toEqual(
      [
        [1, 5990, 599, 5391, 'paid'],
        [2, 5990, 599, 5391, 'paid'],
        [3, undefined, undefined, 5990, 'paid'],
      ],
    );
    expect((await billing.subscriptions.get(id)).coupon).toBeUndefined();
  });

  it('a 100% coupon charges nothing: the invoice of R$ 0,00 is paid without calling the provider', async () => {
    const id = 'coupon-free-month';
    await subscribe(id, {}, { startDate: await today(), coupon: { code: 'FREE', percentOff: 100, cycles: 1 } });
    await env.sleep('40 days');
    expect(charged(id)).toEqual([[`${id}-2-1`, 5990]]);
    const { invoices } = await billing.subscriptions.invoices(id);
    expect(invoices.map((i) => [i.cycle, i.amountCents, i.status, i.attempts.length])).toEqual([
      [1, 0, 'paid', 0],
      [2, 5990, 'paid', 1],
    ]);
  });

  it('refuses a coupon whose expiresAt is past on the workflow clock, naming the field; nothing is charged', async () => {
    const id = 'coupon-expired';
    const error = await billing.subscriptions
      .create({
        subscriptionId: id,
        customerId: 'acme',
        plan: {
          planId: 'gold',
          amountCents: 5990,
          recurrence: { kind: 'calendar', frequency: 'monthly', interval: 1 },
        },
        paymentMethod: { type: 'zspay_card', zspayClientId: 'cli-1', cardId: 'card-1' },
        coupon: { code: 'OLD', percentOff: 50, expiresAt: addDays(await today(), -1) },
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues).toEqual([
      { field: 'coupon.expiresAt', message: stringContaining('the coupon expired on') },
    ]);
    await env.sleep('1 day');
    expect(charged(id)).toEqual([]);
  });

  it('a mid-cycle upgrade with next_invoice proration on a month end (Jan 31 → Feb 28/29)', async () => {
    const id = 'prorated-upgrade';
    const now = await today();
    const year = Number(now.slice(0, 4));
    const jan31 = compareDates(`${year}-01-31`, now) > 0 ? `${year}-01-31` : `${year + 1}-01-31`;
    const febEnd = `${jan31.slice(0, 4)}-02-${daysBetween(`${jan31.slice(0, 4)}-02-01`, `${jan31.slice(0, 4)}-03-01`)}`;
    await subscribe(id, {}, { startDate: jan31 });
    await sleepUntilLocal(jan31, 1, 0);
    expect(charged(id)).toEqual([[`${id}-1-1`, 5990]]);

    // Feb 14: 14 of the cycle's 28 (or, in a leap year, 29) days are used.
    const feb14 = `${jan31.slice(0, 4)}-02-14`;
    await sleepUntilLocal(feb14, 10, 0);
    const platinum = {
      planId: 'platinum',
      amountCents: 9990,
      recurrence: { kind: 'calendar' as const, frequency: 'monthly' as const, interval: 1 },
      chargeHourLocal: 0,
    };
    const view = await billing.subscriptions.changePlan(id, { plan: platinum, proration: 'next_invoice' });
    const leap = febEnd.endsWith('29');
    // 28 days: credit 5990 × 14/28 = 2995, charge 9990 × 14/28 = 4995.
    // 29 days, 15 unused: credit ⌈5990 × 15/29⌉ = 3099, charge ⌊9990 × 15/29⌋ = 5167.
    const [credit, charge] = leap ? [3099, 5167] : [2995, 4995];
    expect(view).toMatchObject({ planId: 'platinum', amountCents: 9990, nextInvoiceAdjustmentCents: charge - credit });
    expect((await billing.subscriptions.forecast(id, 2)).charges).toEqual([
      {
        cycle: 2,
        date: febEnd,
        amountCents: 9990 + charge - credit,
        baseAmountCents: 9990,
        discountCents: 0,
        adjustmentCents: charge - credit,
      },
      { cycle: 3, date: `${jan31.slice(0, 4)}-03-31`, amountCents: 9990 },
    ]);
    // A second prorated change in the same cycle is refused; nothing changes.
    await expect(
      billing.subscriptions.changePlan(id, { plan: { ...platinum, amountCents: 12990 }, proration: 'next_invoice' }),
    ).rejects.toThrow(/already changed with proration/);

    await sleepUntilLocal(`${jan31.slice(0, 4)}-03-31`, 1, 0);
    expect(charged(id)).toEqual([
      [`${id}-1-1`, 5990],
      [`${id}-2-1`, 9990 + charge - credit],
      [`${id}-3-1`, 9990],
    ]);
    const { invoices } = await billing.subscriptions.invoices(id);
    const second = invoices.find((i) => i.cycle === 2)!;
    expect(second).toMatchObject({ dueDate: febEnd, baseAmountCents: 9990, amountCents: 9990 + charge - credit });
    expect(second.lines?.map((l) => [l.kind, l.amountCents])).toEqual([
      ['proration_credit', -credit],
      ['proration_charge', charge],
    ]);
  });
});
