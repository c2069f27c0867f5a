/**
 * ActivePlatform reseller payments (activeplatform-complete-reseller-payment.txt): complete a
 * payment that was paid elsewhere, and read it back (the "Get the Reseller's Payment information
 * by ID" method the document refers to, used to make completion safe on retry).
 */
import { ProviderHttp } from '../http';
import { reaisToCents } from '../money';
import { knownOrUnknown } from '../open-enum';
import { validateRequest } from '../request-validation';
import { mapActivePlatformError } from './errors';
import {
  completePaymentRequestSchema,
  JSON_API_MEDIA_TYPE,
  PAYMENT_STATUSES,
  paymentDocumentSchema,
  paymentPathSchema,
  type KnownPaymentStatus,
  type PaymentDocument,
} from './schemas';

export interface ActivePlatformClientOptions {
  /** e.g. https://test.activeplatform.com (the client adds /api/v3/...). */
  baseUrl: string;
  /** The manager's X-Api-Token: decides which resellers are reachable. */
  apiToken: string;
  /** Default 15 s: a single PATCH, no long processing on their side. */
  timeoutMs?: number;
}

export interface PaymentRef {
  resellerId: number | string;
  paymentId: number | string;
}

/** The payment as the engine uses it; `document` keeps the full JSON:API answer. */
export interface ResellerPayment {
  id: string;
  resellerId?: string;
  status: KnownPaymentStatus | 'unknown';
  rawStatus: string;
  /** Decimal string in reais, as sent ("360.0"). */
  total: string;
  totalCents: number;
  paymentMethodId?: number | null;
  closedAt?: string | null;
  document: PaymentDocument;
}

export const DEFAULT_ACTIVEPLATFORM_TIMEOUT_MS = 15_000;

export class ActivePlatformClient {
  private readonly http: ProviderHttp;

  constructor(options: ActivePlatformClientOptions) {
    this.http = new ProviderHttp({
      provider: 'activeplatform',
      baseURL: options.baseUrl,
      timeoutMs: options.timeoutMs ?? DEFAULT_ACTIVEPLATFORM_TIMEOUT_MS,
      mapErrorResponse: mapActivePlatformError,
      // JSON:API media type in both directions (the document's request example).
      headers: { 'X-Api-Token': options.apiToken, Accept: JSON_API_MEDIA_TYPE },
    });
  }

  /** PATCH /api/v3/resellers/{reseller_id}/payments/{payment_id}. */
  async completePayment(ref: PaymentRef & { paymentMethodId: number }): Promise<ResellerPayment> {
    const body = validateRequest('activeplatform', completePaymentRequestSchema, {
      data: { attributes: { payment_method_id: ref.paymentMethodId } },
    });
    const document = await this.http.request({
      method: 'PATCH',
      path: paymentPath(ref),
      mutating: true,
      body,
      headers: { 'Content-Type': JSON_API_MEDIA_TYPE },
      response: paymentDocumentSchema,
    });
    return toResellerPayment(document);
  }

  /** GET /api/v3/resellers/{reseller_id}/payments/{payment_id}. */
  async getPayment(ref: PaymentRef): Promise<ResellerPayment> {
    const document = await this.http.request({
      method: 'GET',
      path: paymentPath(ref),
      response: paymentDocumentSchema,
    });
    return toResellerPayment(document);
  }
}

function paymentPath(ref: PaymentRef): string {
  const { resellerId, paymentId } = validateRequest('activeplatform', paymentPathSchema, ref);
  return `/api/v3/resellers/${encodeURIComponent(String(resellerId))}/payments/${encodeURIComponent(String(paymentId))}`;
}

export function toResellerPayment(document: PaymentDocument): ResellerPayment {
  const { data } = document;
  const reseller = data.relationships?.reseller?.data;
  return {
    id: data.id,
    resellerId: reseller && !Array.isArray(reseller) ? reseller.id : undefined,
    status: knownOrUnknown(PAYMENT_STATUSES, data.attributes.status),
    rawStatus: data.attributes.status,
    total: data.attributes.total,
    // Decimal strings may carry more zeros than cents ("360.000"); anything finer is rejected.
    totalCents: reaisToCents(data.attributes.total, { allowTrailingZeros: true }),
    paymentMethodId: data.attributes.payment_method_id,
    closedAt: data.attributes.closed_at,
    document,
  };
}
