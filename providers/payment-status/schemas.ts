/**
 * Payment status API shapes (payment-status-update-api.txt). The reference section is
 * authoritative: `POST {base}/status/{payment-id}`, body keys with this exact casing
 * (apiKey, trust_Seed, trust_Value, alt_Trust_Value); the JavaScript example at the end of the
 * document uses other casings and omits required fields (see test/fixtures/providers/payment-status/NOTES.md).
 */
import { z } from 'zod';
import { openEnum } from '../open-enum';

const required = (field: string) =>
  z.string({ error: `The ${field} field is required.` }).min(1, { error: `The ${field} field is required.` });

/** Statuses seen in the document ("completed", "cancelled"); the field is a free string. */
export const KNOWN_PAYMENT_STATUSES = ['completed', 'cancelled'] as const;
export const paymentStatusValueSchema = openEnum(KNOWN_PAYMENT_STATUSES);

export const updateStatusRequestSchema = z.object({
  apiKey: required('apiKey'),
  /** The payment's UUID, the same as in the path. */
  id: required('id'),
  status: required('status'),
  trust_Seed: required('trust_Seed'),
  trust_Value: required('trust_Value'),
  alt_Trust_Value: required('alt_Trust_Value'),
});
export type UpdateStatusRequest = z.infer<typeof updateStatusRequestSchema>;

export const updateStatusResponseSchema = z.looseObject({
  success: z.boolean({ error: 'success must be a boolean' }),
});
export type UpdateStatusResponse = z.infer<typeof updateStatusResponseSchema>;

/** RFC 7231 problem document (400 with per-field `errors`, 500 without). */
export const problemDocumentSchema = z.looseObject({
  type: z.string().optional(),
  title: z.string().optional(),
  status: z.int().optional(),
  traceId: z.string().optional(),
  detail: z.string().optional(),
  errors: z.record(z.string(), z.array(z.string())).optional(),
});
export type ProblemDocument = z.infer<typeof problemDocumentSchema>;
