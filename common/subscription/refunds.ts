/**
 * Refunds of paid invoices, as pure functions: which invoice and sale a refund concerns, whether it
 * may be asked, and what a refund (the engine's, or one a webhook reports and the provider confirms)
 * changes and sets off. Which events apply in which status is in table.ts.
 *
 * Zspay's document offers one refund of a sale, "Estornar venda via cartão de crédito" (POST
 * /vendas/{pedidoId}/estornar, body `{ }`): a full refund of a card sale, no amount. It documents no
 * refund of a boleto sale (only "Estornar uma fatura", for the invoices of its own subscriptions: the
 * Zspay-billed ones, see zspay-managed.ts), so a boleto invoice is refused, and so is a partial amount.
 */
import type { EventContext, EventOf, PaidOutTransfer } from './events';
import type { Invoice, InvoiceRefund } from './model';
import type { Effect } from './outbox';
import type { SubscriptionState } from './state';

/** The paid invoice of a sale, if the subscription still holds it. */
export function paidInvoiceOfSale(state: SubscriptionState, saleId: string): Invoice | undefined {
  return state.invoices.find((i) => i.status === 'paid' && paidSaleId(i) === saleId);
}

const paidAttempt = (invoice: Invoice) => [...invoice.attempts].reverse().find((a) => a.outcome === 'succeeded');

/** The sale that paid an invoice: the succeeded attempt's, else the boleto's. */
export function paidSaleId(invoice: Invoice): string | undefined {
  return paidAttempt(invoice)?.providerIds?.saleId ?? invoice.boleto?.saleId;
}

/** Zspay-billed subscriptions: the Zspay invoice (fatura) that paid an invoice, what its refund names. */
export function paidZspayInvoiceId(invoice: Invoice): string | undefined {
  return paidAttempt(invoice)?.providerIds?.invoiceId;
}

/** A refund's reference: one per invoice, from business ids (never random). */
export function refundReference(state: Pick<SubscriptionState, 'subscriptionId'>, cycle: number): string {
  return `${state.subscriptionId}-${cycle}-refund`;
}

const invoiceOf = (state: SubscriptionState, cycle: number) => state.invoices.find((i) => i.cycle === cycle);

/** The guards of the `refund` operation (table.ts), in the order they are checked. */
export const refundGuards = {
  noSuchInvoice: (s: SubscriptionState, e: EventOf<'refund'>) => invoiceOf(s, e.cycle) === undefined,
  alreadyRefunded: (s: SubscriptionState, e: EventOf<'refund'>) => invoiceOf(s, e.cycle)?.status === 'refunded',
  refundUnderWay: (s: SubscriptionState, e: EventOf<'refund'>) => invoiceOf(s, e.cycle)?.refund?.status === 'requested',
  notPaid: (s: SubscriptionState, e: EventOf<'refund'>) => invoiceOf(s, e.cycle)?.status !== 'paid',
  boletoInvoice: (s: SubscriptionState, e: EventOf<'refund'>) => invoiceOf(s, e.cycle)?.boleto !== undefined,
  noSale: (s: SubscriptionState, e: EventOf<'refund'>) => {
    const invoice = invoiceOf(s, e.cycle);
    return invoice !== undefined && paidSaleId(invoice) === undefined;
  },
  partialAmount: (s: SubscriptionState, e: EventOf<'refund'>) => {
    const invoice = invoiceOf(s, e.cycle);
    return invoice !== undefined && e.amountCents !== undefined && e.amountCents !== invoice.amountCents;
  },
};

/** The refund under way, if any: the workflow's next refund call. */
export function refundToSend(state: SubscriptionState): { invoice: Invoice; refund: InvoiceRefund } | undefined {
  const invoice = state.invoices.find((i) => i.refund?.status === 'requested');
  return invoice ? { invoice, refund: invoice.refund! } : undefined;
}

function withInvoice(state: SubscriptionState, cycle: number, change: (i: Invoice) => Invoice): SubscriptionState {
  return { ...state, invoices: state.invoices.map((i) => (i.cycle === cycle ? change(i) : i)) };
}

/** The refund operation, acknowledged: recorded on its invoice, sent by the workflow. */
export function requestRefund(state: SubscriptionState, event: EventOf<'refund'>, ctx: EventContext) {
  const invoice = invoiceOf(state, event.cycle)!;
  const refund: InvoiceRefund = {
    status: 'requested',
    reference: refundReference(state, event.cycle),
    saleId: paidSaleId(invoice)!,
    amountCents: invoice.amountCents,
    reason: event.reason,
    source: 'engine',
    requestedAt: ctx.now,
  };
  return { state: withInvoice(state, event.cycle, (i) => ({ ...i, refund })), effects: [] as Effect[] };
}

