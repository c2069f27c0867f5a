/** The Zspay-billed machine (common/subscription/zspay-managed.ts) through the Zspay table. */
import type { SubscriptionEvent } from '../../../common/subscription/events';
import type { SubscriptionState } from '../../../common/subscription/state';
import { transition, ZSPAY_BILLED } from '../../../common/subscription/table';
import {
  confirmedZspayNotice,
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
      { type: 'refund', cycle: 1 },
      { type: 'chargeStarted', cycle: 1 },
    ] as SubscriptionEvent[]) {
      const decision = transition(state, event, ctx('2026-02-01'), ZSPAY_BILLED);
      expect(decision).toMatchObject({ answer: 'refused', reason: expect.stringMatching(/Zspay/) as string });
    }
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
});
