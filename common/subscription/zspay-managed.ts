/**
 * Subscriptions billed by Zspay itself ("Planos" / "Assinaturas"): Zspay charges each invoice
 * (fatura) and retries it (`retries` of `max_retries`); the engine follows its invoice webhooks —
 * confirmed by Zspay's invoice list ("Recuperar pagamentos de uma assinatura") before they change
 * anything — and drives the same consequences as for the subscriptions it bills: partner blocking,
 * merchant notification, payment status push. Each invoice outcome is acted on once, however many
 * times Zspay (or the daily look) reports it. The Zspay table in table.ts says which events apply when.
 *
 * Refunds: a paid invoice is refunded with "Estornar uma fatura" (POST /planos/assinatura/{id}/faturas
 * `{ id }`, no amount: in full only). Zspay then lists it `void`, its `paid_at` kept (the document's
 * example 842): a void invoice that was paid is a refunded one, whoever refunded it.
 */
import { compareDates } from '../billing/calendar';
import { firstChargeDate } from '../billing/schedule';
import type { EventContext, PaidOutTransfer, SubscriptionEvent, SubscriptionEventType } from './events';
import {
  blocked,
  providerFailureRecorded,
  isTerminal,
  only,
  recovered,
  APPLY,
  type Apply,
  type Transition,
} from './machine';
import type { Invoice } from './model';
import type { Effect } from './outbox';
import { paidSaleId, paidZspayInvoiceId, refundedAtProvider, refundSettled, requestRefund } from './refunds';
import type { SubscriptionState } from './state';

/** One invoice outcome reported by Zspay (a webhook, or its invoice list). */
export interface ZspayInvoiceUpdate {
  /** The fatura's id. */
  invoiceId: string;
  /** `refunded`: a paid invoice Zspay lists void (refunded by the engine, or at Zspay). */
  outcome: 'paid' | 'failed' | 'refunded';
  /** Zspay's retries of this invoice so far, and how many it makes (the document's `retries`, `max_retries`). */
  retries?: number;
  maxRetries?: number;
  amountCents?: number;
  /** `date_invoice`, YYYY-MM-DD. */
  dueDate?: string;
  /** The sale (pedido) that paid or tried the invoice, when Zspay says. */
  saleId?: string;
  /** Zspay's own invoice status (paid, failed...), and the webhook's status (paid, overdue, refunded). */
  providerStatus?: string;
  source: 'webhook' | 'list';
}

/** A fatura as Zspay's invoice list shows it, in the engine's terms: small, money in cents. */
export interface ZspayInvoiceSummary {
  invoiceId: string;
  /** Zspay's invoice status: pending, paid, failed, void. */
  status: string;
  amountCents: number;
  dueDate?: string;
  retries?: number;
  maxRetries?: number;
  saleId?: string;
  /** `paid_at`: set on a paid invoice, and kept once it is refunded (void). */
  paidAt?: string;
}

/**
 * An invoice as Zspay's list shows it, in the engine's terms (undefined: nothing to act on yet):
 * paid; failed (its retries exhausted); or pending after a failed collection (`retries` > 0, Zspay
 * will try again).
 */
export function zspayReportOf(invoice: ZspayInvoiceSummary): ZspayInvoiceUpdate | undefined {
  const failed = invoice.status === 'failed' || (invoice.status === 'pending' && (invoice.retries ?? 0) > 0);
  if (invoice.status !== 'paid' && !failed) return undefined;
  return {
    invoiceId: invoice.invoiceId,
    outcome: invoice.status === 'paid' ? 'paid' : 'failed',
    retries: invoice.retries,
    maxRetries: invoice.maxRetries,
    amountCents: invoice.amountCents,
    dueDate: invoice.dueDate,
    saleId: invoice.saleId,
    providerStatus: invoice.status,
    source: 'list',
  };
}

/** A paid invoice Zspay refunded: listed `void` with its `paid_at` kept (a void one never paid is no refund). */
export function zspayRefundOf(invoice: ZspayInvoiceSummary): ZspayInvoiceUpdate | undefined {
  if (invoice.status !== 'void' || invoice.paidAt === undefined) return undefined;
  return {
    invoiceId: invoice.invoiceId,
    outcome: 'refunded',
    amountCents: invoice.amountCents,
    dueDate: invoice.dueDate,
    saleId: invoice.saleId,
    providerStatus: invoice.status,
    source: 'list',
  };
}

