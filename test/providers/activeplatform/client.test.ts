import { ActivePlatformClient } from '../../../providers/activeplatform/client';
import {
  InvalidRequestError,
  InvalidStateError,
  ProviderAuthError,
  RateLimitedError,
  TransientProviderError,
  UnknownOutcomeError,
} from '../../../providers/errors';
import { SANDBOX_CREDENTIALS } from '../../../common/sandbox-credentials';
import { useSandbox, type RunningSandbox } from '../../helpers/sandbox';
import { control, expectProviderError } from '../expect-error';
import { anyString } from '../../helpers/matchers';
import { at } from '../../helpers/defined';

const MEDIA = 'application/vnd.api+json';
const TOKEN = SANDBOX_CREDENTIALS.activeplatform.apiToken;

describe('ActivePlatform client against the sandbox', () => {
  let sandbox: RunningSandbox;
  let client: ActivePlatformClient;
  let base: string;

  useSandbox((started) => {
    sandbox = started;
    base = `${sandbox.url}/activeplatform`;
    client = new ActivePlatformClient({ baseUrl: base, apiToken: TOKEN, timeoutMs: 500 });
  });

  const seed = (payment: { resellerId: number; paymentId: number; status: string; total: string }) =>
    control(base, 'POST', '/__control/payments', payment);

  it('completes a waiting payment: JSON:API document, cents, one ledger entry', async () => {
    await seed({ resellerId: 1, paymentId: 6475, status: 'waiting_for_payment', total: '360.0' });
    const payment = await client.completePayment({ resellerId: 1, paymentId: 6475, paymentMethodId: 2 });
    expect(payment).toMatchObject({ id: '6475', status: 'completed', totalCents: 36000, paymentMethodId: 2 });
    expect(payment.closedAt).toEqual(expect.any(String));
    expect(payment.document.included?.[0]).toMatchObject({ id: '2', type: 'payment_methods' });
    const ledger = await sandbox.control.ledger({ provider: 'activeplatform' });
    expect(ledger).toEqual([expect.objectContaining({ kind: 'completion', amountCents: 36000, providerId: '6475' })]);
    const request = at(
      await sandbox.control.requests({ operation: 'activeplatform.payment.complete' }),
      0,
      'activeplatform.payment.complete requests',
    );
    expect(request.headers['content-type']).toBe(MEDIA);
    expect(request.headers.accept).toBe(MEDIA);
    expect(request.headers['x-api-token']).toBe(TOKEN);
    expect(request.body).toEqual({ data: { attributes: { payment_method_id: 2 } } });
  });

  it('completes an expired payment and reads it back with GET', async () => {
    await seed({ resellerId: 1, paymentId: 10, status: 'expired', total: '19.99' });
    await client.completePayment({ resellerId: 1, paymentId: 10, paymentMethodId: 1 });
    expect(await client.getPayment({ resellerId: 1, paymentId: 10 })).toMatchObject({
      status: 'completed',
      totalCents: 1999,
    });
  });

  it.each(['completed', 'canceled'])('422 InvalidState with the title for a %s payment', async (status) => {
    await seed({ resellerId: 1, paymentId: 11, status, total: '10.00' });
    const error = await expectProviderError(
      client.completePayment({ resellerId: 1, paymentId: 11, paymentMethodId: 2 }),
      InvalidStateError,
    );
    expect(error.statusCode).toBe(422);
    expect(error.message).toContain('Only payments with "waiting for payment/expired" status can be completed.');
    expect(error.retryable).toBe(false);
    expect(await sandbox.control.ledger({ provider: 'activeplatform' })).toHaveLength(0);
  });

  it('reaches downstream resellers but not others', async () => {
    await control(base, 'POST', '/__control/resellers', { resellerId: 20, parentId: 1 });
    await control(base, 'POST', '/__control/resellers', { resellerId: 21, parentId: 20 });
    await control(base, 'POST', '/__control/resellers', { resellerId: 99, parentId: null });
    await seed({ resellerId: 21, paymentId: 1, status: 'waiting_for_payment', total: '1.00' });
    await seed({ resellerId: 99, paymentId: 2, status: 'waiting_for_payment', total: '1.00' });
    await expect(client.completePayment({ resellerId: 21, paymentId: 1, paymentMethodId: 2 })).resolves.toMatchObject({
      status: 'completed',
    });
    const error = await expectProviderError(
      client.completePayment({ resellerId: 99, paymentId: 2, paymentMethodId: 2 }),
      InvalidRequestError,
    );
    expect(error.statusCode).toBe(404);
    // A downstream manager's token does not reach its parent.
    await control(base, 'POST', '/__control/tokens', { token: 'manager-of-20', resellerId: 20 });
    const downstream = new ActivePlatformClient({ baseUrl: base, apiToken: 'manager-of-20', timeoutMs: 500 });
    await seed({ resellerId: 1, paymentId: 3, status: 'waiting_for_payment', total: '1.00' });
    await expectProviderError(downstream.getPayment({ resellerId: 1, paymentId: 3 }), InvalidRequestError);
  });

  it('unknown payment: 404 InvalidRequest', async () => {
    await expectProviderError(client.getPayment({ resellerId: 1, paymentId: 404 }), InvalidRequestError);
  });

  it('wrong token: ProviderAuthError naming ACTIVEPLATFORM_API_TOKEN', async () => {
    const wrong = new ActivePlatformClient({ baseUrl: base, apiToken: 'nope', timeoutMs: 500 });
    const error = await expectProviderError(wrong.getPayment({ resellerId: 1, paymentId: 1 }), ProviderAuthError);
    expect(error.setting).toBe('ACTIVEPLATFORM_API_TOKEN');
    expect(error.message).toContain('ACTIVEPLATFORM_API_TOKEN');
  });

  it('the sandbox rejects missing token and wrong media types like the real API', async () => {
    await seed({ resellerId: 1, paymentId: 5, status: 'waiting_for_payment', total: '1.00' });
    const url = `${base}/api/v3/resellers/1/payments/5`;
    const body = JSON.stringify({ data: { attributes: { payment_method_id: 2 } } });
    const call = (headers: Record<string, string>) => fetch(url, { method: 'PATCH', headers, body });
    const noToken = await call({ 'Content-Type': MEDIA, Accept: MEDIA });
    expect(noToken.status).toBe(401);
    const json = await call({ 'Content-Type': 'application/json', Accept: MEDIA, 'X-Api-Token': TOKEN });
    expect(json.status).toBe(415);
    expect(await json.json()).toEqual({ errors: { title: `Content-Type must be ${MEDIA}`, status: '415' } });
    expect((await call({ 'Content-Type': 'text/plain', Accept: MEDIA, 'X-Api-Token': TOKEN })).status).toBe(415);
    expect((await call({ 'Content-Type': 'application/xml', Accept: MEDIA, 'X-Api-Token': TOKEN })).status).toBe(415);
    expect(
      (await call({ 'Content-Type': `${MEDIA}; charset=utf-8`, Accept: MEDIA, 'X-Api-Token': TOKEN })).status,
    ).toBe(415);
    expect((await call({ 'Content-Type': MEDIA, Accept: 'application/json', 'X-Api-Token': TOKEN })).status).toBe(406);
    expect((await control(base, 'GET', '/__control/payments/1/5')).body).toMatchObject({
      status: 'waiting_for_payment',
    });
    expect(await sandbox.control.ledger({ provider: 'activeplatform' })).toHaveLength(0);
  });

  it('a bad body: 400 InvalidRequest with the field', async () => {
    await seed({ resellerId: 1, paymentId: 6, status: 'waiting_for_payment', total: '1.00' });
    const response = await fetch(`${base}/api/v3/resellers/1/payments/6`, {
      method: 'PATCH',
      headers: { 'Content-Type': MEDIA, Accept: MEDIA, 'X-Api-Token': TOKEN },
      body: JSON.stringify({ data: { attributes: {} } }),
    });
    expect(response.status).toBe(400);
    const { mapActivePlatformError } = await import('../../../providers/activeplatform/errors');
    const error = mapActivePlatformError({ status: 400, data: await response.json(), headers: {} });
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect((error as InvalidRequestError).fieldErrors).toEqual([{ field: 'payment_method_id', message: anyString() }]);
  });

  it('client-side validation: an invalid payment method is never sent', async () => {
    const error = await expectProviderError(
      client.completePayment({ resellerId: 1, paymentId: 7, paymentMethodId: 0 }),
      InvalidRequestError,
    );
    expect(error.fieldErrors[0]?.field).toBe('data.attributes.payment_method_id');
    expect(await sandbox.control.requests({ provider: 'activeplatform' })).toHaveLength(0);
  });

  it('5xx: Transient', async () => {
    await seed({ resellerId: 1, paymentId: 8, status: 'waiting_for_payment', total: '1.00' });
    await sandbox.control.script({
      provider: 'activeplatform',
      times: 1,
      outcome: { type: 'server_error', status: 503 },
    });
    const error = await expectProviderError(
      client.completePayment({ resellerId: 1, paymentId: 8, paymentMethodId: 2 }),
      TransientProviderError,
    );
    expect(error.statusCode).toBe(503);
  });

  it('429: RateLimited with retryAfterMs', async () => {
    await sandbox.control.script({
      provider: 'activeplatform',
      times: 1,
      outcome: { type: 'rate_limit', retryAfterSeconds: 7 },
    });
    const error = await expectProviderError(client.getPayment({ resellerId: 1, paymentId: 8 }), RateLimitedError);
    expect(error.retryAfterMs).toBe(7000);
  });

  it('timeout after the completion: UnknownOutcome, and the payment is completed', async () => {
    await seed({ resellerId: 1, paymentId: 9, status: 'waiting_for_payment', total: '5.00' });
    await sandbox.control.script({
      operation: 'activeplatform.payment.complete',
      times: 1,
      outcome: { type: 'timeout', phase: 'after' },
    });
    await expectProviderError(
      client.completePayment({ resellerId: 1, paymentId: 9, paymentMethodId: 2 }),
      UnknownOutcomeError,
    );
    expect((await control(base, 'GET', '/__control/payments/1/9')).body).toMatchObject({ status: 'completed' });
  });

  it('timeout on a read: Transient', async () => {
    await sandbox.control.script({ operation: 'activeplatform.payment.get', times: 1, outcome: { type: 'timeout' } });
    await expectProviderError(client.getPayment({ resellerId: 1, paymentId: 9 }), TransientProviderError);
  });

  it('malformed answer to the completion: UnknownOutcome', async () => {
    await seed({ resellerId: 1, paymentId: 12, status: 'waiting_for_payment', total: '5.00' });
    await sandbox.control.script({
      operation: 'activeplatform.payment.complete',
      times: 1,
      outcome: { type: 'malformed' },
    });
    await expectProviderError(
      client.completePayment({ resellerId: 1, paymentId: 12, paymentMethodId: 2 }),
      UnknownOutcomeError,
    );
  });

  it('latency within the timeout still succeeds', async () => {
    await seed({ resellerId: 1, paymentId: 13, status: 'waiting_for_payment', total: '5.00' });
    await sandbox.control.script({
      operation: 'activeplatform.payment.complete',
      times: 1,
      outcome: { type: 'latency', delayMs: 100 },
    });
    await expect(client.completePayment({ resellerId: 1, paymentId: 13, paymentMethodId: 2 })).resolves.toMatchObject({
      status: 'completed',
    });
  });

  it('reset clears payments, resellers and tokens', async () => {
    await seed({ resellerId: 1, paymentId: 14, status: 'waiting_for_payment', total: '5.00' });
    await sandbox.control.reset();
    expect((await control(base, 'GET', '/__control/payments/1/14')).status).toBe(404);
  });

  it('the sandbox can refuse the GET the document does not define (405, Allow: PATCH); the PATCH still works; reset allows it again', async () => {
    await seed({ resellerId: 1, paymentId: 15, status: 'waiting_for_payment', total: '5.00' });
    expect((await control(base, 'POST', '/__control/payment-reads', { allowed: false })).body).toEqual({
      allowed: false,
    });
    const raw = await fetch(`${base}/api/v3/resellers/1/payments/15`, {
      headers: { Accept: MEDIA, 'X-Api-Token': TOKEN },
    });
    expect(raw.status).toBe(405);
    expect(raw.headers.get('allow')).toBe('PATCH');
    expect(await raw.json()).toEqual({ errors: { title: 'Method Not Allowed', status: '405' } });
    const error = await expectProviderError(client.getPayment({ resellerId: 1, paymentId: 15 }), InvalidRequestError);
    expect(error.statusCode).toBe(405);
    await expect(client.completePayment({ resellerId: 1, paymentId: 15, paymentMethodId: 2 })).resolves.toMatchObject({
      status: 'completed',
    });
    expect((await control(base, 'POST', '/__control/payment-reads', { allowed: 'no' })).status).toBe(400);
    await sandbox.control.reset();
    await seed({ resellerId: 1, paymentId: 15, status: 'expired', total: '5.00' });
    await expect(client.getPayment({ resellerId: 1, paymentId: 15 })).resolves.toMatchObject({ status: 'expired' });
  });
});
