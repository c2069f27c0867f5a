/**
 * What a recurring invoice charges: the plan's amount, less the coupon's discount, plus the lines
 * waiting for it (proration, balances carried from the previous invoice). Pure and zod-free:
 * workflow code imports this module. Integer cents throughout.
 *
 * - A total below zero charges nothing: the invoice records 0 and the credit is carried to the next
 *   invoice (never a negative charge, never a refund).
 * - A boleto is never issued under Zspay's minimum (R$ 5,00): a total from 1 cent to R$ 4,99 is
 *   carried to the next invoice too, and this invoice records 0.
 * - An invoice of 0 is paid at once, without calling the provider (see `chargeStarted`).
 */
import { BOLETO_MINIMUM_CENTS } from '../billing/plan-rules';
import { compareDates, type CalendarDate } from '../billing/calendar';
import { chargeDateForCycle } from '../billing/schedule';
import { couponTerms, discountCents, insidePeriod, prorate, type Coupon, type Proration } from '../billing/proration';
import { formatBRL } from '../money';
import type { SubscriptionPlan } from './input';
import type { Invoice, InvoiceLine } from './model';
import type { ActiveCoupon, SubscriptionState } from './state';

export interface PricedInvoice {
  /** The invoice's amount fields (only `amountCents` when nothing but the plan's amount applies). */
  invoice: Pick<Invoice, 'amountCents' | 'baseAmountCents' | 'discount' | 'lines'>;
  /** The subscription's coupon and pending lines once this invoice took its share. */
  coupon: ActiveCoupon | undefined;
  adjustments: InvoiceLine[] | undefined;
}

/** The coupon, if it still discounts the next invoice. */
export function couponInForce(coupon: ActiveCoupon | undefined): ActiveCoupon | undefined {
  if (!coupon) return undefined;
  return coupon.coupon.cycles === undefined || coupon.cyclesUsed < coupon.coupon.cycles ? coupon : undefined;
}

const sum = (lines: readonly InvoiceLine[]) => lines.reduce((total, line) => total + line.amountCents, 0);

/** Prices recurring cycle `cycle` of `state` (at its current plan) and consumes the coupon and lines. */
export function priceRecurring(
  state: Pick<SubscriptionState, 'plan' | 'coupon' | 'adjustments' | 'paymentMethod'>,
  cycle: number,
): PricedInvoice {
  const base = state.plan.amountCents;
  const active = couponInForce(state.coupon);
  const pending = state.adjustments ?? [];
  if (!active && pending.length === 0)
    return { invoice: { amountCents: base }, coupon: state.coupon, adjustments: state.adjustments };
  const discount = active ? discountCents(active.coupon, base) : 0;
  const lines = [...pending];
  let total = base - discount + sum(pending);
  let carried: InvoiceLine[] | undefined;
  if (total < 0) {
    lines.push({ kind: 'carried_out', amountCents: -total, description: 'credit carried to the next invoice' });
    carried = [{ kind: 'carried_in', amountCents: total, description: `credit carried from cycle ${cycle}` }];
    total = 0;
  } else if (total > 0 && total < BOLETO_MINIMUM_CENTS && state.paymentMethod.type === 'zspay_boleto') {
    lines.push({
      kind: 'carried_out',
      amountCents: -total,
      description: `under the boleto minimum of ${formatBRL(BOLETO_MINIMUM_CENTS)}: carried to the next invoice`,
    });
    carried = [{ kind: 'carried_in', amountCents: total, description: `carried from cycle ${cycle}` }];
    total = 0;
  }
  const used = active ? { ...active, cyclesUsed: active.cyclesUsed + 1 } : state.coupon;
  return {
    invoice: {
      amountCents: total,
      baseAmountCents: base,
      ...(active ? { discount: { code: active.coupon.code, amountCents: discount } } : {}),
      ...(lines.length > 0 ? { lines } : {}),
    },
    // A coupon whose cycles are used up is dropped (its invoices keep the discount they got).
    coupon: couponInForce(used),
    adjustments: carried,
  };
}

/** The price of a cycle the customer paid for (its base less its discount, before other lines). */
export function paidPrice(invoice: Invoice): number {
  return (invoice.baseAmountCents ?? invoice.amountCents) - (invoice.discount?.amountCents ?? 0);
}