/**
 * Invoices oldest first, by due date then id: the document shows the list newest first, but the
 * order of a list is not a promise, and invoices take their cycles in this order.
 */
export function oldestFirst(invoices: ZspayInvoiceSummary[]): ZspayInvoiceSummary[] {
  return [...invoices].sort(
    (a, b) =>
      (a.dueDate ?? '9999-12-31').localeCompare(b.dueDate ?? '9999-12-31') ||
      Number(a.invoiceId) - Number(b.invoiceId) ||
      a.invoiceId.localeCompare(b.invoiceId),
  );
}

/** How many of a subscription's newest invoices the daily look reports whatever their dates. */
export const ZSPAY_NEWEST_INVOICES_REPORTED = 3;

/**
 * The outcomes in one subscription's invoice list worth signaling, oldest first: the newest few
 * invoices always, older ones only when due on or after `since`. The dates are Zspay's
 * (`date_invoice`, from its clock and its calendar), so a date window alone would drop the very
 * invoice that just failed whenever the two clocks disagree; the window only bounds how much of a
 * long history is signaled again (the subscription ignores what it already acted on).
 */
export function zspayReportsToSignal(invoices: ZspayInvoiceSummary[], since: string): ZspayInvoiceUpdate[] {
  const byAge = oldestFirst(invoices);
  const newestFrom = byAge.length - ZSPAY_NEWEST_INVOICES_REPORTED;
  return byAge
    .filter((invoice, index) => index >= newestFrom || invoice.dueDate === undefined || invoice.dueDate >= since)
    .map(zspayReportOf)
    .filter((update): update is ZspayInvoiceUpdate => update !== undefined);
}

/**
 * What a webhook means once the invoice list has been read: the list's own state of that invoice
 * (paid, or failed with its retry count). A paid notice for an invoice the list shows unpaid, a
 * refunded notice for one the list does not show refunded, or a notice of an invoice the list does
 * not hold, is contradicted (undefined).
 */
export function confirmedZspayNotice(
  invoice: ZspayInvoiceSummary | undefined,
  notice: ZspayInvoiceUpdate,
): ZspayInvoiceUpdate | undefined {
  if (notice.outcome === 'refunded') {
    const refunded = invoice ? zspayRefundOf(invoice) : undefined;
    return refunded ? { ...refunded, source: 'webhook' } : undefined;
  }
  const listed = invoice ? zspayReportOf(invoice) : undefined;
  if (!listed) return undefined;
  if (notice.outcome === 'paid' && listed.outcome !== 'paid') return undefined;
  return { ...listed, source: 'webhook' };
}

/** Zspay retries a failed invoice up to `max_retries` times: after the last one nothing is collected. */
export function retriesExhausted(update: ZspayInvoiceUpdate): boolean {
  return update.maxRetries !== undefined && update.retries !== undefined && update.retries >= update.maxRetries;
}

/**
 * Each attempt is acted on once: a payment once per invoice, a failure once per retry count (the
 * invoice carries it, so a redelivered webhook and the list reporting the same failure are one).
 */
function handledKey(update: ZspayInvoiceUpdate): string {
  return update.outcome === 'paid' ? `${update.invoiceId}:paid` : `${update.invoiceId}:failed:${update.retries ?? 0}`;
}

/** The engine's paid invoice of a Zspay invoice (fatura), if it holds one. */
export function paidInvoiceOfFatura(state: SubscriptionState, invoiceId: string): Invoice | undefined {
  return state.invoices.find((i) => i.status === 'paid' && paidZspayInvoiceId(i) === invoiceId);
}

/**
 * Zspay lists a paid invoice refunded: the invoice is refunded and the merchant told, once (the
 * engine's own refund, or one made at Zspay). A refund of an invoice the engine never saw paid, or
 * already refunded, changes nothing.
 */
function zspayInvoiceRefunded(
  state: SubscriptionState,
  update: ZspayInvoiceUpdate,
  ctx: EventContext,
  transfers: readonly PaidOutTransfer[] | undefined,
): Transition {
  const invoice = paidInvoiceOfFatura(state, update.invoiceId);
  if (!invoice) return { state, effects: [] };
  return refundedAtProvider(state, invoice, paidSaleId(invoice) ?? update.saleId ?? '', ctx, transfers);
}

