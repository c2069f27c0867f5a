import error400 from '../../fixtures/providers/payment-status/error-400.json';
import error500 from '../../fixtures/providers/payment-status/error-500.json';
import jsExampleBody from '../../fixtures/providers/payment-status/js-example.request-body.json';
import requestTemplate from '../../fixtures/providers/payment-status/update-status.request-template.json';
import requestExample from '../../fixtures/providers/payment-status/update-status.request.json';
import responseExpected from '../../fixtures/providers/payment-status/update-status.response-expected.json';
import responseTemplate from '../../fixtures/providers/payment-status/update-status.response-template.json';
import responseExample from '../../fixtures/providers/payment-status/update-status.response.json';
import { createPaymentStatusActivities } from '../../../activities/merchants/payment-status';
import { PaymentStatusClient, type PushStatusInput } from '../../../providers/payment-status/client';
import { mapPaymentStatusError } from '../../../providers/payment-status/errors';
import {
  problemDocumentSchema,
  updateStatusRequestSchema,
  updateStatusResponseSchema,
} from '../../../providers/payment-status/schemas';
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
import { control, expectProviderError, quietActivityEnvironment, rejectionOf } from '../expect-error';
import { at } from '../../helpers/defined';

describe('payment status contract', () => {
  it.each([
    ['request template', requestTemplate],
    ['request example', requestExample],
  ])('%s parses', (_name, fixture) => {
    expect(updateStatusRequestSchema.parse(fixture)).toEqual(fixture);
  });

  it.each([
    ['response template', responseTemplate],
    ['response example', responseExample],
    ['expected response', responseExpected],
  ])('%s parses', (_name, fixture) => {
    expect(updateStatusResponseSchema.parse(fixture)).toEqual({ success: true });
  });

  it('the JS example body does not meet the reference contract (casing, missing fields)', () => {
    const result = updateStatusRequestSchema.safeParse(jsExampleBody);
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.path.join('.')).sort()).toEqual([
      'alt_Trust_Value',
      'apiKey',
      'id',
      'trust_Seed',
      'trust_Value',
    ]);
    expect(result.error?.issues.find((i) => i.path[0] === 'apiKey')?.message).toBe('The apiKey field is required.');
  });

  it('400 problem document: InvalidRequest with one field error per message', () => {
    expect(problemDocumentSchema.parse(error400).errors).toBeDefined();
    const error = mapPaymentStatusError({ status: 400, data: error400, headers: {} });
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect((error as InvalidRequestError).fieldErrors).toEqual([
      { field: 'apiKey', message: 'The apiKey field is required.' },
      { field: 'id', message: 'The id field is required.' },
    ]);
    expect(error.code).toBe(error400.traceId);
  });

  it('500 problem document: Transient', () => {
    expect(problemDocumentSchema.parse(error500).title).toBe('An error occurred.');
    const error = mapPaymentStatusError({ status: 500, data: error500, headers: {} });
    expect(error).toBeInstanceOf(TransientProviderError);
    expect(error.message).toContain('An error occurred.');
  });
});

