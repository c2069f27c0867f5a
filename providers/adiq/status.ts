/**
 * Adiq statuses in the engine's terms. Unknown values (open enums) map to 'unknown' and keep the
 * raw value alongside, so a new Adiq status is visible instead of silently misread.
 */
import type { PaymentOutcomeStatus } from '../../common/payment-outcome';
import type { SubscriptionStatus } from '../../common/subscription/model';
import { knownOrUnknown } from '../open-enum';
import {
  BILLING_STATUSES,
  PLAN_STATUSES,
  SUBSCRIPTION_STATUSES,
  type KnownBillingStatus,
  type KnownSubscriptionStatus,
  type SubscriptionStatusRequest,
} from './schemas';

/**
 * What the client sends to "Alter Subscription Status". The example body is "Actived", the table
 * says "Activated" and answers say "Active": we send the example's spelling (an assumption to
 * confirm with Adiq; the sandbox accepts the two request spellings).
 */
export const SUBSCRIPTION_STATUS_REQUEST: Record<'active' | 'canceled', SubscriptionStatusRequest> = {
  active: 'Actived',
  canceled: 'Canceled',
};

/** Adiq subscription status -> engine subscription status (Blocked: hard decline or retries exhausted). */
const SUBSCRIPTION_STATUS_MAP: Record<
  KnownSubscriptionStatus,
  Extract<SubscriptionStatus, 'active' | 'blocked' | 'canceled'>
> = {
  Active: 'active',
  Blocked: 'blocked',
  Canceled: 'canceled',
};

export function engineSubscriptionStatus(status: string): 'active' | 'blocked' | 'canceled' | 'unknown' {
  const known = knownOrUnknown(SUBSCRIPTION_STATUSES, status);
  return known === 'unknown' ? 'unknown' : SUBSCRIPTION_STATUS_MAP[known];
}

export type EngineBillingStatus = 'open' | 'paid' | 'declined' | 'invalid' | 'canceled' | 'unknown';

/**
 * Billing (payment) statuses. "Payment Invalid" is written with a space in the search filter's
 * description and as PaymentInvalid in answers: both are accepted.
 */
const BILLING_STATUS_MAP: Record<KnownBillingStatus, Exclude<EngineBillingStatus, 'unknown'>> = {
  Opened: 'open',
  Paid: 'paid',
  Denied: 'declined',
  PaymentInvalid: 'invalid',
  Canceled: 'canceled',
};

export function knownBillingStatus(status: string): KnownBillingStatus | 'unknown' {
  return knownOrUnknown(BILLING_STATUSES, status.replace(/\s+/g, ''));
}

export function engineBillingStatus(status: string): EngineBillingStatus {
  const known = knownBillingStatus(status);
  return known === 'unknown' ? 'unknown' : BILLING_STATUS_MAP[known];
}

/**
 * A billing as a collection outcome: Paid succeeded, Opened is pending (due, or between teimosinha
 * retries), Denied is a decline after Adiq's own retries (soft: lack of balance is what teimosinha
 * retries), PaymentInvalid a hard one (the card cannot be charged; the subscription is blocked).
 * Canceled and unknown statuses are not outcomes of a collection.
 */
export function billingOutcome(status: string): PaymentOutcomeStatus | undefined {
  switch (engineBillingStatus(status)) {
    case 'paid':
      return 'succeeded';
    case 'open':
      return 'pending';
    case 'declined':
      return 'soft_declined';
    case 'invalid':
      return 'hard_declined';
    default:
      return undefined;
  }
}

export function enginePlanStatus(status: string): 'active' | 'inactive' | 'canceled' | 'unknown' {
  const known = knownOrUnknown(PLAN_STATUSES, status);
  return known === 'unknown' ? 'unknown' : (known.toLowerCase() as 'active' | 'inactive' | 'canceled');
}
