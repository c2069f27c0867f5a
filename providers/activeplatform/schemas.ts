/**
 * ActivePlatform JSON:API shapes, from activeplatform-complete-reseller-payment.txt
 * ("Complete a Reseller's Payment"). Objects are loose: the payment document carries many
 * attributes we do not use, and new ones must not break parsing.
 */
import { z } from 'zod';
import { openEnum } from '../open-enum';

/** The JSON:API media type, required in Content-Type and Accept. */
export const JSON_API_MEDIA_TYPE = 'application/vnd.api+json';

/**
 * Payment statuses. Only waiting_for_payment and expired can be completed (the document's 422);
 * the others are the usual ActivePlatform lifecycle; anything else is kept as an unknown value.
 */
export const PAYMENT_STATUSES = ['waiting_for_payment', 'expired', 'completed', 'canceled'] as const;
export type KnownPaymentStatus = (typeof PAYMENT_STATUSES)[number];
export const COMPLETABLE_STATUSES: readonly KnownPaymentStatus[] = ['waiting_for_payment', 'expired'];
export const paymentStatusSchema = openEnum(PAYMENT_STATUSES);

/** Money is a decimal string in reais ("360.0"). */
const decimalString = z.string().regex(/^-?\d+(\.\d+)?$/, { error: 'expected a decimal string such as "360.0"' });
const positiveId = z.int({ error: 'must be an integer' }).positive({ error: 'must be a positive integer' });

// ---- request -------------------------------------------------------------------------------

export const completePaymentRequestSchema = z.object({
  data: z.object({
    attributes: z.object({
      payment_method_id: positiveId,
    }),
  }),
});
export type CompletePaymentRequest = z.infer<typeof completePaymentRequestSchema>;

/** Path parameters: numbers in the document ("reseller_id | path | number"). */
export const paymentPathSchema = z.object({
  resellerId: z.union([positiveId, z.string().regex(/^\d+$/, { error: 'resellerId must be numeric' })]),
  paymentId: z.union([positiveId, z.string().regex(/^\d+$/, { error: 'paymentId must be numeric' })]),
});

// ---- response ------------------------------------------------------------------------------

const resourceIdentifierSchema = z.looseObject({ id: z.string(), type: z.string() });
const relationshipSchema = z.looseObject({
  data: z.union([resourceIdentifierSchema, z.array(resourceIdentifierSchema), z.null()]),
});

export const paymentAttributesSchema = z.looseObject({
  created_at: z.string().optional(),
  updated_at: z.string().optional(),
  account_id: z.int().nullable().optional(),
  discount_amount: decimalString.nullable().optional(),
  total: decimalString,
  comment: z.string().nullable().optional(),
  status: paymentStatusSchema,
  document_id: z.string().nullable().optional(),
  expiration_date: z.string().nullable().optional(),
  payment_method_id: z.int().nullable().optional(),
  requester_ip: z.string().nullable().optional(),
  manager_id: z.int().nullable().optional(),
  purpose: z.string().nullable().optional(),
  payment_method_name: z.string().nullable().optional(),
  closed_at: z.string().nullable().optional(),
});

export const paymentResourceSchema = z.looseObject({
  id: z.string(),
  type: z.literal('payments'),
  attributes: paymentAttributesSchema,
  relationships: z.record(z.string(), relationshipSchema).optional(),
});

/** Any included resource (change_orders, accounts, payment_methods...): only id/type are relied on. */
export const includedResourceSchema = z.looseObject({
  id: z.string(),
  type: z.string(),
  attributes: z.record(z.string(), z.unknown()).optional(),
  relationships: z.record(z.string(), relationshipSchema).optional(),
});

export const paymentDocumentSchema = z.looseObject({
  data: paymentResourceSchema,
  included: z.array(includedResourceSchema).optional(),
});
export type PaymentDocument = z.infer<typeof paymentDocumentSchema>;

/**
 * Error document. The document's own 422 example has `errors` as ONE object
 * ({"errors": {"title": ..., "status": "422"}}), while JSON:API specifies an array: accept both.
 */
export const jsonApiErrorSchema = z.looseObject({
  title: z.string().optional(),
  detail: z.string().optional(),
  status: z.union([z.string(), z.number()]).optional(),
  code: z.string().optional(),
  source: z.looseObject({ pointer: z.string().optional(), parameter: z.string().optional() }).optional(),
});
export const errorDocumentSchema = z.looseObject({
  errors: z.union([jsonApiErrorSchema, z.array(jsonApiErrorSchema)]),
});
export type JsonApiError = z.infer<typeof jsonApiErrorSchema>;
export type ErrorDocument = z.infer<typeof errorDocumentSchema>;

export function errorList(document: ErrorDocument): JsonApiError[] {
  return Array.isArray(document.errors) ? document.errors : [document.errors];
}
