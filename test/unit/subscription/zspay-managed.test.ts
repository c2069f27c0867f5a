/** The Zspay-billed machine (common/subscription/zspay-managed.ts) through the Zspay table. */
import type { SubscriptionEvent } from '../../../common/subscription/events';
import type { SubscriptionState } from '../../../common/subscription/state';
import { transition, ZSPAY_BILLED } from '../../../common/subscription/table';
import {
  confirmedZspayNotice,
  zspayRefundOf,
  zspayReportOf,
  zspayReportsToSignal,
  type ZspayInvoiceUpdate,
} from '../../../common/subscription/zspay-managed';
import { apply, ctx, kinds, subscription } from '../../helpers/machine';

const method = {
  type: 'zspay_subscription',
  customer: { name: 'João', email: 'joao@example.com', document: '41372222222' },
  address: { street: 'Rua A', number: '1', zipCode: '03380235', city: 'São Paulo', state: 'SP' },
};
const on = (state: SubscriptionState, event: SubscriptionEvent, today = '2026-02-01') =>
  apply(state, event, today, ZSPAY_BILLED);
const subscribed = () =>
  on(
    subscription({}, { paymentMethod: method }),
    { type: 'zspaySubscribed', planId: '42', subscriptionId: '90', startDate: '2026-01-01' },
    '2026-01-01',
  ).state;
const failed = (retries: number, invoiceId = '842'): ZspayInvoiceUpdate => ({
  invoiceId,
  outcome: 'failed',
  retries,
  maxRetries: 3,
  amountCents: 5990,
  dueDate: '2026-02-01',
  providerStatus: retries >= 3 ? 'failed' : 'pending',
  source: 'list',
});
const paidUpdate = (invoiceId = '842'): ZspayInvoiceUpdate => ({
  invoiceId,
  outcome: 'paid',
  amountCents: 5990,
  source: 'webhook',
});

