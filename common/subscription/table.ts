/**
 * The subscription's transition table: for every event in every status, one declared answer —
 * applied, refused with a reason, or deferred — with the conditions (guards) under which an
 * applied event is refused instead. Update validators and handlers, signals, charge outcomes and
 * timers all go through `transition`; the README shows this table, rendered by `renderTable`.
 */
import { addDays, compareDates } from '../billing/calendar';
import type { EventContext, EventOf, SubscriptionEvent, SubscriptionEventType } from './events';
import { applyAdiqEvent } from './adiq-managed';
import { applyZspayEvent } from './zspay-managed';
import {
  applyEvent,
  dueDateOf,
  endReason,
  isTerminal,
  NEXT_CHARGE_DATE_HORIZON_DAYS,
  type Transition,
} from './machine';
import type { SubscriptionStatus } from './model';
import { enqueue, type Effect } from './outbox';
import type { SubscriptionState } from './state';
import { BOLETO_MINIMUM_CENTS } from '../billing/plan-rules';
import { formatBRL } from '../money';
import { couponExpired, couponInForce, prorationProblem } from './pricing';
import { refundGuards } from './refunds';

export const STATUSES: readonly SubscriptionStatus[] = [
  'trialing',
  'active',
  'past_due',
  'blocked',
  'suspended',
  'canceled',
  'completed',
];
const LIVE: readonly SubscriptionStatus[] = ['trialing', 'active', 'past_due', 'blocked', 'suspended'];

export interface Answer {
  kind: 'applied' | 'refused' | 'deferred';
  /** What happens (applied), or why not ("{status}" reads the current status). */
  text: string;
}
const applied = (text: string): Answer => ({ kind: 'applied', text });
const refused = (text: string): Answer => ({ kind: 'refused', text });
/** Not now, and nothing changes: the workflow acts on it when the status allows. */
const deferred = (text: string): Answer => ({ kind: 'deferred', text });

interface Guard {
  /** How the README's table names the condition. */
  label: string;
  holds(state: SubscriptionState, event: SubscriptionEvent, ctx: EventContext): boolean;
}

const prorated = (e: SubscriptionEvent) => ((e as EventOf<'changePlan'>).proration ?? 'none') !== 'none';
const planOf = (e: SubscriptionEvent) => (e as EventOf<'changePlan'>).plan;

