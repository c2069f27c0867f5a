/**
 * What a subscription workflow keeps (and carries across continue-as-new), and its first value.
 * Plain data and pure functions, free of zod: workflow code imports this module.
 */
import { addDays, compareDates, type CalendarDate } from '../billing/calendar';
import { chargeDateForCycle, firstChargeDate } from '../billing/schedule';
import type { ChargeHold } from './charge-hold';
import type { ParsedSubscriptionInput, SubscriptionPlan } from './input';
import type { Coupon } from '../billing/proration';
import type { ExternalPayment, Invoice, InvoiceLine, InvoiceSummary, PaymentMethod, SubscriptionStatus } from './model';
import type { PaymentReceived } from './operations';
import type { OutboxEntry } from './outbox';
import type { AdiqBillingUpdate } from './adiq-managed';
import type { ZspayInvoiceUpdate } from './zspay-managed';

/** A charge the workflow is collecting right now (between its start and its outcome). */
export interface ChargeInFlight {
  cycle: number;
  /** The exactly-once reference of this attempt (`<subscription>-<cycle>-<attempt>`). */
  reference: string;
  amountCents: number;
  /** The method being charged: a method changed meanwhile is tried at once if this one declines. */
  paymentMethod: PaymentMethod;
  startedAt: string;
}

/** A coupon redeemed by a subscription: its terms, when, and how many invoices it discounted so far. */
export interface ActiveCoupon {
  coupon: Coupon;
  redeemedOn: CalendarDate;
  cyclesUsed: number;
}

/** What became of side effects that could not be delivered (shown in the view, memo and search attributes). */
export interface DeliveryRecord {
  /** Entries given up after their retry window, in total. */
  givenUp: number;
  /** The last one given up, for operators. */
  lastGivenUp?: { id: string; kind: string; error: string; at: string };
}

export interface SubscriptionState {
  /** The state format: 2 since the state machine (v1 states are upgraded on continue-as-new). */
  format: 2;
  subscriptionId: string;
  customerId: string;
  plan: SubscriptionPlan;
  /** A plan change waiting for the next cycle. */
  pendingPlan?: SubscriptionPlan;
  /** The coupon discounting the next recurring invoices (absent: none; states before coupons have none). */
  coupon?: ActiveCoupon;
  /** How many times each coupon code was redeemed by this subscription (absent: none). */
  redemptions?: Record<string, number>;
  /** Lines waiting for the next recurring invoice: proration, carried balances (absent: none). */
  adjustments?: InvoiceLine[];
  paymentMethod: PaymentMethod;
  status: SubscriptionStatus;
  /** Where a suspension returns to (a charge settling during the suspension updates it). */
  statusBeforeSuspension?: SubscriptionStatus;
  startDate: CalendarDate;
  /** Recurring cycle `anchor.cycle` is due on `anchor.date`; later cycles follow the plan from it. */
  anchor: { cycle: number; date: CalendarDate };
  /** The next recurring cycle to bill (1-based). */
  nextCycle: number;
  setupFeeDue: boolean;
  /** The invoice being collected after a failure: retries scheduled (teimosinha), or none left (blocked). */
  dunning?: { cycle: number; failures: number; nextRetryDate?: CalendarDate };
  /** A boleto issued and not yet paid: it counts as unpaid after the deadline. */
  boletoWait?: { cycle: number; deadline: CalendarDate };
  cancelAtPeriodEnd: boolean;
  canceledAt?: string;
  invoices: Invoice[];
  summary: InvoiceSummary;
  notificationSequence: number;
  /** What the partner (ZapSign) must be told: the engine's decision. */
  partnerStatus?: 'adimplente' | 'inadimplente';
  /** What the partner was last told and confirmed; differs from `partnerStatus` while a call is pending. */
  partnerDelivered?: 'adimplente' | 'inadimplente';
  externalPayments: Record<string, ExternalPayment>;
  /** Payments a webhook or billing run announced, waiting for the provider to confirm them. */
  pendingPayments: PaymentReceived[];
  /** Announced payments the provider contradicted (ignored). */
  ignoredPaymentNotices: number;
  /** Sales a webhook said were refunded, waiting for the provider to confirm it (absent: none). */
  pendingRefunds?: string[];
  /** A charge refused for a reason no retry can fix, waiting to be tried again (see charge-hold.ts). */
  chargeHold?: ChargeHold;
  charge?: ChargeInFlight;
  /** Side effects (merchant notifications, partner and payment status calls) not yet delivered. */
  outbox: OutboxEntry[];
  outboxSequence: number;
  delivery: DeliveryRecord;
  /** Adiq-billed subscriptions: Adiq's ids and the billing outcomes already acted on. */
  adiq?: { planId: string; subscriptionId: string; handled: string[] };
  /** Adiq-billed: notifications waiting for Adiq's billing search to confirm them. */
  adiqNotices?: AdiqBillingUpdate[];
  /** Zspay-billed subscriptions: Zspay's plan and subscription ids and the invoice outcomes already acted on. */
  zspay?: { planId: string; subscriptionId: string; handled: string[] };
  /** Zspay-billed: invoice webhooks waiting for Zspay's invoice list to confirm them. */
  zspayNotices?: ZspayInvoiceUpdate[];
}