describe('Zspay-billed subscriptions (pure machine)', () => {
  it('acts on each failure once per retry count, blocks once Zspay’s retries are exhausted, and recovers on payment', () => {
    let state = subscribed();
    expect(state).toMatchObject({ status: 'active', zspay: { subscriptionId: '90', planId: '42' } });
    const first = on(state, { type: 'zspayInvoiceReported', update: failed(1) });
    expect(kinds(first.effects)).toEqual(['notify:payment.failed', 'push:failed']);
    state = first.state;
    expect(state.status).toBe('past_due');
    // The same failure again (a redelivered webhook, the daily read, the billing run): nothing.
    expect(on(state, { type: 'zspayInvoiceReported', update: failed(1) }).effects).toEqual([]);
    state = on(state, { type: 'zspayInvoiceReported', update: failed(2) }).state;
    const last = on(state, { type: 'zspayInvoiceReported', update: failed(3) });
    expect(kinds(last.effects)).toEqual([
      'notify:payment.failed',
      'push:failed',
      'partner:inadimplente',
      'notify:subscription.blocked',
    ]);
    state = last.state;
    expect(state).toMatchObject({ status: 'blocked', summary: { failedAttempts: 3 } });
    expect(state.invoices).toEqual([expect.objectContaining({ cycle: 1, status: 'failed' })]);
    // The next invoice is paid: recovered, the partner told once.
    const recovered = on(state, { type: 'zspayInvoiceReported', update: paidUpdate('843') }, '2026-03-01');
    expect(kinds(recovered.effects)).toEqual([
      'partner:adimplente',
      'notify:subscription.recovered',
      'notify:payment.succeeded',
      'push:paid',
    ]);
    expect(recovered.state).toMatchObject({ status: 'active', summary: { paidCount: 1, paidCents: 5990 } });
    expect(on(recovered.state, { type: 'zspayInvoiceReported', update: paidUpdate('843') }).effects).toEqual([]);
  });

  it('forwards cancel, suspend and reactivate to Zspay, and refuses what Zspay cannot do with the reason', () => {
    const state = subscribed();
    const suspended = on(state, { type: 'suspend' });
    expect(suspended.effects).toEqual([{ kind: 'zspay_subscription', action: 'suspend', zspaySubscriptionId: '90' }]);
    // A payment while suspended is recorded; the suspension stays.
    const paidWhileSuspended = on(suspended.state, { type: 'zspayInvoiceReported', update: paidUpdate() });
    expect(paidWhileSuspended.state.status).toBe('suspended');
    const reactivated = on(paidWhileSuspended.state, { type: 'reactivate' });
    expect(reactivated.effects).toEqual([
      { kind: 'zspay_subscription', action: 'reactivate', zspaySubscriptionId: '90' },
    ]);
    const canceled = on(reactivated.state, { type: 'cancelNow' });
    expect(kinds(canceled.effects)).toEqual(['zspay_subscription', 'notify:subscription.canceled']);
    for (const event of [
      { type: 'cancelAtPeriodEnd' },
      { type: 'changeNextChargeDate', date: '2026-03-01' },
      { type: 'retryNow' },
      { type: 'changePaymentMethod', paymentMethod: { type: 'zspay_card', zspayClientId: 'c', cardId: 'k' } },
      { type: 'refundNoticed', saleId: '136' },
      { type: 'chargeStarted', cycle: 1 },
    ] as SubscriptionEvent[]) {
      const decision = transition(state, event, ctx('2026-02-01'), ZSPAY_BILLED);
      expect(decision).toMatchObject({ answer: 'refused', reason: expect.stringMatching(/Zspay/) as string });
    }
  });

  it('removes at Zspay a subscription it created after the engine’s was canceled, and stays canceled', () => {
    const pending = subscription({}, { paymentMethod: method });
    const canceled = on(pending, { type: 'cancelNow' }, '2026-01-01');
    expect(canceled.effects.map((e) => e.kind)).toEqual(['notify']);
    const held = on(
      canceled.state,
      { type: 'zspaySubscribed', planId: '42', subscriptionId: '90', startDate: '2026-01-01' },
      '2026-01-01',
    );
    expect(held.state).toMatchObject({ status: 'canceled', zspay: { subscriptionId: '90' } });
    expect(held.effects).toEqual([{ kind: 'zspay_subscription', action: 'cancel', zspaySubscriptionId: '90' }]);
  });

  it('tells Zspay of a suspension made before it held the subscription', () => {
    const pending = subscription({}, { paymentMethod: method, startDate: '2026-03-01' });
    const suspended = on(pending, { type: 'suspend' }, '2026-02-01');
    expect(suspended.effects).toEqual([]);
    const held = on(
      suspended.state,
      { type: 'zspaySubscribed', planId: '42', subscriptionId: '90', startDate: '2026-03-01' },
      '2026-03-01',
    );
    expect(held.state.status).toBe('suspended');
    expect(held.effects).toEqual([{ kind: 'zspay_subscription', action: 'suspend', zspaySubscriptionId: '90' }]);
  });

  it('signals the newest invoices whatever Zspay dated them, and older ones only inside the window', () => {
    const invoice = (invoiceId: string, dueDate: string, status = 'failed') => ({
      invoiceId,
      status,
      dueDate,
      amountCents: 100,
      retries: status === 'pending' ? 0 : 3, // pending and never tried: nothing to report
      maxRetries: 3,
    });
    // Zspay's clock put the just-failed invoice before the window (its dates are not ours).
    expect(zspayReportsToSignal([invoice('842', '2026-12-01')], '2026-12-23')).toEqual([
      expect.objectContaining({ invoiceId: '842', outcome: 'failed' }),
    ]);
    // A long history in any order: the three newest, and the old ones inside the window, oldest first.
    const history = [
      invoice('12', '2026-12-01', 'paid'),
      invoice('9', '2026-09-01', 'paid'),
      invoice('10', '2026-10-01', 'paid'),
      invoice('8', '2026-08-01', 'paid'),
      invoice('11', '2026-11-01', 'paid'),
      invoice('13', '2027-01-01', 'pending'),
    ];
    expect(zspayReportsToSignal(history, '2026-07-01').map((u) => u.invoiceId)).toEqual(['8', '9', '10', '11', '12']);
    expect(zspayReportsToSignal(history, '2026-12-15').map((u) => u.invoiceId)).toEqual(['11', '12']);
  });

  it('reads Zspay’s invoice list: pending after a failure is a failure; a paid notice the list does not back is contradicted', () => {
    const invoice = { invoiceId: '842', amountCents: 100, retries: 1, maxRetries: 3 };
    expect(zspayReportOf({ ...invoice, status: 'pending', retries: 0 })).toBeUndefined();
    expect(zspayReportOf({ ...invoice, status: 'pending' })).toMatchObject({ outcome: 'failed', retries: 1 });
    expect(zspayReportOf({ ...invoice, status: 'void' })).toBeUndefined();
    expect(confirmedZspayNotice({ ...invoice, status: 'pending' }, paidUpdate())).toBeUndefined();
    expect(confirmedZspayNotice(undefined, failed(1))).toBeUndefined();
    expect(confirmedZspayNotice({ ...invoice, status: 'paid', retries: 0 }, paidUpdate())).toMatchObject({
      outcome: 'paid',
      source: 'webhook',
    });
  });

  it('engine-billed and Adiq-billed subscriptions refuse Zspay’s reports', () => {
    const engine = subscription();
    const decision = transition(engine, { type: 'zspayInvoiceReported', update: paidUpdate() }, ctx('2026-02-01'));
    expect(decision).toMatchObject({ answer: 'refused' });
    const changed = transition(
      engine,
      { type: 'changePaymentMethod', paymentMethod: method } as SubscriptionEvent,
      ctx('2026-02-01'),
    );
    expect(changed).toMatchObject({ answer: 'refused', reason: expect.stringMatching(/zspay_subscription/) as string });
  });

  describe('refunds of its invoices ("Estornar uma fatura")', () => {
    /** Invoice 841 paid by sale 136, as Zspay's invoice list reports it. */
    const paidListed: ZspayInvoiceUpdate = { ...paidUpdate('841'), saleId: '136', source: 'list' };
    const refundedListed: ZspayInvoiceUpdate = {
      invoiceId: '841',
      outcome: 'refunded',
      saleId: '136',
      providerStatus: 'void',
      source: 'list',
    };
    const paid = () => on(subscribed(), { type: 'zspayInvoiceReported', update: paidListed }).state;
    const refused = (state: SubscriptionState, event: SubscriptionEvent) =>
      transition(state, event, ctx('2026-02-01'), ZSPAY_BILLED);

    it('records the refund of a paid invoice in full, then refunds it and tells the merchant once', () => {
      const asked = on(paid(), { type: 'refund', cycle: 1, amountCents: 5990, reason: 'customer asked' });
      expect(asked.effects).toEqual([]);
      expect(asked.state.invoices[0]).toMatchObject({
        status: 'paid',
        refund: {
          status: 'requested',
          reference: 'sub-1-1-refund',
          saleId: '136',
          amountCents: 5990,
          source: 'engine',
        },
      });
      expect(refused(asked.state, { type: 'refund', cycle: 1 })).toMatchObject({
        answer: 'refused',
        reason: 'a refund of this invoice is already under way',
      });
      const settled = on(asked.state, {
        type: 'refundSettled',
        cycle: 1,
        result: 'refunded',
        transfersSincePayment: [{ transferId: 't-1', state: 'succeeded' }],
      });
      expect(kinds(settled.effects)).toEqual(['notify:payment.refunded', 'push:refunded']);
      expect(settled.effects[0]).toMatchObject({
        data: {
          cycle: 1,
          amountCents: 5990,
          saleId: '136',
          zspayInvoiceId: '841',
          source: 'engine',
          reason: 'customer asked',
          subscriptionStatus: 'active',
          payout: { transfersSincePayment: [{ transferId: 't-1', state: 'succeeded' }] },
        },
      });
      expect(settled.state).toMatchObject({ status: 'active', summary: { paidCount: 1, paidCents: 5990 } });
      expect(settled.state.invoices[0]).toMatchObject({ status: 'refunded', refund: { status: 'refunded' } });
      // Zspay's "refunded" webhook, confirmed by the list, and the daily look after it: nothing more.
      expect(on(settled.state, { type: 'zspayInvoiceReported', update: refundedListed }).effects).toEqual([]);
      expect(refused(settled.state, { type: 'refund', cycle: 1 })).toMatchObject({
        answer: 'refused',
        reason: 'the invoice is already refunded',
      });
    });

    it('refuses a partial amount, an unpaid invoice, no invoice, and a paid invoice with no sale, naming why', () => {
      expect(refused(paid(), { type: 'refund', cycle: 1, amountCents: 1000 })).toMatchObject({
        answer: 'refused',
        reason: 'amountCents must be the invoice’s full amount (or left out): Zspay refunds an invoice only in full',
      });
      expect(refused(paid(), { type: 'refund', cycle: 2 })).toMatchObject({
        answer: 'refused',
        reason: 'cycle names no invoice of this subscription',
      });
      const failing = on(subscribed(), { type: 'zspayInvoiceReported', update: failed(1) }).state;
      expect(refused(failing, { type: 'refund', cycle: 1 })).toMatchObject({
        answer: 'refused',
        reason: 'only a paid invoice can be refunded',
      });
      const noSale = on(subscribed(), { type: 'zspayInvoiceReported', update: paidUpdate('841') }).state;
      expect(refused(noSale, { type: 'refund', cycle: 1 })).toMatchObject({
        answer: 'refused',
        reason: expect.stringMatching(/names no sale/) as string,
      });
    });

    it('refunds in any status: a canceled subscription’s paid invoice too', () => {
      const canceled = on(paid(), { type: 'cancelNow' }).state;
      const asked = on(canceled, { type: 'refund', cycle: 1 });
      const settled = on(asked.state, { type: 'refundSettled', cycle: 1, result: 'refunded' });
      expect(settled.state).toMatchObject({
        status: 'canceled',
        invoices: [expect.objectContaining({ status: 'refunded' })],
      });
      expect(settled.effects[0]).toMatchObject({ data: { subscriptionStatus: 'canceled' } });
    });

    it('a refund Zspay refused leaves the invoice paid and may be asked again', () => {
      const asked = on(paid(), { type: 'refund', cycle: 1 });
      const failedRefund = on(asked.state, {
        type: 'refundSettled',
        cycle: 1,
        result: 'failed',
        error: 'zspay invoice 841 is pending: it cannot be refunded',
      });
      expect(kinds(failedRefund.effects)).toEqual(['notify:payment.refund_failed']);
      expect(failedRefund.state.invoices[0]).toMatchObject({ status: 'paid', refund: { status: 'failed' } });
      expect(refused(failedRefund.state, { type: 'refund', cycle: 1 }).answer).toBe('applied');
    });

    it('a refund made at Zspay, reported by its webhook (confirmed by the list) or the daily look, refunds the invoice once', () => {
      const reported = on(paid(), {
        type: 'zspayInvoiceReported',
        update: refundedListed,
        transfersSincePayment: [],
      });
      expect(kinds(reported.effects)).toEqual(['notify:payment.refunded', 'push:refunded']);
      expect(reported.effects[0]).toMatchObject({ data: { source: 'provider', saleId: '136', zspayInvoiceId: '841' } });
      expect(reported.state.invoices[0]).toMatchObject({
        status: 'refunded',
        refund: { status: 'refunded', source: 'provider', reference: 'sub-1-1-refund', amountCents: 5990 },
      });
      expect(on(reported.state, { type: 'zspayInvoiceReported', update: refundedListed }).effects).toEqual([]);
      // Nor does a late "paid" for it undo the refund.
      expect(on(reported.state, { type: 'zspayInvoiceReported', update: paidListed }).effects).toEqual([]);
      // The engine's own refund, seen refunded in the list before its answer came back: one refund, the engine's.
      const asked = on(paid(), { type: 'refund', cycle: 1 }).state;
      const seen = on(asked, { type: 'zspayInvoiceReported', update: refundedListed });
      expect(seen.effects[0]).toMatchObject({ data: { source: 'engine' } });
      expect(on(seen.state, { type: 'refundSettled', cycle: 1, result: 'refunded' }).effects).toEqual([]);
      // A refund of an invoice the engine never saw paid changes nothing.
      expect(on(subscribed(), { type: 'zspayInvoiceReported', update: refundedListed }).effects).toEqual([]);
    });

    it('reads a void invoice that was paid as refunded; a refunded notice the list does not back is contradicted', () => {
      const listed = { invoiceId: '841', amountCents: 100, retries: 0, maxRetries: 3, saleId: '136' };
      const voided = { ...listed, status: 'void', paidAt: '2019-11-25T03:13:17.000Z' };
      expect(zspayRefundOf(voided)).toMatchObject({ invoiceId: '841', outcome: 'refunded', saleId: '136' });
      expect(zspayRefundOf({ ...listed, status: 'void' })).toBeUndefined();
      expect(zspayRefundOf({ ...listed, status: 'paid', paidAt: voided.paidAt })).toBeUndefined();
      expect(zspayReportOf(voided)).toBeUndefined();
      const notice: ZspayInvoiceUpdate = { invoiceId: '841', outcome: 'refunded', source: 'webhook' };
      expect(confirmedZspayNotice(voided, notice)).toMatchObject({ outcome: 'refunded', source: 'webhook' });
      expect(confirmedZspayNotice({ ...listed, status: 'paid', paidAt: voided.paidAt }, notice)).toBeUndefined();
      expect(confirmedZspayNotice(undefined, notice)).toBeUndefined();
      // A paid notice of an invoice since refunded is not a payment.
      expect(confirmedZspayNotice(voided, paidUpdate('841'))).toBeUndefined();
    });
  });
});