/** Conditions beyond the status that turn an event away. */
export const GUARDS = {
  chargeInFlight: { label: 'a charge is in flight', holds: (s) => s.charge !== undefined },
  collecting: {
    label: 'an invoice is being collected',
    holds: (s) => s.dunning !== undefined || s.boletoWait !== undefined,
  },
  boletoAwaited: { label: 'a boleto awaits payment', holds: (s) => s.boletoWait !== undefined },
  setupFeeDue: { label: 'the setup fee is unpaid', holds: (s) => s.setupFeeDue },
  dateNotAfterToday: {
    label: 'the date is not after today',
    holds: (_s, e, ctx) => compareDates((e as EventOf<'changeNextChargeDate'>).date, ctx.today) <= 0,
  },
  dateBeyondHorizon: {
    label: `the date is over ${NEXT_CHARGE_DATE_HORIZON_DAYS} days ahead`,
    holds: (_s, e, ctx) =>
      compareDates((e as EventOf<'changeNextChargeDate'>).date, addDays(ctx.today, NEXT_CHARGE_DATE_HORIZON_DAYS)) > 0,
  },
  adiqVault: {
    label: 'the method is an Adiq vault',
    holds: (_s, e) => (e as EventOf<'changePaymentMethod'>).paymentMethod.type === 'adiq_vault',
  },
  zspaySubscriptionMethod: {
    label: 'the method is a Zspay subscription',
    holds: (_s, e) => (e as EventOf<'changePaymentMethod'>).paymentMethod.type === 'zspay_subscription',
  },
  timeZoneChanges: {
    label: 'the plan changes time zone',
    holds: (s, e) => (e as EventOf<'changePlan'>).plan.timeZone !== s.plan.timeZone,
  },
  belowBoletoMinimum: {
    label: `a boleto plan is under ${formatBRL(BOLETO_MINIMUM_CENTS)}`,
    holds: (s, e) =>
      s.paymentMethod.type === 'zspay_boleto' && (e as EventOf<'changePlan'>).plan.amountCents < BOLETO_MINIMUM_CENTS,
  },
  prorationWhileCollecting: {
    label: 'proration is asked while a charge is in flight or an invoice is being collected',
    holds: (s, e) => prorated(e) && (s.charge !== undefined || s.dunning !== undefined || s.boletoWait !== undefined),
  },
  prorationNowByBoleto: {
    label: 'proration now is asked for a boleto subscription',
    holds: (s, e) => (e as EventOf<'changePlan'>).proration === 'now' && s.paymentMethod.type === 'zspay_boleto',
  },
  prorationPeriodChanges: {
    label: 'proration is asked and the plan changes its billing period',
    holds: (s, e, ctx) => prorated(e) && prorationProblem(s, planOf(e), ctx.today) === 'periodChanges',
  },
  nothingToProrate: {
    label: 'proration is asked and today is not inside a paid cycle',
    holds: (s, e, ctx) => prorated(e) && prorationProblem(s, planOf(e), ctx.today) === 'unpaidCycle',
  },
  noNextInvoice: {
    label: 'proration is asked and no next invoice will come (a cancel at period end is set, or the plan ends)',
    holds: (s, e) =>
      prorated(e) &&
      (s.cancelAtPeriodEnd ||
        endReason({ ...s, plan: planOf(e) }, s.nextCycle, dueDateOf(s, s.nextCycle)) !== undefined),
  },
  alreadyProrated: {
    label: 'proration is asked and the plan was already changed with proration in this cycle',
    holds: (s, e, ctx) => prorated(e) && prorationProblem(s, planOf(e), ctx.today) === 'alreadyProrated',
  },
  couponActive: { label: 'a coupon is in force', holds: (s) => couponInForce(s.coupon) !== undefined },
  couponExpired: {
    label: 'the coupon’s expiresAt is past',
    holds: (_s, e, ctx) => couponExpired((e as EventOf<'applyCoupon'>).coupon, ctx.today),
  },
  couponRedeemed: {
    label: 'this subscription redeemed the code maxRedemptions times',
    holds: (s, e) => {
      const { coupon } = e as EventOf<'applyCoupon'>;
      return (s.redemptions?.[coupon.code] ?? 0) >= (coupon.maxRedemptions ?? 1);
    },
  },
  cancelScheduled: { label: 'a cancel at period end is set', holds: (s) => s.cancelAtPeriodEnd },
  cancelNotScheduled: { label: 'no cancel at period end is set', holds: (s) => !s.cancelAtPeriodEnd },
  noFailedInvoice: {
    label: 'no invoice failed and no charge is held',
    holds: (s) => s.dunning === undefined && s.chargeHold === undefined,
  },
  noRetryScheduled: { label: 'no retry is scheduled', holds: (s) => s.dunning?.nextRetryDate === undefined },
  nothingToExtend: {
    label: 'no trial, tolerance or retry to extend',
    holds: (s) =>
      !(
        s.boletoWait !== undefined ||
        s.status === 'trialing' ||
        (s.dunning?.nextRetryDate !== undefined && s.status === 'past_due')
      ),
  },
  noRescueSet: {
    label: 'no new method or operator retry set a rescue',
    holds: (s) => s.dunning?.nextRetryDate === undefined && s.chargeHold === undefined,
  },
  notAdiqVault: {
    label: 'the method is not an Adiq vault',
    holds: (_s, e) => (e as EventOf<'changePaymentMethod'>).paymentMethod.type !== 'adiq_vault',
  },
  noSuchInvoice: {
    label: 'no invoice for that cycle',
    holds: (s, e) => refundGuards.noSuchInvoice(s, e as EventOf<'refund'>),
  },
  alreadyRefunded: {
    label: 'the invoice is refunded',
    holds: (s, e) => refundGuards.alreadyRefunded(s, e as EventOf<'refund'>),
  },
  refundUnderWay: {
    label: 'a refund of the invoice is under way',
    holds: (s, e) => refundGuards.refundUnderWay(s, e as EventOf<'refund'>),
  },
  notPaid: { label: 'the invoice is not paid', holds: (s, e) => refundGuards.notPaid(s, e as EventOf<'refund'>) },
  boletoInvoice: {
    label: 'the invoice was paid by boleto',
    holds: (s, e) => refundGuards.boletoInvoice(s, e as EventOf<'refund'>),
  },
  noSale: {
    label: 'no provider sale is known for the invoice',
    holds: (s, e) => refundGuards.noSale(s, e as EventOf<'refund'>),
  },
  partialAmount: {
    label: 'amountCents is not the invoice’s amount',
    holds: (s, e) => refundGuards.partialAmount(s, e as EventOf<'refund'>),
  },
  invoicePaid: {
    label: 'its invoice is paid',
    holds: (s, e) => s.invoices.some((i) => i.cycle === (e as EventOf<'chargeStarted'>).cycle && i.status === 'paid'),
  },
} satisfies Record<string, Guard>;
export type GuardName = keyof typeof GUARDS;

