/**
 * Cheap structural checks of what reaches a subscription workflow, without zod (workflow code
 * imports this; zod stays in the client, the HTTP API and activities, which validate in full).
 * They catch what a caller bypassing the client could send — `temporal workflow start/update` by
 * hand — with messages that name the field; a property test keeps them in step with the schemas.
 */
import { isCalendarDate, isTimeZone } from '../billing/calendar';
import { ADIQ_FIXED_INSTALLMENTS, ADIQ_FIXED_INTERVAL_DAYS, ADIQ_MIN_CUSTOM_INTERVAL_DAYS, ADIQ_PLAN_TYPES, MAX_AMOUNT_CENTS, MAX_DURATION_MONTHS, ZSPAY_FREQUENCIES } from '../billing/plan-rules';
import type { ParsedSubscriptionInput, SubscriptionPlan } from './input';
import type { ExternalPayment, PaymentMethod } from './model';
import { MAX_BACK_BILLED_CYCLES } from './state';

type Problems = string[];
type Obj = Record<string, unknown>;

const isObject = (value: unknown): value is Obj => typeof value === 'object' && value !== null && !Array.isArray(value);
const BUSINESS_ID = /^[A-Za-z0-9._:-]{1,64}$/;

function id(problems: Problems, field: string, value: unknown, max = 64): void {
  if (typeof value !== 'string' || value.length === 0) problems.push(`${field}: ${field} is required`);
  else if (value.length > max || !BUSINESS_ID.test(value)) problems.push(`${field}: ${field} may contain only letters, digits and . _ : - (at most ${max})`);
}

function whole(problems: Problems, field: string, value: unknown, min: number, max: number, optional = false): void {
  if (value === undefined && optional) return;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) problems.push(`${field}: ${field} must be a whole number from ${min} to ${max}`);
}

function date(problems: Problems, field: string, value: unknown, optional = false): void {
  if (value === undefined && optional) return;
  if (typeof value !== 'string' || !isCalendarDate(value)) problems.push(`${field}: ${field} must be a real date as YYYY-MM-DD`);
}

function text(problems: Problems, field: string, value: unknown, max: number, optional = false): void {
  if (value === undefined && optional) return;
  if (typeof value !== 'string' || value.length === 0 || value.length > max) problems.push(`${field}: ${field} must be text of 1 to ${max} characters`);
}

export function paymentMethodProblems(value: unknown, field = 'paymentMethod'): Problems {
  const problems: Problems = [];
  if (!isObject(value)) return [`${field}: ${field} is required`];
  switch (value.type) {
    case 'zspay_card':
      id(problems, `${field}.zspayClientId`, value.zspayClientId);
      id(problems, `${field}.cardId`, value.cardId);
      break;
    case 'zspay_boleto':
      id(problems, `${field}.zspayClientId`, value.zspayClientId);
      break;
    case 'adiq_vault':
      text(problems, `${field}.vaultId`, value.vaultId, 36);
      break;
    default:
      problems.push(`${field}.type: ${field}.type must be zspay_card, zspay_boleto or adiq_vault`);
  }
  return problems;
}

function recurrenceProblems(problems: Problems, value: unknown): void {
  if (!isObject(value)) return void problems.push('plan.recurrence: plan.recurrence is required');
  if (value.kind === 'calendar') {
    if (!(ZSPAY_FREQUENCIES as readonly unknown[]).includes(value.frequency)) problems.push(`plan.recurrence.frequency: must be one of ${ZSPAY_FREQUENCIES.join(', ')}`);
    whole(problems, 'plan.recurrence.interval', value.interval, 1, 365);
  } else if (value.kind === 'adiq') {
    if (!(ADIQ_PLAN_TYPES as readonly unknown[]).includes(value.planType)) return void problems.push(`plan.recurrence.planType: must be one of ${ADIQ_PLAN_TYPES.join(', ')}`);
    if (value.planType === 'Custom') {
      whole(problems, 'plan.recurrence.interval', value.interval, ADIQ_MIN_CUSTOM_INTERVAL_DAYS, Number.MAX_SAFE_INTEGER);
      whole(problems, 'plan.recurrence.installments', value.installments, 1, Number.MAX_SAFE_INTEGER);
    } else {
      if (value.interval !== undefined && value.interval !== ADIQ_FIXED_INTERVAL_DAYS) problems.push(`plan.recurrence.interval: is always ${ADIQ_FIXED_INTERVAL_DAYS} for a ${String(value.planType)} plan`);
      const fixed = ADIQ_FIXED_INSTALLMENTS[value.planType as keyof typeof ADIQ_FIXED_INSTALLMENTS];
      if (value.installments !== undefined && value.installments !== fixed) problems.push(`plan.recurrence.installments: is ${fixed ?? 'unlimited'} for a ${String(value.planType)} plan`);
    }
  } else {
    problems.push("plan.recurrence.kind: must be 'calendar' or 'adiq'");
  }
}