/** An invoice outcome Zspay confirmed: the invoice, the status, and what follows. */
export function applyZspayInvoice(
  state: SubscriptionState,
  update: ZspayInvoiceUpdate,
  ctx: EventContext,
  transfers?: readonly PaidOutTransfer[],
): Transition {
  if (update.outcome === 'refunded') return zspayInvoiceRefunded(state, update, ctx, transfers);
  const zspay = state.zspay;
  const key = handledKey(update);
  if (!zspay || zspay.handled.includes(key) || zspay.handled.includes(`${update.invoiceId}:paid`))
    return { state, effects: [] };
  const effects: Effect[] = [];
  const existing = state.invoices.find(
    (i) => i.boleto === undefined && i.attempts.some((a) => a.providerIds?.invoiceId === update.invoiceId),
  );
  const cycle = existing?.cycle ?? Math.max(0, ...state.invoices.map((i) => i.cycle)) + 1;
  const invoice: Invoice = existing ?? {
    cycle,
    kind: 'recurring',
    amountCents: update.amountCents ?? state.plan.amountCents,
    dueDate: update.dueDate ?? ctx.today,
    status: 'open',
    attempts: [],
  };
  const exhausted = update.outcome === 'failed' && retriesExhausted(update);
  const attempt = {
    number: invoice.attempts.length + 1,
    reference: `zspay-fatura-${update.invoiceId}`,
    at: ctx.now,
    outcome: update.outcome === 'paid' ? ('succeeded' as const) : ('soft_declined' as const),
    code: update.outcome === 'paid' ? undefined : (update.providerStatus ?? 'failed'),
    message:
      update.outcome === 'paid'
        ? undefined
        : `Zspay could not charge the invoice (retry ${update.retries ?? 0} of ${update.maxRetries ?? '?'})`,
    providerIds: { invoiceId: update.invoiceId, ...(update.saleId ? { saleId: update.saleId } : {}) },
  };
  const updated: Invoice = {
    ...invoice,
    attempts: [...invoice.attempts, attempt],
    status: update.outcome === 'paid' ? 'paid' : exhausted ? 'failed' : invoice.status,
    paidAt: update.outcome === 'paid' ? ctx.now : invoice.paidAt,
  };
  let next: SubscriptionState = {
    ...state,
    invoices: existing ? state.invoices.map((i) => (i.cycle === cycle ? updated : i)) : [...state.invoices, updated],
    zspay: { ...zspay, handled: [...zspay.handled, key].slice(-200) },
  };
  const ended = isTerminal(next.status);
  const suspended = next.status === 'suspended';

  if (update.outcome === 'paid') {
    const wasDown = next.status === 'blocked' || next.status === 'past_due' || next.dunning !== undefined;
    next = {
      ...next,
      status: ended || suspended ? next.status : 'active',
      statusBeforeSuspension: suspended ? 'active' : next.statusBeforeSuspension,
      dunning: undefined,
      nextCycle: Math.max(next.nextCycle, cycle + 1),
      summary: {
        ...next.summary,
        paidCount: next.summary.paidCount + 1,
        paidCents: next.summary.paidCents + updated.amountCents,
      },
    };
    if (wasDown && !ended) next = recovered(next, effects, 'Zspay collected the invoice');
    effects.push({
      kind: 'notify',
      type: 'payment.succeeded',
      data: {
        cycle,
        amountCents: updated.amountCents,
        zspayInvoiceId: update.invoiceId,
        ...(ended || suspended ? { subscriptionStatus: next.status } : {}),
      },
    });
    effects.push({ kind: 'push_payment_status', cycle, status: 'paid' });
    return { state: next, effects };
  }

  next = providerFailureRecorded(next, effects, updated, {
    SubscriptionId: zspay.subscriptionId,
    PlanId: zspay.planId,
    OrderNumber: state.subscriptionId,
    BillingId: update.invoiceId,
    ExpireAt: `${updated.dueDate}T00:00:00${ctx.offset}`,
    ErrorCode: update.providerStatus ?? 'failed',
    ErrorMessage: attempt.message,
    Provider: 'zspay',
    DeclineCategory: 'soft',
    Retries: update.retries,
    MaxRetries: update.maxRetries,
  });
  if (ended) return { state: next, effects };
  if (suspended) {
    // The suspension stays; a reactivation comes back to what Zspay said meanwhile.
    return { state: { ...next, statusBeforeSuspension: exhausted ? 'blocked' : 'past_due' }, effects };
  }
  // Zspay's last retry failed: it collects this invoice no more, so the subscription is blocked.
  if (exhausted) next = next.status === 'blocked' ? next : blocked(next, effects, 'Zspay exhausted its retries');
  else if (next.status !== 'blocked') next = { ...next, status: 'past_due' };
  return { state: next, effects };
}

