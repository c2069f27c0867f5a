/**
 * Subscriptions billed by Adiq Recurrence itself: Adiq charges and retries (its own teimosinha);
 * the engine follows its notifications — confirmed by Adiq's billing search before they change
 * anything — and drives the same consequences as for the subscriptions it bills: partner blocking,
 * merchant notification, payment status push. Each billing outcome is acted on once, however many
 * times Adiq (or a poll) reports it. The table in table.ts says which events apply when.
 */
import { addDays, compareDates, instantAt, localDateOf, offsetMinutes, type CalendarDate } from '../billing/calendar';
import { firstChargeDate, totalCycles } from '../billing/schedule';
import type { EventContext, SubscriptionEvent, SubscriptionEventType } from './events';
import {
  blocked,
  providerFailureRecorded,
  dueDateOf,
  isTerminal,
  only,
  recovered,
  APPLY,
  type Apply,
  type Transition,
} from './machine';
import type { Invoice } from './model';
import type { Effect } from './outbox';
import type { SubscriptionState } from './state';

/** One billing outcome reported by Adiq (a notification or the billing search). */
export interface AdiqBillingUpdate {
  billingId: string;
  outcome: 'paid' | 'failed';
  decline?: 'soft' | 'hard';
  code?: string;
  message?: string;
  /** Installment number, when Adiq says. */
  installment?: number;
  amountCents?: number;
  /** Due date, YYYY-MM-DD. */
  dueDate?: string;
  /** Notifications report every attempt; the billing search only the latest state. */
  source: 'notification' | 'search';
  /** Adiq's own status of the billing (Denied, PaymentInvalid...), when the search said. */
  providerStatus?: string;
}

/**
 * When to create the Adiq subscription, and the date Adiq will count it from. Adiq charges a
 * subscription on its registration date plus the plan's trial days, and its dates carry no zone; so
 * the engine registers it at an instant that is the same calendar date in the merchant's zone and in
 * UTC (a sign-up at 22:13 in São Paulo is already tomorrow in UTC: it is registered tomorrow), on its
 * start date — at once when today qualifies, else at that date's common hour. The forecast then
 * equals what Adiq charges, to the day, whatever zone Adiq counts in.
 */
export function adiqRegistration(
  startDate: CalendarDate | undefined,
  nowMs: number,
  timeZone: string,
): { date: CalendarDate; atMs: number } {
  const today = localDateOf(nowMs, timeZone);
  const utcToday = new Date(nowMs).toISOString().slice(0, 10);
  if ((startDate === undefined || compareDates(startDate, today) <= 0) && today === utcToday)
    return { date: today, atMs: nowMs };
  const date = startDate !== undefined && compareDates(startDate, today) > 0 ? startDate : addDays(today, 1);
  // The local hour at which the date is the same in UTC: 12:00 UTC, or 23:00 local far east of it.
  const offsetHours = Math.round(offsetMinutes(Date.parse(`${date}T12:00:00Z`), timeZone) / 60);
  return { date, atMs: instantAt(date, Math.min(23, Math.max(0, 12 + offsetHours)), 0, timeZone) };
}

/**
 * Adiq's notifications carry no attempt number, and its retries are days apart: a failure reported
 * again the same day is a redelivery. A failure found by the search counts only when no
 * notification reported one for that billing; a payment counts once.
 */
function alreadyHandled(handled: string[], update: AdiqBillingUpdate, today: string): boolean {
  if (update.outcome === 'paid') return handled.includes(`${update.billingId}:paid`);
  if (update.source === 'search') return handled.some((key) => key.startsWith(`${update.billingId}:`));
  return handled.includes(`${update.billingId}:failed:${today}`);
}

function handledKey(update: AdiqBillingUpdate, today: string): string {
  return update.outcome === 'paid' ? `${update.billingId}:paid` : `${update.billingId}:failed:${today}`;
}

/**
 * The due dates worth asking Adiq about today: each billing still being collected (Adiq retries it
 * for up to 16 days), and the next one once it fell due. Adiq's billing search cannot filter by
 * subscription, only by due date, so asking for these days alone (a day either side) keeps the
 * daily look to one or two small searches per subscription instead of the merchant's whole month;
 * a subscription with nothing due asks nothing.
 */
