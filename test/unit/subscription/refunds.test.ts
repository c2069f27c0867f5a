/** Refunds in the pure machine: what may be refunded, what a refund records and sets off, and what never undoes one. */
import { ADIQ_BILLED, transition } from '../../../common/subscription/table';
import { apply, collect, ctx, decide, kinds, subscription } from '../../helpers/machine';

const paidCycleOne = () => collect(subscription(), ['paid']).state;

describe('refunds (pure machine)', () => {
  it('records a refund of a paid card invoice at once, then refunds the invoice, tells the merchant and pushes the status', () => {
    const requested = apply(paidCycleOne(), { type: 'refund', cycle: 1, reason: 'asked' }, '2026-01-05');
    expect(requested.effects).toEqual([]);
    const invoice = requested.state.invoices.find((i) => i.cycle === 1)!;
    expect(invoice).toMatchObject({
      status: 'paid',
      refund: { status: 'requested', reference: 'sub-1-1-refund', saleId: 'sale-sub-1-1-1', amountCents: 5990 },
    });
    const settled = apply(requested.state, { type: 'refundSettled', cycle: 1, result: 'refunded' }, '2026-01-05');
    expect(settled.state.invoices.find((i) => i.cycle === 1)).toMatchObject({
      status: 'refunded',
      refund: { status: 'refunded', source: 'engine' },
    });
    expect(kinds(settled.effects)).toEqual(['notify:payment.refunded', 'push:refunded']);
    expect(settled.state.status).toBe('active');
    // A second answer of the same refund changes nothing.
    expect(apply(settled.state, { type: 'refundSettled', cycle: 1, result: 'refunded' }, '2026-01-05').effects).toEqual(
      [],
    );
  });

  it('refuses, naming why: no invoice, not paid, a partial amount, already under way or refunded, a boleto', () => {
    const state = paidCycleOne();
    const reason = (s: typeof state, event: Parameters<typeof decide>[1]) => {
      const decision = decide(s, event, '2026-01-05');
      return decision.answer === 'applied' ? 'applied' : decision.reason;
    };
    expect(reason(state, { type: 'refund', cycle: 7 })).toBe('cycle names no invoice of this subscription');
    expect(reason(state, { type: 'refund', cycle: 1, amountCents: 100 })).toMatch(
      /^amountCents must be the invoice’s full amount/,
    );
    expect(reason(state, { type: 'refund', cycle: 1, amountCents: 5990 })).toBe('applied');
    const underWay = apply(state, { type: 'refund', cycle: 1 }, '2026-01-05').state;
    expect(reason(underWay, { type: 'refund', cycle: 1 })).toBe('a refund of this invoice is already under way');
    const failed = apply(underWay, { type: 'refundSettled', cycle: 1, result: 'failed', error: 'no' }, '2026-01-05');
    expect(kinds(failed.effects)).toEqual(['notify:payment.refund_failed']);
    expect(failed.state.invoices.find((i) => i.cycle === 1)?.status).toBe('paid');
    expect(reason(failed.state, { type: 'refund', cycle: 1 })).toBe('applied');

    const open = apply(subscription(), { type: 'chargeStarted', cycle: 1 }, '2026-01-01').state;
    expect(reason(open, { type: 'refund', cycle: 1 })).toBe('only a paid invoice can be refunded');

    const boleto = subscription({}, { paymentMethod: { type: 'zspay_boleto', zspayClientId: 'cli-1' } });
    const issued = apply(
      apply(boleto, { type: 'chargeStarted', cycle: 1 }, '2025-12-27').state,
      {
        type: 'chargeSettled',
        cycle: 1,
        outcome: {
          status: 'pending',
          reference: 'sub-1-1-1',
          providerIds: { saleId: 'b-1' },
          boleto: { dueDate: '2026-01-01' },
        },
      },
      '2025-12-27',
    ).state;
    const boletoPaid = apply(issued, { type: 'paymentConfirmed', saleId: 'b-1' }, '2025-12-29').state;
    expect(reason(boletoPaid, { type: 'refund', cycle: 1 })).toMatch(/boleto payment cannot be refunded/);

    // Adiq-billed subscriptions refuse refunds.
    const adiq = transition(state, { type: 'refund', cycle: 1 }, ctx('2026-01-05'), ADIQ_BILLED);
    expect(adiq).toMatchObject({ answer: 'refused' });
  });

  it('a refund webhook waits for the provider; confirmed, it refunds once; a late "paid" webhook never undoes it', () => {
    const state = paidCycleOne();
    const noticed = apply(state, { type: 'refundNoticed', saleId: 'sale-sub-1-1-1' }, '2026-01-05').state;
    expect(
      apply(noticed, { type: 'refundNoticed', saleId: 'sale-sub-1-1-1' }, '2026-01-05').state.pendingRefunds,
    ).toEqual(['sale-sub-1-1-1']);
    expect(noticed.invoices.find((i) => i.cycle === 1)?.status).toBe('paid');
    const confirmed = apply(
      noticed,
      {
        type: 'refundConfirmed',
        saleId: 'sale-sub-1-1-1',
        transfersSincePayment: [{ transferId: 't-1', state: 'succeeded' }],
      },
      '2026-01-05',
    );
    expect(confirmed.state.pendingRefunds).toEqual([]);
    expect(confirmed.state.invoices.find((i) => i.cycle === 1)).toMatchObject({
      status: 'refunded',
      refund: { source: 'provider', status: 'refunded' },
    });
    const told = confirmed.effects.find((e) => e.kind === 'notify');
    expect(told).toMatchObject({
      type: 'payment.refunded',
      data: { payout: { transfersSincePayment: [{ transferId: 't-1', state: 'succeeded' }] } },
    });
    expect(apply(confirmed.state, { type: 'refundConfirmed', saleId: 'sale-sub-1-1-1' }, '2026-01-06').effects).toEqual(
      [],
    );
    const latePaid = apply(confirmed.state, { type: 'paymentConfirmed', saleId: 'sale-sub-1-1-1' }, '2026-01-06');
    expect(latePaid.state.invoices.find((i) => i.cycle === 1)?.status).toBe('refunded');
    expect(latePaid.effects).toEqual([]);

    const contradicted = apply(
      noticed,
      { type: 'refundContradicted', saleId: 'sale-sub-1-1-1', providerStatus: 'approved' },
      '2026-01-05',
    ).state;
    expect(contradicted.ignoredPaymentNotices).toBe(1);
    expect(contradicted.invoices.find((i) => i.cycle === 1)?.status).toBe('paid');
  });
});
