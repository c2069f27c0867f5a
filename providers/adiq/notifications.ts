/**
 * The two callbacks Adiq POSTs to the merchant's registered callbackUrl (the engine receives
 * them as webhooks):
 *
 * - "Payment Notifications with Fault/Failure": after EACH failed collection attempt, teimosinha
 *   retries included. PascalCase in the example (SubscriptionId, ..., ErrorCode, ErrorMessage).
 * - "Payment Notifications": on every charge / payment status update. The table writes the fields
 *   in PascalCase (PaymentId, StatusCode...), the example in camelCase (paymentId, statusCode...)
 *   and adds checkoutOrderNumber; statusCode is a String, "200" meaning paid, anything else a
 *   failure described by statusDescription.
 *
 * Both are read case-insensitively on the first letter, so either spelling parses.
 */
import { z } from 'zod';
import { classifyAdiqDecline } from './errors';

function rekey(value: unknown, first: (c: string) => string): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  return Object.fromEntries(Object.entries(value).map(([key, v]) => [first(key.charAt(0)) + key.slice(1), v]));
}

const str = z.union([z.string(), z.number()]).transform(String);

export const failureNotificationSchema = z.preprocess(
  (value) => rekey(value, (c) => c.toUpperCase()),
  z.looseObject({
    SubscriptionId: z.string(),
    PlanId: z.string().nullish(),
    OrderNumber: str.nullish(),
    BillingId: z.string().nullish(),
    /** ISO date-time with offset, e.g. "2021-08-20T07:00:00-03:00". */
    ExpireAt: z.string().nullish(),
    ErrorCode: str.nullish(),
    ErrorMessage: z.string().nullish(),
  }),
);
export type AdiqFailureNotification = z.infer<typeof failureNotificationSchema>;

export const paymentStatusNotificationSchema = z.preprocess(
  (value) => rekey(value, (c) => c.toLowerCase()),
  z.looseObject({
    paymentId: z.string().nullish(),
    checkoutOrderNumber: str.nullish(),
    orderNumber: str.nullish(),
    subscriptionId: z.string().nullish(),
    /** The table describes it as "Plan id."; it is the billing (payment) id by its name and the other payloads. */
    billingId: z.string().nullish(),
    statusDescription: z.string().nullish(),
    statusCode: str.nullish(),
    date: z.string().nullish(),
    paymentMethod: z.string().nullish(),
  }),
);
export type AdiqPaymentStatusNotification = z.infer<typeof paymentStatusNotificationSchema>;

export const PAID_STATUS_CODE = '200';

export type PaymentNotificationOutcome =
  | { kind: 'paid' }
  | { kind: 'failed'; decline: 'soft' | 'hard'; code: string; description?: string }
  /** No status code at all (the document's example is all empty strings): nothing to act on. */
  | { kind: 'unknown' };

/** "In case of a successful payment, the statusCode field will be filled with 200." */
export function paymentNotificationOutcome(notification: AdiqPaymentStatusNotification): PaymentNotificationOutcome {
  const code = notification.statusCode?.trim() ?? '';
  if (code === PAID_STATUS_CODE) return { kind: 'paid' };
  if (code === '') return { kind: 'unknown' };
  const description = notification.statusDescription ?? undefined;
  return { kind: 'failed', decline: classifyAdiqDecline(code, description), code, description };
}

/** A failure notification's decline class, from ErrorCode / ErrorMessage. */
export function failureNotificationDecline(notification: AdiqFailureNotification): 'soft' | 'hard' {
  return classifyAdiqDecline(notification.ErrorCode, notification.ErrorMessage);
}
