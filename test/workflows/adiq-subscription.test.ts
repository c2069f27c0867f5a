import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { BillingClient } from '../../client';
import { addDays, localDateOf } from '../../common/billing/calendar';
import type { MerchantNotification } from '../../common/merchant-notification';
import { TEST_MERCHANT_SECRET } from '../helpers/engine';
import type { RunningSandbox } from '../helpers/sandbox';
import { startWorkflowTestEnv, type WorkflowTestEnv } from '../helpers/workflow-env';
import { recordHistory } from '../helpers/histories';
import { WithStartWorkflowOperation, WorkflowIdConflictPolicy } from '@temporalio/client';
import type { EngineActivities } from '../../activities';
import * as defs from '../../workflows/subscription-definitions';
import { createSubscriptionInputSchema } from '../../common/subscription/input';
import { adiqRegistration } from '../../common/subscription/adiq-managed';
import { initialState } from '../../common/subscription/state';
import { sandboxActivities } from '../helpers/engine';
import { gates } from '../helpers/gates';
import { stringContaining } from '../helpers/matchers';
import { at, defined } from '../helpers/defined';

const TZ = 'America/Sao_Paulo';

describe('subscriptions billed by Adiq (provider-managed mode, time-skipping server)', () => {
  let env: TestWorkflowEnvironment;
  let sandbox: RunningSandbox;
  let billing: BillingClient;
  let testEnv: WorkflowTestEnv;
  let n = 0;
  const created: string[] = [];

  const held = gates();
  /** The engine's real Adiq billing search, passing a gate the test may hold. */
  let realSearch: EngineActivities['searchAdiqBillings'];
  beforeAll(async () => {
    testEnv = await startWorkflowTestEnv({
      searchAdiqBillings: async (input) => {
        await held.pass(`search:${input.subscriptionId}`);
        return realSearch(input);
      },
    });
    ({ env, sandbox, billing } = testEnv);
    realSearch = sandboxActivities(sandbox.url, env.client).searchAdiqBillings;
  });
  afterAll(() => testEnv?.teardown());

  const adiqState = async <T>(what: string): Promise<T> =>
    (await (await fetch(`${sandbox.url}/adiq/__control/${what}`)).json()) as T;
  const zapsign = async (clientRef: string) =>
    (
      (await (await fetch(`${sandbox.url}/zapsign/__control/clients/${clientRef}`)).json()) as {
        updates: Array<{ paymentStatus: string }>;
      }
    ).updates.map((u) => u.paymentStatus);
  const notifications = async (id: string) =>
    (await sandbox.control.merchantCallbacks())
      .filter((c) => c.status === 200)
      .map((c) => JSON.parse(c.rawBody) as MerchantNotification)
      .filter((x) => x.subscriptionId === id)
      .sort((a, b) => a.sequence - b.sequence)
      .map((x) => x.type);

  async function subscribe(plan: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) {
    const id = `adiq-sub-${++n}`;
    created.push(id);
    const clientRef = `zs-${id}`;
    await fetch(`${sandbox.url}/zapsign/__control/clients`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ clientApiToken: clientRef }),
    });
    await billing.subscriptions.create({
      subscriptionId: id,
      customerId: 'acme',
      plan: {
        planId: `news-${n}`,
        amountCents: 599,
        recurrence: { kind: 'adiq', planType: 'Monthly' },
        attempts: 3,
        chargeHourLocal: 8,
        ...plan,
      },
      paymentMethod: { type: 'adiq_vault', vaultId: 'e7fa5a01-90a9-4abc-9bac-d9dbfa7db587' },
      merchant: { callbackUrl: `${sandbox.url}/merchant/adiq`, secretRef: TEST_MERCHANT_SECRET.ref },
      partner: { zapsignClientRef: clientRef },
      ...extra,
    });
    if (extra.startDate)
      return {
        id,
        clientRef,
        adiq: undefined as unknown as {
          id: string;
          orderNumber: string;
          planId: string;
          vaultId: string;
          status: string;
        },
      };
    // Registered at Adiq when the date is the same in São Paulo and in UTC (at once, or tomorrow's common hour).
    await env.sleep(
      adiqRegistration(undefined, await env.currentTimeMs(), TZ).atMs - (await env.currentTimeMs()) + 60_000,
    );
    const subscriptions =
      await adiqState<Array<{ id: string; orderNumber: string; planId: string; vaultId: string; status: string }>>(
        'subscriptions',
      );
    return { id, clientRef, adiq: at(subscriptions, -1, 'Adiq subscriptions') };
  }
  const searches = async () => (await sandbox.control.requests({ operation: 'adiq.billing.search' })).length;
  const bill = async (adiqSubscriptionId: string, type: 'approve' | 'soft_decline' | 'hard_decline') => {
    if (type !== 'approve')
      await sandbox.control.script({
        provider: 'adiq',
        operation: 'adiq.billing.charge',
        match: adiqSubscriptionId,
        outcome: { type, code: type === 'hard_decline' ? '14' : '51' },
        times: 1,
      });
    const date = localDateOf(await env.currentTimeMs(), TZ);
    const response = await fetch(`${sandbox.url}/adiq/__control/subscriptions/${adiqSubscriptionId}/bill`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ date }),
    });
    return (await response.json()) as { billing: { id: string } };
  };

  it('creates the Adiq plan and subscription once, and finds a canceled card in the daily billing search: blocked, partner told once', async () => {
    const { id, clientRef, adiq } = await subscribe();
    expect(adiq).toMatchObject({ status: 'Active', vaultId: 'e7fa5a01-90a9-4abc-9bac-d9dbfa7db587' });
    expect((await adiqState<unknown[]>('plans')).length).toBe(1);
    expect(await billing.subscriptions.get(id)).toMatchObject({
      status: 'active',
      summary: stringContaining('billed by Adiq'),
    });

    await bill(adiq.id, 'hard_decline');
    await env.sleep('2 days');
    expect(await billing.subscriptions.get(id)).toMatchObject({
      status: 'blocked',
      partnerStatus: 'inadimplente',
      providerStatus: { adiq: 'Blocked' },
    });
    expect(await zapsign(clientRef)).toEqual(['inadimplente']);
    expect(await notifications(id)).toEqual(['payment.failed', 'subscription.blocked']);

    // A new card is forwarded to Adiq.
    await billing.subscriptions.changePaymentMethod(id, {
      paymentMethod: { type: 'adiq_vault', vaultId: '11111111-2222-4333-8444-555555555555' },
    });
    await env.sleep('1 minute');
    const after = await adiqState<Array<{ id: string; vaultId: string }>>('subscriptions');
    expect(after.find((s) => s.id === adiq.id)?.vaultId).toBe('11111111-2222-4333-8444-555555555555');
    await recordHistory(env.client.workflow.getHandle(`subscription-${id}`), 'adiq-subscription-blocked');
  });

  it('survives a daily reconciliation the provider refuses (revoked credentials) and reconciles again the next day', async () => {
    const { id, adiq } = await subscribe();
    // Every billing search refused for a day (the other subscriptions of this file look too).
    await sandbox.control.script({
      provider: 'adiq',
      operation: 'adiq.billing.search',
      outcome: { type: 'unauthorized' },
    });
    await bill(adiq.id, 'hard_decline');
    await env.sleep('1 day');
    expect(await billing.subscriptions.get(id)).toMatchObject({ status: 'active' });
    // Refused twice per look: the call, and the one the client sends again with a new token.
    expect(
      (await sandbox.control.requests({ operation: 'adiq.billing.search' })).filter((r) => r.status === 401).length,
    ).toBeGreaterThanOrEqual(2);
    await sandbox.control.clearScenarios();
    await env.sleep('1 day');
    expect(await billing.subscriptions.get(id)).toMatchObject({ status: 'blocked' });
  });

  it("follows Adiq's notifications: each failed attempt reported once, the payment recovers the subscription", async () => {
    const { id } = await subscribe();
    const { billing: adiqBilling } = await bill(
      (await adiqState<Array<{ id: string }>>('subscriptions')).at(-1)!.id,
      'soft_decline',
    );
    const failure = {
      billingId: adiqBilling.id,
      outcome: 'failed' as const,
      decline: 'soft' as const,
      code: '51',
      message: 'Saldo insuficiente',
      source: 'notification' as const,
    };
    await billing.subscriptions.adiqBilling(id, failure);
    await billing.subscriptions.adiqBilling(id, failure); // redelivered the same day: one effect
    await env.sleep('1 hour');
    expect(await billing.subscriptions.get(id)).toMatchObject({ status: 'past_due' });
    // A "paid" notification Adiq's billing search does not back is ignored; once Adiq collected it, it counts.
    await billing.subscriptions.adiqBilling(id, { billingId: adiqBilling.id, outcome: 'paid', source: 'notification' });
    await env.sleep('1 hour');
    expect(await billing.subscriptions.get(id)).toMatchObject({ status: 'past_due', ignoredPaymentNotices: 1 });
    await bill((await adiqState<Array<{ id: string }>>('subscriptions')).at(-1)!.id, 'approve');
    await billing.subscriptions.adiqBilling(id, { billingId: adiqBilling.id, outcome: 'paid', source: 'notification' });
    await env.sleep('1 hour');
    expect(await billing.subscriptions.get(id)).toMatchObject({ status: 'active' });
    expect(await notifications(id)).toEqual(['payment.failed', 'subscription.recovered', 'payment.succeeded']);
    const { summary } = await billing.subscriptions.invoices(id);
    expect(summary).toMatchObject({ paidCount: 1, failedAttempts: 1 });
  });

  it('forwards a cancel to Adiq and refuses operations Adiq does not support', async () => {
    const { id, adiq } = await subscribe();
    await expect(billing.subscriptions.cancel(id, { atPeriodEnd: true })).rejects.toThrow(
      'Adiq cancels a subscription at once',
    );
    await expect(
      billing.subscriptions.changePaymentMethod(id, {
        paymentMethod: { type: 'zspay_card', zspayClientId: '1', cardId: '2' },
      }),
    ).rejects.toThrow('takes an Adiq vault');
    expect((await billing.subscriptions.cancel(id, { atPeriodEnd: false })).status).toBe('canceled');
    // Acknowledged at once; the cancel reaches Adiq from the outbox moments later.
    await env.sleep('1 minute');
    const after = await adiqState<Array<{ id: string; status: string }>>('subscriptions');
    expect(after.find((s) => s.id === adiq.id)?.status).toBe('Canceled');
  });

  describe('interleavings', () => {
    it('a cancel while the daily billing search is in flight is never undone, and reaches Adiq', async () => {
      const { id, adiq } = await subscribe();
      const search = held.hold(`search:${adiq.id}`);
      const day = env.sleep('1 day');
      await search.reached;
      expect((await billing.subscriptions.cancel(id, { atPeriodEnd: false })).status).toBe('canceled');
      search.open();
      await day;
      expect(await billing.subscriptions.get(id)).toMatchObject({ status: 'canceled' });
      const after = await adiqState<Array<{ id: string; status: string }>>('subscriptions');
      expect(after.find((s) => s.id === adiq.id)?.status).toBe('Canceled');
    });

    it('answers an update in the first workflow task of a run (right after continue-as-new)', async () => {
      const { adiq } = await subscribe();
      // A successor run: its input and the state it carries (Adiq's ids already known).
      const id = `adiq-next-${++n}`;
      const subscription = createSubscriptionInputSchema.parse({
        subscriptionId: id,
        customerId: 'acme',
        plan: {
          planId: `news-${n}`,
          amountCents: 599,
          recurrence: { kind: 'adiq', planType: 'Monthly' },
          attempts: 3,
          chargeHourLocal: 8,
        },
        paymentMethod: { type: 'adiq_vault', vaultId: adiq.vaultId },
      });
      const state = {
        ...initialState(subscription, localDateOf(await env.currentTimeMs(), TZ)),
        adiq: { planId: adiq.planId, subscriptionId: adiq.id, handled: [] },
      };
      const operation = new WithStartWorkflowOperation('adiqSubscriptionWorkflow', {
        workflowId: `subscription-${id}`,
        taskQueue: billing.taskQueue,
        args: [{ subscription, state }],
        workflowIdConflictPolicy: WorkflowIdConflictPolicy.FAIL,
      });
      const canceled = await env.client.workflow.executeUpdateWithStart(defs.cancelUpdate, {
        args: [{ atPeriodEnd: false }],
        startWorkflowOperation: operation,
      });
      expect(canceled).toMatchObject({ subscriptionId: id, status: 'canceled' });
      await env.sleep('1 minute');
      expect(
        (await adiqState<Array<{ id: string; status: string }>>('subscriptions')).find((s) => s.id === adiq.id)?.status,
      ).toBe('Canceled');
    });

    it("keeps following Adiq while the merchant's callback is down, shows the failures, and delivers once it is back", async () => {
      await sandbox.control.failMerchantCallbacks(Array<number>(12).fill(503), '/merchant/adiq');
      const { id, adiq } = await subscribe();
      const { billing: declined } = await bill(adiq.id, 'hard_decline');
      // Adiq's notification arrives; the billing search confirms it.
      await billing.subscriptions.adiqBilling(id, {
        billingId: declined.id,
        outcome: 'failed',
        decline: 'hard',
        code: '14',
        message: 'Cartão cancelado',
        source: 'notification',
      });
      await env.sleep('1 minute');
      const view = await billing.subscriptions.get(id);
      expect(view).toMatchObject({ status: 'blocked', partnerStatus: 'inadimplente' });
      expect(view.delivery.failing).toBeGreaterThan(0);
      expect(view.delivery.lastError).toContain('503');
      await env.sleep('2 days');
      expect((await billing.subscriptions.get(id)).delivery).toMatchObject({ pending: 0, failing: 0 });
      expect(await notifications(id)).toEqual(['payment.failed', 'subscription.blocked']);
    });
  });

  describe('Adiq-billed mode, faithful end to end', () => {
    // Each of these counts Adiq requests: the subscriptions of the tests above stop looking first.
    beforeEach(async () => {
      for (const id of created) await billing.subscriptions.cancel(id, { atPeriodEnd: false }).catch(() => undefined);
      await env.sleep('1 minute');
    });

    it('waits for a future start date on a durable timer, then registers at Adiq: the forecast is what Adiq will charge', async () => {
      const today = localDateOf(await env.currentTimeMs(), TZ);
      const startDate = addDays(today, 10);
      const before = (await adiqState<unknown[]>('subscriptions')).length;
      const { id } = await subscribe({ trialDays: 3 }, { startDate });
      await env.sleep('5 days');
      expect((await adiqState<unknown[]>('subscriptions')).length).toBe(before);
      expect((await billing.subscriptions.forecast(id, 2)).charges.map((c) => c.date)).toEqual([
        addDays(startDate, 3),
        addDays(startDate, 33),
      ]);
      await env.sleep('6 days');
      expect((await adiqState<unknown[]>('subscriptions')).length).toBe(before + 1);
      expect((await billing.subscriptions.forecast(id, 1)).charges[0]?.date).toBe(addDays(startDate, 3));
    });

    it('completes a plan with a fixed number of installments after the last one, and stops searching', async () => {
      const { id, adiq } = await subscribe({
        recurrence: { kind: 'adiq', planType: 'Custom', interval: 20, installments: 2 },
      });
      for (let installment = 1; installment <= 2; installment += 1) {
        const due = defined((await billing.subscriptions.forecast(id, 1)).charges[0], 'a forecast charge').date;
        await env.sleep(Math.max(0, Date.parse(`${due}T15:00:00Z`) - (await env.currentTimeMs())));
        await bill(adiq.id, 'approve');
        await env.sleep('1 day');
      }
      expect(await billing.subscriptions.get(id)).toMatchObject({ status: 'completed' });
      expect((await billing.subscriptions.invoices(id)).summary.paidCount).toBe(2);
      const searched = await searches();
      await env.sleep('60 days');
      expect(await searches()).toBe(searched);
      expect(await notifications(id)).toEqual(['payment.succeeded', 'payment.succeeded', 'subscription.completed']);
    });

    it('asks Adiq only about the days a billing is due: nothing while none is, one search a day while one is collected', async () => {
      const { id, adiq } = await subscribe({ trialDays: 10 });
      const quiet = await searches();
      await env.sleep('5 days');
      expect(await searches()).toBe(quiet);
      const due = defined((await billing.subscriptions.forecast(id, 1)).charges[0], 'a forecast charge').date;
      await env.sleep(Math.max(0, Date.parse(`${due}T15:00:00Z`) - (await env.currentTimeMs())));
      const { billing: declined } = await bill(adiq.id, 'soft_decline');
      await billing.subscriptions.adiqBilling(id, {
        billingId: declined.id,
        outcome: 'failed',
        decline: 'soft',
        code: '51',
        message: 'Saldo insuficiente',
        dueDate: due,
        source: 'notification',
      });
      await env.sleep('1 minute');
      const collecting = await searches();
      await env.sleep('3 days');
      const perDay = ((await searches()) - collecting) / 3;
      expect(perDay).toBeGreaterThan(0);
      expect(perDay).toBeLessThanOrEqual(1);
      expect(await billing.subscriptions.get(id)).toMatchObject({ status: 'past_due' });
    });

    it("tells the merchant Adiq's own failure code and words, and the engine's category in a field of its own", async () => {
      const { id, adiq } = await subscribe();
      await bill(adiq.id, 'hard_decline');
      await env.sleep('1 day');
      const failed = (await sandbox.control.merchantCallbacks())
        .filter((c) => c.status === 200)
        .map((c) => JSON.parse(c.rawBody) as MerchantNotification)
        .find((x) => x.subscriptionId === id && x.type === 'payment.failed');
      expect(failed?.data).toMatchObject({ ErrorCode: 'PaymentInvalid', Provider: 'adiq', DeclineCategory: 'hard' });
    });
  });
});