/** An answer, or an applied answer refused under guards (checked in order). */
export type Rule = Answer | { unless: ReadonlyArray<readonly [GuardName, Answer]>; then: Answer };

type Row = Record<SubscriptionStatus, Rule>;
const ENDED = refused('the subscription is {status}');
/** One rule for every live status, one for the ended ones, and any status's own. */
function row(live: Rule, ended: Rule = ENDED, own: Partial<Row> = {}): Row {
  return Object.fromEntries(
    STATUSES.map((status) => [status, own[status] ?? (LIVE.includes(status) ? live : ended)]),
  ) as Row;
}
const unless = (guards: ReadonlyArray<readonly [GuardName, Answer]>, then: Answer): Rule => ({ unless: guards, then });

const IN_FLIGHT = ['chargeInFlight', refused('a charge is in flight; try again once it settles')] as const;

const DELIVERY = {
  effectDelivered: row(applied('removed from the outbox'), applied('removed from the outbox')),
  effectFailed: row(
    applied('retried after 10 s doubling to an hour; given up after 3 days'),
    applied('retried after 10 s doubling to an hour; given up after 3 days'),
  ),
};
const BILLED_BY_ENGINE = refused('the engine bills this subscription, not Adiq');
const ADIQ_ONLY = {
  adiqSubscribed: row(BILLED_BY_ENGINE, BILLED_BY_ENGINE),
  adiqBillingNoticed: row(BILLED_BY_ENGINE, BILLED_BY_ENGINE),
  adiqBillingReported: row(BILLED_BY_ENGINE, BILLED_BY_ENGINE),
  adiqNoticeContradicted: row(BILLED_BY_ENGINE, BILLED_BY_ENGINE),
  adiqSubscriptionBlocked: row(BILLED_BY_ENGINE, BILLED_BY_ENGINE),
  adiqSubscriptionCanceled: row(BILLED_BY_ENGINE, BILLED_BY_ENGINE),
};
const NOT_BILLED_BY_ZSPAY = refused('Zspay does not bill this subscription (it is not on a Zspay plan)');
const ZSPAY_ONLY = {
  zspaySubscribed: row(NOT_BILLED_BY_ZSPAY, NOT_BILLED_BY_ZSPAY),
  zspayInvoiceNoticed: row(NOT_BILLED_BY_ZSPAY, NOT_BILLED_BY_ZSPAY),
  zspayInvoiceReported: row(NOT_BILLED_BY_ZSPAY, NOT_BILLED_BY_ZSPAY),
  zspayNoticeContradicted: row(NOT_BILLED_BY_ZSPAY, NOT_BILLED_BY_ZSPAY),
  zspaySubscriptionCanceled: row(NOT_BILLED_BY_ZSPAY, NOT_BILLED_BY_ZSPAY),
};
const BILLED_BY_ADIQ = refused('Adiq charges this subscription, not the engine');
const ADIQ_CHARGES = Object.fromEntries(
  (
    [
      'paymentNoticed',
      'paymentConfirmed',
      'paymentContradicted',
      'chargeStarted',
      'chargeSettled',
      'chargeHeld',
      'chargeReleased',
      'boletoExpired',
      'periodEnded',
      'planEnded',
    ] as const
  ).map((event) => [event, row(BILLED_BY_ADIQ, BILLED_BY_ADIQ)]),
) as Record<
  | 'paymentNoticed'
  | 'paymentConfirmed'
  | 'paymentContradicted'
  | 'chargeStarted'
  | 'chargeSettled'
  | 'chargeHeld'
  | 'chargeReleased'
  | 'boletoExpired'
  | 'periodEnded'
  | 'planEnded',
  Row
