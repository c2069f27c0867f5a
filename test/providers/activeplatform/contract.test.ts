import requestTemplate from '../../fixtures/providers/activeplatform/complete-payment.request-template.json';
import requestExample from '../../fixtures/providers/activeplatform/complete-payment.request.json';
import responseExample from '../../fixtures/providers/activeplatform/complete-payment.response.json';
import error422 from '../../fixtures/providers/activeplatform/error-422.json';
import { toResellerPayment } from '../../../providers/activeplatform/client';
import { mapActivePlatformError } from '../../../providers/activeplatform/errors';
import {
  completePaymentRequestSchema,
  errorDocumentSchema,
  errorList,
  paymentDocumentSchema,
} from '../../../providers/activeplatform/schemas';
import { InvalidStateError } from '../../../providers/errors';

describe('ActivePlatform fixtures parse with their schemas', () => {
  it.each([
    ['request template', requestTemplate],
    ['request example', requestExample],
  ])('%s', (_name, fixture) => {
    expect(completePaymentRequestSchema.parse(fixture)).toEqual({ data: { attributes: { payment_method_id: 2 } } });
  });

  it('response example: payment document with relationships and included resources', () => {
    const document = paymentDocumentSchema.parse(responseExample);
    expect(document.data.attributes.status).toBe('completed');
    expect(document.included?.map((r) => r.type)).toEqual(['change_orders', 'accounts', 'payment_methods']);
    const payment = toResellerPayment(document);
    expect(payment).toMatchObject({
      id: '6465',
      resellerId: '1',
      status: 'completed',
      total: '360.0',
      totalCents: 36000,
      paymentMethodId: 2,
      closedAt: '2019-10-21T07:03:00.230411+0300',
    });
  });

  it('unknown statuses are kept and read as unknown (open enum)', () => {
    const changed = structuredClone(responseExample);
    changed.data.attributes.status = 'partially_refunded';
    const payment = toResellerPayment(paymentDocumentSchema.parse(changed));
    expect(payment.status).toBe('unknown');
    expect(payment.rawStatus).toBe('partially_refunded');
  });

  it('422 example (errors as one object) and the JSON:API array form both parse and map', () => {
    const documented = errorDocumentSchema.parse(error422);
    expect(errorList(documented)[0]?.title).toMatch(/waiting for payment\/expired/);
    for (const data of [error422, { errors: [error422.errors] }]) {
      const error = mapActivePlatformError({ status: 422, data, headers: {} });
      expect(error).toBeInstanceOf(InvalidStateError);
      expect(error.message).toContain('Only payments with "waiting for payment/expired" status can be completed.');
    }
  });

  it('a 422 with a detail keeps both the title and the detail in the reason', () => {
    const data = {
      errors: [{ title: 'Payment cannot be completed', detail: 'Payment 6475 is canceled', status: '422' }],
    };
    const error = mapActivePlatformError({ status: 422, data, headers: {} });
    expect(error).toBeInstanceOf(InvalidStateError);
    expect(error.message).toBe('activeplatform HTTP 422: Payment cannot be completed (Payment 6475 is canceled)');
    expect(
      mapActivePlatformError({ status: 422, data: { errors: { detail: 'Only a detail' } }, headers: {} }).message,
    ).toBe('activeplatform HTTP 422: Only a detail');
  });

  it('rejects a request without a positive integer payment_method_id, naming the field', () => {
    const result = completePaymentRequestSchema.safeParse({ data: { attributes: { payment_method_id: '2' } } });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(['data', 'attributes', 'payment_method_id']);
  });
});
