/**
 * Cheap checks of what reaches a subscription workflow (see common/checks.ts): its input, with the
 * schema's defaults filled in, and each operation's arguments.
 */
import {
  BOLETO_MINIMUM_CENTS,
  ADIQ_FIXED_INSTALLMENTS,
  ADIQ_FIXED_INTERVAL_DAYS,
  ADIQ_MIN_CUSTOM_INTERVAL_DAYS,
  ADIQ_PLAN_TYPES,
  MAX_AMOUNT_CENTS,
  MAX_DURATION_MONTHS,
  ZSPAY_FREQUENCIES,
} from '../billing/plan-rules';
import { Check, isObject, known, withDefaults, type Fields, type Problems } from '../checks';
import type { ParsedSubscriptionInput, ProrationMode, SubscriptionPlan } from './input';
import type { PaymentMethod } from './model';
import { MAX_BACK_BILLED_CYCLES } from './state';
import { formatBRL } from '../money';

export function paymentMethodProblems(value: unknown, field = 'paymentMethod'): Problems {
  if (!isObject(value)) return [`${field}: ${field} is required`];
  const check = new Check(`${field}.`);
  switch (value.type) {
    case 'zspay_card':
      return check.id('zspayClientId', value.zspayClientId).id('cardId', value.cardId).problems;
    case 'zspay_boleto':
      return check.id('zspayClientId', value.zspayClientId).problems;
    case 'adiq_vault':
      return check.text('vaultId', value.vaultId, 36).problems;
    case 'zspay_subscription': {
      const customer = isObject(value.customer) ? value.customer : {};
      const address = isObject(value.address) ? value.address : {};
      return check
        .text('customer.name', customer.name, 120)
        .that(
          'customer.email',
          typeof customer.email === 'string' &&
            /^[^\s@]+@[^\s@]+$/.test(customer.email) &&
            customer.email.length <= 120,
          'must be an e-mail address',
        )
        .that(
          'customer.document',
          typeof customer.document === 'string' && /^\d{11}(\d{3})?$/.test(customer.document),
          'must be a CPF (11) or CNPJ (14) digits',
        )
        .text('address.street', address.street, 120)
        .text('address.number', address.number, 20)
        .that(
          'address.zipCode',
          typeof address.zipCode === 'string' && /^\d{8}$/.test(address.zipCode),
          'must have 8 digits',
        )
        .text('address.city', address.city, 80)
        .that(
          'address.state',
          typeof address.state === 'string' && /^[A-Z]{2}$/.test(address.state),
          'must be the 2-letter UF',
        )
        .text('address.complement', address.complement, 80, true).problems;
    }
    default:
      return check.oneOf('type', value.type, ['zspay_card', 'zspay_boleto', 'adiq_vault', 'zspay_subscription'])
        .problems;
  }
}

function recurrenceProblems(value: unknown): Problems {
  if (!isObject(value)) return ['plan.recurrence: plan.recurrence is required'];
  const check = new Check('plan.recurrence.');
  if (value.kind === 'calendar')
    return check.oneOf('frequency', value.frequency, ZSPAY_FREQUENCIES).whole('interval', value.interval, 1, 365)
      .problems;
  if (value.kind !== 'adiq') return check.oneOf('kind', value.kind, ['calendar', 'adiq']).problems;
  if (!(ADIQ_PLAN_TYPES as readonly unknown[]).includes(value.planType))
    return check.oneOf('planType', value.planType, ADIQ_PLAN_TYPES).problems;
  if (value.planType === 'Custom') {
    return check
      .whole('interval', value.interval, ADIQ_MIN_CUSTOM_INTERVAL_DAYS, Number.MAX_SAFE_INTEGER)
      .whole('installments', value.installments, 1, Number.MAX_SAFE_INTEGER).problems;
  }
  const fixed = ADIQ_FIXED_INSTALLMENTS[value.planType as keyof typeof ADIQ_FIXED_INSTALLMENTS];
  return check
    .that(
      'interval',
      value.interval === undefined || value.interval === ADIQ_FIXED_INTERVAL_DAYS,
      `is always ${ADIQ_FIXED_INTERVAL_DAYS} for a ${String(value.planType)} plan`,
    )
    .that(
      'installments',
      value.installments === undefined || value.installments === fixed,
      `is ${fixed ?? 'unlimited'} for a ${String(value.planType)} plan`,
    ).problems;
}

/** An ISO 8601 date-time with an offset, as the schemas take it. */
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

const PLAN_KEYS = [
  'planId',
  'amountCents',
  'recurrence',
  'attempts',
  'trialDays',
  'setupAmountCents',
  'tolerancePeriodDays',
  'durationMonths',
  'expiresAt',
  'chargeHourLocal',
  'timeZone',
];
const PLAN_DEFAULTS = {
  attempts: 4,
  trialDays: 0,
  tolerancePeriodDays: 0,
  chargeHourLocal: 9,
  timeZone: 'America/Sao_Paulo',
};