>;
function notWithAdiq<E extends SubscriptionEventType>(events: readonly E[]): Record<E, Row> {
  return Object.fromEntries(
    events.map((event) => [event, row(refused('not available for a subscription Adiq bills'))]),
  ) as Record<E, Row>;
}
const STILL_COLLECTING = refused('the current invoice is still being collected; change the date after it is settled');
const NO_FAILED_INVOICE = ['noFailedInvoice', refused('there is no failed invoice to retry')] as const;
const NOTHING_TO_EXTEND = [
  'nothingToExtend',
  refused('there is no trial, grace, tolerance or retry period to extend'),
] as const;

/** What every refund asks of its invoice first: it exists, is paid, and no refund of it is done or under way. */
const REFUNDABLE_INVOICE = [
  ['noSuchInvoice', refused('cycle names no invoice of this subscription')],
  ['alreadyRefunded', refused('the invoice is already refunded')],
  ['refundUnderWay', refused('a refund of this invoice is already under way')],
  ['notPaid', refused('only a paid invoice can be refunded')],
] as const;

/** Refunds (common/subscription/refunds.ts): a paid card invoice, in full, in any status. */
const REFUND_RULE = unless(
  [
    ...REFUNDABLE_INVOICE,
    [
      'boletoInvoice',
      refused('a boleto payment cannot be refunded through Zspay: its API documents refunds of card sales only'),
    ],
    ['noSale', refused('the invoice was not paid through a Zspay sale the engine knows')],
    [
      'partialAmount',
      refused('amountCents must be the invoice’s full amount (or left out): Zspay refunds a card sale only in full'),
    ],
  ],
  applied(
    'recorded at once; the sale is refunded at Zspay (read first on every retry), then the invoice is refunded and the merchant told',
  ),
);
const REFUND_ROWS = {
  refund: row(REFUND_RULE, REFUND_RULE),
  refundSettled: row(
    applied('refunded: the invoice is refunded, the merchant told; refused: the invoice stays paid, the merchant told'),
    applied('refunded: the invoice is refunded, the merchant told; refused: the invoice stays paid, the merchant told'),
  ),
  refundNoticed: row(
    applied('queued: the provider is asked before anything changes'),
    applied('queued: the provider is asked before anything changes'),
  ),
  refundConfirmed: row(
    applied('the paid invoice of that sale is refunded; the merchant is told'),
    applied('the paid invoice of that sale is refunded; the merchant is told'),
  ),
  refundContradicted: row(applied('ignored and counted'), applied('ignored and counted')),
};
const NO_ADIQ_REFUNDS = Object.fromEntries(
  (['refund', 'refundSettled', 'refundNoticed', 'refundConfirmed', 'refundContradicted'] as const).map((event) => [
    event,
    row(refused('refunds are not available for a subscription Adiq bills')),
  ]),
) as Record<'refund' | 'refundSettled' | 'refundNoticed' | 'refundConfirmed' | 'refundContradicted', Row>;

