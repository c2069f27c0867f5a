/**
 * Adiq Recurrence's rules as its document (adiq-recurrence-api.txt) states them, written here from
 * the document and not taken from the engine: the sandbox is what the engine's own rules are tested
 * against, so a wrong rule of the engine must not pass because the sandbox shares it.
 *
 * - Teimosinha, the retry of a collection that failed for lack of balance ("Rule teimosinha").
 * - What "Create plan", "Update plan", "Create Subscription"... accept (the tables' mandatory
 *   fields, maximum sizes and fixed values), answered 400 [{"tag": field, "description"}] by the sandbox.
 * - The words of the return codes a scripted decline answers with.
 */
import { z } from 'zod';

// ---- teimosinha ------------------------------------------------------------------------------

/**
 * Days from a failed collection to the next attempt, retry by retry: the document's dated example,
 * "a payment date of 01/01, the first stubborn attempt will be made on 01/03, the second on 01/05,
 * the third on 01/09, and the fourth and final attempt will be on 01/17" (month/day: 01/17 has no
 * month 17), is 2, 2, 4 and 8 days, each "after the last payment failure".
 */
const RETRY_GAP_DAYS = [2, 2, 4, 8] as const;

/**
 * The day of the next attempt after the `failures`-th failed collection of a payment (1 = the
 * collection on its payment date), which failed on `failedOn` (YYYY-MM-DD); undefined when the
 * plan's `attempts` ("the number of stubborn attempts", at most 4) are used up. The document's cases:
 * attempts 1, the first collection failed: one more, 2 days later; attempts 4 after 3 failures: 4
 * days later; after 4 failures: 8 days later, and never again; attempts 0: no second attempt.
 */
export function teimosinhaRetryOn(failedOn: string, failures: number, attempts: number): string | undefined {
  const retriesMade = failures - 1;
  const gap = retriesMade < attempts ? RETRY_GAP_DAYS[retriesMade] : undefined;
  return gap === undefined ? undefined : plusDays(failedOn, gap);
}

/** YYYY-MM-DD plus whole days, in calendar days (no time zone involved). */
function plusDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

// ---- plans -----------------------------------------------------------------------------------

/** "planType": Monthly, Bimonthly, Quarterly, Semesterly, Yearly, Custom. */
export const PLAN_TYPES = ['Monthly', 'Bimonthly', 'Quarterly', 'Semesterly', 'Yearly', 'Custom'] as const;
/** The fixed types: "the system will automatically assign the interval of 30 calendar days". */
export const FIXED_INTERVAL_DAYS = 30;
/**
 * "...and the number of installments according to the type of plan chosen": the document gives no
 * numbers; the sandbox reads them as the type's months.
 */
export const FIXED_INSTALLMENTS: Readonly<Record<Exclude<(typeof PLAN_TYPES)[number], 'Custom'>, number>> = {
  Monthly: 1,
  Bimonthly: 2,
  Quarterly: 3,
  Semesterly: 6,
  Yearly: 12,
};
/** "A planType of type Custom must have interval of at least 20 and installments greater than zero." */
const CUSTOM_MIN_INTERVAL_DAYS = 20;
/** attempts: "Number of repeated attempts (limited to 4 attempts)". */
const MAX_ATTEMPTS = RETRY_GAP_DAYS.length;
/** "amount": "12 integers and 6 decimals", in reais (5.99), a JSON number. */
const AMOUNT_TEXT = /^\d{1,12}(\.\d{1,6})?$/;

/** A mandatory text field with the table's maximum size. */
const text = (field: string, max: number) =>
  z
    .string({ error: `${field} must be a string` })
    .trim()
    .min(1, `${field} must not be empty`)
    .max(max, `${field} must be at most ${max} characters`);
const whole = (field: string) => z.int({ error: `${field} must be a whole number` });

