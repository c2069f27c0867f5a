/**
 * Side effects as a durable outbox. A decision appends what it sets off (the merchant's signed
 * notification, the partner's payment status, the payment status push, Adiq calls); the workflow
 * delivers entries in the background and records each delivery or failure as an event. Nothing
 * waits for delivery — not billing, not continue-as-new, which carries what is undelivered — and
 * failures are visible (view, memo, search attribute) instead of a log line.
 */
import type { MerchantEventType, MerchantNotification } from '../merchant-notification';
import type { EventContext } from './events';
import type { SubscriptionState } from './state';

export type Effect =
  | { kind: 'notify'; type: MerchantEventType; data: Record<string, unknown> }
  | { kind: 'partner'; status: 'adimplente' | 'inadimplente' }
  | { kind: 'push_payment_status'; cycle: number; status: 'paid' | 'failed' | 'pending' | 'refunded' }
  /** Adiq-billed: forward a cancel or a new card (vault) to Adiq. */
  | { kind: 'adiq_cancel'; adiqSubscriptionId: string }
  | { kind: 'adiq_change_vault'; adiqSubscriptionId: string; vaultId: string }
  /** Zspay-billed: forward a cancel ("Remover uma assinatura"), a suspension or a reactivation to Zspay. */
  | { kind: 'zspay_subscription'; action: 'cancel' | 'suspend' | 'reactivate'; zspaySubscriptionId: string };

export interface OutboxEntry {
  /** Stable across retries and runs: a notification's id is the merchant's dedupe key. */
  id: string;
  effect: Effect;
  /** Built once, when the effect was decided (its sequence number and time never change). */
  notification?: MerchantNotification;
  createdAt: string;
  attempts: number;
  lastError?: string;
  /** Not before this instant (set after a failure). */
  nextTryAt?: string;
}

/** First retry 10 s after a failure, doubling to an hour. */
export function deliveryBackoffMs(attempts: number): number {
  return Math.min(10_000 * 2 ** Math.max(0, attempts - 1), 3_600_000);
}
/** Notifications and status pushes are given up after three days; calls to a billing provider never are. */
export const DELIVERY_WINDOW_MS = 3 * 24 * 3_600_000;
const NEVER_GIVEN_UP: ReadonlyArray<Effect['kind']> = ['adiq_cancel', 'adiq_change_vault', 'zspay_subscription'];

/** Appends decided effects to the outbox; effects with nobody to reach are dropped here. */
export function enqueue(state: SubscriptionState, effects: readonly Effect[], ctx: EventContext): SubscriptionState {
  let next = state;
  for (const effect of effects) {
    if (effect.kind === 'notify' && !ctx.targets.merchant) continue;
    if (effect.kind === 'partner' && !ctx.targets.partner) continue;
    if (effect.kind === 'push_payment_status' && !next.externalPayments[String(effect.cycle)]) continue;
    if (effect.kind === 'notify') {
      const sequence = next.notificationSequence + 1;
      const notification: MerchantNotification = {
        id: `${next.subscriptionId}-${sequence}`,
        type: effect.type,
        sequence,
        subscriptionId: next.subscriptionId,
        occurredAt: ctx.now,
        data: effect.data,
      };
      next = {
        ...next,
        notificationSequence: sequence,
        outbox: [...next.outbox, { id: notification.id, effect, notification, createdAt: ctx.now, attempts: 0 }],
      };
    } else {
      const sequence = next.outboxSequence + 1;
      next = {
        ...next,
        outboxSequence: sequence,
        outbox: [
          ...next.outbox,
          { id: `${next.subscriptionId}-${effect.kind}-${sequence}`, effect, createdAt: ctx.now, attempts: 0 },
        ],
      };
    }
  }
  return next;
}