describe('payment status client and activity against the sandbox', () => {
  let sandbox: RunningSandbox;
  let base: string;
  let client: PaymentStatusClient;
  const KEY = SANDBOX_CREDENTIALS.paymentStatus.apiKey;
  const input: PushStatusInput = {
    paymentId: requestExample.id,
    status: 'completed',
    trustSeed: 'seed',
    trustValue: 'value',
    altTrustValue: 'alt',
  };

  useSandbox((started) => {
    sandbox = started;
    base = `${sandbox.url}/payment-status`;
    client = new PaymentStatusClient({ baseUrl: base, apiKey: KEY, timeoutMs: 400 });
  });

  it('pushes a status with the documented path, header and exact body casing', async () => {
    await expect(client.pushStatus(input)).resolves.toEqual({ success: true });
    const request = at(
      await sandbox.control.requests({ operation: 'payment-status.status.update' }),
      0,
      'payment-status.status.update requests',
    );
    expect(request.path).toBe(`/payment-status/status/${input.paymentId}`);
    expect(request.headers['api-key']).toBe(KEY);
    expect(request.body).toEqual({
      apiKey: KEY,
      id: input.paymentId,
      status: 'completed',
      trust_Seed: 'seed',
      trust_Value: 'value',
      alt_Trust_Value: 'alt',
    });
    const stored = await control<{ status: string; updates: unknown[] }>(
      base,
      'GET',
      `/__control/payments/${input.paymentId}`,
    );
    expect(stored.body).toMatchObject({
      status: 'completed',
      updates: [expect.objectContaining({ trust_Seed: 'seed' })],
    });
  });

  it('the sandbox answers the documented 400 problem document for the JS example body', async () => {
    const response = await fetch(`${base}/status/${input.paymentId}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'api-key': KEY },
      body: JSON.stringify(jsExampleBody),
    });
    expect(response.status).toBe(400);
    const problem = problemDocumentSchema.parse(await response.json());
    expect(problem).toMatchObject({
      type: 'https://tools.ietf.org/html/rfc7231#section-6.5.1',
      title: 'One or more validation errors occurred.',
      status: 400,
      errors: {
        apiKey: ['The apiKey field is required.'],
        id: ['The id field is required.'],
        trust_Seed: ['The trust_Seed field is required.'],
        trust_Value: ['The trust_Value field is required.'],
        alt_Trust_Value: ['The alt_Trust_Value field is required.'],
      },
    });
    const error = mapPaymentStatusError({ status: 400, data: problem, headers: {} });
    expect((error as InvalidRequestError).fieldErrors).toHaveLength(5);
  });

  it('wrong api key: ProviderAuthError naming PAYMENT_STATUS_API_KEY', async () => {
    const wrong = new PaymentStatusClient({ baseUrl: base, apiKey: 'wrong', timeoutMs: 400 });
    const error = await expectProviderError(wrong.pushStatus(input), ProviderAuthError);
    expect(error).toMatchObject({ statusCode: 401, setting: 'PAYMENT_STATUS_API_KEY' });
  });

  it('body id different from the path: 400', async () => {
    const response = await fetch(`${base}/status/other-id`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'api-key': KEY },
      body: JSON.stringify({ ...requestExample, apiKey: KEY }),
    });
    expect(response.status).toBe(400);
  });

  it('client-side validation: an empty field is never sent', async () => {
    const error = await expectProviderError(client.pushStatus({ ...input, altTrustValue: '' }), InvalidRequestError);
    expect(error.fieldErrors).toEqual([
      { field: 'alt_Trust_Value', message: 'The alt_Trust_Value field is required.' },
    ]);
  });

  it('5xx Transient, 429 RateLimited, timeout after UnknownOutcome, malformed UnknownOutcome', async () => {
    await sandbox.control.script({ provider: 'payment-status', times: 1, outcome: { type: 'server_error' } });
    await expectProviderError(client.pushStatus(input), TransientProviderError);
    await sandbox.control.script({
      provider: 'payment-status',
      times: 1,
      outcome: { type: 'rate_limit', retryAfterSeconds: 4 },
    });
    expect((await expectProviderError(client.pushStatus(input), RateLimitedError)).retryAfterMs).toBe(4000);
    await sandbox.control.script({
      provider: 'payment-status',
      times: 1,
      outcome: { type: 'timeout', phase: 'after' },
    });
    await expectProviderError(client.pushStatus(input), UnknownOutcomeError);
    await sandbox.control.script({ provider: 'payment-status', times: 1, outcome: { type: 'malformed' } });
    await expectProviderError(client.pushStatus(input), UnknownOutcomeError);
  });

  it('success: false is a non-retryable InvalidState', async () => {
    const activities = createPaymentStatusActivities({
      paymentStatus: {
        pushStatus: () =>
          Promise.reject(
            new InvalidStateError('refused', { provider: 'payment-status', statusCode: 200, code: 'success_false' }),
          ),
      },
    });
    const failure = await rejectionOf(quietActivityEnvironment().run(activities.pushPaymentStatus, input));
    expect(failure).toMatchObject({ type: 'InvalidState', nonRetryable: true });
  });

  it('the activity pushes the status once', async () => {
    const activities = createPaymentStatusActivities({ paymentStatus: client });
    await expect(quietActivityEnvironment().run(activities.pushPaymentStatus, input)).resolves.toEqual({
      paymentId: input.paymentId,
      status: 'completed',
    });
    expect(await sandbox.control.ledger({ provider: 'payment-status', reference: input.paymentId })).toHaveLength(1);
  });
});
