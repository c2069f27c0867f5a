/**
 * Where operations, provider answers, continue-as-new and failing side effects interleave: every
 * operation while a charge is in flight, every operation in the first workflow task of a run, and
 * billing going on while merchant notifications fail — on the time-skipping server, with the
 * engine's real workflows. Each incident of the state-machine issue is reproduced here.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { WithStartWorkflowOperation, WorkflowIdConflictPolicy } from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { ValidationError, type BillingClient } from '../../client';
import { addDays, localDateOf } from '../../common/billing/calendar';
import { BillingDeliveryFailing } from '../../common/search-attributes';
import type { MerchantNotification } from '../../common/merchant-notification';
import { changePlanArgsSchema, createSubscriptionInputSchema } from '../../common/subscription/input';
import type { SubscriptionView } from '../../common/subscription/model';
import { initialState, type SubscriptionState } from '../../common/subscription/state';
import * as defs from '../../workflows/subscription-definitions';
import { TEST_MERCHANT_SECRET, sandboxActivities } from '../helpers/engine';
import { adiqRegistration } from '../../common/subscription/adiq-managed';
import { gates } from '../helpers/gates';
import { HISTORIES_DIR, recordHistory } from '../helpers/histories';
import { apply, paid } from '../helpers/machine';
import type { RunningSandbox } from '../helpers/sandbox';
import { scriptedCharges } from '../helpers/scripted-charges';
import { startWorkflowTestEnv, type WorkflowTestEnv } from '../helpers/workflow-env';
import { stringContaining } from '../helpers/matchers';
import { defined } from '../helpers/defined';

const TZ = 'America/Sao_Paulo';
const plan = {
  planId: 'gold',
  amountCents: 5990,
  recurrence: { kind: 'calendar' as const, frequency: 'monthly' as const, interval: 1 },
  chargeHourLocal: 0,
};
const card = { type: 'zspay_card' as const, zspayClientId: 'cli-1', cardId: 'card-1' };
const payment = { paymentId: 'p-7', trustSeed: 's', trustValue: 'v', altTrustValue: 'a' };
const tenPercentOff = { code: 'WELCOME10', percentOff: 10, cycles: 2 };
const catalogCoupon = { code: 'IL-CATALOG', amountOffCents: 1000, cycles: 1 };

describe('interleavings: operations, charges in flight, continue-as-new, failing side effects (time-skipping server)', () => {
  const charges = scriptedCharges();
  const held = gates();
  /** The sales refunded at the provider, one entry per refund sent. */
  const refunded: string[] = [];
  /** The subscriptions Zspay created, by the customer's e-mail. */
  const zspaySubscriptions = new Map<string, string>();
  /** The subscriptions Adiq created, by the engine's subscription id. */
  const adiqSubscriptions = new Map<string, string>();
  let testEnv: WorkflowTestEnv;
  let env: TestWorkflowEnvironment;
  let sandbox: RunningSandbox;
  let billing: BillingClient;
  let n = 0;

  const idOf = (reference: string) => reference.replace(/-\d+-\d+$/, '');
  beforeAll(async () => {
    testEnv = await startWorkflowTestEnv({
      ...charges.activities,
      authorizeCard: async (input) => {
        await held.pass(`${idOf(input.reference)}:authorize`);
        return charges.activities.authorizeCard(input);
      },
      captureCard: async (input) => {
        await held.pass(`${idOf(input.reference)}:capture`);
        return charges.activities.captureCard(input);
      },
      refundCardSale: (input) => {
        refunded.push(input.saleId);
        return Promise.resolve({ saleId: input.saleId, providerStatus: 6, alreadyRefunded: false });
      },
      transfersSincePayment: () => Promise.resolve([]),
      createAdiqSubscription: async (input) => {
        await held.pass(`adiq:${input.reference}`);
        const created = await sandboxActivities(sandbox.url, env.client).createAdiqSubscription(input);
        adiqSubscriptions.set(input.reference, created.subscriptionId);
        return created;
      },
      createZspaySubscription: async (input) => {
        await held.pass(`zspay:${input.customer.email}`);
        const created = await sandboxActivities(sandbox.url, env.client).createZspaySubscription(input);
        zspaySubscriptions.set(input.customer.email, created.subscriptionId);
        return created;
      },
    });
    ({ env, sandbox, billing } = testEnv);
  });
  afterAll(() => testEnv?.teardown());

  const today = async () => localDateOf(await env.currentTimeMs(), TZ);
  const chargesOf = (id: string) => charges.calls.filter((c) => c.reference.startsWith(`${id}-`));
  const notifications = async (id: string) =>
    (await sandbox.control.merchantCallbacks())
      .filter((c) => c.status === 200)
      .map((c) => JSON.parse(c.rawBody) as MerchantNotification)
      .filter((x) => x.subscriptionId === id)
      .sort((a, b) => a.sequence - b.sequence);
  const subscribe = async (extra: Record<string, unknown> = {}) => {
    const id = `il-${++n}`;
    await billing.subscriptions.create({
      subscriptionId: id,
      customerId: 'acme',
      plan,
      paymentMethod: card,
      merchant: { callbackUrl: `${sandbox.url}/merchant/il`, secretRef: TEST_MERCHANT_SECRET.ref },
      ...extra,
    });
    return id;
  };

  describe('an operation while a card charge is in flight', () => {
    it('a cancel during the capture is never undone: the money taken is recorded, the subscription stays canceled, the merchant is told', async () => {
      const id = `il-${n + 1}`;
      const capture = held.hold(`${id}:capture`);
      await subscribe();
      await capture.reached;
      expect((await billing.subscriptions.cancel(id, { atPeriodEnd: false })).status).toBe('canceled');
      capture.open();
      await env.sleep('40 days');
      const { invoices, summary } = await billing.subscriptions.invoices(id);
      expect(invoices).toEqual([expect.objectContaining({ cycle: 1, status: 'paid' })]);
      expect(summary.paidCents).toBe(5990);
      expect(chargesOf(id)).toHaveLength(1);
      const sent = await notifications(id);
      expect(sent.map((x) => x.type)).toEqual(['subscription.canceled', 'payment.succeeded']);
      expect(sent[1]?.data).toMatchObject({ subscriptionStatus: 'canceled' });
      const description = await env.client.workflow.getHandle(`subscription-${id}`).describe();
      expect(description.status.name).toBe('COMPLETED');
      await recordHistory(env.client.workflow.getHandle(`subscription-${id}`), 'subscription-canceled-during-capture');
      // (Not handle.result(): awaiting a result unlocks the time-skipping clock, which then leaps years ahead.)
      expect((await billing.subscriptions.get(id)).status).toBe('canceled');
    });

    it('a cancel during the authorization releases it: nothing is captured', async () => {
      const id = `il-${n + 1}`;
      const authorize = held.hold(`${id}:authorize`);
      await subscribe();
      await authorize.reached;
      await billing.subscriptions.cancel(id, { atPeriodEnd: false });
      authorize.open();
      await env.sleep('1 day');
      expect(charges.released).toContain(`sale-${id}-1-1`);
      expect((await billing.subscriptions.invoices(id)).invoices).toEqual([
        expect.objectContaining({ status: 'void', attempts: [] }),
      ]);
      expect((await notifications(id)).map((x) => x.type)).toEqual(['subscription.canceled']);
    });

    it('a suspend during the capture stays: the payment counts, nothing more is charged until reactivated', async () => {
      const id = `il-${n + 1}`;
      const capture = held.hold(`${id}:capture`);
      await subscribe();
      const startDate = await today();
      await capture.reached;
      expect((await billing.subscriptions.suspend(id)).status).toBe('suspended');
      capture.open();
      await env.sleep('70 days');
      expect(await billing.subscriptions.get(id)).toMatchObject({ status: 'suspended' });
      expect(chargesOf(id)).toHaveLength(1);
      expect((await billing.subscriptions.reactivate(id)).status).toBe('active');
      await env.sleep('40 days');
      // Billing resumed on the anchor day; the cycles due while suspended were not billed.
      const dueDates = (await billing.subscriptions.invoices(id)).invoices.map((i) => i.dueDate);
      expect(dueDates[0]).toBe(startDate);
      expect(dueDates.length).toBe(2);
    });

    it('answers every operation as the table does while a charge is in flight, and undoes none after it settles', async () => {
      const expected: Record<string, string | true> = {
        cancelAtPeriodEnd: true,
        reactivate: 'can be reactivated',
        changeNextChargeDate: 'a charge is in flight',
        changePaymentMethod: true,
        changePlan: true,
        retryNow: 'no failed invoice',
        skipNextRetry: 'no retry is scheduled',
        extendGrace: 'no trial, grace, tolerance or retry period',
        linkExternalPayment: true,
        applyCoupon: true,
        applyCatalogCoupon: true,
        changePlanProrated: 'prorate once it is settled',
        changePlanProratedNow: 'prorate once it is settled',
        refund: 'only a paid invoice can be refunded',
      };
      const operations: Record<string, (id: string) => Promise<unknown>> = {
        cancelAtPeriodEnd: (id) => billing.subscriptions.cancel(id, { atPeriodEnd: true }),
        reactivate: (id) => billing.subscriptions.reactivate(id),
        changeNextChargeDate: async (id) =>
          billing.subscriptions.changeNextChargeDate(id, { date: addDays(await today(), 10) }),
        changePaymentMethod: (id) =>
          billing.subscriptions.changePaymentMethod(id, { paymentMethod: { ...card, cardId: 'card-9' } }),
        changePlan: (id) =>
          billing.subscriptions.changePlan(id, { plan: { ...plan, planId: 'platinum', amountCents: 9990 } }),
        retryNow: (id) => billing.subscriptions.retryNow(id),
        skipNextRetry: (id) => billing.subscriptions.skipNextRetry(id),
        extendGrace: (id) => billing.subscriptions.extendGrace(id, { days: 3 }),
        linkExternalPayment: (id) => billing.subscriptions.linkExternalPayment(id, { cycle: 1, payment }),
        applyCoupon: (id) => billing.subscriptions.applyCoupon(id, { coupon: tenPercentOff }),
        applyCatalogCoupon: (id) => billing.subscriptions.applyCoupon(id, { couponCode: catalogCoupon.code }),
        changePlanProrated: (id) =>
          billing.subscriptions.changePlan(id, {
            plan: { ...plan, planId: 'platinum', amountCents: 9990 },
            proration: 'next_invoice',
          }),
        changePlanProratedNow: (id) =>
          billing.subscriptions.changePlan(id, {
            plan: { ...plan, planId: 'platinum', amountCents: 9990 },
            proration: 'now',
          }),
        // The capture is in flight: nothing is paid yet, so nothing can be given back.
        refund: (id) => billing.subscriptions.refund(id, { cycle: 1 }),
      };
      await billing.coupons.create(catalogCoupon);
      for (const [operation, answer] of Object.entries(expected)) {
        const id = `il-${n + 1}`;
        const capture = held.hold(`${id}:capture`);
        await subscribe();
        await capture.reached;
        const result = await defined(
          operations[operation],
          `the operation ${operation}`,
        )(id).then(
          () => true as const,
          (error: Error) => error.message,
        );
        if (answer === true) expect({ operation, result }).toEqual({ operation, result: true });
        else expect({ operation, result }).toEqual({ operation, result: stringContaining(answer) });
        capture.open();
        await env.sleep('1 hour');
        const view = await billing.subscriptions.get(id);
        expect({
          operation,
          invoices: (await billing.subscriptions.invoices(id)).invoices.map((i) => i.status),
        }).toEqual({ operation, invoices: ['paid'] });
        if (operation === 'cancelAtPeriodEnd') expect(view.cancelAtPeriodEnd).toBe(true);
        if (operation === 'changePlan') expect(view.pendingPlanId).toBe('platinum');
        if (operation.startsWith('changePlanProrated'))
          expect({ operation, view }).toMatchObject({ operation, view: { planId: 'gold' } });
        if (operation.endsWith('Coupon'))
          expect({ operation, view }).toMatchObject({ operation, view: { coupon: {} } });
        // The charge in flight keeps its amount: a coupon applies to the invoices after it.
        expect({ operation, charged: chargesOf(id).map((c) => c.amountCents) }).toEqual({ operation, charged: [5990] });
        if (operation === 'changePaymentMethod') expect(view.paymentMethod).toMatchObject({ cardId: 'card-9' });
        if (operation === 'linkExternalPayment') {
          const pushed = (await (
            await fetch(`${sandbox.url}/payment-status/__control/payments/${payment.paymentId}`)
          ).json()) as { updates: Array<{ status: string }> };
          expect(pushed.updates.map((u) => u.status)).toContain('paid');
        }
      }
    });
  });

  describe('an operation in the first workflow task of a run (right after continue-as-new)', () => {
    /** The state a run carries into its successor: one cycle paid, or one failed and retried. */
    const carriedState = async (
      id: string,
      failed: boolean,
    ): Promise<{ subscription: unknown; state: SubscriptionState }> => {
      const date = await today();
      const subscription = createSubscriptionInputSchema.parse({
        subscriptionId: id,
        customerId: 'acme',
        plan,
        paymentMethod: card,
      });
      let state = initialState(subscription, date);
      state = apply(state, { type: 'chargeStarted', cycle: 1 }, date).state;
      state = apply(
        state,
        {
          type: 'chargeSettled',
          cycle: 1,
          outcome: failed
            ? { status: 'soft_declined', reference: `${id}-1-1`, declineCode: '51', providerIds: {} }
            : paid(`${id}-1-1`),
        },
        date,
      ).state;
      return { subscription, state };
    };
    const withStart = (id: string, input: unknown) =>
      new WithStartWorkflowOperation('subscriptionWorkflow', {
        workflowId: `subscription-${id}`,
        taskQueue: billing.taskQueue,
        args: [input],
        workflowIdConflictPolicy: WorkflowIdConflictPolicy.FAIL,
      });
    const client = () => env.client;
    const pending = new Map<string, unknown>();

    /**
     * Each case: its name, whether the carried cycle failed, the update, what its answer shows, and
     * what the run shows an hour later (the same, unless given).
     */
    type Shown = Record<string, unknown>;
    /** The update sent with the start of the run that carries the state (update-with-start). */
    const sent =
      (update: UpdateDefinition<SubscriptionView, [unknown?]>, arg?: unknown) =>
      (id: string): Promise<SubscriptionView> =>
        client().workflow.executeUpdateWithStart(update, {
          args: arg === undefined ? [] : [arg],
          startWorkflowOperation: withStart(id, pending.get(id)),
        } as never);
    const cases: Array<[string, boolean, (id: string) => Promise<unknown>, Shown, Shown?]> = [
      ['cancel now', false, sent(defs.cancelUpdate, { atPeriodEnd: false }), { status: 'canceled' }],
      [
        'cancel at period end',
        false,
        sent(defs.cancelUpdate, { atPeriodEnd: true }),
        { status: 'active', cancelAtPeriodEnd: true },
      ],
      ['suspend', false, sent(defs.suspendUpdate), { status: 'suspended' }],
      ['skip the next retry', true, sent(defs.skipNextRetryUpdate), { status: 'past_due' }],
      [
        'retry now',
        true,
        sent(defs.retryNowUpdate),
        { status: 'past_due' },
        // The retry sent at once was paid.
        { status: 'active' },
      ],
      [
        'change the payment method',
        true,
        sent(defs.changePaymentMethodUpdate, { paymentMethod: card }),
        { paymentMethod: { type: 'zspay_card', cardId: 'card-1' } },
      ],
      [
        'apply a coupon',
        false,
        sent(defs.applyCouponUpdate, { coupon: tenPercentOff }),
        { coupon: { code: 'WELCOME10', cyclesLeft: 2 } },
      ],
      [
        'change the plan, prorated on the next invoice',
        false,
        sent(
          defs.changePlanUpdate,
          changePlanArgsSchema.parse({
            plan: { ...plan, planId: 'platinum', amountCents: 9990 },
            proration: 'next_invoice',
          }),
        ),
        { planId: 'platinum', nextInvoiceAdjustmentCents: expect.any(Number) },
      ],
      ['extend grace', true, sent(defs.extendGraceUpdate, { days: 2 }), { status: 'past_due' }],
    ];

    it.each(cases)(
      '%s is answered in the run’s first workflow task',
      async (_name, failed, send, shown, after = shown) => {
        const id = `il-${++n}`;
        pending.set(id, await carriedState(id, failed));
        const view = (await send(id)) as SubscriptionView;
        expect(view).toMatchObject({ subscriptionId: id, ...shown });
        await env.sleep('1 hour');
        // What the update answered is what the run keeps.
        expect(await billing.subscriptions.get(id)).toMatchObject(after);
      },
    );

    it('a refund in the run’s first workflow task is recorded at once and sent once', async () => {
      const id = `il-${++n}`;
      pending.set(id, await carriedState(id, false));
      const view = await sent(defs.refundUpdate, { cycle: 1 })(id);
      expect(view.subscriptionId).toBe(id);
      await env.sleep('1 hour');
      const { invoices } = await billing.subscriptions.invoices(id);
      expect(invoices.find((i) => i.cycle === 1)).toMatchObject({ status: 'refunded' });
      expect(refunded.filter((sale) => sale === `sale-${id}-1-1`)).toHaveLength(1);
      await expect(billing.subscriptions.refund(id, { cycle: 1 })).rejects.toThrow('already refunded');
    });

    it('a plan change prorated now in the run’s first workflow task charges the difference once, at once', async () => {
      const id = `il-${++n}`;
      pending.set(id, await carriedState(id, false));
      const view = await sent(
        defs.changePlanUpdate,
        changePlanArgsSchema.parse({ plan: { ...plan, planId: 'platinum', amountCents: 9990 }, proration: 'now' }),
      )(id);
      expect(view).toMatchObject({ subscriptionId: id, planId: 'platinum' });
      await env.sleep('1 hour');
      const { invoices } = await billing.subscriptions.invoices(id);
      const proration = invoices.filter((i) => i.kind === 'proration');
      expect(proration).toEqual([expect.objectContaining({ status: 'paid' })]);
      expect(chargesOf(id).map((c) => c.amountCents)).toEqual([proration[0]!.amountCents]);
    });

    it('takes over a run of the release before the state machine: its carried state is upgraded and billing goes on', async () => {
      // The input a v1 run handed to its continue-as-new, as recorded in its history.
      const history = JSON.parse(
        readFileSync(path.join(HISTORIES_DIR, 'subscription-year-continued-as-new.v1.json'), 'utf8'),
      ) as {
        events: Array<{ workflowExecutionStartedEventAttributes?: { input?: { payloads?: Array<{ data: string }> } } }>;
      };
      const carried = JSON.parse(
        Buffer.from(
          defined(
            history.events[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0],
            'the input of the v1 run',
          ).data,
          'base64',
        ).toString('utf8'),
      ) as { subscription: { subscriptionId: string }; state: { nextCycle: number } };
      expect(carried.state).not.toHaveProperty('format');
      const id = carried.subscription.subscriptionId;
      const view = await client().workflow.executeUpdateWithStart(defs.suspendUpdate, {
        startWorkflowOperation: withStart(id, carried),
      });
      expect(view).toMatchObject({ status: 'suspended', delivery: { pending: 0, failing: 0, givenUp: 0 } });
      const { nextChargeDate } = await billing.subscriptions.reactivate(id);
      expect(nextChargeDate! > (await today())).toBe(true);
      await env.sleep(Date.parse(`${nextChargeDate}T12:00:00Z`) - (await env.currentTimeMs()));
      const { invoices } = await billing.subscriptions.invoices(id);
      expect(invoices.filter((i) => i.status === 'paid' && i.dueDate === nextChargeDate)).toHaveLength(1);
      expect(chargesOf(id)).toHaveLength(1);
    });

    it('keeps every update sent while a daily subscription continues as new every cycle', async () => {
      const id = await subscribe({
        plan: { ...plan, recurrence: { kind: 'calendar', frequency: 'daily', interval: 1 } },
      });
      const failures: string[] = [];
      const rounds = Array.from({ length: 12 }, (_, i) =>
        new Promise((resolve) => setTimeout(resolve, i * 15)).then(() =>
          billing.subscriptions
            .linkExternalPayment(id, { cycle: 3 + i, payment })
            .catch((error: Error) => failures.push(error.message)),
        ),
      );
      await Promise.all([env.sleep('6 days'), ...rounds]);
      expect(failures).toEqual([]);
      const description = await env.client.workflow.getHandle(`subscription-${id}`).describe();
      expect(description.runId).not.toBe(description.raw.workflowExecutionInfo?.firstRunId);
    });
  });

  describe('an invoice paid twice', () => {
    it('a late payment of an expired boleto and of its retry: the invoice is paid once, stays paid, and the merchant is told of the second payment', async () => {
      const id = await subscribe({
        paymentMethod: { type: 'zspay_boleto', zspayClientId: 'cli-1' },
        plan: { ...plan, attempts: 0 },
      });
      // The boleto expires unpaid: blocked. An operator's retry issues a second boleto.
      await env.sleep('10 days');
      expect(await billing.subscriptions.get(id)).toMatchObject({ status: 'blocked' });
      await billing.subscriptions.retryNow(id);
      await env.sleep('1 hour');
      expect(chargesOf(id).map((c) => c.reference)).toEqual([`${id}-1-1`, `${id}-1-2`]);
      // The customer pays the expired boleto late, then the new one as well.
      charges.markPaid(`sale-${id}-1-1`);
      await billing.subscriptions.paymentReceived(id, { saleId: `sale-${id}-1-1` });
      await env.sleep('1 hour');
      expect(await billing.subscriptions.get(id)).toMatchObject({ status: 'active' });
      charges.markPaid(`sale-${id}-1-2`);
      await billing.subscriptions.paymentReceived(id, { saleId: `sale-${id}-1-2` });
      await billing.subscriptions.paymentReceived(id, { saleId: `sale-${id}-1-2` });
      await env.sleep('10 days');
      const { invoices, summary } = await billing.subscriptions.invoices(id);
      expect(invoices.find((i) => i.cycle === 1)).toMatchObject({ status: 'paid' });
      expect(summary.paidCount).toBe(invoices.filter((i) => i.status === 'paid').length);
      expect(await billing.subscriptions.get(id)).toMatchObject({ status: 'active' });
      const duplicates = (await notifications(id)).filter((x) => x.type === 'payment.duplicate');
      expect(duplicates.map((x) => x.data)).toEqual([expect.objectContaining({ cycle: 1, saleId: `sale-${id}-1-2` })]);
    });
  });

  /**
   * Cancels a provider-billed subscription while its create activity is held at the provider's
   * registration instant (at once, or after local midnight), then lets the create finish.
   */
  const cancelWhileTheProviderCreatesIt = async (id: string, creating: ReturnType<typeof held.hold>) => {
    const registered = env.sleep(
      adiqRegistration(undefined, await env.currentTimeMs(), TZ).atMs - (await env.currentTimeMs()) + 60_000,
    );
    await creating.reached;
    expect((await billing.subscriptions.cancel(id, { atPeriodEnd: false })).status).toBe('canceled');
    creating.open();
    await registered;
    await env.sleep('1 hour');
  };

  describe('a Zspay-billed subscription while Zspay creates it', () => {
    it('a cancel while the subscription is being created at Zspay removes it there once it exists: Zspay never bills a canceled subscription', async () => {
      const id = `il-${++n}`;
      const email = `${id}@example.com`;
      const creating = held.hold(`zspay:${email}`);
      await billing.subscriptions.create({
        subscriptionId: id,
        customerId: 'acme',
        plan: { ...plan, chargeHourLocal: 8 },
        paymentMethod: {
          type: 'zspay_subscription',
          customer: { name: 'João Paulo', email, document: '41372222222' },
          address: { street: 'Rua Leoneta', number: '123', zipCode: '03380235', city: 'São Paulo', state: 'SP' },
        },
        merchant: { callbackUrl: `${sandbox.url}/merchant/il`, secretRef: TEST_MERCHANT_SECRET.ref },
      });
      await cancelWhileTheProviderCreatesIt(id, creating);
      const zspayId = defined(zspaySubscriptions.get(email), 'the subscription Zspay created');
      const removals = await sandbox.control.requests({ operation: 'zspay.plan.delete' });
      expect(removals.filter((r) => r.path.endsWith(`/planos/${zspayId}`))).toHaveLength(1);
      // Zspay bills it no more.
      const bill = await fetch(`${sandbox.url}/zspay/__control/subscriptions/${zspayId}/bill`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ paid: true }),
      });
      expect(bill.status).toBe(409);
      expect((await billing.subscriptions.get(id)).status).toBe('canceled');
    });
  });

  describe('an Adiq-billed subscription while Adiq creates it', () => {
    it('a cancel while the subscription is being created at Adiq cancels it there once it exists', async () => {
      const id = `il-${++n}`;
      const creating = held.hold(`adiq:${id}`);
      await billing.subscriptions.create({
        subscriptionId: id,
        customerId: 'acme',
        plan: {
          planId: `news-${id}`,
          amountCents: 599,
          recurrence: { kind: 'adiq', planType: 'Monthly' },
          attempts: 3,
          chargeHourLocal: 8,
        },
        paymentMethod: { type: 'adiq_vault', vaultId: 'e7fa5a01-90a9-4abc-9bac-d9dbfa7db587' },
        merchant: { callbackUrl: `${sandbox.url}/merchant/il`, secretRef: TEST_MERCHANT_SECRET.ref },
      });
      await cancelWhileTheProviderCreatesIt(id, creating);
      const adiqId = defined(adiqSubscriptions.get(id), 'the subscription Adiq created');
      const canceled = (await sandbox.control.requests({ operation: 'adiq.subscription.status' })).filter(
        (r) => r.path.includes(adiqId) && (r.body as { status?: string } | undefined)?.status === 'Canceled',
      );
      expect(canceled).toHaveLength(1);
      expect((await billing.subscriptions.get(id)).status).toBe('canceled');
    });
  });

  describe('side effects that fail never hold up billing', () => {
    it('charges every daily cycle and continues as new while the merchant is down; the failure is visible; the notifications arrive in order once it is back', async () => {
      await sandbox.control.failMerchantCallbacks(Array<number>(40).fill(503), '/merchant/down');
      const id = await subscribe({
        plan: { ...plan, recurrence: { kind: 'calendar', frequency: 'daily', interval: 1 } },
        merchant: { callbackUrl: `${sandbox.url}/merchant/down`, secretRef: TEST_MERCHANT_SECRET.ref },
      });
      await env.sleep('30 minutes');
      const handle = env.client.workflow.getHandle(`subscription-${id}`);
      const view = await billing.subscriptions.get(id);
      expect(view.delivery.failing).toBeGreaterThan(0);
      expect(view.delivery.lastError).toContain('503');
      expect(view.summary).toContain('failing');
      expect((await handle.describe()).typedSearchAttributes.get(BillingDeliveryFailing)).toBe(true);
      await env.sleep('3 days');
      expect(chargesOf(id).length).toBeGreaterThanOrEqual(3);
      const description = await handle.describe();
      expect(description.runId).not.toBe(description.raw.workflowExecutionInfo?.firstRunId);
      // An operation still answers at once while notifications fail.
      expect((await billing.subscriptions.suspend(id)).status).toBe('suspended');
      await env.sleep('2 days');
      const sent = await notifications(id);
      expect(sent.map((x) => x.sequence)).toEqual(sent.map((_, i) => i + 1));
      expect(sent.filter((x) => x.type === 'payment.succeeded').length).toBe(chargesOf(id).length);
      expect((await billing.subscriptions.get(id)).delivery).toMatchObject({ pending: 0, failing: 0, givenUp: 0 });
      expect((await handle.describe()).typedSearchAttributes.get(BillingDeliveryFailing)).toBeUndefined();
    });

    it('gives a notification up after three days, says so, and keeps billing', async () => {
      await sandbox.control.failMerchantCallbacks(Array<number>(200).fill(500), '/merchant/gone');
      const id = await subscribe({
        merchant: { callbackUrl: `${sandbox.url}/merchant/gone`, secretRef: TEST_MERCHANT_SECRET.ref },
      });
      await env.sleep('4 days');
      const view = await billing.subscriptions.get(id);
      expect(view.delivery.givenUp).toBeGreaterThan(0);
      expect(view.status).toBe('active');
      expect(
        (await env.client.workflow.getHandle(`subscription-${id}`).describe()).typedSearchAttributes.get(
          BillingDeliveryFailing,
        ),
      ).toBe(true);
    });
  });

  describe('what is refused at create', () => {
    it('refuses a merchant secret reference the worker does not hold, naming the field, and lets a fixed create through', async () => {
      const id = `il-${++n}`;
      const error = await billing.subscriptions
        .create({
          subscriptionId: id,
          customerId: 'acme',
          plan,
          paymentMethod: card,
          merchant: { callbackUrl: `${sandbox.url}/merchant/x`, secretRef: 'nobody-configured-this' },
        })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).issues).toEqual([
        { field: 'merchant.secretRef', message: stringContaining('nobody-configured-this') },
      ]);
      await billing.subscriptions.create({
        subscriptionId: id,
        customerId: 'acme',
        plan,
        paymentMethod: card,
        merchant: { callbackUrl: `${sandbox.url}/merchant/x`, secretRef: TEST_MERCHANT_SECRET.ref },
      });
      expect((await billing.subscriptions.get(id)).status).toBe('active');
    });

    it('refuses a start date more than a year ahead of the workflow clock', async () => {
      const error = await billing.subscriptions
        .create({ subscriptionId: `il-${++n}`, customerId: 'acme', plan, paymentMethod: card, startDate: '9999-12-31' })
        .catch((e: unknown) => e);
      expect((error as ValidationError).issues).toEqual([
        { field: 'startDate', message: stringContaining('at most 366 days ahead') },
      ]);
    });

    it('bills a start date far in the past once, for the current cycle only', async () => {
      const id = await subscribe({ startDate: '2000-01-01', plan: { ...plan, chargeHourLocal: 0 } });
      await env.sleep('2 days');
      expect(chargesOf(id)).toHaveLength(1);
      const view = await billing.subscriptions.get(id);
      expect(view.status).toBe('active');
      expect(view.nextChargeDate! > (await today())).toBe(true);
    });
  });
});
