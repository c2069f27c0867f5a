/**
 * Adiq Recurrence shapes (adiq-recurrence-api.txt), requests and responses. Field names are the
 * document's. Requests are strict (we build them: a problem is ours and is never sent); answers
 * are loose objects with OPEN enums, so a new field or status does not make an answer unreadable.
 */
import { z } from 'zod';
import { ADIQ_PLAN_TYPES } from '../../common/billing/plan';
import { openEnum } from '../open-enum';
import { isAdiqAmount } from './money';
import { ADIQ_MAX_ATTEMPTS, checkAdiqPlanRules } from './plan-rules';

// ---- enums ---------------------------------------------------------------------------------

export { ADIQ_PLAN_TYPES };
/** "Update plan status": Active, Inactive, Canceled. */
export const PLAN_STATUSES = ['Active', 'Inactive', 'Canceled'] as const;
/** Subscription statuses seen in answers (Active, Blocked) and set by "Alter Subscription Status" (Canceled). */
export const SUBSCRIPTION_STATUSES = ['Active', 'Blocked', 'Canceled'] as const;
/**
 * What "Alter Subscription Status" accepts: the example sends "Actived", the table says
 * "Activated". Both are allowed in a request; the client sends the example's (see status.ts).
 */
export const SUBSCRIPTION_STATUS_REQUESTS = ['Actived', 'Activated', 'Canceled'] as const;
/** "Search payment(s)": Opened, Payment Invalid (written PaymentInvalid in answers), Canceled, Denied, Paid. */
export const BILLING_STATUSES = ['Opened', 'PaymentInvalid', 'Canceled', 'Denied', 'Paid'] as const;
export const NOTIFICATION_STATUSES = ['Active', 'Canceled'] as const;
export const PAYMENT_METHODS = ['CreditCard'] as const;

export type KnownPlanStatus = (typeof PLAN_STATUSES)[number];
export type KnownSubscriptionStatus = (typeof SUBSCRIPTION_STATUSES)[number];
export type SubscriptionStatusRequest = (typeof SUBSCRIPTION_STATUS_REQUESTS)[number];
export type KnownBillingStatus = (typeof BILLING_STATUSES)[number];
export type NotificationStatus = (typeof NOTIFICATION_STATUSES)[number];

// ---- building blocks -----------------------------------------------------------------------

/** A required text field with the document's maximum size. */
export const text = (field: string, max: number) =>
  z
    .string({ error: `${field} must be a string` })
    .trim()
    .min(1, `${field} must not be empty`)
    .max(max, `${field} must be at most ${max} characters`);

const int = (field: string) => z.int({ error: `${field} must be a whole number` });

export const adiqAmountSchema = (field: string) =>
  z
    .number({ error: `${field} must be a number (reais)` })
    .positive(`${field} must be greater than zero`)
    .refine(isAdiqAmount, `${field} must have at most 12 integer digits and 6 decimals`);

const isoDate = (field: string) => z.string().regex(/^\d{4}-\d{2}-\d{2}$/, `${field} must be a date as YYYY-MM-DD`);
const page = z.int('page must be a whole number').min(1, 'page must be at least 1');
const limit = z
  .int('limit must be a whole number')
  .min(1, 'limit must be at least 1')
  .max(1000, 'limit must be at most 1000');
const url = (field: string, max: number) =>
  text(field, max).refine((value) => /^https?:\/\/\S+$/i.test(value), `${field} must be an http(s) URL`);

// ---- authentication ------------------------------------------------------------------------

/** "Access Token Generation": the table spells it GantType; the example (and the README) grantType. */
export const tokenRequestSchema = z.object({ grantType: z.literal('client_credentials') });
export type TokenRequest = z.infer<typeof tokenRequestSchema>;

export const tokenResponseSchema = z.looseObject({
  access_token: z.string().min(1, 'access_token must not be empty'),
  token_type: z.string().min(1, 'token_type must not be empty'),
  expires_in: z.number().positive('expires_in must be a positive number of seconds'),
});
export type TokenResponse = z.infer<typeof tokenResponseSchema>;

// ---- plans ---------------------------------------------------------------------------------