const planFields = {
  merchantId: text('merchantId', 20),
  name: text('name', 255),
  description: text('description', 255),
  amount: z
    .number({ error: 'amount must be a number (reais)' })
    .positive('amount must be greater than zero')
    .refine((amount) => AMOUNT_TEXT.test(String(amount)), 'amount must have at most 12 integer digits and 6 decimals'),
  planType: z.enum(PLAN_TYPES, `planType must be one of ${PLAN_TYPES.join(', ')}`),
  trialDays: whole('trialDays').min(0, 'trialDays must be 0 or more').optional(),
  paymentMethod: z.enum(['CreditCard'], 'paymentMethod must be CreditCard'),
  interval: whole('interval').positive('interval must be positive').optional(),
  installments: whole('installments').positive('installments must be greater than zero').optional(),
  attempts: whole('attempts')
    .min(0, `attempts must be between 0 and ${MAX_ATTEMPTS}`)
    .max(MAX_ATTEMPTS, `attempts must be between 0 and ${MAX_ATTEMPTS}`)
    .optional(),
};

function customPlanRules(
  plan: { planType: string; interval?: number; installments?: number },
  ctx: z.RefinementCtx,
): void {
  if (plan.planType !== 'Custom') return;
  if (plan.interval === undefined || plan.interval < CUSTOM_MIN_INTERVAL_DAYS) {
    ctx.addIssue({
      code: 'custom',
      path: ['interval'],
      message: `interval must be at least ${CUSTOM_MIN_INTERVAL_DAYS} days for a Custom plan`,
    });
  }
  if (plan.installments === undefined || plan.installments <= 0) {
    ctx.addIssue({
      code: 'custom',
      path: ['installments'],
      message: 'installments must be greater than zero for a Custom plan',
    });
  }
}

/** "Create plan": merchantId "No (captured via authentication)". */
export const createPlanBody = z
  .object({ ...planFields, merchantId: planFields.merchantId.optional() })
  .superRefine(customPlanRules);
/** "Update plan": the same fields, merchantId mandatory. */
export const updatePlanBody = z.object(planFields).superRefine(customPlanRules);
export type PlanFields = z.output<typeof updatePlanBody>;
export const planStatusBody = z.object({
  status: z.enum(['Active', 'Inactive', 'Canceled'], 'status must be one of Active, Inactive, Canceled'),
});

// ---- subscriptions, notifications, token ----------------------------------------------------

export const createSubscriptionBody = z.object({
  vaultId: text('vaultId', 36),
  orderNumber: text('orderNumber', 10),
  planId: text('planId', 36),
});
/** "Alter Subscription Status": the example sends "Actived", the table says "(Activated, Canceled)". */
export const subscriptionStatusBody = z.object({
  status: z.enum(['Actived', 'Activated', 'Canceled'], 'status must be one of Actived, Activated, Canceled'),
});
export const subscriptionVaultBody = z.object({ vaultId: text('vaultId', 36) });

/** "Create Notification": callbackUrl is the "Endpoint URL on the business side". */
export const createNotificationBody = z.object({
  merchantId: text('merchantId', 20),
  name: text('name', 50),
  description: text('description', 150),
  callbackUrl: text('callbackUrl', 500).refine(
    (value) => /^https?:\/\/\S+$/i.test(value),
    'callbackUrl must be an http(s) URL',
  ),
});
/** "Update Notification": merchantId is the path parameter (the example repeats it in the body). */
export const updateNotificationBody = createNotificationBody.extend({
  merchantId: text('merchantId', 20).optional(),
  status: z.enum(['Active', 'Canceled'], 'status must be one of Active, Canceled'),
});

/** "Access Token Generation": "Use fixed value client_credentials". */
export const tokenBody = z.object({
  grantType: z.literal('client_credentials', 'grantType must be "client_credentials"'),
});

// ---- declines --------------------------------------------------------------------------------

/**
 * The words of the return codes a scripted decline answers with (a 402's description, a failure
 * notification's ErrorMessage, a payment notification's statusDescription). The document lists no
 * codes: these are the ABECS codes Brazilian acquirers return, worded in Portuguese as the
 * document's own messages are; any other code is "Transação negada".
 */
const DECLINE_DESCRIPTIONS: Readonly<Record<string, string>> = {
  '05': 'Transação não autorizada',
  '14': 'Cartão inválido',
  '41': 'Cartão perdido',
  '43': 'Cartão roubado',
  '46': 'Conta encerrada',
  '51': 'Saldo insuficiente',
  '54': 'Cartão vencido',
  '57': 'Transação não permitida para o cartão',
};

export function declineDescription(code: string): string {
  return DECLINE_DESCRIPTIONS[code] ?? 'Transação negada';
}