/** The invoice is refunded at the provider: recorded, the merchant told, the payment's status pushed. */
function refunded(
  state: SubscriptionState,
  invoice: Invoice,
  refund: InvoiceRefund,
  ctx: EventContext,
  transfers: readonly PaidOutTransfer[] | undefined,
) {
  const done: InvoiceRefund = { ...refund, status: 'refunded', refundedAt: ctx.now, error: undefined };
  const fatura = paidZspayInvoiceId(invoice);
  // The summary's paid totals count payments received; the refund is shown on its invoice.
  const next = withInvoice(state, invoice.cycle, (i) => ({ ...i, status: 'refunded', refund: done }));
  const effects: Effect[] = [
    {
      kind: 'notify',
      type: 'payment.refunded',
      data: {
        cycle: invoice.cycle,
        amountCents: done.amountCents,
        saleId: done.saleId,
        ...(fatura ? { zspayInvoiceId: fatura } : {}),
        reference: done.reference,
        source: done.source,
        ...(done.reason ? { reason: done.reason } : {}),
        subscriptionStatus: state.status,
        // The refund is debited from the establishment's Zspay balance; money already paid out
        // (transfers, payouts) is not taken back by the engine: the transfers sent since the
        // payment are named, for the merchant to recover from. See README, "Refunds".
        payout: payoutNote(transfers),
      },
    },
    { kind: 'push_payment_status', cycle: invoice.cycle, status: 'refunded' },
  ];
  return { state: next, effects };
}

/** What the merchant is told of money already paid out since the refunded payment. */
function payoutNote(transfers: readonly PaidOutTransfer[] | undefined): Record<string, unknown> {
  if (transfers === undefined)
    return {
      transfersSincePayment: null,
      note: 'the refund is debited from the Zspay balance; the transfers since the payment could not be read',
    };
  return {
    transfersSincePayment: transfers.map((t) => ({ transferId: t.transferId, state: t.state })),
    note:
      transfers.length === 0
        ? 'the refund is debited from the Zspay balance; no transfer was sent since the payment'
        : 'the refund is debited from the Zspay balance; these transfers, sent since the payment, may have carried its money and are not reversed',
  };
}

/** The engine's refund call came back. */
export function refundSettled(state: SubscriptionState, event: EventOf<'refundSettled'>, ctx: EventContext) {
  const invoice = invoiceOf(state, event.cycle);
  // Already refunded (a webhook confirmed it first) or never asked: nothing more to record.
  if (!invoice?.refund || invoice.refund.status !== 'requested') return { state, effects: [] as Effect[] };
  if (event.result === 'refunded') return refunded(state, invoice, invoice.refund, ctx, event.transfersSincePayment);
  const failed: InvoiceRefund = { ...invoice.refund, status: 'failed', error: event.error };
  return {
    state: withInvoice(state, event.cycle, (i) => ({ ...i, refund: failed })),
    effects: [
      {
        kind: 'notify',
        type: 'payment.refund_failed',
        data: {
          cycle: invoice.cycle,
          amountCents: failed.amountCents,
          saleId: failed.saleId,
          reference: failed.reference,
          error: event.error ?? 'refused by the provider',
        },
      },
    ] as Effect[],
  };
}

/** A refund webhook: queued until the provider confirms it (the same notice twice is one). */
export function refundNoticed(state: SubscriptionState, event: EventOf<'refundNoticed'>) {
  const pending = state.pendingRefunds ?? [];
  return {
    state: pending.includes(event.saleId) ? state : { ...state, pendingRefunds: [...pending, event.saleId] },
    effects: [] as Effect[],
  };
}

const withoutNotice = (state: SubscriptionState, saleId: string): SubscriptionState => ({
  ...state,
  pendingRefunds: (state.pendingRefunds ?? []).filter((id) => id !== saleId),
});

/** The provider shows the sale refunded: its paid invoice is refunded, whoever refunded it. */
export function refundConfirmed(state: SubscriptionState, event: EventOf<'refundConfirmed'>, ctx: EventContext) {
  const next = withoutNotice(state, event.saleId);
  const invoice = paidInvoiceOfSale(next, event.saleId);
  if (!invoice) return { state: next, effects: [] as Effect[] };
  return refundedAtProvider(next, invoice, event.saleId, ctx, event.transfersSincePayment);
}

/**
 * The provider shows a paid invoice refunded: the engine's own refund under way, if one is (its
 * answer may not have come back yet), else a refund made outside the engine (`source: 'provider'`).
 */
export function refundedAtProvider(
  state: SubscriptionState,
  invoice: Invoice,
  saleId: string,
  ctx: EventContext,
  transfers: readonly PaidOutTransfer[] | undefined,
) {
  const refund: InvoiceRefund =
    invoice.refund?.status === 'requested'
      ? invoice.refund
      : {
          status: 'requested',
          reference: refundReference(state, invoice.cycle),
          saleId,
          amountCents: invoice.amountCents,
          source: 'provider',
        };
  return refunded(state, invoice, refund, ctx, transfers);
}

/** The provider contradicts the webhook: ignored and counted, like a contradicted payment notice. */
export function refundContradicted(state: SubscriptionState, event: EventOf<'refundContradicted'>) {
  const next = withoutNotice(state, event.saleId);
  return { state: { ...next, ignoredPaymentNotices: next.ignoredPaymentNotices + 1 }, effects: [] as Effect[] };
}

/** Paid invoices' sales: how a refund webhook finds its subscription (search attribute). */
export function paidSaleIds(state: SubscriptionState): string[] {
  return state.invoices.flatMap((i) => {
    const saleId = i.status === 'paid' ? paidSaleId(i) : undefined;
    return saleId ? [saleId] : [];
  });
}