/** The plan with the schema's defaults filled in, or what is wrong with it. */
export function checkPlan(value: unknown): { plan?: SubscriptionPlan; problems: Problems } {
  if (!isObject(value)) return { problems: ['plan: plan is required'] };
  const problems = new Check('plan.')
    .id('planId', value.planId)
    .whole('amountCents', value.amountCents, 1, MAX_AMOUNT_CENTS)
    .merge(recurrenceProblems(value.recurrence))
    .whole('attempts', value.attempts, 0, 4, true)
    .whole('trialDays', value.trialDays, 0, 3650, true)
    .whole('setupAmountCents', value.setupAmountCents, 1, MAX_AMOUNT_CENTS, true)
    .whole('tolerancePeriodDays', value.tolerancePeriodDays, 0, 60, true)
    .whole('durationMonths', value.durationMonths, 1, MAX_DURATION_MONTHS, true)
    .date('expiresAt', value.expiresAt, true)
    .whole('chargeHourLocal', value.chargeHourLocal, 0, 23, true)
    .timeZone('timeZone', value.timeZone).problems;
  if (problems.length > 0) return { problems };
  const recurrence = value.recurrence as Fields;
  const plan = {
    ...withDefaults(PLAN_DEFAULTS, known(value, PLAN_KEYS)),
    recurrence: known(
      recurrence,
      recurrence.kind === 'calendar'
        ? ['kind', 'frequency', 'interval']
        : ['kind', 'planType', 'interval', 'installments'],
    ),
  };
  return { problems, plan: plan as unknown as SubscriptionPlan };
}

export function externalPaymentProblems(value: unknown, field: string): Problems {
  if (!isObject(value)) return [`${field}: ${field} is required`];
  return new Check(`${field}.`)
    .text('paymentId', value.paymentId, 64)
    .text('trustSeed', value.trustSeed, 4096)
    .text('trustValue', value.trustValue, 512)
    .text('altTrustValue', value.altTrustValue, 512).problems;
}

const COUPON_KEYS = ['code', 'percentOff', 'amountOffCents', 'cycles', 'expiresAt', 'maxRedemptions'];

/** A coupon's terms, checked the way couponSchema checks them. */
export function couponProblems(value: unknown, field = 'coupon'): Problems {
  if (!isObject(value)) return [`${field}: ${field} is required`];
  const check = new Check(`${field}.`)
    .id('code', value.code)
    .whole('percentOff', value.percentOff, 1, 100, true)
    .whole('amountOffCents', value.amountOffCents, 1, MAX_AMOUNT_CENTS, true)
    .whole('cycles', value.cycles, 1, 120, true)
    .date('expiresAt', value.expiresAt, true)
    .whole('maxRedemptions', value.maxRedemptions, 1, 1000, true)
    .that(
      'percentOff',
      (value.percentOff === undefined) !== (value.amountOffCents === undefined),
      'is required unless amountOffCents is given, and not with it',
    );
  for (const key of Object.keys(value)) if (!COUPON_KEYS.includes(key)) check.that(key, false, 'is not a coupon field');
  return check.problems;
}

const INPUT_KEYS = ['subscriptionId', 'customerId', 'startDate', 'backBillCycles'];
const METHOD_KEYS: Record<string, string[]> = {
  zspay_card: ['type', 'zspayClientId', 'cardId'],
  zspay_boleto: ['type', 'zspayClientId'],
  adiq_vault: ['type', 'vaultId'],
  zspay_subscription: ['type', 'customer', 'address'],
};
const knownMethod = (method: Fields) => known(method, METHOD_KEYS[method.type as string] ?? ['type']);

