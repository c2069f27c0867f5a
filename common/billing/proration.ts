/**
 * Proration of a plan change inside a paid cycle, and coupon discounts: integer cents, calendar
 * days, exact integer arithmetic (BigInt), pure (workflow code imports this module).
 *
 * The rounding rule. A cycle of `T` calendar days (from its due date to the next one) is split at
 * the change date: `used` days before it (the change date itself counts as unused, the new plan
 * applies from that day), `unused = T - used` days from it. Each part's share of a price is
 * cumulative, so the shares of any split of the cycle add up to the whole price to the cent:
 *
 * - the credit (the old price's unused part) rounds **up**: `A - floor(A × used / T)`;
 * - the charge (the new price's unused part) rounds **down**: `B - ceil(B × used / T)`.
 *
 * Both round in the customer's favour, each by less than a cent, and neither exceeds its price.
 */
import { compareDates, daysBetween, type CalendarDate } from './calendar';

const floorDiv = (a: bigint, b: bigint) => a / b; // non-negative operands: BigInt division truncates = floors
const ceilDiv = (a: bigint, b: bigint) => (a + b - 1n) / b;

function checkSplit(amountCents: number, from: number, to: number, days: number): void {
  if (!Number.isSafeInteger(amountCents) || amountCents < 0) throw new RangeError(`bad amount ${amountCents}`);
  if (!Number.isSafeInteger(days) || days <= 0) throw new RangeError(`bad period of ${days} days`);
  if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to) || from < 0 || to < from || to > days)
    throw new RangeError(`bad day span [${from}, ${to}) of ${days}`);
}

/** The share of `amountCents` for days [from, to) of a `days`-day cycle, boundaries rounded down. */
export function shareRoundedUp(amountCents: number, from: number, to: number, days: number): number {
  checkSplit(amountCents, from, to, days);
  const a = BigInt(amountCents);
  const t = BigInt(days);
  // floor at each boundary: a span ending at the cycle's end gets the remainder (rounded up).
  return Number(floorDiv(a * BigInt(to), t) - floorDiv(a * BigInt(from), t));
}

/** The share of `amountCents` for days [from, to) of a `days`-day cycle, boundaries rounded up. */
export function shareRoundedDown(amountCents: number, from: number, to: number, days: number): number {
  checkSplit(amountCents, from, to, days);
  const a = BigInt(amountCents);
  const t = BigInt(days);
  return Number(ceilDiv(a * BigInt(to), t) - ceilDiv(a * BigInt(from), t));
}

export interface ProrationInput {
  /** What the customer paid for the current cycle (its price after any discount). */
  oldAmountCents: number;
  /** The new plan's price for a whole cycle. */
  newAmountCents: number;
  /** The current cycle's due date (its first day). */
  periodStart: CalendarDate;
  /** The next cycle's due date (the day after its last day). */
  periodEnd: CalendarDate;
  /** The day the new plan applies from: periodStart <= changeDate < periodEnd. */
  changeDate: CalendarDate;
}

export interface Proration {
  periodDays: number;
  usedDays: number;
  unusedDays: number;
  /** The old price's unused part, given back (>= 0, <= oldAmountCents). */
  creditCents: number;
  /** The new price for the unused part (>= 0, <= newAmountCents). */
  chargeCents: number;
  /** chargeCents - creditCents: what the next invoice gains (negative: a credit). */
  netCents: number;
}

/** Whether `changeDate` falls inside [periodStart, periodEnd). */
export function insidePeriod(periodStart: CalendarDate, periodEnd: CalendarDate, changeDate: CalendarDate): boolean {
  return compareDates(periodStart, changeDate) <= 0 && compareDates(changeDate, periodEnd) < 0;
}

export function prorate(input: ProrationInput): Proration {
  const { periodStart, periodEnd, changeDate } = input;
  if (!insidePeriod(periodStart, periodEnd, changeDate))
    throw new RangeError(`${changeDate} is not inside the cycle [${periodStart}, ${periodEnd})`);
  const periodDays = daysBetween(periodStart, periodEnd);
  const usedDays = daysBetween(periodStart, changeDate);
  const creditCents = shareRoundedUp(input.oldAmountCents, usedDays, periodDays, periodDays);
  const chargeCents = shareRoundedDown(input.newAmountCents, usedDays, periodDays, periodDays);
  return {
    periodDays,
    usedDays,
    unusedDays: periodDays - usedDays,
    creditCents,
    chargeCents,
    netCents: chargeCents - creditCents,
  };
}

/** A coupon's terms (validated by the schemas; see common/subscription/operations.ts). */
export interface Coupon {
  code: string;
  /** Whole percent off, 1..100 (exactly one of percentOff and amountOffCents). */
  percentOff?: number;
  /** Cents off each discounted invoice. */
  amountOffCents?: number;
  /** How many recurring invoices it discounts; absent: forever. */
  cycles?: number;
  /** The last day it may be redeemed (applied to a subscription); the cycles it covers still run after. */
  expiresAt?: CalendarDate;
  /** How many times this subscription may redeem this code; absent: once. */
  maxRedemptions?: number;
}

/**
 * The discount on an invoice's base amount: a percentage rounds **up** to the cent (in the
 * customer's favour), a fixed amount is taken whole; never more than the base (never below zero).
 */
export function discountCents(coupon: Pick<Coupon, 'percentOff' | 'amountOffCents'>, baseCents: number): number {
  if (!Number.isSafeInteger(baseCents) || baseCents < 0) throw new RangeError(`bad amount ${baseCents}`);
  if (coupon.percentOff !== undefined)
    return Math.min(baseCents, Number(ceilDiv(BigInt(baseCents) * BigInt(coupon.percentOff), 100n)));
  return Math.min(baseCents, coupon.amountOffCents ?? 0);
}

/** "10% off for 2 cycles", "R$ 5,00 off forever". */
export function couponTerms(coupon: Coupon, formatCents: (cents: number) => string): string {
  const off =
    coupon.percentOff !== undefined ? `${coupon.percentOff}% off` : `${formatCents(coupon.amountOffCents ?? 0)} off`;
  const span = coupon.cycles === undefined ? 'forever' : `for ${coupon.cycles} cycle${coupon.cycles === 1 ? '' : 's'}`;
  return `${off} ${span}`;
}
