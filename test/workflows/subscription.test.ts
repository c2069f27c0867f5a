import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { BillingClient, ConflictError, RejectedError } from '../../client';
import { verifyMerchantSignature } from '../../client/merchant-signature';
import { addDays, addMonths, instantAt, localDateOf } from '../../common/billing/calendar';
import { nextBusinessDay } from '../../common/billing/holidays';
import { BillingChargeHeld } from '../../common/search-attributes';
import type { MerchantNotification } from '../../common/merchant-notification';
import { TEST_MERCHANT_SECRET } from '../helpers/engine';
import { recordHistory } from '../helpers/histories';
import type { RunningSandbox } from '../helpers/sandbox';
import { startWorkflowTestEnv, type WorkflowTestEnv } from '../helpers/workflow-env';
import { scriptedCharges } from '../helpers/scripted-charges';
import { stringContaining } from '../helpers/matchers';

const TZ = 'America/Sao_Paulo';

describe('subscription workflow (time-skipping server)', () => {
  let env: TestWorkflowEnvironment;
  let sandbox: RunningSandbox;
  let billing: BillingClient;
  const charges = scriptedCharges();
  let sequence = 0;

  const today = async () => localDateOf(await env.currentTimeMs(), TZ);
  const days = (n: number) => env.sleep(`${n} days`);
  /** Moves the clock to a local wall time (tests that assert dates an hour or so apart start at a known hour). */
  const sleepUntilLocal = async (date: string, hour: number, minute: number) =>
    env.sleep(instantAt(date, hour, minute, TZ) - (await env.currentTimeMs()));
  const zapsignUpdates = async (clientRef: string) => {
    const response = await fetch(`${sandbox.url}/zapsign/__control/clients/${clientRef}`);
    return ((await response.json()) as { updates: Array<{ paymentStatus: string }> }).updates.map(
      (u) => u.paymentStatus,
    );
  };
  const notifications = async (subscriptionId: string): Promise<MerchantNotification[]> =>
    (await sandbox.control.merchantCallbacks())
      .map((c) => JSON.parse(c.rawBody) as MerchantNotification)
      .filter((n) => n.subscriptionId === subscriptionId)
      // Deliveries run concurrently; the sequence number is the order.
      .sort((a, b) => a.sequence - b.sequence);
  const attemptDates = async (subscriptionId: string) =>
    (await billing.subscriptions.invoices(subscriptionId)).invoices.flatMap((i) =>
      i.attempts.map((a) => `${i.cycle}:${localDateOf(Date.parse(a.at), TZ)}:${a.outcome}`),
    );

  /** A new subscription starting today (or on `extra.startDate`), charging at 00:00 local unless the plan says otherwise. */
  async function subscribe(plan: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) {
    const id = (extra.subscriptionId as string | undefined) ?? `sub-${++sequence}`;
    const clientRef = `zs-${id}`;
    await fetch(`${sandbox.url}/zapsign/__control/clients`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ clientApiToken: clientRef }),
    });
    const startDate = (extra.startDate as string | undefined) ?? (await today());
    await billing.subscriptions.create({
      subscriptionId: id,
      customerId: `cus-${sequence}`,
      plan: {
        planId: 'gold',
        amountCents: 5990,
        recurrence: { kind: 'calendar', frequency: 'monthly', interval: 1 },
        chargeHourLocal: 0,
        ...plan,
      },
      paymentMethod: { type: 'zspay_card', zspayClientId: 'cli-1', cardId: 'card-1' },
      startDate,
      merchant: { callbackUrl: `${sandbox.url}/merchant/callbacks`, secretRef: TEST_MERCHANT_SECRET.ref },
      partner: { zapsignClientRef: clientRef },
      ...extra,
    });
    return { id, clientRef, startDate };
  }

  let testEnv: WorkflowTestEnv;
  beforeAll(async () => {
    testEnv = await startWorkflowTestEnv(charges.activities);
    ({ env, sandbox, billing } = testEnv);
  });
  afterAll(() => testEnv?.teardown());

  it("retries a soft decline on Adiq's teimosinha schedule, then blocks once and tells the merchant after every attempt", async () => {
    charges.push('soft', 'soft', 'soft', 'soft', 'soft');
    const { id, clientRef, startDate } = await subscribe({ attempts: 4 });
    await days(20);
    expect(await attemptDates(id)).toEqual(
      [0, 2, 4, 8, 16].map((offset) => `1:${addDays(startDate, offset)}:soft_declined`),
    );
    const view = await billing.subscriptions.get(id);
    expect(view).toMatchObject({
      status: 'blocked',
      partnerStatus: 'inadimplente',
      providerStatus: { zspay: 4, adiq: 'Blocked' },
    });
    expect(await zapsignUpdates(clientRef)).toEqual(['inadimplente']);
    await recordHistory(env.client.workflow.getHandle(`subscription-${id}`), 'subscription-teimosinha-blocked');

    const sent = await notifications(id);
    expect(sent.map((n) => n.type)).toEqual([...Array<string>(5).fill('payment.failed'), 'subscription.blocked']);
    expect(sent.map((n) => n.sequence)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(sent[0]?.data).toMatchObject({
      SubscriptionId: id,
      PlanId: 'gold',
      OrderNumber: `${id}-1-1`,
      ErrorCode: '51',
      ExpireAt: `${startDate}T00:00:00-03:00`,
    });
    for (const callback of (await sandbox.control.merchantCallbacks()).filter((c) =>
      c.rawBody.includes(`"subscriptionId":"${id}"`),
    )) {
      expect(
        verifyMerchantSignature({
          rawBody: callback.rawBody,
          header: callback.headers['billing-signature'],
          secret: TEST_MERCHANT_SECRET.secret,
          toleranceSeconds: 3600,
        }).valid,
      ).toBe(true);
    }
  });

  it('tells its story in the Web UI: current details, and a summary on every provider call', async () => {
    charges.push('soft', 'paid');
    const { id, startDate } = await subscribe({ attempts: 2, amountCents: 4990 });
    await days(3);
    const handle = env.client.workflow.getHandle(`subscription-${id}`);
    // What the Web UI reads: the workflow's metadata query and the scheduled activities' user metadata.
    const metadata = await handle.query<{ currentDetails?: string }>('__temporal_workflow_metadata');
    const nextCharge = addMonths(startDate, 1).split('-').reverse().join('/');
    expect(metadata.currentDetails).toContain('**active** · R$ 49,90 · plan gold');
    expect(metadata.currentDetails).toContain(`Next charge: ${nextCharge} at 00:00 America/Sao_Paulo (cycle 2)`);
    const summaries: string[] = [];
    let staticSummary: string | undefined;
    // Every run of the chain, newest first (the retry may have run after a continue-as-new).
    for (let runId: string | undefined = (await handle.describe()).runId; runId;) {
      const history = await env.client.workflow.getHandle(`subscription-${id}`, runId).fetchHistory();
      for (const event of history.events ?? []) {
        const summary = event.userMetadata?.summary?.data;
        if (event.activityTaskScheduledEventAttributes && summary)
          summaries.push(JSON.parse(Buffer.from(summary).toString()) as string);
      }
      runId = history.events?.[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId ?? undefined;
      const started = history.events?.[0]?.userMetadata?.summary?.data;
      if (!runId && started) staticSummary = JSON.parse(Buffer.from(started).toString()) as string;
    }
    // The first run's, set by the create.
    expect(staticSummary).toBe(`customer cus-${sequence} · plan gold · R$ 49,90 every month`);
    expect(summaries).toEqual(
      expect.arrayContaining([
        'authorize R$ 49,90 · cycle 1 · attempt 1 of 3',
        'authorize R$ 49,90 · cycle 1 · attempt 2 of 3',
        'capture R$ 49,90 · cycle 1 · attempt 2 of 3',
      ]),
    );
  });

  it('makes one retry two days later with attempts 1, none with attempts 0', async () => {
    charges.push('soft', 'soft');
    const one = await subscribe({ attempts: 1 });
    charges.push('soft');
    const zero = await subscribe({ attempts: 0 });
    await days(5);
    expect(await attemptDates(one.id)).toEqual([
      `1:${one.startDate}:soft_declined`,
      `1:${addDays(one.startDate, 2)}:soft_declined`,
    ]);
    expect(await attemptDates(zero.id)).toEqual([`1:${zero.startDate}:soft_declined`]);
    expect((await billing.subscriptions.get(zero.id)).status).toBe('blocked');
  });

  it('authorizes the card again when the authorization lapsed before its capture, and charges once', async () => {
    const id = `sub-${sequence + 1}`;
    charges.scriptFor(id, 'lapsed', 'paid');
    const { startDate } = await subscribe();
    await days(1);
    expect(await attemptDates(id)).toEqual([`1:${startDate}:succeeded`]);
    expect(charges.calls.filter((c) => c.reference.startsWith(`${id}-`))).toHaveLength(2);
  });

  it('holds a charge the provider refuses for a reason no retry fixes, tries again an hour later, and charges once', async () => {
    const id = `sub-${sequence + 1}`;
    charges.scriptFor(id, 'refused', 'paid');
    // Charged at 09:00 tomorrow, so the retry an hour later falls on the same local day at any hour the suite runs.
    const { startDate } = await subscribe({ chargeHourLocal: 9 }, { startDate: addDays(await today(), 1) });
    await sleepUntilLocal(startDate, 9, 10);
    const held = await billing.subscriptions.get(id);
    expect(held).toMatchObject({
      status: 'active',
      chargeHold: { cycle: 1, holds: 1, reason: stringContaining('ProviderAuth') },
    });
    expect(held.summary).toContain('charge held');
    const heldAttribute = async () =>
      (await env.client.workflow.getHandle(`subscription-${id}`).describe()).typedSearchAttributes.get(
        BillingChargeHeld,
      );
    expect(await heldAttribute()).toBe(true);
    expect(await attemptDates(id)).toEqual([]);
    await env.sleep('1 hour');
    expect(await attemptDates(id)).toEqual([`1:${startDate}:succeeded`]);
    expect((await billing.subscriptions.get(id)).chargeHold).toBeUndefined();
    expect(await heldAttribute()).toBeUndefined();
    expect((await notifications(id)).map((n) => n.type)).toEqual(['payment.held', 'payment.succeeded']);
    expect((await notifications(id))[0]?.data).toMatchObject({
      cycle: 1,
      reason: stringContaining('ProviderAuth'),
      retryAt: held.chargeHold!.retryAt,
    });
    // The retry carried the same charge reference: nothing was asked of the provider the first time.
    expect(new Set(charges.calls.filter((c) => c.reference.startsWith(`${id}-`)).map((c) => c.reference)).size).toBe(1);
  });

  it('retries a held charge at once on retryNow, backing off longer after each refusal', async () => {
    const id = `sub-${sequence + 1}`;
    charges.scriptFor(id, 'refused', 'refused', 'paid');
    const { startDate } = await subscribe({ chargeHourLocal: 9 }, { startDate: addDays(await today(), 1) });
    await sleepUntilLocal(startDate, 9, 10);
    expect((await billing.subscriptions.get(id)).chargeHold).toMatchObject({ holds: 1 });
    const afterRetry = await billing.subscriptions.retryNow(id);
    expect(afterRetry.chargeHold).toBeDefined();
    await env.sleep('1 minute');
    const second = (await billing.subscriptions.get(id)).chargeHold!;
    expect(second.holds).toBe(2);
    expect(Date.parse(second.retryAt) - Date.parse(second.since)).toBeGreaterThan(2 * 3_600_000 - 1);
    await billing.subscriptions.retryNow(id);
    await env.sleep('1 minute');
    expect(await attemptDates(id)).toEqual([`1:${startDate}:succeeded`]);
    expect((await notifications(id)).map((n) => n.type)).toEqual(['payment.held', 'payment.succeeded']);
  });

  it('blocks a canceled card at once, with no retry, and recovers exactly once with a new card', async () => {
    charges.push('hard');
    const { id, clientRef, startDate } = await subscribe();
    await days(3);
    expect(await attemptDates(id)).toEqual([`1:${startDate}:hard_declined`]);
    expect(await billing.subscriptions.get(id)).toMatchObject({ status: 'blocked', dunning: { failures: 1 } });

    // A new card: the failed invoice is retried at once and paid; the partner is unblocked once.
    charges.push('paid');
    const view = await billing.subscriptions.changePaymentMethod(id, {
      paymentMethod: { type: 'zspay_card', zspayClientId: 'cli-1', cardId: 'card-2' },
    });
    expect(view.paymentMethod).toMatchObject({ cardId: 'card-2' });
    await days(1);
    // The anchor is kept: the next charge is a month after the original due date.
    expect(await billing.subscriptions.get(id)).toMatchObject({
      status: 'active',
      partnerStatus: 'adimplente',
      nextChargeDate: addMonths(startDate, 1),
    });
    expect(await zapsignUpdates(clientRef)).toEqual(['inadimplente', 'adimplente']);
    await recordHistory(env.client.workflow.getHandle(`subscription-${id}`), 'subscription-recovered-with-new-card');
    expect((await notifications(id)).map((n) => n.type)).toEqual([
      'payment.failed',
      'subscription.blocked',
      'subscription.recovered',
      'payment.succeeded',
    ]);
  });

  it('bills a year of monthly charges, continuing as new every cycle, without losing the history summary', async () => {
    const { id, startDate } = await subscribe();
    await days(366);
    const { invoices, summary } = await billing.subscriptions.invoices(id);
    expect(summary.paidCount).toBe(13);
    expect(summary.paidCents).toBe(13 * 5990);
    expect(invoices).toHaveLength(12);
    expect(invoices.map((i) => i.dueDate)).toEqual(Array.from({ length: 12 }, (_, k) => addMonths(startDate, k + 1)));
    const description = await env.client.workflow.getHandle(`subscription-${id}`).describe();
    expect(description.runId).not.toBe(description.raw.workflowExecutionInfo?.firstRunId);
    expect((await billing.subscriptions.get(id)).status).toBe('active');
    await recordHistory(env.client.workflow.getHandle(`subscription-${id}`), 'subscription-year-continued-as-new');
  });

  it('refuses a second start of the same subscription', async () => {
    const { id } = await subscribe();
    await expect(
      billing.subscriptions.create({
        subscriptionId: id,
        customerId: 'other',
        plan: { planId: 'gold', amountCents: 100, recurrence: { kind: 'calendar', frequency: 'monthly', interval: 1 } },
        paymentMethod: { type: 'zspay_card', zspayClientId: 'c', cardId: 'k' },
      }),
    ).rejects.toBeInstanceOf(ConflictError);
  });

  it('refuses operations that make no sense now, with a reason, and applies those that do', async () => {
    const { id } = await subscribe({ trialDays: 10 });
    await expect(billing.subscriptions.retryNow(id)).rejects.toThrow(
      new RejectedError('there is no failed invoice to retry'),
    );
    await expect(billing.subscriptions.reactivate(id)).rejects.toBeInstanceOf(RejectedError);
    expect((await billing.subscriptions.suspend(id)).status).toBe('suspended');
    await expect(billing.subscriptions.suspend(id)).rejects.toThrow('the subscription is already suspended');
    await days(15);
    expect(charges.calls.filter((c) => c.reference.startsWith(`${id}-`))).toHaveLength(0);
    expect((await billing.subscriptions.reactivate(id)).status).toBe('trialing');
    const canceled = await billing.subscriptions.cancel(id, { atPeriodEnd: true });
    expect(canceled.cancelAtPeriodEnd).toBe(true);
    await days(40);
    expect((await billing.subscriptions.get(id)).status).toBe('canceled');
    await expect(billing.subscriptions.cancel(id, { atPeriodEnd: false })).rejects.toBeInstanceOf(RejectedError);
    await recordHistory(env.client.workflow.getHandle(`subscription-${id}`), 'subscription-operations-canceled');
  });

  it('issues a boleto ahead of its due date and settles it when the paid webhook arrives', async () => {
    const { id, startDate } = await subscribe(
      { trialDays: 10, tolerancePeriodDays: 3 },
      { paymentMethod: { type: 'zspay_boleto', zspayClientId: 'cli-9' } },
    );
    await days(6);
    const boleto = charges.calls.find((c) => c.reference === `${id}-1-1`);
    expect(boleto).toMatchObject({ kind: 'boleto', dueDate: nextBusinessDay(addDays(startDate, 10)) });
    // A paid webhook the provider does not back is ignored; once the sale is paid at Zspay, the same notice settles it.
    await billing.subscriptions.paymentReceived(id, { saleId: `sale-${id}-1-1` });
    await env.sleep('1 minute');
    expect(await billing.subscriptions.get(id)).toMatchObject({ ignoredPaymentNotices: 1 });
    expect((await billing.subscriptions.invoices(id)).invoices[0]).toMatchObject({ status: 'open' });
    charges.markPaid(`sale-${id}-1-1`);
    await billing.subscriptions.paymentReceived(id, { saleId: `sale-${id}-1-1` });
    await billing.subscriptions.paymentReceived(id, { saleId: `sale-${id}-1-1` });
    await days(1);
    const { invoices, summary } = await billing.subscriptions.invoices(id);
    expect(invoices[0]).toMatchObject({ status: 'paid', boleto: { saleId: `sale-${id}-1-1` } });
    expect(summary.paidCount).toBe(1);
    await recordHistory(env.client.workflow.getHandle(`subscription-${id}`), 'subscription-boleto-paid');
  });

  it('pushes each outcome of a linked invoice to the payment status API once, and retries a failing merchant callback', async () => {
    const payment = {
      paymentId: 'b8f2d832-72e2-4e47-8b8a-7f6a3a3e7abe',
      trustSeed: 'seed',
      trustValue: 'value',
      altTrustValue: 'alt',
    };
    await sandbox.control.failMerchantCallbacks([500, 503], '/merchant/flaky');
    charges.push('soft', 'paid');
    const { id } = await subscribe(
      { attempts: 2 },
      {
        externalPayments: { '1': payment },
        merchant: { callbackUrl: `${sandbox.url}/merchant/flaky`, secretRef: TEST_MERCHANT_SECRET.ref },
      },
    );
    await days(3);
    const pushed = (await (
      await fetch(`${sandbox.url}/payment-status/__control/payments/${payment.paymentId}`)
    ).json()) as { updates: Array<{ status: string }> };
    expect(pushed.updates.map((u) => u.status)).toEqual(['failed', 'paid']);

    // The first notification was refused twice, then delivered: same event id every time, in order of sequence.
    await days(1);
    const callbacks = (await sandbox.control.merchantCallbacks()).filter((c) =>
      c.rawBody.includes(`"subscriptionId":"${id}"`),
    );
    const first = callbacks.filter((c) => c.headers['billing-event-id'] === `${id}-1`);
    expect(first.map((c) => c.status)).toEqual([500, 503, 200]);
    const delivered = callbacks
      .filter((c) => c.status === 200)
      .map((c) => JSON.parse(c.rawBody) as MerchantNotification)
      .sort((a, b) => a.sequence - b.sequence);
    expect(delivered.map((n) => n.type)).toEqual(['payment.failed', 'subscription.recovered', 'payment.succeeded']);
  });

  it('keeps Updates sent while it continues as new every cycle', async () => {
    const { id } = await subscribe({ recurrence: { kind: 'calendar', frequency: 'daily', interval: 1 } });
    const payments = [2, 3, 4, 5, 6].map((cycle) => ({
      cycle,
      payment: {
        paymentId: `00000000-0000-4000-8000-00000000000${cycle}`,
        trustSeed: 's',
        trustValue: 'v',
        altTrustValue: 'a',
      },
    }));
    // The links arrive while daily cycles are being charged and the workflow keeps continuing as new.
    await Promise.all([
      days(7),
      ...payments.map((link, i) =>
        new Promise((resolve) => setTimeout(resolve, i * 20)).then(() =>
          billing.subscriptions.linkExternalPayment(id, link),
        ),
      ),
    ]);
    for (const { payment } of payments) {
      const pushed = (await (
        await fetch(`${sandbox.url}/payment-status/__control/payments/${payment.paymentId}`)
      ).json()) as { updates: Array<{ status: string }> };
      expect(pushed.updates.map((u) => u.status)).toEqual(['paid']);
    }
    const description = await env.client.workflow.getHandle(`subscription-${id}`).describe();
    expect(description.runId).not.toBe(description.raw.workflowExecutionInfo?.firstRunId);
  });

  it('bills a year with failures and recoveries: retries, a block, a rescue, cycles skipped while blocked, partner told once each way', async () => {
    const id = 'year-with-trouble';
    // Cycle 1 paid; cycle 2 fails twice then succeeds; cycle 3 canceled card (blocked); rescued with a new card later.
    charges.scriptFor(id, 'paid', 'soft', 'soft', 'paid', 'hard', 'paid');
    const { clientRef, startDate } = await subscribe({}, { subscriptionId: id });
    await days(70);
    expect(await billing.subscriptions.get(id)).toMatchObject({ status: 'blocked' });
    await days(50);
    await billing.subscriptions.changePaymentMethod(id, {
      paymentMethod: { type: 'zspay_card', zspayClientId: 'cli-1', cardId: 'card-new' },
    });
    await days(245);

    const attempts = await attemptDates(id);
    expect(attempts.slice(0, 6)).toEqual([
      `1:${startDate}:succeeded`,
      `2:${addMonths(startDate, 1)}:soft_declined`,
      `2:${addDays(addMonths(startDate, 1), 2)}:soft_declined`,
      `2:${addDays(addMonths(startDate, 1), 4)}:succeeded`,
      `3:${addMonths(startDate, 2)}:hard_declined`,
      `3:${addDays(startDate, 120)}:succeeded`,
    ]);
    // Cycles that fell due while blocked are not billed; billing resumed on the anchor day.
    const rescuedOn = addDays(startDate, 120);
    const cycles = [...new Set(attempts.map((a) => Number(a.split(':')[0])))];
    const fellDueWhileBlocked = [4, 5, 6].filter((cycle) => addMonths(startDate, cycle - 1) <= rescuedOn);
    expect(fellDueWhileBlocked.length).toBeGreaterThan(0);
    for (const cycle of fellDueWhileBlocked) expect(cycles).not.toContain(cycle);
    const resumed = Math.max(...fellDueWhileBlocked) + 1;
    expect(attempts[6]).toBe(`${resumed}:${addMonths(startDate, resumed - 1)}:succeeded`);
    expect(attempts.slice(6).every((a) => a.endsWith(':succeeded'))).toBe(true);
    expect(await zapsignUpdates(clientRef)).toEqual(['inadimplente', 'adimplente']);
    const types = (await notifications(id)).map((n) => n.type);
    expect(types.filter((t) => t === 'subscription.blocked')).toHaveLength(1);
    expect(types.filter((t) => t === 'subscription.recovered')).toHaveLength(2);
    expect(types.filter((t) => t === 'payment.failed')).toHaveLength(3);
    expect((await billing.subscriptions.get(id)).status).toBe('active');
  });
});