export function adiqDatesToSearch(
  state: SubscriptionState,
  today: CalendarDate,
  notices: readonly AdiqBillingUpdate[] = [],
): Array<{ from: CalendarDate; to: CalendarDate }> {
  if (!state.adiq) return [];
  const dates = new Set<CalendarDate>();
  for (const invoice of state.invoices) if (invoice.status === 'open') dates.add(invoice.dueDate);
  const next = dueDateOf(state, Math.max(state.nextCycle, ...state.invoices.map((i) => i.cycle + 1)));
  if (!isTerminal(state.status) && compareDates(next, today) <= 0) dates.add(next);
  for (const notice of notices) if (notice.dueDate) dates.add(notice.dueDate);
  return [...dates].sort().map((date) => ({ from: addDays(date, -1), to: addDays(date, 1) }));
}

/** Every installment of a plan with a fixed number of them is paid: nothing more will be billed. */
function allInstallmentsPaid(state: SubscriptionState): boolean {
  const installments = totalCycles(state.plan);
  return installments !== undefined && state.summary.paidCount >= installments;
}

/** A billing outcome Adiq confirmed: the invoice, the status, and what follows. */
export function applyAdiqBilling(state: SubscriptionState, update: AdiqBillingUpdate, ctx: EventContext): Transition {
  const adiq = state.adiq;
  if (!adiq || alreadyHandled(adiq.handled, update, ctx.today)) return { state, effects: [] };
  const effects: Effect[] = [];
  const existing = state.invoices.find(
    (i) => i.boleto === undefined && i.attempts.some((a) => a.providerIds?.billingId === update.billingId),
  );
  const cycle = existing?.cycle ?? update.installment ?? Math.max(0, ...state.invoices.map((i) => i.cycle)) + 1;
  const invoice: Invoice = existing ?? {
    cycle,
    kind: 'recurring',
    amountCents: update.amountCents ?? state.plan.amountCents,
    dueDate: update.dueDate ?? ctx.today,
    status: 'open',
    attempts: [],
  };
  const attempt = {
    number: invoice.attempts.length + 1,
    reference: update.billingId,
    at: ctx.now,
    outcome:
      update.outcome === 'paid'
        ? ('succeeded' as const)
        : update.decline === 'hard'
          ? ('hard_declined' as const)
          : ('soft_declined' as const),
    code: update.code,
    message: update.message,
    providerIds: { billingId: update.billingId },
  };
  const updated: Invoice = {
    ...invoice,
    attempts: [...invoice.attempts, attempt],
    status: update.outcome === 'paid' ? 'paid' : invoice.status,
    paidAt: update.outcome === 'paid' ? ctx.now : invoice.paidAt,
  };
  let next: SubscriptionState = {
    ...state,
    invoices: existing ? state.invoices.map((i) => (i.cycle === cycle ? updated : i)) : [...state.invoices, updated],
    adiq: { ...adiq, handled: [...adiq.handled, handledKey(update, ctx.today)].slice(-200) },
  };
  const ended = isTerminal(next.status);

  if (update.outcome === 'paid') {
    const wasDown = next.status === 'blocked' || next.status === 'past_due';
    next = {
      ...next,
      status: ended ? next.status : 'active',
      dunning: undefined,
      nextCycle: Math.max(next.nextCycle, cycle + 1),
      summary: {
        ...next.summary,
        paidCount: next.summary.paidCount + 1,
        paidCents: next.summary.paidCents + updated.amountCents,
      },
    };
    if (wasDown) next = recovered(next, effects, 'Adiq collected the payment');
    effects.push({
      kind: 'notify',
      type: 'payment.succeeded',
      data: { cycle, amountCents: updated.amountCents, billingId: update.billingId },
    });
    effects.push({ kind: 'push_payment_status', cycle, status: 'paid' });
    if (!ended && allInstallmentsPaid(next)) {
      // A plan with a fixed number of installments is over after the last one: stop following it.
      const reason = `all ${totalCycles(next.plan)} installments paid`;
      next = { ...next, status: 'completed' };
      effects.push({ kind: 'notify', type: 'subscription.completed', data: { reason } });
    }
    return { state: next, effects };
  }

  next = providerFailureRecorded(next, effects, updated, {
    SubscriptionId: adiq.subscriptionId,
    PlanId: adiq.planId,
    OrderNumber: state.subscriptionId,
    BillingId: update.billingId,
    ExpireAt: `${updated.dueDate}T00:00:00${ctx.offset}`,
    // Adiq's own code and words (its billing status when only the search saw the failure).
    ErrorCode: update.code ?? update.providerStatus ?? 'Denied',
    ErrorMessage:
      update.message ?? (update.decline === 'hard' ? 'Payment invalid: Adiq will not retry it' : 'Payment denied'),
    Provider: 'adiq',
    DeclineCategory: update.decline === 'hard' ? 'hard' : 'soft',
  });
  if (ended) return { state: next, effects };
  // A canceled card is never retried by Adiq: the subscription is blocked at once.
  if (update.decline === 'hard')
    next =
      next.status === 'blocked'
        ? next
        : blocked(next, effects, `hard decline${update.code ? ` (${update.code})` : ''}`);
  else if (next.status !== 'blocked') next = { ...next, status: 'past_due' };
  return { state: next, effects };
}

