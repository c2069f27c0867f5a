/**
 * ZapSign partner API shapes (zapsign-partner-update-payment-status.txt, "Update Payment Status").
 * The document shows the request body only; success is described as "Status updated successfully"
 * with no body, so the answer is accepted as empty, a JSON string or any object.
 */
import { z } from 'zod';

export const PAYMENT_STATUSES = ['adimplente', 'inadimplente'] as const;
/** adimplente = up to date (plan unblocked); inadimplente = in default (plan blocked). */
export type ZapSignPaymentStatus = (typeof PAYMENT_STATUSES)[number];

export const updatePaymentStatusRequestSchema = z.object({
  // The client account's api_token (not a UUID in the document's example: no format check).
  client_api_token: z
    .string({ error: 'client_api_token must be a string' })
    .min(1, { error: 'client_api_token is required' }),
  // Ours to send: closed. The answer side has no status to read.
  payment_status: z.enum(PAYMENT_STATUSES, { error: 'payment_status must be "adimplente" or "inadimplente"' }),
});
export type UpdatePaymentStatusRequest = z.infer<typeof updatePaymentStatusRequestSchema>;

export const updatePaymentStatusResponseSchema = z.union([
  z.undefined(),
  z.null(),
  z.string(),
  z.looseObject({ message: z.string().optional(), detail: z.string().optional() }),
]);
export type UpdatePaymentStatusResponse = z.infer<typeof updatePaymentStatusResponseSchema>;

/**
 * Error bodies (not documented): Django REST framework style, `{"detail": "..."}` or a map of
 * field -> messages (`{"payment_status": ["..."]}`).
 */
export const errorBodySchema = z.union([
  z.looseObject({ detail: z.string() }),
  z.record(z.string(), z.union([z.array(z.string()), z.string()])),
]);