export const SUBSCRIPTION_TABLE: { readonly [E in SubscriptionEventType]: Row } = {
  // --- operations (Temporal Updates) ---
  cancelNow: row(applied('canceled at once; a charge in flight or an issued boleto is recorded when it settles')),
  cancelAtPeriodEnd: row(
    unless(
      [['cancelScheduled', refused('the subscription is already set to cancel at period end')]],
      applied('canceled on the next due date'),
    ),
  ),
  suspend: row(applied('nothing is charged until reactivated; a charge in flight still counts'), ENDED, {
    suspended: refused('the subscription is already suspended'),
  }),
  reactivate: row(
    unless(
      [
        [
          'cancelNotScheduled',
          refused('only a suspended subscription, or one set to cancel at period end, can be reactivated'),
        ],
      ],
      applied('withdraws the cancel at period end'),
    ),
    ENDED,
    { suspended: applied('resumes; cycles that fell due meanwhile are not billed') },
  ),
  changeNextChargeDate: row(
    unless(
      [
        IN_FLIGHT,
        ['collecting', STILL_COLLECTING],
        ['setupFeeDue', refused('the setup fee has not been charged yet')],
        ['dateNotAfterToday', refused('date must be after today')],
        ['dateBeyondHorizon', refused(`date must be at most ${NEXT_CHARGE_DATE_HORIZON_DAYS} days ahead`)],
      ],
      applied('the new date anchors the following cycles'),
    ),
    ENDED,
    { past_due: STILL_COLLECTING, blocked: STILL_COLLECTING },
  ),
  changePaymentMethod: row(
    unless(
      [
        ['adiqVault', refused('paymentMethod adiq_vault is for subscriptions billed by Adiq')],
        [
          'zspaySubscriptionMethod',
          refused('paymentMethod zspay_subscription is for subscriptions billed by Zspay, chosen when created'),
        ],
        ['boletoAwaited', refused('a boleto is waiting for payment; change the method after it is settled')],
      ],
      applied('used from the next attempt; a failed invoice is tried again at once'),
    ),
  ),
  changePlan: row(
    unless(
      [
        ['timeZoneChanges', refused('plan.timeZone cannot change during a subscription')],
        [
          'belowBoletoMinimum',
          refused(
            `plan.amountCents must be at least ${BOLETO_MINIMUM_CENTS} (${formatBRL(BOLETO_MINIMUM_CENTS)}) for boleto`,
          ),
        ],
        [
          'prorationWhileCollecting',
          refused('a charge is in flight or an invoice is being collected; prorate once it is settled'),
        ],
        [
          'prorationNowByBoleto',
          refused('proration now charges a card at once; a boleto subscription takes proration next_invoice'),
        ],
        [
          'prorationPeriodChanges',
          refused('proration needs the same billing period (plan.recurrence); change with proration none'),
        ],
        ['nothingToProrate', refused('there is no paid cycle covering today to prorate; change with proration none')],
        [
          'noNextInvoice',
          refused('no next invoice will carry the proration (a cancel at period end is set, or the plan ends)'),
        ],
        [
          'alreadyProrated',
          refused('the plan was already changed with proration in this cycle; change with proration none'),
        ],
      ],
      applied(
        'from the next cycle; with proration next_invoice from today: the unused days are credited at the old price and charged at the new one on the next invoice; with proration now from today: a positive difference is charged at once on a proration invoice (collected like any invoice), a credit goes on the next invoice',
      ),
    ),
  ),
  applyCoupon: row(
    unless(
      [
        ['couponActive', refused('a coupon is already in force; apply another once its cycles are used')],
        ['couponExpired', refused('coupon.expiresAt is past: the coupon can no longer be redeemed')],
        ['couponRedeemed', refused('this subscription already redeemed this coupon code as often as it allows')],
      ],
      applied('discounts the next recurring invoices (its cycles, or forever)'),
    ),
  ),
  retryNow: row(unless([NO_FAILED_INVOICE, IN_FLIGHT], applied('the failed or held charge is tried at once')), ENDED, {
    suspended: unless([NO_FAILED_INVOICE], refused('the subscription is suspended')),
  }),
  skipNextRetry: row(refused('no retry is scheduled'), ENDED, {
    past_due: unless(
      [['noRetryScheduled', refused('no retry is scheduled')], IN_FLIGHT],
      applied('the retry counts as used; blocked when none is left'),
    ),
  }),
  extendGrace: row(
    unless([NOTHING_TO_EXTEND, IN_FLIGHT], applied('moves the trial end, the boleto deadline or the next retry')),
  ),
  linkExternalPayment: row(applied('the cycle’s outcomes are pushed to that payment')),
  ...REFUND_ROWS,

  // --- what providers report ---
  paymentNoticed: row(
    applied('queued: the provider is asked before anything changes'),
    applied('queued: the provider is asked before anything changes'),
  ),
  paymentConfirmed: row(
    applied('the invoice is paid; the subscription recovers'),
    applied('recorded on its invoice; the status stays; the merchant is told'),
    {
      suspended: applied('the invoice is paid; the suspension stays'),
    },
  ),
  paymentContradicted: row(applied('ignored and counted'), applied('ignored and counted')),

  // --- charges, started by the workflow on their due date and hour ---
  chargeStarted: row(
    unless(
      [
        ['chargeInFlight', refused('a charge is already in flight')],
        ['invoicePaid', refused('the invoice is already paid')],
      ],
      applied('the charge is in flight'),
    ),
    refused('nothing is charged once {status}'),
    {
      blocked: unless(
        [
          ['noRescueSet', refused('blocked: only a new payment method or an operator retry starts a charge')],
          ['chargeInFlight', refused('a charge is already in flight')],
          ['invoicePaid', refused('the invoice is already paid')],
        ],
        applied('a rescue attempt'),
      ),
      suspended: refused('nothing is charged while suspended'),
    },
  ),
  chargeSettled: row(
    applied('paid, retried on the teimosinha schedule, or blocked'),
    applied('recorded on its invoice; the status stays; the merchant is told'),
    {
      suspended: applied('recorded; the suspension stays and resumes from the outcome'),
    },
  ),
  chargeHeld: row(
    applied('held: tried again after 1 h doubling to a day, or on retryNow'),
    applied('nothing was charged and nothing is held once {status}'),
  ),
  chargeReleased: row(
    applied('nothing was charged; the invoice stays open'),
    applied('nothing was charged; the invoice is void'),
  ),
  boletoExpired: row(applied('unpaid: the subscription is blocked'), applied('the invoice is void'), {
    suspended: deferred('the deadline is checked when reactivated'),
  }),

  // --- timers ---
  periodEnded: row(applied('canceled')),
  planEnded: row(applied('completed'), ENDED, { suspended: deferred('the end is reached when reactivated') }),

  // --- Adiq's and Zspay's subscription reports reach only subscriptions they bill ---
  ...ADIQ_ONLY,
  ...ZSPAY_ONLY,

  // --- side effects delivered in the background ---
  ...DELIVERY,
};