/**
 * A proration invoice (a plan change with proration `now` whose difference is charged at once) is
 * keyed by the negative of the cycle it settles: one per cycle at most (a second prorated change
 * in a cycle is refused), never the key of a recurring cycle (from 1) or the setup fee (0).
 */
export const prorationInvoiceCycle = (cycle: number): number => -cycle;
export const isProrationInvoiceCycle = (cycle: number): boolean => cycle < 0;

/** Why a plan change cannot be prorated today, if it cannot (the guards of the transition table). */
export type ProrationProblem = 'unpaidCycle' | 'periodChanges' | 'alreadyProrated';

/** The current paid cycle of a subscription: the last cycle billed, if today is inside it. */
function currentCycle(
  state: Pick<SubscriptionState, 'nextCycle' | 'anchor' | 'plan' | 'invoices'>,
  today: CalendarDate,
): { cycle: number; start: CalendarDate; end: CalendarDate; invoice: Invoice } | undefined {
  const cycle = state.nextCycle - 1;
  if (cycle < 1) return undefined;
  const invoice = state.invoices.find((i) => i.cycle === cycle);
  if (!invoice || invoice.status !== 'paid') return undefined;
  const due = (c: number) => chargeDateForCycle(state.anchor.date, state.plan, c - state.anchor.cycle);
  const start = due(cycle);
  const end = due(cycle + 1);
  if (!insidePeriod(start, end, today)) return undefined;
  return { cycle, start, end, invoice };
}

export function prorationProblem(
  state: Pick<SubscriptionState, 'nextCycle' | 'anchor' | 'plan' | 'invoices' | 'adjustments'>,
  plan: SubscriptionPlan,
  today: CalendarDate,
): ProrationProblem | undefined {
  if (JSON.stringify(plan.recurrence) !== JSON.stringify(state.plan.recurrence)) return 'periodChanges';
  const current = currentCycle(state, today);
  if (!current) return 'unpaidCycle';
  if (
    (state.adjustments ?? []).some((l) => l.kind === 'proration_charge' && l.cycle === current.cycle) ||
    state.invoices.some((i) => i.cycle === prorationInvoiceCycle(current.cycle))
  )
    return 'alreadyProrated';
  return undefined;
}

/**
 * The proration of a change to `plan` today, the cycle it settles, and its two lines (for the next
 * invoice, or for a proration invoice of their own).
 */
export function prorationLines(
  state: Pick<SubscriptionState, 'nextCycle' | 'anchor' | 'plan' | 'invoices'>,
  plan: SubscriptionPlan,
  today: CalendarDate,
): { cycle: number; proration: Proration; lines: InvoiceLine[] } {
  const current = currentCycle(state, today);
  if (!current) throw new Error(`no paid cycle contains ${today}`);
  const oldAmountCents = paidPrice(current.invoice);
  const proration = prorate({
    oldAmountCents,
    newAmountCents: plan.amountCents,
    periodStart: current.start,
    periodEnd: current.end,
    changeDate: today,
  });
  const days = `${proration.unusedDays} of ${proration.periodDays} days of cycle ${current.cycle} (from ${today})`;
  return {
    cycle: current.cycle,
    proration,
    lines: [
      {
        kind: 'proration_credit',
        cycle: current.cycle,
        amountCents: -proration.creditCents,
        description: `unused ${days} at ${formatBRL(oldAmountCents)} (plan ${state.plan.planId})`,
      },
      {
        kind: 'proration_charge',
        cycle: current.cycle,
        amountCents: proration.chargeCents,
        description: `${days} at ${formatBRL(plan.amountCents)} (plan ${plan.planId})`,
      },
    ],
  };
}

/** Whether a coupon may no longer be redeemed on `today`. */
export function couponExpired(coupon: Pick<Coupon, 'expiresAt'>, today: CalendarDate): boolean {
  return coupon.expiresAt !== undefined && compareDates(today, coupon.expiresAt) > 0;
}

/** The coupon as views show it. */
export function couponView(coupon: ActiveCoupon | undefined) {
  const active = couponInForce(coupon);
  if (!active) return undefined;
  return {
    code: active.coupon.code,
    terms: couponTerms(active.coupon, formatBRL),
    ...(active.coupon.cycles === undefined ? {} : { cyclesLeft: active.coupon.cycles - active.cyclesUsed }),
  };
}