const refusedHere = (): never => {
  throw new Error('the transition table refuses this event for a subscription billed by Adiq');
};

/** What each event does to an Adiq-billed subscription, once the Adiq table lets it apply. */
export const ADIQ_APPLY: { [T in SubscriptionEventType]: Apply<T> } = {
  ...(Object.fromEntries(Object.keys(APPLY).map((type) => [type, refusedHere])) as unknown as {
    [T in SubscriptionEventType]: Apply<T>;
  }),
  adiqSubscribed: (state, event) => {
    const adiq = { planId: event.planId, subscriptionId: event.subscriptionId, handled: state.adiq?.handled ?? [] };
    // Canceled while Adiq created it: it exists there now, and must not charge anyone.
    if (isTerminal(state.status))
      return { state: { ...state, adiq }, effects: [{ kind: 'adiq_cancel', adiqSubscriptionId: adiq.subscriptionId }] };
    const firstCharge = firstChargeDate(event.startDate, state.plan);
    return only({
      ...state,
      adiq,
      startDate: event.startDate,
      anchor: { cycle: 1, date: firstCharge },
      status: compareDates(firstCharge, event.startDate) > 0 ? 'trialing' : 'active',
    });
  },
  cancelNow: (state, event, ctx) => ({
    state: { ...state, status: 'canceled', canceledAt: ctx.now, dunning: undefined },
    effects: [
      ...(state.adiq ? [{ kind: 'adiq_cancel' as const, adiqSubscriptionId: state.adiq.subscriptionId }] : []),
      {
        kind: 'notify',
        type: 'subscription.canceled',
        data: { reason: event.reason ?? 'canceled', atPeriodEnd: false },
      },
    ],
  }),
  changePaymentMethod: (state, event) => ({
    state: { ...state, paymentMethod: event.paymentMethod },
    effects:
      state.adiq && event.paymentMethod.type === 'adiq_vault'
        ? [
            {
              kind: 'adiq_change_vault',
              adiqSubscriptionId: state.adiq.subscriptionId,
              vaultId: event.paymentMethod.vaultId,
            },
          ]
        : [],
  }),
  linkExternalPayment: APPLY.linkExternalPayment,
  adiqBillingNoticed: (state, event) =>
    (state.adiqNotices ?? []).some((n) => same(n, event.update))
      ? only(state)
      : only({ ...state, adiqNotices: [...(state.adiqNotices ?? []), event.update] }),
  adiqBillingReported: (state, event, ctx) => {
    const withoutNotice = {
      ...state,
      adiqNotices: (state.adiqNotices ?? []).filter(
        (n) => n.billingId !== event.update.billingId || n.outcome !== event.update.outcome,
      ),
    };
    return applyAdiqBilling(withoutNotice, event.update, ctx);
  },
  adiqNoticeContradicted: (state, event) =>
    only({
      ...state,
      adiqNotices: (state.adiqNotices ?? []).filter((n) => n.billingId !== event.billingId),
      ignoredPaymentNotices: state.ignoredPaymentNotices + 1,
    }),
  adiqSubscriptionBlocked: (state) => {
    const effects: Effect[] = [];
    return { state: blocked(state, effects, 'blocked by Adiq (retries exhausted)'), effects };
  },
  adiqSubscriptionCanceled: (state, _event, ctx) => ({
    state: { ...state, status: 'canceled', canceledAt: ctx.now, dunning: undefined },
    effects: [{ kind: 'notify', type: 'subscription.canceled', data: { reason: 'canceled at Adiq' } }],
  }),
  effectDelivered: APPLY.effectDelivered,
  effectFailed: APPLY.effectFailed,
};

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

export function applyAdiqEvent(state: SubscriptionState, event: SubscriptionEvent, ctx: EventContext): Transition {
  return (ADIQ_APPLY[event.type] as Apply<typeof event.type>)(state, event, ctx);
}