const refusedHere = (): never => {
  throw new Error('the transition table refuses this event for a subscription billed by Zspay');
};

const zspayCall = (state: SubscriptionState, action: 'cancel' | 'suspend' | 'reactivate'): Effect[] =>
  state.zspay ? [{ kind: 'zspay_subscription', action, zspaySubscriptionId: state.zspay.subscriptionId }] : [];

/** What each event does to a Zspay-billed subscription, once the Zspay table lets it apply. */
export const ZSPAY_APPLY: { [T in SubscriptionEventType]: Apply<T> } = {
  ...(Object.fromEntries(Object.keys(APPLY).map((type) => [type, refusedHere])) as unknown as {
    [T in SubscriptionEventType]: Apply<T>;
  }),
  zspaySubscribed: (state, event) => {
    const zspay = { planId: event.planId, subscriptionId: event.subscriptionId, handled: state.zspay?.handled ?? [] };
    // Canceled while Zspay was creating it: it exists there now, and must not bill anyone.
    if (isTerminal(state.status)) {
      const ended: SubscriptionState = { ...state, zspay };
      return { state: ended, effects: zspayCall(ended, 'cancel') };
    }
    const firstCharge = firstChargeDate(event.startDate, state.plan);
    const next: SubscriptionState = {
      ...state,
      zspay,
      startDate: event.startDate,
      anchor: { cycle: 1, date: firstCharge },
      status:
        state.status === 'suspended'
          ? state.status
          : compareDates(firstCharge, event.startDate) > 0
            ? 'trialing'
            : 'active',
    };
    // Suspended before Zspay held it (a future start date): Zspay is told once it does.
    return { state: next, effects: state.status === 'suspended' ? zspayCall(next, 'suspend') : [] };
  },
  cancelNow: (state, event, ctx) => ({
    state: {
      ...state,
      status: 'canceled',
      canceledAt: ctx.now,
      dunning: undefined,
      statusBeforeSuspension: undefined,
    },
    effects: [
      ...zspayCall(state, 'cancel'),
      {
        kind: 'notify',
        type: 'subscription.canceled',
        data: { reason: event.reason ?? 'canceled', atPeriodEnd: false },
      },
    ],
  }),
  suspend: (state) => ({
    state: { ...state, statusBeforeSuspension: state.status, status: 'suspended' },
    effects: zspayCall(state, 'suspend'),
  }),
  reactivate: (state) => ({
    state: { ...state, status: state.statusBeforeSuspension ?? 'active', statusBeforeSuspension: undefined },
    effects: zspayCall(state, 'reactivate'),
  }),
  linkExternalPayment: APPLY.linkExternalPayment,
  zspayInvoiceNoticed: (state, event) =>
    (state.zspayNotices ?? []).some((n) => same(n, event.update))
      ? only(state)
      : only({ ...state, zspayNotices: [...(state.zspayNotices ?? []), event.update] }),
  zspayInvoiceReported: (state, event, ctx) =>
    applyZspayInvoice(
      {
        ...state,
        zspayNotices: (state.zspayNotices ?? []).filter((n) => n.invoiceId !== event.update.invoiceId),
      },
      event.update,
      ctx,
      event.transfersSincePayment,
    ),
  zspayNoticeContradicted: (state, event) =>
    only({
      ...state,
      zspayNotices: (state.zspayNotices ?? []).filter((n) => n.invoiceId !== event.invoiceId),
      ignoredPaymentNotices: state.ignoredPaymentNotices + 1,
    }),
  zspaySubscriptionCanceled: (state, _event, ctx) => ({
    state: { ...state, status: 'canceled', canceledAt: ctx.now, dunning: undefined, statusBeforeSuspension: undefined },
    effects: [{ kind: 'notify', type: 'subscription.canceled', data: { reason: 'canceled at Zspay' } }],
  }),
  // A paid invoice refunded with "Estornar uma fatura": recorded now, sent by the workflow.
  refund: requestRefund,
  refundSettled,
  effectDelivered: APPLY.effectDelivered,
  effectFailed: APPLY.effectFailed,
};

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

export function applyZspayEvent(state: SubscriptionState, event: SubscriptionEvent, ctx: EventContext): Transition {
  return (ZSPAY_APPLY[event.type] as Apply<typeof event.type>)(state, event, ctx);
}