/** The subscription input with defaults filled in, or every problem found. */
export function checkSubscriptionInput(value: unknown): { input?: ParsedSubscriptionInput; problems: Problems } {
  if (!isObject(value)) return { problems: ['(root): a subscription is required'] };
  const { plan, problems: planProblems } = checkPlan(value.plan);
  const check = new Check()
    .id('subscriptionId', value.subscriptionId)
    .id('customerId', value.customerId)
    .merge(planProblems)
    .merge(paymentMethodProblems(value.paymentMethod))
    .date('startDate', value.startDate, true)
    .whole('backBillCycles', value.backBillCycles, 0, MAX_BACK_BILLED_CYCLES, true);
  if (value.merchant !== undefined) {
    const merchant = isObject(value.merchant) ? value.merchant : {};
    const url = merchant.callbackUrl;
    check
      .that(
        'merchant.callbackUrl',
        typeof url === 'string' && /^https?:\/\/\S+$/i.test(url) && url.length <= 500,
        'must be an http(s) URL',
      )
      .id('merchant.secretRef', merchant.secretRef);
  }
  if (value.partner !== undefined)
    check.id('partner.zapsignClientRef', isObject(value.partner) ? value.partner.zapsignClientRef : undefined);
  if (value.externalPayments !== undefined) {
    if (!isObject(value.externalPayments))
      check.that('externalPayments', false, 'must be an object of cycle number -> payment');
    else
      for (const [cycle, payment] of Object.entries(value.externalPayments))
        check
          .that('externalPayments', /^\d+$/.test(cycle), 'keys are cycle numbers')
          .merge(externalPaymentProblems(payment, `externalPayments.${cycle}`));
  }
  if (value.coupon !== undefined) check.merge(couponProblems(value.coupon));
  const method = value.paymentMethod as PaymentMethod | undefined;
  if (value.coupon !== undefined && method?.type === 'adiq_vault')
    check.that('coupon', false, 'is not available for a subscription billed by Adiq (Adiq charges the plan amount)');
  if (plan && method?.type === 'adiq_vault')
    check.that(
      'plan.recurrence.kind',
      plan.recurrence.kind === 'adiq',
      "must be 'adiq' for a subscription billed by Adiq (paymentMethod adiq_vault)",
    );
  if (value.coupon !== undefined && method?.type === 'zspay_subscription')
    check.that('coupon', false, 'is not available for a subscription billed by Zspay (Zspay charges the plan amount)');
  if (plan && method?.type === 'zspay_subscription')
    check.that(
      'plan.recurrence.kind',
      plan.recurrence.kind === 'calendar',
      "must be 'calendar' for a subscription billed by Zspay (paymentMethod zspay_subscription)",
    );
  if (plan && method?.type === 'zspay_boleto')
    check.that(
      'plan.amountCents',
      plan.amountCents >= BOLETO_MINIMUM_CENTS,
      `must be at least ${BOLETO_MINIMUM_CENTS} (${formatBRL(BOLETO_MINIMUM_CENTS)}) for boleto`,
    );
  if (check.problems.length > 0) return { problems: check.problems };
  const input: Fields = {
    ...known(value, INPUT_KEYS),
    plan,
    paymentMethod: knownMethod(value.paymentMethod as Fields),
  };
  if (isObject(value.merchant)) input.merchant = known(value.merchant, ['callbackUrl', 'secretRef']);
  if (isObject(value.partner)) input.partner = known(value.partner, ['zapsignClientRef']);
  if (isObject(value.coupon)) input.coupon = known(value.coupon, COUPON_KEYS);
  if (isObject(value.externalPayments)) {
    input.externalPayments = Object.fromEntries(
      Object.entries(value.externalPayments).map(([cycle, payment]) => [
        cycle,
        known(payment as Fields, ['paymentId', 'trustSeed', 'trustValue', 'altTrustValue']),
      ]),
    );
  }
  return { problems: [], input: input as unknown as ParsedSubscriptionInput };
}

/** PRORATION_MODES (input.ts, which imports zod: workflow code cannot). */
const PRORATION_CHOICES: readonly string[] = ['none', 'next_invoice', 'now'] satisfies readonly ProrationMode[];

/** The arguments of each operation, checked the way the client's schemas check them. */
export const operationArgsProblems = {
  cancel: (args: unknown): Problems => {
    const fields = isObject(args) ? args : {};
    return new Check()
      .that('atPeriodEnd', typeof fields.atPeriodEnd === 'boolean', 'must be true or false')
      .text('reason', fields.reason, 500, true).problems;
  },
  changeNextChargeDate: (args: unknown): Problems =>
    new Check().date('date', isObject(args) ? args.date : undefined).problems,
  changePaymentMethod: (args: unknown): Problems =>
    paymentMethodProblems(isObject(args) ? args.paymentMethod : undefined),
  changePlan: (args: unknown): Problems =>
    new Check()
      .merge(checkPlan(isObject(args) ? args.plan : undefined).problems)
      .that(
        'proration',
        !isObject(args) || args.proration === undefined || PRORATION_CHOICES.includes(args.proration as string),
        `must be one of ${PRORATION_CHOICES.join(', ')}`,
      ).problems,
  applyCoupon: (args: unknown): Problems => couponProblems(isObject(args) ? args.coupon : undefined),
  extendGrace: (args: unknown): Problems =>
    new Check().whole('days', isObject(args) ? args.days : undefined, 1, 90).problems,
  linkExternalPayment: (args: unknown): Problems =>
    new Check()
      .whole('cycle', isObject(args) ? args.cycle : undefined, 0, Number.MAX_SAFE_INTEGER)
      .merge(externalPaymentProblems(isObject(args) ? args.payment : undefined, 'payment')).problems,
  paymentReceived: (args: unknown): Problems => {
    const fields = isObject(args) ? args : {};
    return new Check()
      .text('saleId', fields.saleId, Number.MAX_SAFE_INTEGER)
      .that(
        'paidAt',
        fields.paidAt === undefined || (typeof fields.paidAt === 'string' && ISO_DATE_TIME.test(fields.paidAt)),
        'must be an ISO 8601 date-time',
      )
      .whole('amountCents', fields.amountCents, 1, Number.MAX_SAFE_INTEGER, true).problems;
  },
  refund: (args: unknown): Problems => {
    const fields = isObject(args) ? args : {};
    return (
      new Check()
        // A proration invoice's key is negative (-3: the difference charged in cycle 3).
        .whole('cycle', fields.cycle, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER)
        .whole('amountCents', fields.amountCents, 1, 10_000_000_000, true)
        .text('reason', fields.reason, 500, true).problems
    );
  },
  refundReceived: (args: unknown): Problems =>
    new Check().text('saleId', isObject(args) ? args.saleId : undefined, Number.MAX_SAFE_INTEGER).problems,
};