/** The plan with the schema's defaults filled in, or what is wrong with it. */
export function checkPlan(value: unknown): { plan?: SubscriptionPlan; problems: Problems } {
  const problems: Problems = [];
  if (!isObject(value)) return { problems: ['plan: plan is required'] };
  id(problems, 'plan.planId', value.planId);
  whole(problems, 'plan.amountCents', value.amountCents, 1, MAX_AMOUNT_CENTS);
  recurrenceProblems(problems, value.recurrence);
  whole(problems, 'plan.attempts', value.attempts, 0, 4, true);
  whole(problems, 'plan.trialDays', value.trialDays, 0, 3650, true);
  whole(problems, 'plan.setupAmountCents', value.setupAmountCents, 1, MAX_AMOUNT_CENTS, true);
  whole(problems, 'plan.tolerancePeriodDays', value.tolerancePeriodDays, 0, 60, true);
  whole(problems, 'plan.durationMonths', value.durationMonths, 1, MAX_DURATION_MONTHS, true);
  date(problems, 'plan.expiresAt', value.expiresAt, true);
  whole(problems, 'plan.chargeHourLocal', value.chargeHourLocal, 0, 23, true);
  if (value.timeZone !== undefined && (typeof value.timeZone !== 'string' || !isTimeZone(value.timeZone))) problems.push('plan.timeZone: must be an IANA time zone, e.g. America/Sao_Paulo');
  if (problems.length > 0) return { problems };
  return {
    problems,
    plan: { attempts: 4, trialDays: 0, tolerancePeriodDays: 0, chargeHourLocal: 9, timeZone: 'America/Sao_Paulo', ...value } as SubscriptionPlan,
  };
}

export function externalPaymentProblems(value: unknown, field: string): Problems {
  const problems: Problems = [];
  if (!isObject(value)) return [`${field}: ${field} is required`];
  text(problems, `${field}.paymentId`, value.paymentId, 64);
  text(problems, `${field}.trustSeed`, value.trustSeed, 4096);
  text(problems, `${field}.trustValue`, value.trustValue, 512);
  text(problems, `${field}.altTrustValue`, value.altTrustValue, 512);
  return problems;
}

/** The subscription input with defaults filled in, or every problem found. */
export function checkSubscriptionInput(value: unknown): { input?: ParsedSubscriptionInput; problems: Problems } {
  if (!isObject(value)) return { problems: ['(root): a subscription is required'] };
  const problems: Problems = [];
  id(problems, 'subscriptionId', value.subscriptionId);
  id(problems, 'customerId', value.customerId);
  const { plan, problems: planProblems } = checkPlan(value.plan);
  problems.push(...planProblems, ...paymentMethodProblems(value.paymentMethod));
  date(problems, 'startDate', value.startDate, true);
  whole(problems, 'backBillCycles', value.backBillCycles, 0, MAX_BACK_BILLED_CYCLES, true);
  if (value.merchant !== undefined) {
    const merchant = value.merchant;
    if (!isObject(merchant) || typeof merchant.callbackUrl !== 'string' || !/^https?:\/\/[^\s]+$/i.test(merchant.callbackUrl) || merchant.callbackUrl.length > 500) {
      problems.push('merchant.callbackUrl: merchant.callbackUrl must be an http(s) URL');
    }
    id(problems, 'merchant.secretRef', isObject(merchant) ? merchant.secretRef : undefined);
  }
  if (value.partner !== undefined) id(problems, 'partner.zapsignClientRef', isObject(value.partner) ? value.partner.zapsignClientRef : undefined);
  if (value.externalPayments !== undefined) {
    if (!isObject(value.externalPayments)) problems.push('externalPayments: must be an object of cycle number -> payment');
    else for (const [cycle, payment] of Object.entries(value.externalPayments)) problems.push(...(/^\d+$/.test(cycle) ? externalPaymentProblems(payment, `externalPayments.${cycle}`) : [`externalPayments: keys are cycle numbers`]));
  }
  const method = value.paymentMethod as PaymentMethod | undefined;
  if (plan && method?.type === 'adiq_vault' && plan.recurrence.kind !== 'adiq') problems.push("plan.recurrence.kind: plan.recurrence.kind must be 'adiq' for a subscription billed by Adiq (paymentMethod adiq_vault)");
  if (plan && method?.type === 'zspay_boleto' && plan.amountCents < 500) problems.push('plan.amountCents: plan.amountCents must be at least 500 (R$ 5.00) for boleto');
  if (problems.length > 0) return { problems };
  return { problems, input: { ...(value as unknown as ParsedSubscriptionInput), plan: plan! } };
}

/** The arguments of each operation, checked the way the client's schemas check them. */
export const operationArgsProblems = {
  cancel: (args: unknown): Problems => {
    if (!isObject(args) || typeof args.atPeriodEnd !== 'boolean') return ['atPeriodEnd: atPeriodEnd must be true or false'];
    return args.reason !== undefined && (typeof args.reason !== 'string' || args.reason.length > 500) ? ['reason: reason must be at most 500 characters'] : [];
  },
  changeNextChargeDate: (args: unknown): Problems => {
    const problems: Problems = [];
    date(problems, 'date', isObject(args) ? args.date : undefined);
    return problems;
  },
  changePaymentMethod: (args: unknown): Problems => paymentMethodProblems(isObject(args) ? args.paymentMethod : undefined),
  changePlan: (args: unknown): Problems => checkPlan(isObject(args) ? args.plan : undefined).problems,
  extendGrace: (args: unknown): Problems => {
    const problems: Problems = [];
    whole(problems, 'days', isObject(args) ? args.days : undefined, 1, 90);
    return problems;
  },
  linkExternalPayment: (args: unknown): Problems => {
    const problems: Problems = [];
    whole(problems, 'cycle', isObject(args) ? args.cycle : undefined, 0, Number.MAX_SAFE_INTEGER);
    return [...problems, ...externalPaymentProblems(isObject(args) ? args.payment : undefined, 'payment')];
  },
  paymentReceived: (args: unknown): Problems => (isObject(args) && typeof args.saleId === 'string' && args.saleId.length > 0 ? [] : ['saleId: saleId is required']),
};

export type { ExternalPayment };