const planFields = {
  merchantId: text('merchantId', 20),
  name: text('name', 255),
  description: text('description', 255),
  amount: adiqAmountSchema('amount'),
  planType: z.enum(ADIQ_PLAN_TYPES, `planType must be one of ${ADIQ_PLAN_TYPES.join(', ')}`),
  trialDays: int('trialDays').min(0, 'trialDays must be 0 or more').optional(),
  paymentMethod: z.enum(PAYMENT_METHODS, 'paymentMethod must be CreditCard'),
  interval: int('interval').positive('interval must be positive').optional(),
  installments: int('installments').positive('installments must be greater than zero').optional(),
  attempts: int('attempts')
    .min(0, `attempts must be between 0 and ${ADIQ_MAX_ATTEMPTS}`)
    .max(ADIQ_MAX_ATTEMPTS, `attempts must be between 0 and ${ADIQ_MAX_ATTEMPTS}`)
    .optional(),
};

/** "Create plan": merchantId optional ("captured via authentication"). */
export const createPlanRequestSchema = z
  .object({ ...planFields, merchantId: planFields.merchantId.optional() })
  .superRefine(checkAdiqPlanRules);
export type CreatePlanRequest = z.infer<typeof createPlanRequestSchema>;

/** "Update plan": the same fields, merchantId mandatory. */
export const updatePlanRequestSchema = z.object(planFields).superRefine(checkAdiqPlanRules);
export type UpdatePlanRequest = z.infer<typeof updatePlanRequestSchema>;

export const updatePlanStatusRequestSchema = z.object({
  status: z.enum(PLAN_STATUSES, `status must be one of ${PLAN_STATUSES.join(', ')}`),
});

export const planSearchQuerySchema = z.object({
  name: z.string().optional(),
  status: z.string().optional(),
  orderby: z.string().optional(),
  page: page.optional(),
  limit: limit.optional(),
});
export type PlanSearchQuery = z.infer<typeof planSearchQuerySchema>;

export const planSchema = z.looseObject({
  merchantId: z.string(),
  name: z.string(),
  description: z.string().nullish(),
  amount: z.number(),
  planType: openEnum(ADIQ_PLAN_TYPES),
  trialDays: z.int().nullish(),
  paymentMethod: openEnum(PAYMENT_METHODS).nullish(),
  interval: z.int().nullish(),
  installments: z.int().nullish(),
  status: openEnum(PLAN_STATUSES),
  attempts: z.int().nullish(),
  id: z.string(),
  createdBy: z.string().nullish(),
  createdDate: z.string().nullish(),
  modifiedBy: z.string().nullish(),
  modifiedDate: z.string().nullish(),
});
export type AdiqPlan = z.infer<typeof planSchema>;

// ---- subscriptions -------------------------------------------------------------------------

export const createSubscriptionRequestSchema = z.object({
  vaultId: text('vaultId', 36),
  orderNumber: text('orderNumber', 10),
  planId: text('planId', 36),
});
export type CreateSubscriptionRequest = z.infer<typeof createSubscriptionRequestSchema>;

export const subscriptionStatusRequestSchema = z.object({
  status: z.enum(SUBSCRIPTION_STATUS_REQUESTS, `status must be one of ${SUBSCRIPTION_STATUS_REQUESTS.join(', ')}`),
});
export const subscriptionVaultRequestSchema = z.object({ vaultId: text('vaultId', 36) });

export const subscriptionSearchQuerySchema = z.object({
  planName: z.string().optional(),
  status: z.string().optional(),
  orderby: z.string().optional(),
  page: page.optional(),
  limit: limit.optional(),
});
export type SubscriptionSearchQuery = z.infer<typeof subscriptionSearchQuerySchema>;

export const subscriptionSchema = z.looseObject({
  vaultId: z.string(),
  orderNumber: z.string(),
  status: openEnum(SUBSCRIPTION_STATUSES),
  plan: planSchema,
  id: z.string(),
  createdBy: z.string().nullish(),
  createdDate: z.string().nullish(),
  modifiedBy: z.string().nullish(),
  modifiedDate: z.string().nullish(),
});
export type AdiqSubscription = z.infer<typeof subscriptionSchema>;