/** Entries that must reach their target in order: one partner status at a time, one push per payment, one Adiq call. */
function orderingKey(entry: OutboxEntry): string | undefined {
  switch (entry.effect.kind) {
    case 'notify':
      return undefined;
    case 'partner':
      return 'partner';
    case 'push_payment_status':
      return `push-${entry.effect.cycle}`;
    case 'zspay_subscription':
      return 'zspay';
    default:
      return 'adiq';
  }
}

/** The entries that may be sent next: not in flight, and first in their ordering. */
function heads(outbox: readonly OutboxEntry[], inFlight: ReadonlySet<string>): OutboxEntry[] {
  const seen = new Set<string>();
  const result: OutboxEntry[] = [];
  for (const entry of outbox) {
    const key = orderingKey(entry);
    if (key !== undefined) {
      if (seen.has(key)) continue;
      seen.add(key);
    }
    if (!inFlight.has(entry.id)) result.push(entry);
  }
  return result;
}

/** What may be sent now: due, not already in flight, and first in its ordering. */
export function deliverable(
  outbox: readonly OutboxEntry[],
  nowMs: number,
  inFlight: ReadonlySet<string>,
): OutboxEntry[] {
  return heads(outbox, inFlight).filter(
    (entry) => entry.nextTryAt === undefined || Date.parse(entry.nextTryAt) <= nowMs,
  );
}

/**
 * When the next entry that waits out a failure may be sent (undefined: nothing to wait for; an
 * entry behind one in flight waits for that one's answer, not for a time).
 */
export function nextRetryAt(
  outbox: readonly OutboxEntry[],
  nowMs: number,
  inFlight: ReadonlySet<string>,
): number | undefined {
  const times = heads(outbox, inFlight)
    .filter((entry) => entry.nextTryAt !== undefined)
    .map((entry) => Date.parse(entry.nextTryAt!))
    .filter((at) => at > nowMs);
  return times.length > 0 ? Math.min(...times) : undefined;
}

export function delivered(state: SubscriptionState, id: string): SubscriptionState {
  const entry = state.outbox.find((e) => e.id === id);
  if (!entry) return state;
  return {
    ...state,
    outbox: state.outbox.filter((e) => e.id !== id),
    partnerDelivered: entry.effect.kind === 'partner' ? entry.effect.status : state.partnerDelivered,
  };
}

export function deliveryFailed(
  state: SubscriptionState,
  id: string,
  error: string,
  ctx: Pick<EventContext, 'now' | 'nowMs'>,
): SubscriptionState {
  const entry = state.outbox.find((e) => e.id === id);
  if (!entry) return state;
  const attempts = entry.attempts + 1;
  const expired =
    ctx.nowMs - Date.parse(entry.createdAt) >= DELIVERY_WINDOW_MS && !NEVER_GIVEN_UP.includes(entry.effect.kind);
  if (expired) {
    return {
      ...state,
      outbox: state.outbox.filter((e) => e.id !== id),
      delivery: {
        givenUp: state.delivery.givenUp + 1,
        lastGivenUp: { id, kind: entry.effect.kind, error, at: ctx.now },
      },
    };
  }
  const updated: OutboxEntry = {
    ...entry,
    attempts,
    lastError: error,
    nextTryAt: new Date(ctx.nowMs + deliveryBackoffMs(attempts)).toISOString(),
  };
  return { ...state, outbox: state.outbox.map((e) => (e.id === id ? updated : e)) };
}

export interface DeliveryStatus {
  /** Side effects not yet delivered. */
  pending: number;
  /** Of those, how many failed at least once (retrying). */
  failing: number;
  lastError?: string;
  /** Given up after their retry window, in total. */
  givenUp: number;
}

export function deliveryStatus(state: Pick<SubscriptionState, 'outbox' | 'delivery'>): DeliveryStatus {
  const failing = state.outbox.filter((e) => e.attempts > 0);
  const last = failing[failing.length - 1];
  return {
    pending: state.outbox.length,
    failing: failing.length,
    lastError: last ? `${last.id}: ${last.lastError}` : undefined,
    givenUp: state.delivery.givenUp,
  };
}
