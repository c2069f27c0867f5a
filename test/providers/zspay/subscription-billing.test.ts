/**
 * Zspay-billed subscriptions against the sandbox: the activities that create the plan and the
 * subscription exactly once (looked up first, also after a lost answer), and the sandbox's
 * scheduler (POST /zspay/__control/subscriptions/:id/bill) against the document: the invoice list
 * and the invoice webhooks shaped like its examples ("Recuperar pagamentos de uma assinatura",
 * webhooks invoice created / paid / overdue), `retries` up to `max_retries`, then the subscription
 * suspended as the overdue example shows.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createZspayBilledActivities } from '../../../activities/zspay-billed/subscriptions';
import { zspayInvoiceUpdateOf } from '../../../client/webhooks';
import { SANDBOX_CREDENTIALS } from '../../../common/sandbox-credentials';
import { invoiceListResponseSchema, subscriptionResponseSchema } from '../../../providers/zspay/schemas';
import { parseZspayWebhook } from '../../../providers/zspay/webhooks';
import { nextZspayDueDate } from '../../../sandbox/providers/zspay';
import { useSandbox, type RunningSandbox } from '../../helpers/sandbox';
import { ApplicationFailure } from '@temporalio/common';
import { quietActivityEnvironment, rejectionOf } from '../expect-error';
import { runIn, zspayClient } from './helpers';

const fixture = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(join(__dirname, '../../fixtures/providers/zspay', `${name}.json`), 'utf8')) as Record<
    string,
    unknown
  >;

let sandbox: RunningSandbox;
useSandbox((started) => (sandbox = started), { webhookUrls: { zspay: 'http://127.0.0.1:9/zspay-webhooks' } });

const customer = { name: 'João Paulo', email: 'teste2@zsystems.com.br', document: '00000000000' };
const address = { street: 'leoneta', number: '123', zipCode: '03380235', city: 'sp', state: 'SP' };
const plan = {
  subscriptionId: 'zb-1',
  planId: 'gym',
  amountCents: 125,
  frequency: 'monthly' as const,
  interval: 1,
  trialDays: 0,
};

describe('Zspay-billed subscriptions at the sandbox', () => {
  const activities = () => createZspayBilledActivities({ zspay: zspayClient(sandbox.url) });
  const get = async (path: string) =>
    (await (
      await fetch(`${sandbox.url}/zspay${path}`, {
        headers: { Authorization: `Bearer ${SANDBOX_CREDENTIALS.zspay.token}` },
      })
    ).json()) as Record<string, unknown>;
  const bill = async (id: string, paid: boolean, date = '2099-01-01') =>
    fetch(`${sandbox.url}/zspay/__control/subscriptions/${id}/bill`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ paid, date }),
    });

  it('creates the plan and the subscription once: a second call (a retry after a lost answer) finds them', async () => {
    const env = quietActivityEnvironment();
    const first = await runIn(env, activities().createZspayPlan, plan);
    const again = await runIn(env, activities().createZspayPlan, plan);
    expect(first.created).toBe(true);
    expect(again).toEqual({ planId: first.planId, created: false });
    const subscription = await runIn(env, activities().createZspaySubscription, {
      planId: first.planId,
      customer,
      address,
    });
    const retried = await runIn(env, activities().createZspaySubscription, { planId: first.planId, customer, address });
    expect(retried).toEqual({ subscriptionId: subscription.subscriptionId, created: false });
    expect(await sandbox.control.requests({ operation: 'zspay.subscription.create' })).toHaveLength(1);
    expect(await sandbox.control.requests({ operation: 'zspay.plan.create' })).toHaveLength(1);
    // The answer to the document's own "Nova assinatura" request (its card left out) has the example's fields.
    const { cartao: _card, ...request } = fixture('subscription-create.request');
    const response = await fetch(`${sandbox.url}/zspay/planos/assinar`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${SANDBOX_CREDENTIALS.zspay.token}` },
      body: JSON.stringify({ ...request, planoId: Number(first.planId) }),
    });
    const answer = (await response.json()) as { data: object };
    expect(subscriptionResponseSchema.safeParse(answer).success).toBe(true);
    expect(Object.keys(answer.data)).toEqual(
      expect.arrayContaining(Object.keys(fixture('subscription-create.response').data as object)),
    );
  });

  it("bills on the plan's schedule, retries a failed invoice up to max_retries, and sends the document's invoice webhooks", async () => {
    const env = quietActivityEnvironment();
    const { planId } = await runIn(env, activities().createZspayPlan, { ...plan, subscriptionId: 'zb-2' });
    const { subscriptionId } = await runIn(env, activities().createZspaySubscription, { planId, customer, address });
    await sandbox.control.setWebhooks(false);

    expect((await bill(subscriptionId, true)).status).toBe(200);
    const paidDue = ((await get(`/planos/assinatura/${subscriptionId}`)).data as { due_date: string }).due_date;
    // Nothing is due before the next date.
    expect((await bill(subscriptionId, true, '2000-01-01')).status).toBe(409);

    for (let attempt = 1; attempt <= 3; attempt++) expect((await bill(subscriptionId, false)).status).toBe(200);
    const list = await get(`/planos/assinatura/${subscriptionId}/faturas`);
    expect(invoiceListResponseSchema.safeParse(list).success).toBe(true);
    const faturas = list.faturas as Array<Record<string, unknown>>;
    expect(Object.keys(faturas[0]!).sort()).toEqual(
      Object.keys((fixture('invoice-list.response').faturas as object[])[0]!).sort(),
    );
    expect(faturas.map((f) => [f.status, f.retries, f.max_retries])).toEqual([
      ['failed', 3, 3],
      ['paid', 0, 3],
    ]);
    expect(faturas[0]!.date_invoice).toBe(paidDue);
    // Retries exhausted: suspended (5), as the document's overdue example shows; nothing more is billed.
    expect(
      ((await get(`/planos/assinatura/${subscriptionId}`)).data as { status_assinatura_id: number })
        .status_assinatura_id,
    ).toBe(5);
    expect((await bill(subscriptionId, true)).status).toBe(409);

    const sent = (await sandbox.control.requests({ provider: 'zspay' }))
      .filter((r) => r.direction === 'webhook')
      .map((r) => r.body as Record<string, unknown> & { data: Record<string, unknown> })
      .filter((b) => b.type === 'invoice');
    expect(sent.map((b) => b.status)).toEqual(['created', 'paid', 'created', 'overdue', 'overdue', 'overdue']);
    for (const [status, example] of [
      ['created', fixture('webhook-invoice-created')],
      ['paid', fixture('webhook-invoice-paid')],
      ['overdue', fixture('webhook-invoice-overdue')],
    ] as const) {
      const body = sent.find((b) => b.status === status)!;
      const parsed = parseZspayWebhook(body);
      expect(parsed.known && parsed.knownStatus).toBe(status);
      expect(Object.keys(body)).toEqual(expect.arrayContaining(Object.keys(example)));
      expect(Object.keys(body.data)).toEqual(
        expect.arrayContaining(Object.keys(example.data as object).filter((k) => k !== 'removed')),
      );
    }
    expect(sent.at(-1)!.data).toMatchObject({ status: 'failed', retries: 3, max_retries: 3 });
  });

  it('suspends, reactivates and removes the subscription; a repeated removal is done', async () => {
    const env = quietActivityEnvironment();
    const { planId } = await runIn(env, activities().createZspayPlan, { ...plan, subscriptionId: 'zb-3' });
    const { subscriptionId } = await runIn(env, activities().createZspaySubscription, { planId, customer, address });
    const status = async () =>
      ((await get(`/planos/assinatura/${subscriptionId}`)).data as { status_assinatura_id: number })
        .status_assinatura_id;
    await runIn(env, activities().changeZspaySubscription, { subscriptionId, action: 'suspend' });
    expect(await status()).toBe(5);
    await runIn(env, activities().changeZspaySubscription, { subscriptionId, action: 'reactivate' });
    expect(await status()).toBe(1);
    await runIn(env, activities().changeZspaySubscription, { subscriptionId, action: 'cancel' });
    await runIn(env, activities().changeZspaySubscription, { subscriptionId, action: 'cancel' });
    expect(await status()).toBe(2);
    expect(await sandbox.control.requests({ operation: 'zspay.plan.delete' })).toHaveLength(1);
  });

  it('refunds a paid invoice once ("Estornar uma fatura"): void with paid_at kept, the refunded webhook, a retry finds it done', async () => {
    const env = quietActivityEnvironment();
    const { planId } = await runIn(env, activities().createZspayPlan, { ...plan, subscriptionId: 'zb-4' });
    const { subscriptionId } = await runIn(env, activities().createZspaySubscription, { planId, customer, address });
    await sandbox.control.setWebhooks(false);
    const paid = (await (await bill(subscriptionId, true)).json()) as { id: number; paid_at: string };
    const refund = { reference: 'zb-4-1-refund', zspaySubscriptionId: subscriptionId, invoiceId: String(paid.id) };

    expect(await runIn(env, activities().refundZspayInvoice, refund)).toEqual({ alreadyRefunded: false });
    // As the document's example 842: void, paid_at kept, voided_at set.
    const listed = (
      (await get(`/planos/assinatura/${subscriptionId}/faturas`)).faturas as Array<Record<string, unknown>>
    )[0]!;
    expect(listed).toMatchObject({ id: paid.id, status: 'void', paid_at: paid.paid_at });
    expect(listed.voided_at).toEqual(expect.any(String));
    // A retry (the first answer lost) reads the list and sends nothing.
    expect(await runIn(env, activities().refundZspayInvoice, refund)).toEqual({ alreadyRefunded: true });
    expect(
      (await sandbox.control.requests({ operation: 'zspay.invoice.refund' })).filter((r) => r.direction === 'incoming'),
    ).toHaveLength(1);
    expect(
      (await sandbox.control.ledger({ provider: 'zspay' })).filter(
        (e) => e.kind === 'refund' && e.providerId === `fatura-${paid.id}`,
      ),
    ).toHaveLength(1);

    // The route itself refuses a second refund and an invoice of another subscription.
    const post = (id: number) =>
      fetch(`${sandbox.url}/zspay/planos/assinatura/${subscriptionId}/faturas`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${SANDBOX_CREDENTIALS.zspay.token}` },
        body: JSON.stringify({ id }),
      });
    expect((await post(paid.id)).status).toBe(422);
    expect((await post(999_999)).status).toBe(404);

    // Zspay's "refunded" invoice webhook, shaped like the document's example.
    const sent = (await sandbox.control.requests({ provider: 'zspay' }))
      .filter((r) => r.direction === 'webhook')
      .map((r) => r.body as Record<string, unknown> & { data: Record<string, unknown> })
      .filter((b) => b.type === 'invoice' && b.status === 'refunded' && b.data.id === paid.id);
    expect(sent).toHaveLength(1);
    const parsed = parseZspayWebhook(sent[0]);
    expect(parsed.known && parsed.knownStatus).toBe('refunded');
    const example = fixture('webhook-invoice-refunded');
    expect(Object.keys(sent[0]!)).toEqual(expect.arrayContaining(Object.keys(example)));
    expect(Object.keys(sent[0]!.data)).toEqual(
      expect.arrayContaining(Object.keys(example.data as object).filter((k) => k !== 'removed')),
    );
    expect(sent[0]!.data).toMatchObject({ status: 'void', paid_at: paid.paid_at });
    // The engine's ingress reads it (and the document's example) as a refund notice of that invoice.
    for (const [body, invoiceId] of [
      [sent[0], String(paid.id)],
      [example, '15'],
    ] as const) {
      const webhook = parseZspayWebhook(body);
      if (!webhook.known || webhook.event.type !== 'invoice') throw new Error('expected an invoice webhook');
      expect(zspayInvoiceUpdateOf(webhook.event.data, 'refunded')).toMatchObject({
        invoiceId,
        outcome: 'refunded',
        providerStatus: 'void',
        source: 'webhook',
      });
    }

    // An invoice that was never paid cannot be refunded: refused for good, nothing sent.
    await bill(subscriptionId, false, '2099-12-31');
    const unpaid = ((await get(`/planos/assinatura/${subscriptionId}/faturas`)).faturas as Array<{ id: number }>)[0]!;
    const failure = await rejectionOf(
      runIn(env, activities().refundZspayInvoice, { ...refund, invoiceId: String(unpaid.id) }),
    );
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure).toMatchObject({ type: 'InvalidState', nonRetryable: true });
    expect((failure as Error).message).toMatch(/is pending: it cannot be refunded/);
    expect(
      (await sandbox.control.requests({ operation: 'zspay.invoice.refund' })).filter((r) => r.direction === 'incoming'),
    ).toHaveLength(3);
  });

  it('moves due dates by the plan frequency, keeping the anchor day in short months', () => {
    expect(nextZspayDueDate('2027-01-31', 'monthly', 1)).toBe('2027-02-28');
    expect(nextZspayDueDate('2027-01-31', 'monthly', 3)).toBe('2027-04-30');
    expect(nextZspayDueDate('2027-12-30', 'daily', 3)).toBe('2028-01-02');
    expect(nextZspayDueDate('2027-12-30', 'weekly', 1)).toBe('2028-01-06');
    expect(nextZspayDueDate('2028-02-29', 'annualy', 1)).toBe('2029-02-28');
  });
});