// ---- billing (payments) ----------------------------------------------------------------------

/** "Search payment(s)": query names as written (Mid and the ExpirationDateRange* ones are capitalised). */
export const billingSearchQuerySchema = z.object({
  Mid: z.string().max(20, 'Mid must be at most 20 characters').optional(),
  status: z.string().optional(),
  ExpirationDateRangeStartDate: isoDate('ExpirationDateRangeStartDate').optional(),
  ExpirationDateRangeEndDate: isoDate('ExpirationDateRangeEndDate').optional(),
  orderby: z.string().optional(),
  page: page.optional(),
  limit: limit.optional(),
});
export type BillingSearchQuery = z.infer<typeof billingSearchQuerySchema>;

export const billingSchema = z.looseObject({
  status: openEnum(BILLING_STATUSES),
  expireAt: z.string(),
  amount: z.number(),
  subscription: subscriptionSchema,
  installment: z.int().nullish(),
  id: z.string(),
  createdBy: z.string().nullish(),
  createdDate: z.string().nullish(),
  modifiedBy: z.string().nullish(),
  modifiedDate: z.string().nullish(),
});
export type AdiqBilling = z.infer<typeof billingSchema>;

export const billingIdSchema = text('billingId', 36);

// ---- notification registrations ------------------------------------------------------------

export const createNotificationRequestSchema = z.object({
  merchantId: text('merchantId', 20),
  name: text('name', 50),
  description: text('description', 150),
  callbackUrl: url('callbackUrl', 500),
});
export type CreateNotificationRequest = z.infer<typeof createNotificationRequestSchema>;

/** "Update Notification": merchantId is the path parameter; the example repeats it in the body. */
export const updateNotificationRequestSchema = createNotificationRequestSchema.extend({
  merchantId: text('merchantId', 20).optional(),
  status: z.enum(NOTIFICATION_STATUSES, `status must be one of ${NOTIFICATION_STATUSES.join(', ')}`),
});
export type UpdateNotificationRequest = z.infer<typeof updateNotificationRequestSchema>;

export const notificationSearchQuerySchema = z.object({
  merchantId: z.string().max(20, 'merchantId must be at most 20 characters').optional(),
  name: z.string().max(50, 'name must be at most 50 characters').optional(),
  status: z.enum(NOTIFICATION_STATUSES, `status must be one of ${NOTIFICATION_STATUSES.join(', ')}`).optional(),
});
export type NotificationSearchQuery = z.infer<typeof notificationSearchQuerySchema>;

export const notificationSchema = z.looseObject({
  status: openEnum(NOTIFICATION_STATUSES),
  merchantId: z.string(),
  name: z.string(),
  description: z.string().nullish(),
  callbackUrl: z.string(),
  id: z.string(),
  createdBy: z.string().nullish(),
  createdDate: z.string().nullish(),
  modifiedBy: z.string().nullish(),
  modifiedDate: z.string().nullish(),
});
export type AdiqNotification = z.infer<typeof notificationSchema>;
/** "Search Notification" answers a bare array, not a page. */
export const notificationListSchema = z.array(notificationSchema);

// ---- common answers ------------------------------------------------------------------------

/** Creates and updates answer a bare JSON string: the id of what was created or changed. */
export const idResponseSchema = z.string().trim().min(1, 'the answer must be a non-empty id string');

/** Searches answer { items, page, limit, total }. */
export const pageOf = <T extends z.ZodType>(item: T) =>
  z.looseObject({ items: z.array(item), page: z.int(), limit: z.int(), total: z.int() });
export const planPageSchema = pageOf(planSchema);
export const subscriptionPageSchema = pageOf(subscriptionSchema);
export const billingPageSchema = pageOf(billingSchema);
export interface AdiqPage<T> {
  items: T[];
  page: number;
  limit: number;
  total: number;
}

/** "API-codes": errors come as [{"tag": ..., "description": ...}]. */
export const errorItemSchema = z.looseObject({
  tag: z.union([z.string(), z.number()]).transform(String).nullish(),
  description: z.string().nullish(),
});
export const errorBodySchema = z.array(errorItemSchema);
export type AdiqErrorItem = z.infer<typeof errorItemSchema>;
