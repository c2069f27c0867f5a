import { WithStartWorkflowOperation, WorkflowIdConflictPolicy } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { RejectedError, type BillingClient } from '../../client';
import { zspayInvoiceUpdateOf } from '../../client/webhooks';
import { SANDBOX_CREDENTIALS } from '../../common/sandbox-credentials';
import type { Invoice } from '../../common/subscription/model';
import { localDateOf } from '../../common/billing/calendar';
import type { MerchantNotification } from '../../common/merchant-notification';
import type { EngineActivities } from '../../activities';
import { adiqRegistration } from '../../common/subscription/adiq-managed';
import { TEST_MERCHANT_SECRET, sandboxActivities } from '../helpers/engine';
import type { RunningSandbox } from '../helpers/sandbox';
import { startWorkflowTestEnv, type WorkflowTestEnv } from '../helpers/workflow-env';
import { stringContaining } from '../helpers/matchers';
import { eventually } from '../helpers/eventually';
import type { BillingRunSummary } from '../../common/billing-run';
import { recordHistory } from '../helpers/histories';
import { defined } from '../helpers/defined';
import { refundUpdate } from '../../workflows/subscription-definitions';

const TZ = 'America/Sao_Paulo';

describe('subscriptions billed by Zspay (provider-managed mode, time-skipping server)', () => {
  let env: TestWorkflowEnvironment;
  let sandbox: RunningSandbox;
  let billing: BillingClient;
  let testEnv: WorkflowTestEnv;
  let n = 0;
  /** The next subscription create, or invoice refund, loses its answer after Zspay did it. */
  const lose = { create: false, refund: false };
  let real: EngineActivities;
  const losingAnswer =
    <A, R>(which: keyof typeof lose, activity: () => (input: A) => Promise<R>) =>
    async (input: A): Promise<R> => {
      const result = await activity()(input);
      if (lose[which]) {
        lose[which] = false;
        throw new Error('socket hang up (the answer was lost)');
      }
      return result;
    };
  let zspayBilled: Array<{ subscriptionId: string; zspaySubscriptionId: string }> = [];

  beforeAll(async () => {
    testEnv = await startWorkflowTestEnv({
      // The time-skipping server has no visibility to list from: the billing run's listings are given.
      listZspayBilledSubscriptions: () => Promise.resolve(zspayBilled),
      listSubscriptionsAwaitingPayment: () => Promise.resolve([]),
      listSubscriptionsToTally: () => Promise.resolve([]),
      summarizeEngine: () => Promise.resolve({ byStatus: {}, mrrCents: 0, transfers: {} }),
      createZspaySubscription: losingAnswer('create', () => real.createZspaySubscription),
      refundZspayInvoice: losingAnswer('refund', () => real.refundZspayInvoice),
      // No visibility to read payouts from: none was sent since the payment.
      transfersSincePayment: () => Promise.resolve([]),
    });
    ({ env, sandbox, billing } = testEnv);
    real = sandboxActivities(sandbox.url, env.client);
  });
  afterAll(() => testEnv?.teardown());

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
  const requests = async (operation: string) => (await sandbox.control.requests({ operation })).length;

  async function subscribe() {
    const id = `zspay-sub-${++n}`;
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
        planId: `gym-${n}`,
        amountCents: 9990,
        recurrence: { kind: 'calendar', frequency: 'monthly', interval: 1 },
        attempts: 3,
        chargeHourLocal: 8,
      },
      paymentMethod: {
        type: 'zspay_subscription',
        customer: { name: 'João Paulo', email: 'joao@example.com', document: '41372222222' },
        address: { street: 'Rua Leoneta', number: '123', zipCode: '03380235', city: 'São Paulo', state: 'SP' },
      },
      merchant: { callbackUrl: `${sandbox.url}/merchant/zspay`, secretRef: TEST_MERCHANT_SECRET.ref },
      partner: { zapsignClientRef: clientRef },
    });
    await env.sleep(
      adiqRegistration(undefined, await env.currentTimeMs(), TZ).atMs - (await env.currentTimeMs()) + 60_000,
    );
    return { id, clientRef };
  }

  const zspaySubscriptionOf = async (id: string): Promise<string> => {
    const desc = await env.client.workflow.getHandle(`subscription-${id}`).describe();
    const value = desc.typedSearchAttributes.get({ name: 'BillingProviderSubscriptionId', type: 'KEYWORD' } as never);
    return String(value);
  };
  const bill = async (zspayId: string, paid: boolean) => {
    const date = localDateOf(await env.currentTimeMs(), TZ);
    const response = await fetch(`${sandbox.url}/zspay/__control/subscriptions/${zspayId}/bill`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ paid, date }),
    });
    expect(response.status).toBe(200);
    return (await response.json()) as {
      id: number;
      status: string;
      retries: number;
      max_retries: number;
      amount: string;
    };
  };
  const webhookOf = (invoice: {
    id: number;
    retries: number;
    max_retries: number;
    amount: string;
    status: string;
  }) => ({
    invoiceId: String(invoice.id),
    outcome: invoice.status === 'paid' ? ('paid' as const) : ('failed' as const),
    retries: invoice.retries,
    maxRetries: invoice.max_retries,
    amountCents: Number(invoice.amount),
    providerStatus: invoice.status,
    source: 'webhook' as const,
  });

  // The sandbox dates Zspay's invoices by the real clock while the server's runs ahead (a month at
  // the month-end clock): the run must still signal the newest invoice (it once dropped it as older
  // than its 40-day window, and the test passed only when the subscription's own read came first).
  it('the billing run reads Zspay-billed invoices and signals what the webhooks missed', async () => {
    const { id, clientRef } = await subscribe();
    const zspayId = await zspaySubscriptionOf(id);
    // The failures arrive only through the run: the third exhausts Zspay's retries.
    await env.sleep('31 days');
    for (let attempt = 1; attempt <= 3; attempt++) await bill(zspayId, false);
    zspayBilled = [{ subscriptionId: id, zspaySubscriptionId: zspayId }];
    const summary = (await env.client.workflow.execute('billingRunWorkflow', {
      workflowId: `billing-run-zspay-${id}`,
      taskQueue: billing.taskQueue,
      args: [{}],
    })) as BillingRunSummary;
    expect(summary).toMatchObject({ zspayBilledChecked: 1, itemsFailed: 0 });
    // The signals are handled by the subscription's next workflow tasks (then a read of the invoice list).
    // Polled in real time: on a loaded machine ten skipped minutes can pass before those tasks run.
    const handled = await eventually(
      () => billing.subscriptions.get(id),
      (view) => view.status === 'blocked',
    );
    expect(handled).toMatchObject({ status: 'blocked' });
    await env.sleep('1 hour');
    expect(await billing.subscriptions.get(id)).toMatchObject({ partnerStatus: 'inadimplente' });
    expect(await zapsign(clientRef)).toEqual(['inadimplente']);
    // A second run changes nothing: the subscription acted on each outcome once.
    await env.client.workflow.execute('billingRunWorkflow', {
      workflowId: `billing-run-zspay-${id}-again`,
      taskQueue: billing.taskQueue,
      args: [{}],
    });
    await env.sleep('1 minute');
    expect((await billing.subscriptions.get(id)).summary).toEqual(stringContaining('blocked'));
    zspayBilled = [];
  });

  it('creates the plan and subscription once though the create answer is lost; invoices paid and failed via webhooks; blocked once retries are exhausted', async () => {
    const before = {
      subscriptions: await requests('zspay.subscription.create'),
      plans: await requests('zspay.plan.create'),
    };
    lose.create = true;
    const { id, clientRef } = await subscribe();
    expect(lose.create).toBe(false);
    expect(await requests('zspay.subscription.create')).toBe(before.subscriptions + 1);
    expect(await requests('zspay.plan.create')).toBe(before.plans + 1);
    const zspayId = await zspaySubscriptionOf(id);
    expect(await billing.subscriptions.get(id)).toMatchObject({
      status: 'active',
      summary: stringContaining('billed by Zspay'),
    });

    const paid = await bill(zspayId, true);
    await billing.subscriptions.zspayInvoice(id, webhookOf(paid));
    await billing.subscriptions.zspayInvoice(id, webhookOf(paid)); // redelivered: one effect
    await env.sleep('1 hour');
    expect(await billing.subscriptions.get(id)).toMatchObject({ status: 'active' });

    // Next month: Zspay fails three times; each failure reported once, then blocked.
    await env.sleep('31 days');
    for (let attempt = 1; attempt <= 3; attempt++) {
      const failed = await bill(zspayId, false);
      await billing.subscriptions.zspayInvoice(id, webhookOf(failed));
      await env.sleep('1 hour');
      expect(await billing.subscriptions.get(id)).toMatchObject({ status: attempt < 3 ? 'past_due' : 'blocked' });
    }
    expect(await zapsign(clientRef)).toEqual(['inadimplente']);
    expect(await notifications(id)).toEqual([
      'payment.succeeded',
      'payment.failed',
      'payment.failed',
      'payment.failed',
      'subscription.blocked',
    ]);
    // A paid notice the invoice list contradicts is ignored and counted.
    await billing.subscriptions.zspayInvoice(id, { ...webhookOf(paid), invoiceId: '999999' });
    await env.sleep('1 hour');
    expect(await billing.subscriptions.get(id)).toMatchObject({ status: 'blocked', ignoredPaymentNotices: 1 });
    await recordHistory(env.client.workflow.getHandle(`subscription-${id}`), 'zspay-subscription-blocked');
  });

  it('reconciles missed webhooks with the daily invoice read: paid, then a failure', async () => {
    const { id } = await subscribe();
    const zspayId = await zspaySubscriptionOf(id);
    await bill(zspayId, true);
    await env.sleep('1 day');
    expect((await billing.subscriptions.invoices(id)).invoices).toEqual([
      expect.objectContaining({ status: 'paid', amountCents: 9990 }),
    ]);
    await env.sleep('31 days');
    await bill(zspayId, false);
    await env.sleep('1 day');
    expect(await billing.subscriptions.get(id)).toMatchObject({ status: 'past_due' });
    expect(await notifications(id)).toEqual(['payment.succeeded', 'payment.failed']);
  });

  it('sends cancel and suspend to Zspay once; refuses what Zspay cannot do', async () => {
    const { id } = await subscribe();
    const zspayId = await zspaySubscriptionOf(id);
    await expect(billing.subscriptions.changeNextChargeDate(id, { date: '2099-01-01' })).rejects.toThrow(/Zspay/);
    await expect(billing.subscriptions.cancel(id, { atPeriodEnd: true })).rejects.toThrow(/immediate removal/);
    await billing.subscriptions.suspend(id);
    await env.sleep('1 minute');
    await billing.subscriptions.reactivate(id);
    await env.sleep('1 minute');
    await billing.subscriptions.cancel(id, { atPeriodEnd: false });
    await env.sleep('1 minute');
    const ops = async (operation: string) =>
      (await sandbox.control.requests({ operation })).filter((r) => r.body && JSON.stringify(r.body).includes(zspayId))
        .length;
    expect(await ops('zspay.subscription.suspend')).toBe(1);
    expect(await ops('zspay.subscription.reactivate')).toBe(1);
    const sub = (await (
      await fetch(`${sandbox.url}/zspay/planos/assinatura/${zspayId}`, {
        headers: { Authorization: 'Bearer sandbox-zspay-token' },
      })
    ).json()) as { data: { status_assinatura_id: number } };
    expect(sub.data.status_assinatura_id).toBe(2);
    expect(await billing.subscriptions.get(id)).toMatchObject({ status: 'canceled' });
  });

  describe('refunds of its invoices ("Estornar uma fatura")', () => {
    const invoiceOf = async (id: string, cycle = 1): Promise<Invoice | undefined> =>
      (await billing.subscriptions.invoices(id)).invoices.find((i) => i.cycle === cycle);
    const told = async (id: string) =>
      (await sandbox.control.merchantCallbacks())
        .filter((c) => c.status === 200)
        .map((c) => JSON.parse(c.rawBody) as MerchantNotification)
        .filter((x) => x.subscriptionId === id && x.type === 'payment.refunded');
    const refundsSent = async (zspayId: string) =>
      (await sandbox.control.requests({ operation: 'zspay.invoice.refund' })).filter(
        (r) => r.direction === 'incoming' && r.path.includes(`/assinatura/${zspayId}/`),
      ).length;
    /** The Zspay invoice list, as the document's "Recuperar pagamentos de uma assinatura" answers it. */
    const faturas = async (zspayId: string) =>
      (
        (await (
          await fetch(`${sandbox.url}/zspay/planos/assinatura/${zspayId}/faturas`, {
            headers: { Authorization: `Bearer ${SANDBOX_CREDENTIALS.zspay.token}` },
          })
        ).json()) as { faturas: Array<{ id: number; status: string; paid_at: string | null }> }
      ).faturas;

    /** A Zspay-billed subscription whose first invoice Zspay collected (its webhook confirmed by the list). */
    async function paidSubscription() {
      const { id } = await subscribe();
      const zspayId = await zspaySubscriptionOf(id);
      const paid = await bill(zspayId, true);
      await billing.subscriptions.zspayInvoice(id, webhookOf(paid));
      const invoice = await eventually(
        () => invoiceOf(id),
        (i) => i?.status === 'paid',
      );
      expect(invoice?.status).toBe('paid');
      return { id, zspayId, invoiceId: String(paid.id) };
    }

    it('a refund in the first workflow task of a run (right after continue-as-new) is recorded at once and sent once', async () => {
      const { id, zspayId } = await paidSubscription();
      // The state the run hands to its successor: the input of the current run (a paid cycle continues as new).
      const handle = env.client.workflow.getHandle(`subscription-${id}`);
      const described = await handle.describe();
      expect(described.runId).not.toBe(described.raw.workflowExecutionInfo?.firstRunId);
      const { events } = await handle.fetchHistory();
      const payload = defined(
        events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0],
        'the input of the current run',
      );
      const carried = env.client.options.loadedDataConverter.payloadConverter.fromPayload<unknown>(payload);
      await handle.terminate('replaced by a run that gets the refund in its first workflow task');
      const view = await env.client.workflow.executeUpdateWithStart(refundUpdate, {
        args: [{ cycle: 1 }],
        startWorkflowOperation: new WithStartWorkflowOperation('zspaySubscriptionWorkflow', {
          workflowId: `subscription-${id}`,
          taskQueue: billing.taskQueue,
          args: [carried],
          workflowIdConflictPolicy: WorkflowIdConflictPolicy.FAIL,
        }),
      });
      expect(view).toMatchObject({ subscriptionId: id, status: 'active' });
      const refunded = await eventually(
        () => invoiceOf(id),
        (i) => i?.status === 'refunded',
      );
      expect(refunded).toMatchObject({ status: 'refunded', refund: { status: 'refunded', source: 'engine' } });
      expect(await refundsSent(zspayId)).toBe(1);
    });

    it('refunds a paid invoice once through the typed client, though the first answer is lost; a second refund is refused', async () => {
      const { id, zspayId, invoiceId } = await paidSubscription();
      // Only in full: the document's refund takes no amount.
      await expect(billing.subscriptions.refund(id, { cycle: 1, amountCents: 1000 })).rejects.toThrow(
        new RejectedError(
          'amountCents must be the invoice’s full amount (or left out): Zspay refunds an invoice only in full',
        ),
      );
      expect(await refundsSent(zspayId)).toBe(0);

      lose.refund = true;
      const view = await billing.subscriptions.refund(id, { cycle: 1, amountCents: 9990, reason: 'customer asked' });
      expect(view.status).toBe('active');
      const refunded = await eventually(
        () => invoiceOf(id),
        (i) => i?.status === 'refunded',
      );
      expect(lose.refund).toBe(false);
      expect(refunded).toMatchObject({
        status: 'refunded',
        refund: { status: 'refunded', reference: `${id}-1-refund`, amountCents: 9990, source: 'engine' },
      });
      // Sent once: the retry read the invoice list (void, paid_at kept) and sent nothing.
      expect(await refundsSent(zspayId)).toBe(1);
      expect(await faturas(zspayId)).toEqual([
        expect.objectContaining({ id: Number(invoiceId), status: 'void', paid_at: expect.any(String) as string }),
      ]);
      const notices = await eventually(
        () => told(id),
        (sent) => sent.length > 0,
      );
      expect(notices).toHaveLength(1);
      expect(notices[0]!.data).toMatchObject({
        cycle: 1,
        amountCents: 9990,
        zspayInvoiceId: invoiceId,
        source: 'engine',
        reason: 'customer asked',
        payout: { transfersSincePayment: [] },
      });

      // Zspay's own "refunded" webhook for it, confirmed by the list: nothing more happens.
      await billing.subscriptions.zspayInvoice(id, { invoiceId, outcome: 'refunded', source: 'webhook' });
      await env.sleep('1 hour');
      await expect(billing.subscriptions.refund(id, { cycle: 1 })).rejects.toThrow(
        new RejectedError('the invoice is already refunded'),
      );
      expect(await refundsSent(zspayId)).toBe(1);
      expect(await told(id)).toHaveLength(1);
      expect(await billing.subscriptions.get(id)).toMatchObject({ status: 'active', ignoredPaymentNotices: 0 });
      await recordHistory(env.client.workflow.getHandle(`subscription-${id}`), 'zspay-subscription-refunded');
    });

    it('a refund made at Zspay counts once its invoice list confirms the webhook, or the daily look finds it', async () => {
      const { id, zspayId, invoiceId } = await paidSubscription();
      const refundedWebhook = (data: object) =>
        zspayInvoiceUpdateOf(
          { ...data, id: Number(invoiceId), assinatura_id: zspayId, amount: '9990', status: 'void' },
          'refunded',
        );
      // A "refunded" webhook the list does not back (the invoice is still paid): ignored, counted.
      await billing.subscriptions.zspayInvoice(id, refundedWebhook({}));
      const ignored = await eventually(
        () => billing.subscriptions.get(id),
        (v) => v.ignoredPaymentNotices === 1,
      );
      expect(ignored.ignoredPaymentNotices).toBe(1);
      expect((await invoiceOf(id))?.status).toBe('paid');

      // The merchant refunds the invoice in Zspay's own tools; its webhook arrives twice.
      const response = await fetch(`${sandbox.url}/zspay/planos/assinatura/${zspayId}/faturas`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${SANDBOX_CREDENTIALS.zspay.token}` },
        body: JSON.stringify({ id: Number(invoiceId) }),
      });
      expect(response.status).toBe(200);
      await billing.subscriptions.zspayInvoice(id, refundedWebhook({}));
      await billing.subscriptions.zspayInvoice(id, refundedWebhook({}));
      const refunded = await eventually(
        () => invoiceOf(id),
        (i) => i?.status === 'refunded',
      );
      expect(refunded?.refund).toMatchObject({ status: 'refunded', source: 'provider', amountCents: 9990 });
      const notices = await eventually(
        () => told(id),
        (sent) => sent.length > 0,
      );
      await env.sleep('1 day');
      expect(await told(id)).toHaveLength(1);
      expect(notices[0]!.data).toMatchObject({ zspayInvoiceId: invoiceId, source: 'provider' });
      expect(await refundsSent(zspayId)).toBe(1);
      expect((await billing.subscriptions.get(id)).ignoredPaymentNotices).toBe(1);

      // Another subscription: refunded at Zspay, its webhook lost: the daily look finds it.
      const other = await paidSubscription();
      await fetch(`${sandbox.url}/zspay/planos/assinatura/${other.zspayId}/faturas`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${SANDBOX_CREDENTIALS.zspay.token}` },
        body: JSON.stringify({ id: Number(other.invoiceId) }),
      });
      await env.sleep('1 day');
      expect((await invoiceOf(other.id))?.refund).toMatchObject({ status: 'refunded', source: 'provider' });
      expect(await told(other.id)).toHaveLength(1);
    });
  });
});
