/**
 * The coupon catalog, as pure functions without zod (the workflow bundle imports this; the client,
 * the HTTP API and the CLI validate with common/coupon.ts): a coupon's terms, a redemption counter
 * global to every subscription, redeemed exactly once per subscription id.
 */
import { compareDates, type CalendarDate } from './billing/calendar';
import { couponTerms, type Coupon } from './billing/proration';
import { Check, isObject, known, withDefaults, type Fields, type Problems } from './checks';
import { formatBRL } from './money';

/** A coupon of the catalog: its terms, and how many subscriptions may redeem it in all. */
export interface CatalogCoupon {
  code: string;
  percentOff?: number;
  amountOffCents?: number;
  /** How many recurring invoices it discounts (absent: forever). */
  cycles?: number;
  /** The last day it may be redeemed, in `timeZone`. */
  expiresAt?: CalendarDate;
  /** How many subscriptions may redeem it, across the catalog (absent: no limit). */
  maxRedemptions?: number;
  /** The zone `expiresAt` is read in. */
  timeZone: string;
}

/** One subscription's redemption: answered again, unchanged, to the same subscription id. */
export interface CouponRedemption {
  code: string;
  subscriptionId: string;
  /** The terms the subscription takes (redeemable once by it). */
  coupon: Coupon;
  redeemedOn: CalendarDate;
  redeemedAt: string;
}

export interface CouponCatalogState {
  /** Redemptions in force, by subscription id. */
  redemptions: Record<string, CouponRedemption>;
  /** Redemptions released (a subscription refused the coupon, or an operator gave it back). */
  released: number;
}

export interface CouponCatalogView {
  code: string;
  coupon: CatalogCoupon;
  /** "10% off for 2 cycles". */
  terms: string;
  redemptions: number;
  /** How many more subscriptions may redeem it (absent: no limit). */
  remaining?: number;
  released: number;
  /** expiresAt is past in the coupon's zone. */
  expired: boolean;
}

export const couponWorkflowId = (code: string) => `coupon-${code}`;
export const COUPON_LIMITS = { maxRedemptions: 10_000_000, cycles: 120, percentOff: 100 } as const;

/** What a subscription receives: the catalog terms, redeemable once by that subscription. */
export function subscriptionTerms(coupon: CatalogCoupon): Coupon {
  return {
    code: coupon.code,
    ...(coupon.percentOff !== undefined ? { percentOff: coupon.percentOff } : {}),
    ...(coupon.amountOffCents !== undefined ? { amountOffCents: coupon.amountOffCents } : {}),
    ...(coupon.cycles !== undefined ? { cycles: coupon.cycles } : {}),
    ...(coupon.expiresAt !== undefined ? { expiresAt: coupon.expiresAt } : {}),
  };
}

export function catalogView(coupon: CatalogCoupon, state: CouponCatalogState, today: CalendarDate): CouponCatalogView {
  const redemptions = Object.keys(state.redemptions).length;
  return {
    code: coupon.code,
    coupon,
    terms: couponTerms(subscriptionTerms(coupon), formatBRL),
    redemptions,
    ...(coupon.maxRedemptions !== undefined ? { remaining: Math.max(0, coupon.maxRedemptions - redemptions) } : {}),
    released: state.released,
    expired: coupon.expiresAt !== undefined && compareDates(today, coupon.expiresAt) > 0,
  };
}

/**
 * Why `subscriptionId` may not redeem the coupon today, naming the field the caller gave
 * (`couponCode`); undefined when it may. A subscription that already redeemed it may always ask
 * again (it gets the same answer), even past the limit or the expiry.
 */
export function redeemRefusal(
  coupon: CatalogCoupon,
  state: CouponCatalogState,
  subscriptionId: string,
  today: CalendarDate,
): string | undefined {
  if (state.redemptions[subscriptionId]) return undefined;
  if (coupon.expiresAt !== undefined && compareDates(today, coupon.expiresAt) > 0)
    return `couponCode: coupon ${coupon.code} expired on ${coupon.expiresAt} (coupon.expiresAt); it can no longer be redeemed`;
  const count = Object.keys(state.redemptions).length;
  if (coupon.maxRedemptions !== undefined && count >= coupon.maxRedemptions)
    return `couponCode: coupon ${coupon.code} reached its limit of ${coupon.maxRedemptions} redemption${coupon.maxRedemptions === 1 ? '' : 's'} (coupon.maxRedemptions)`;
  return undefined;
}

/** Redeems (once per subscription id): the state after, and the redemption answered. */
export function redeem(
  coupon: CatalogCoupon,
  state: CouponCatalogState,
  subscriptionId: string,
  today: CalendarDate,
  now: string,
): { state: CouponCatalogState; redemption: CouponRedemption } {
  const existing = state.redemptions[subscriptionId];
  if (existing) return { state, redemption: existing };
  const redemption: CouponRedemption = {
    code: coupon.code,
    subscriptionId,
    coupon: subscriptionTerms(coupon),
    redeemedOn: today,
    redeemedAt: now,
  };
  return { state: { ...state, redemptions: { ...state.redemptions, [subscriptionId]: redemption } }, redemption };
}

/** Gives a subscription's redemption back (nothing when it holds none). */
export function release(state: CouponCatalogState, subscriptionId: string): CouponCatalogState {
  if (!state.redemptions[subscriptionId]) return state;
  const redemptions = { ...state.redemptions };
  delete redemptions[subscriptionId];
  return { redemptions, released: state.released + 1 };
}

/** A catalog coupon with its defaults, or what is wrong with it (for callers bypassing the client). */
export function checkCatalogCoupon(value: unknown): { input?: CatalogCoupon; problems: Problems } {
  if (!isObject(value)) return { problems: ['(root): a coupon is required'] };
  const check = new Check()
    .id('code', value.code)
    .whole('percentOff', value.percentOff, 1, COUPON_LIMITS.percentOff, true)
    .whole('amountOffCents', value.amountOffCents, 1, Number.MAX_SAFE_INTEGER, true)
    .whole('cycles', value.cycles, 1, COUPON_LIMITS.cycles, true)
    .date('expiresAt', value.expiresAt, true)
    .whole('maxRedemptions', value.maxRedemptions, 1, COUPON_LIMITS.maxRedemptions, true)
    .timeZone('timeZone', value.timeZone)
    .that(
      'percentOff',
      (value.percentOff === undefined) !== (value.amountOffCents === undefined),
      'or amountOffCents: exactly one of them is required',
    );
  if (check.problems.length > 0) return { problems: check.problems };
  const fields: Fields = known(value, [
    'code',
    'percentOff',
    'amountOffCents',
    'cycles',
    'expiresAt',
    'maxRedemptions',
    'timeZone',
  ]);
  return { problems: [], input: withDefaults({ timeZone: 'America/Sao_Paulo' }, fields) as CatalogCoupon };
}

/** A redeem or release argument: the subscription id. */
export function subscriptionIdProblems(value: unknown): Problems {
  if (!isObject(value)) return ['(root): { subscriptionId } is required'];
  return new Check().id('subscriptionId', value.subscriptionId).problems;
}