/** What an Adiq-billed subscription answers (Adiq charges, retries and blocks; the engine follows). */
export const ADIQ_TABLE: { readonly [E in SubscriptionEventType]: Row } = {
  cancelNow: row(applied('canceled at once; the cancel is sent to Adiq')),
  cancelAtPeriodEnd: row(refused('Adiq cancels a subscription at once; cancel with atPeriodEnd false')),
  ...notWithAdiq([
    'suspend',
    'reactivate',
    'changeNextChargeDate',
    'changePlan',
    'applyCoupon',
    'retryNow',
    'skipNextRetry',
    'extendGrace',
  ]),
  changePaymentMethod: row(
    unless(
      [['notAdiqVault', refused('a subscription billed by Adiq takes an Adiq vault (paymentMethod adiq_vault)')]],
      applied('the new vault is sent to Adiq'),
    ),
  ),
  linkExternalPayment: row(applied('the cycle’s outcomes are pushed to that payment')),
  ...ADIQ_CHARGES,
  adiqSubscribed: row(
    applied('Adiq holds the subscription: it charges from the registration date plus the trial'),
    applied('ended while Adiq created it: canceled at Adiq at once'),
  ),
  adiqBillingNoticed: row(
    applied('queued: Adiq’s billing search is asked before anything changes'),
    applied('queued: Adiq’s billing search is asked before anything changes'),
  ),
  adiqBillingReported: row(
    applied('paid (completed after the last installment), retried by Adiq, or blocked on a hard decline'),
    applied('recorded on its invoice; the status stays; the merchant is told'),
  ),
  adiqNoticeContradicted: row(applied('ignored and counted'), applied('ignored and counted')),
  adiqSubscriptionBlocked: row(applied('blocked: the partner is told once'), ENDED, {
    blocked: refused('the subscription is already blocked'),
  }),
  adiqSubscriptionCanceled: row(applied('canceled, as Adiq says')),
  ...ZSPAY_ONLY,
  ...NO_ADIQ_REFUNDS,
  ...DELIVERY,
};

const BILLED_BY_ZSPAY = refused('Zspay charges this subscription, not the engine');
const NOT_ADIQ = refused('the subscription is billed by Zspay, not Adiq');
function notWithZspay<E extends SubscriptionEventType>(events: readonly E[], reason: string): Record<E, Row> {
  return Object.fromEntries(events.map((event) => [event, row(refused(reason))])) as Record<E, Row>;
}

/**
 * Refunds of a Zspay-billed invoice ("Estornar uma fatura", zspay-managed.ts): a paid invoice, in
 * full (the document takes no amount), in any status.
 */
const ZSPAY_REFUND_RULE = unless(
  [
    ...REFUNDABLE_INVOICE,
    ['noSale', refused('Zspay’s invoice list names no sale (pedido) that paid this invoice')],
    [
      'partialAmount',
      refused('amountCents must be the invoice’s full amount (or left out): Zspay refunds an invoice only in full'),
    ],
  ],
  applied(
    'recorded at once; the invoice is refunded at Zspay ("Estornar uma fatura", its invoice list read first on every attempt), then the invoice is refunded and the merchant told',
  ),
);