/** The state as released before the state machine (carried by a v1 run's continue-as-new). */
export type SubscriptionStateV1 = Omit<
  SubscriptionState,
  'format' | 'partnerDelivered' | 'ignoredPaymentNotices' | 'charge' | 'outbox' | 'outboxSequence' | 'delivery'
>;

/** Upgrades a state carried from a run of an earlier release. */
export function upgradeState(state: SubscriptionState | SubscriptionStateV1): SubscriptionState {
  if ('format' in state && state.format === 2) return state;
  return {
    ...state,
    format: 2,
    // v1 awaited every partner call before moving on: what it decided was delivered.
    partnerDelivered: state.partnerStatus,
    ignoredPaymentNotices: 0,
    outbox: [],
    outboxSequence: 0,
    delivery: { givenUp: 0 },
  };
}

/** Cycles missed before today that a past start date may still bill, at most. */
export const MAX_BACK_BILLED_CYCLES = 12;
/** A start date may lie at most this far ahead. */
export const START_DATE_HORIZON_DAYS = 366;

/** Why a start date is refused today, if it is (the client and the workflow both ask). */
export function startDateProblem(startDate: CalendarDate | undefined, today: CalendarDate): string | undefined {
  if (startDate === undefined) return undefined;
  const horizon = addDays(today, START_DATE_HORIZON_DAYS);
  if (compareDates(startDate, horizon) > 0)
    return `startDate must be at most ${START_DATE_HORIZON_DAYS} days ahead (on or before ${horizon})`;
  return undefined;
}

/**
 * The recurring cycle a subscription starts billing at. A start date in the past bills the cycle
 * current today (the last one due on or before today), plus at most `backBillCycles` earlier ones:
 * an old date must never charge every cycle since.
 */
export function firstCycleToBill(
  anchor: CalendarDate,
  plan: Pick<SubscriptionPlan, 'recurrence'>,
  today: CalendarDate,
  backBillCycles = 0,
): number {
  if (compareDates(anchor, today) >= 0) return 1;
  // Cycle k (1-based) is due `k - 1` steps after the anchor: estimate the steps by days, then correct.
  const dueAfter = (steps: number) => chargeDateForCycle(anchor, plan, steps);
  const daysFrom = (date: CalendarDate) =>
    Math.round((Date.parse(`${date}T00:00:00Z`) - Date.parse(`${anchor}T00:00:00Z`)) / 86_400_000);
  let steps = Math.floor(daysFrom(today) / Math.max(1, daysFrom(dueAfter(1))));
  while (steps > 0 && compareDates(dueAfter(steps), today) > 0) steps -= 1;
  while (compareDates(dueAfter(steps + 1), today) <= 0) steps += 1;
  const todaysCycle = steps + 1;
  return Math.max(1, todaysCycle - Math.min(Math.max(0, backBillCycles), MAX_BACK_BILLED_CYCLES));
}

export function initialState(input: ParsedSubscriptionInput, today: CalendarDate): SubscriptionState {
  const startDate = input.startDate ?? today;
  const firstCharge = firstChargeDate(startDate, input.plan);
  const nextCycle = firstCycleToBill(firstCharge, input.plan, today, input.backBillCycles);
  const later = compareDates(startDate, today) > 0 ? startDate : today;
  return {
    format: 2,
    subscriptionId: input.subscriptionId,
    customerId: input.customerId,
    plan: input.plan,
    paymentMethod: input.paymentMethod,
    status: compareDates(firstCharge, later) > 0 ? 'trialing' : 'active',
    startDate,
    anchor: { cycle: 1, date: firstCharge },
    nextCycle,
    setupFeeDue: (input.plan.setupAmountCents ?? 0) > 0,
    cancelAtPeriodEnd: false,
    invoices: [],
    summary: { archivedCount: 0, archivedPaidCents: 0, paidCount: 0, paidCents: 0, failedAttempts: 0 },
    notificationSequence: 0,
    externalPayments: input.externalPayments ?? {},
    pendingPayments: [],
    ignoredPaymentNotices: 0,
    outbox: [],
    outboxSequence: 0,
    delivery: { givenUp: 0 },
    ...(input.coupon
      ? {
          coupon: { coupon: input.coupon, redeemedOn: today, cyclesUsed: 0 },
          redemptions: { [input.coupon.code]: 1 },
        }
      : {}),
  };
}
