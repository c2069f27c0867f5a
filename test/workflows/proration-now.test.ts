/**
 * A plan change with proration `now` on the time-skipping server, with the engine's real Zspay
 * activities against the sandbox: the prorated difference reaches Zspay once, at once, as its own
 * charge (pre-authorized, then captured); the next invoice is the new plan's price; a declined
 * difference follows the dunning schedule like any invoice.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { RejectedError, type BillingClient } from '../../client';
import { addDays, compareDates, instantAt, localDateOf } from '../../common/billing/calendar';
import type { Invoice } from '../../common/subscription/model';
import { customerWithCard } from '../../sandbox/test-customer';
import { TEST_MERCHANT_SECRET } from '../helpers/engine';
import { eventually } from '../helpers/eventually';
import { recordHistory } from '../helpers/histories';
import type { RunningSandbox } from '../helpers/sandbox';
import { startWorkflowTestEnv, type WorkflowTestEnv } from '../helpers/workflow-env';
import { zspayClient } from '../providers/zspay/helpers';

const TZ = 'America/Sao_Paulo';
const monthly = { kind: 'calendar' as const, frequency: 'monthly' as const, interval: 1 };
const platinum = { planId: 'platinum', amountCents: 9990, recurrence: monthly, chargeHourLocal: 0 };

describe('plan change with proration now (time-skipping server, Zspay sandbox)', () => {
  let testEnv: WorkflowTestEnv;
  let env: TestWorkflowEnvironment;
  let sandbox: RunningSandbox;
  let billing: BillingClient;

  beforeAll(async () => {
    testEnv = await startWorkflowTestEnv();
    ({ env, sandbox, billing } = testEnv);
  });
  afterAll(() => testEnv?.teardown());

  const today = async () => localDateOf(await env.currentTimeMs(), TZ);
  const sleepUntilLocal = async (date: string, hour: number, minute = 0) =>
    env.sleep(Math.max(0, instantAt(date, hour, minute, TZ) - (await env.currentTimeMs())));
  const invoice = async (id: string, cycle: number): Promise<Invoice | undefined> =>
    (await billing.subscriptions.invoices(id)).invoices.find((i) => i.cycle === cycle);
  /** The money Zspay took from the client's card: [sale id, cents], in order (card sales carry no reference). */
  const charged = async (clientId: string) =>
    (await sandbox.control.ledger({ provider: 'zspay' }))
      .filter((e) => e.kind === 'charge' && e.customer === clientId)
      .map((e) => [e.providerId, e.amountCents]);
  /** The sale an invoice's attempt was paid with, as the ledger names it. */
  const saleOf = async (id: string, cycle: number, attempt = -1) =>
    (await invoice(id, cycle))?.attempts.at(attempt)?.providerIds?.saleId;
  /** Pre-authorizations Zspay received for the client (each charge is one, then its capture). */
  const authorizations = async (clientId: string) =>
    (await sandbox.control.requests({ provider: 'zspay', operation: 'zspay.sale.precapture' })).filter(
      (r) => r.direction === 'incoming' && JSON.stringify(r.body ?? {}).includes(clientId),
    );

  /** The next Jan 31 of a year whose whole Jan 31 → Mar 31 lies ahead. */
  async function nextJan31(leap: boolean): Promise<string> {
    const now = await today();
    for (let year = Number(now.slice(0, 4)); ; year += 1) {
      const isLeap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
      if (isLeap === leap && compareDates(`${year}-01-31`, now) > 0) return `${year}-01-31`;
    }
  }

  /** A gold card subscription (R$ 59,90 monthly on the 31st) from the next Jan 31 of a (leap) year, its cycle 1 paid. */
  async function subscribeOnJan31(id: string, leap: boolean) {
    const startDate = await nextJan31(leap);
    const { clientId, cardId } = await customerWithCard(zspayClient(sandbox.url));
    // A start date may lie at most 366 days ahead: sign up within a year of it.
    await sleepUntilLocal(addDays(startDate, -360), 12);
    await billing.subscriptions.create({
      subscriptionId: id,
      customerId: `cus-${id}`,
      plan: { planId: 'gold', amountCents: 5990, recurrence: monthly, chargeHourLocal: 0 },
      paymentMethod: { type: 'zspay_card', zspayClientId: clientId, cardId },
      startDate,
      merchant: { callbackUrl: `${sandbox.url}/merchant/callbacks`, secretRef: TEST_MERCHANT_SECRET.ref },
    });
    await sleepUntilLocal(startDate, 1);
    expect(await charged(clientId)).toEqual([[await saleOf(id, 1), 5990]]);
    return { clientId, year: startDate.slice(0, 4) };
  }

  it('an upgrade on Feb 14 charges the difference at once, exactly once; the next invoice is the new price', async () => {
    const id = 'proration-now-upgrade';
    const { clientId, year } = await subscribeOnJan31(id, false);

    // Feb 14: 14 of the cycle's 28 days (Jan 31 → Feb 28) unused:
    // credit 5990 × 14/28 = 2995, charge 9990 × 14/28 = 4995, difference 2000 charged now.
    await sleepUntilLocal(`${year}-02-14`, 10);
    const view = await billing.subscriptions.changePlan(id, { plan: platinum, proration: 'now' });
    expect(view).toMatchObject({ planId: 'platinum', amountCents: 9990 });
    expect(view.nextInvoiceAdjustmentCents).toBeUndefined();
    const prorated = await eventually(
      () => invoice(id, -1),
      (i) => i?.status === 'paid',
    );
    expect(prorated).toMatchObject({
      kind: 'proration',
      amountCents: 2000,
      baseAmountCents: 0,
      dueDate: `${year}-02-14`,
    });
    expect(prorated?.lines?.map((l) => [l.kind, l.amountCents])).toEqual([
      ['proration_credit', -2995],
      ['proration_charge', 4995],
    ]);
    expect(prorated?.attempts.map((a) => [a.reference, a.outcome])).toEqual([[`${id}-1-proration-1`, 'succeeded']]);
    // Charged within the hour it was asked (not at the next charge hour), once.
    expect(Date.parse(prorated!.paidAt!)).toBeLessThan(instantAt(`${year}-02-14`, 11, 0, TZ));
    expect(await charged(clientId)).toEqual([
      [await saleOf(id, 1), 5990],
      [await saleOf(id, -1), 2000],
    ]);
    expect(await saleOf(id, -1)).toEqual(expect.any(String));
    // This run's history (the change, its patch marker, the charge) replays in test/workflows/replay.test.ts.
    await recordHistory(env.client.workflow.getHandle(`subscription-${id}`), 'subscription-proration-now');
    // A second prorated change in the cycle is refused; nothing more is charged.
    await expect(
      billing.subscriptions.changePlan(id, { plan: { ...platinum, amountCents: 12990 }, proration: 'now' }),
    ).rejects.toThrow(
      new RejectedError('the plan was already changed with proration in this cycle; change with proration none'),
    );

    await sleepUntilLocal(`${year}-02-28`, 1);
    expect(await charged(clientId)).toEqual([
      [await saleOf(id, 1), 5990],
      [await saleOf(id, -1), 2000],
      [await saleOf(id, 2), 9990],
    ]);
    expect(await authorizations(clientId)).toHaveLength(3);
    const second = await invoice(id, 2);
    expect(second).toMatchObject({ kind: 'recurring', amountCents: 9990, status: 'paid' });
    expect(second?.lines).toBeUndefined();
    await billing.subscriptions.cancel(id, { atPeriodEnd: false });
  });

  it('in a leap February a declined difference is retried on the teimosinha schedule, then the cycle due meanwhile', async () => {
    const id = 'proration-now-declined';
    const { clientId, year } = await subscribeOnJan31(id, true);

    // Feb 28 of a leap year: 1 of the cycle's 29 days (Jan 31 → Feb 29) unused:
    // credit ⌈5990 / 29⌉ = 207, charge ⌊9990 / 29⌋ = 344, difference 137. The card declines it once.
    await sleepUntilLocal(`${year}-02-28`, 10);
    const declinedOnce = { outcome: { type: 'soft_decline', code: '51' }, times: 1 } as const;
    await sandbox.control.script({ operation: 'zspay.sale.precapture', match: clientId, ...declinedOnce });
    await billing.subscriptions.changePlan(id, { plan: platinum, proration: 'now' });
    const declined = await eventually(
      () => billing.subscriptions.get(id),
      (v) => v.status === 'past_due',
    );
    // The plan change stands; the difference is in dunning: retried 2 days later (Mar 1).
    expect(declined).toMatchObject({
      planId: 'platinum',
      status: 'past_due',
      dunning: { cycle: -1, failures: 1, nextRetryDate: `${year}-03-01` },
    });
    expect(await charged(clientId)).toEqual([[await saleOf(id, 1), 5990]]);

    // Cycle 2 (due Feb 29) waits for the difference; the retry pays it, then cycle 2 is billed at once.
    await sleepUntilLocal(`${year}-03-01`, 1);
    const retried = await eventually(
      () => invoice(id, 2),
      (i) => i?.status === 'paid',
    );
    expect(retried).toMatchObject({ amountCents: 9990, dueDate: `${year}-02-29` });
    expect((await invoice(id, -1))?.attempts.map((a) => [a.reference, a.outcome])).toEqual([
      [`${id}-1-proration-1`, 'soft_declined'],
      [`${id}-1-proration-2`, 'succeeded'],
    ]);
    expect(await charged(clientId)).toEqual([
      [await saleOf(id, 1), 5990],
      [await saleOf(id, -1), 137],
      [await saleOf(id, 2), 9990],
    ]);
    expect((await billing.subscriptions.get(id)).status).toBe('active');
    await billing.subscriptions.cancel(id, { atPeriodEnd: false });
  });
});