/** What a Zspay-billed subscription answers (Zspay charges and retries each invoice; the engine follows). */
export const ZSPAY_TABLE: { readonly [E in SubscriptionEventType]: Row } = {
  cancelNow: row(applied('canceled at once; the subscription is removed at Zspay')),
  cancelAtPeriodEnd: row(
    refused('Zspay documents only an immediate removal of a subscription; cancel with atPeriodEnd false'),
  ),
  suspend: row(applied('suspended at once; the suspension is sent to Zspay'), ENDED, {
    suspended: refused('the subscription is already suspended'),
  }),
  reactivate: row(refused('only a suspended subscription can be reactivated'), ENDED, {
    suspended: applied('resumes; the reactivation is sent to Zspay'),
  }),
  ...notWithZspay(
    ['changePaymentMethod'],
    'Zspay documents no way to change the card of a subscription it bills; cancel and subscribe again',
  ),
  ...notWithZspay(
    ['changeNextChargeDate', 'changePlan', 'applyCoupon', 'retryNow', 'skipNextRetry', 'extendGrace'],
    'not available for a subscription Zspay bills: Zspay charges the plan on its own schedule',
  ),
  linkExternalPayment: row(applied('the cycle’s outcomes are pushed to that payment')),
  ...(Object.fromEntries(
    Object.keys(ADIQ_CHARGES).map((event) => [event, row(BILLED_BY_ZSPAY, BILLED_BY_ZSPAY)]),
  ) as typeof ADIQ_CHARGES),
  ...(Object.fromEntries(Object.keys(ADIQ_ONLY).map((event) => [event, row(NOT_ADIQ, NOT_ADIQ)])) as typeof ADIQ_ONLY),
  zspaySubscribed: row(
    applied('Zspay holds the subscription: it charges the plan from the start date'),
    applied('ended while Zspay created it: removed at Zspay at once'),
  ),
  zspayInvoiceNoticed: row(
    applied('queued: Zspay’s invoice list is read before anything changes'),
    applied('queued: Zspay’s invoice list is read before anything changes'),
  ),
  zspayInvoiceReported: row(
    applied('paid, retried by Zspay, blocked once its retries are exhausted, or refunded; the merchant is told'),
    applied('recorded on its invoice (a refund too); the status stays; the merchant is told'),
    { suspended: applied('recorded on its invoice (a refund too); the suspension stays; the merchant is told') },
  ),
  zspayNoticeContradicted: row(applied('ignored and counted'), applied('ignored and counted')),
  zspaySubscriptionCanceled: row(applied('canceled, as Zspay says')),
  refund: row(ZSPAY_REFUND_RULE, ZSPAY_REFUND_RULE),
  refundSettled: REFUND_ROWS.refundSettled,
  // A sale's refund webhooks reach engine-billed subscriptions only (BillingPaidSaleIds); an invoice's
  // refund is Zspay's invoice webhook, confirmed by the invoice list (zspayInvoiceNoticed / Reported).
  ...notWithZspay(
    ['refundNoticed', 'refundConfirmed', 'refundContradicted'],
    'the refund of an invoice Zspay bills arrives as its invoice webhook, confirmed by the invoice list',
  ),
  ...DELIVERY,
};

/** A kind of subscription: its table and what its applied events do. */
export interface SubscriptionMachine {
  table: { readonly [E in SubscriptionEventType]: Row };
  apply(state: SubscriptionState, event: SubscriptionEvent, ctx: EventContext): Transition;
}
export const ENGINE_BILLED: SubscriptionMachine = { table: SUBSCRIPTION_TABLE, apply: applyEvent };
export const ADIQ_BILLED: SubscriptionMachine = { table: ADIQ_TABLE, apply: applyAdiqEvent };
export const ZSPAY_BILLED: SubscriptionMachine = { table: ZSPAY_TABLE, apply: applyZspayEvent };

export type Decision =
  | { answer: 'applied'; state: SubscriptionState; effects: Effect[] }
  | { answer: 'refused' | 'deferred'; reason: string };

/** The answer a rule gives for this event now. */
export function answerOf(rule: Rule, state: SubscriptionState, event: SubscriptionEvent, ctx: EventContext): Answer {
  if ('kind' in rule) return rule;
  for (const [guard, answer] of rule.unless) if (GUARDS[guard].holds(state, event, ctx)) return answer;
  return rule.then;
}

