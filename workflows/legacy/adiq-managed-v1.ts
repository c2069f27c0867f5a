/**
 * FROZEN for the replay of workflows released before the state machine (workflows/legacy/*-v1.ts).
 *
 * Subscriptions billed by Adiq Recurrence itself: Adiq charges and retries (its own teimosinha);
 * the engine follows its notifications and billing search and drives the same consequences as for
 * the subscriptions it bills — partner blocking, merchant notification, payment status push.
 * Each billing outcome is acted on once, however many times Adiq (or a poll) reports it.
 */
import {
  blocked,
  recovered,
  type Effect,
  type OutcomeContext,
  type SubscriptionState,
  type Transition,
} from './machine-v1';
import type { Invoice } from '../../common/subscription/model';

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

export function applyAdiqBilling(state: SubscriptionState, update: AdiqBillingUpdate, ctx: OutcomeContext): Transition {
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

  if (update.outcome === 'paid') {
    const wasDown = next.status === 'blocked' || next.status === 'past_due';
    next = {
      ...next,
      status: 'active',
      dunning: undefined,
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
    return { state: next, effects };
  }

  next = {
    ...next,
    dunning: { cycle, failures: (next.dunning?.cycle === cycle ? next.dunning.failures : 0) + 1 },
    summary: { ...next.summary, failedAttempts: next.summary.failedAttempts + 1 },
  };
  effects.push({
    kind: 'notify',
    type: 'payment.failed',
    data: {
      SubscriptionId: adiq.subscriptionId,
      PlanId: adiq.planId,
      OrderNumber: state.subscriptionId,
      BillingId: update.billingId,
      ExpireAt: `${updated.dueDate}T00:00:00${ctx.offset}`,
      ErrorCode: update.code ?? 'declined',
      ErrorMessage: update.message ?? 'Payment declined',
      Cycle: cycle,
      AmountCents: updated.amountCents,
    },
  });
  effects.push({ kind: 'push_payment_status', cycle, status: 'failed' });
  // A canceled card is never retried by Adiq: the subscription is blocked at once.
  if (update.decline === 'hard')
    next =
      next.status === 'blocked'
        ? next
        : blocked(next, effects, `hard decline${update.code ? ` (${update.code})` : ''}`);
  else if (next.status !== 'blocked') next = { ...next, status: 'past_due' };
  return { state: next, effects };
}

/** Adiq itself reports the subscription blocked (retries exhausted on its side). */
export function applyAdiqSubscriptionBlocked(state: SubscriptionState): Transition {
  if (state.status === 'blocked' || state.status === 'canceled' || state.status === 'completed')
    return { state, effects: [] };
  const effects: Effect[] = [];
  return { state: blocked(state, effects, 'blocked by Adiq (retries exhausted)'), effects };
}
