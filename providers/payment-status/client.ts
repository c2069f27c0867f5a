/**
 * Payment status API (payment-status-update-api.txt): push a payment's new status to a merchant
 * system. The key goes both in the `api-key` header and in the body's `apiKey`, as documented.
 */
import { InvalidStateError } from '../errors';
import { ProviderHttp } from '../http';
import { validateRequest } from '../request-validation';
import { mapPaymentStatusError } from './errors';
import { updateStatusRequestSchema, updateStatusResponseSchema, type UpdateStatusResponse } from './schemas';

export interface PaymentStatusClientOptions {
  /** The `{base-url}`; the client adds /status/{payment-id} (put any /api/v1 prefix in here). */
  baseUrl: string;
  apiKey: string;
  /** Default 10 s: a merchant-side status write. */
  timeoutMs?: number;
}

export interface PushStatusInput {
  /** The payment's UUID (path and body `id`). */
  paymentId: string;
  status: string;
  trustSeed: string;
  trustValue: string;
  altTrustValue: string;
}

export const DEFAULT_PAYMENT_STATUS_TIMEOUT_MS = 10_000;

export class PaymentStatusClient {
  private readonly http: ProviderHttp;
  private readonly apiKey: string;

  constructor(options: PaymentStatusClientOptions) {
    this.apiKey = options.apiKey;
    this.http = new ProviderHttp({
      provider: 'payment-status',
      baseURL: options.baseUrl,
      timeoutMs: options.timeoutMs ?? DEFAULT_PAYMENT_STATUS_TIMEOUT_MS,
      mapErrorResponse: mapPaymentStatusError,
      headers: { 'api-key': options.apiKey, Accept: 'application/json' },
    });
  }

  /** POST {base}/status/{payment-id}; resolves on {"success": true}. */
  async pushStatus(input: PushStatusInput): Promise<UpdateStatusResponse> {
    const body = validateRequest('payment-status', updateStatusRequestSchema, {
      apiKey: this.apiKey,
      id: input.paymentId,
      status: input.status,
      trust_Seed: input.trustSeed,
      trust_Value: input.trustValue,
      alt_Trust_Value: input.altTrustValue,
    });
    const answer = await this.http.request({
      method: 'POST',
      path: `/status/${encodeURIComponent(body.id)}`,
      mutating: true,
      body,
      response: updateStatusResponseSchema,
    });
    // Not documented: a 200 with success=false means the merchant system did not apply the status;
    // retrying the same request would get the same answer, so it needs a human (InvalidState).
    if (!answer.success) {
      throw new InvalidStateError(
        `payment-status refused status "${body.status}" for payment ${body.id} (success: false)`,
        {
          provider: 'payment-status',
          statusCode: 200,
          code: 'success_false',
          raw: answer,
        },
      );
    }
    return answer;
  }
}