/**
 * The one way a subscription changes: the table's answer for this event in this status, and if it
 * is applied, the new state with the side effects it sets off already in the outbox.
 */
export function transition(
  state: SubscriptionState,
  event: SubscriptionEvent,
  ctx: EventContext,
  machine: SubscriptionMachine = ENGINE_BILLED,
): Decision {
  const answer = answerOf(machine.table[event.type][state.status], state, event, ctx);
  if (answer.kind !== 'applied') return { answer: answer.kind, reason: answer.text.replace('{status}', state.status) };
  const result = machine.apply(state, event, ctx);
  return { answer: 'applied', state: enqueue(result.state, result.effects, ctx), effects: result.effects };
}

/** Whether the workflow may end: nothing can change any more. */
export function isSettled(state: SubscriptionState): boolean {
  return isTerminal(state.status) && state.charge === undefined && state.boletoWait === undefined;
}

// --- the table as the README shows it ----------------------------------------------------------------

const RENDERED_ENDED = 'ended';
const same = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x, i) => x === b[i]);
function mark(answer: Answer): string {
  if (answer.kind === 'applied') return '✓';
  const text = answer.text === ENDED.text ? RENDERED_ENDED : answer.text.replace('{status}', RENDERED_ENDED);
  return `${answer.kind === 'refused' ? '✗' : '⏸'} ${text}`;
}

function cell(rule: Rule): string {
  if ('kind' in rule) return mark(rule);
  return `${mark(rule.then)}, ✗ if ${rule.unless.map(([guard]) => `*${guard}*`).join(', ')}`;
}

/**
 * Markdown for the README: events down, statuses across (✓ applied, ✗ refused and why, ⏸ deferred;
 * "✗ if *guard*" lists the conditions that refuse an applied event), then what each guard means.
 * Rows that are refused in every status are left out and named below the table.
 */
export function renderTable(
  machine: SubscriptionMachine = ENGINE_BILLED,
  statuses: readonly SubscriptionStatus[] = STATUSES,
): string {
  const rows = Object.entries(machine.table) as Array<[SubscriptionEventType, Row]>;
  const rulesOf = (rules: Row) => statuses.map((status) => rules[status]);
  const alwaysRefused = rows.filter(([, rules]) =>
    rulesOf(rules).every((rule) => 'kind' in rule && rule.kind === 'refused'),
  );
  const shown = rows.filter((row) => !alwaysRefused.includes(row));
  const guardsOf = (rule: Rule) => ('kind' in rule ? [] : rule.unless.map(([guard]) => guard));
  const used = new Set(shown.flatMap(([, rules]) => rulesOf(rules).flatMap(guardsOf)));
  /** What an applied event does, per group of statuses when they differ. */
  const meaning = (rules: Row) => {
    const texts = new Map<string, SubscriptionStatus[]>();
    for (const status of statuses) {
      const rule = rules[status];
      const answer = 'kind' in rule ? rule : rule.then;
      if (answer.kind === 'applied') texts.set(answer.text, [...(texts.get(answer.text) ?? []), status]);
    }
    const entries = [...texts.entries()];
    const named = (group: SubscriptionStatus[]) =>
      same(group, LIVE) ? 'live' : same(group, ['canceled', 'completed']) ? 'ended' : group.join('/');
    return entries.length === 1
      ? entries[0]![0]
      : entries.map(([text, group]) => `${named(group)}: ${text}`).join('; ');
  };
  const lines = [
    `| event | ${statuses.join(' | ')} | applied means |`,
    `|---|${statuses.map(() => '---').join('|')}|---|`,
  ];
  for (const [event, rules] of shown)
    lines.push(`| \`${event}\` | ${rulesOf(rules).map(cell).join(' | ')} | ${meaning(rules)} |`);
  lines.push('', [...used].map((guard) => `*${guard}*: ${GUARDS[guard].label}`).join(' · '));
  if (alwaysRefused.length > 0) {
    const byReason = new Map<string, SubscriptionEventType[]>();
    for (const [event, rules] of alwaysRefused)
      byReason.set((rules.active as Answer).text, [...(byReason.get((rules.active as Answer).text) ?? []), event]);
    lines.push(
      '',
      `Refused in every status: ${[...byReason.entries()].map(([reason, events]) => `${events.map((e) => `\`${e}\``).join(', ')} (${reason})`).join('; ')}.`,
    );
  }
  return lines.join('\n');
}
