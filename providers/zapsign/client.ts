/**
 * ZapSign partner API (zapsign-partner-update-payment-status.txt): tell ZapSign a client account
 * is in default ("inadimplente": plan blocked) or up to date ("adimplente": plan unblocked).
 * Setting a status is idempotent at ZapSign, so a retry after a lost answer is harmless.
 */
import { ProviderHttp } from '../http';
import { validateRequest } from '../request-validation';
import { mapZapSignError } from './errors';
import {
  updatePaymentStatusRequestSchema,
  updatePaymentStatusResponseSchema,
  type UpdatePaymentStatusResponse,
  type ZapSignPaymentStatus,
} from './schemas';

export interface ZapSignClientOptions {
  /** https://api.zapsign.com.br (the client adds /api/v1/partner/...). */
  baseUrl: string;
  /** The partner account's API token, sent as `Authorization: Bearer <token>`. */
  partnerToken: string;
  /** Default 10 s: a single status flag. */
  timeoutMs?: number;
}

export const DEFAULT_ZAPSIGN_TIMEOUT_MS = 10_000;

export class ZapSignPartnerClient {
  private readonly http: ProviderHttp;

  constructor(options: ZapSignClientOptions) {
    this.http = new ProviderHttp({
      provider: 'zapsign',
      baseURL: options.baseUrl,
      timeoutMs: options.timeoutMs ?? DEFAULT_ZAPSIGN_TIMEOUT_MS,
      mapErrorResponse: mapZapSignError,
      headers: { Authorization: `Bearer ${options.partnerToken}`, Accept: 'application/json' },
    });
  }

  /** POST /api/v1/partner/update-payment-status/ (the trailing slash is part of the documented path). */
  async updatePaymentStatus(input: {
    clientApiToken: string;
    paymentStatus: ZapSignPaymentStatus;
  }): Promise<UpdatePaymentStatusResponse> {
    const body = validateRequest('zapsign', updatePaymentStatusRequestSchema, {
      client_api_token: input.clientApiToken,
      payment_status: input.paymentStatus,
    });
    return this.http.request({
      method: 'POST',
      path: '/api/v1/partner/update-payment-status/',
      mutating: true,
      body,
      response: updatePaymentStatusResponseSchema,
    });
  }
}
