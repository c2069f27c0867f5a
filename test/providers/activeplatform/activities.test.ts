import { ApplicationFailure } from '@temporalio/common';
import { createResellerActivities } from '../../../activities/resellers/activeplatform';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ActivePlatformClient } from '../../../providers/activeplatform/client';
import { mapActivePlatformError, NOT_COMPLETABLE_TITLE } from '../../../providers/activeplatform/errors';
import {
  InvalidRequestError,
  ProviderAuthError,
  type ProviderError,
  TransientProviderError,
} from '../../../providers/errors';
import { SANDBOX_CREDENTIALS } from '../../../common/sandbox-credentials';
import { useSandbox, type RunningSandbox } from '../../helpers/sandbox';
import { control, expectProviderDelay, quietActivityEnvironment, rejectionOf } from '../expect-error';
import { anyString } from '../../helpers/matchers';

const error422: unknown = JSON.parse(
  readFileSync(join(__dirname, '../../fixtures/providers/activeplatform/error-422.json'), 'utf8'),
);

describe('reseller activities (ActivePlatform)', () => {
  let sandbox: RunningSandbox;
  let base: string;
  let activities: ReturnType<typeof createResellerActivities>;

  useSandbox((started) => {
    sandbox = started;
    base = `${sandbox.url}/activeplatform`;
    const activePlatform = new ActivePlatformClient({
      baseUrl: base,
      apiToken: SANDBOX_CREDENTIALS.activeplatform.apiToken,
      timeoutMs: 400,
    });
    activities = createResellerActivities({ activePlatform });
  });

  const seed = (paymentId: number, status: string) =>
    control(base, 'POST', '/__control/payments', {
      resellerId: 1,
      paymentId,
      status,
      total: '360.0',
      discountAmount: '10.5',
    });

  it('completes a payment and returns cents', async () => {
    await seed(1, 'waiting_for_payment');
    const result = await quietActivityEnvironment().run(activities.completeResellerPayment, {
      resellerId: 1,
      paymentId: 1,
      paymentMethodId: 2,
    });
    expect(result).toEqual({
      paymentId: '1',
      status: 'completed',
      totalCents: 36000,
      discountCents: 1050,
      closedAt: anyString(),
      paymentMethodId: 2,
      paymentMethodName: 'Cash',
    });
  });

  it('a retry after a lost answer succeeds without completing twice', async () => {
    await seed(2, 'waiting_for_payment');
    await sandbox.control.script({
      operation: 'activeplatform.payment.complete',
      times: 1,
      outcome: { type: 'timeout', phase: 'after' },
    });
    const input = { resellerId: 1, paymentId: 2, paymentMethodId: 2 };
    const first = await rejectionOf(
      quietActivityEnvironment({ attempt: 1 }).run(activities.completeResellerPayment, input),
    );
    expect(first).toBeInstanceOf(ApplicationFailure);
    expect((first as ApplicationFailure).type).toBe('UnknownOutcome');
    expect((first as ApplicationFailure).nonRetryable).toBe(false);

    const second = await quietActivityEnvironment({ attempt: 2 }).run(activities.completeResellerPayment, input);
    expect(second).toMatchObject({ paymentId: '2', status: 'completed', totalCents: 36000 });
    expect(await sandbox.control.ledger({ provider: 'activeplatform' })).toHaveLength(1);
    // The retry's PATCH got the 422 and the payment was read back (the first attempt's request is
    // still hanging in the sandbox, so it is not in the log yet).
    const statuses = (await sandbox.control.requests({ provider: 'activeplatform' }))
      .filter((r) => r.operation)
      .map((r) => `${r.method} ${r.status}`);
    expect(statuses).toEqual(['PATCH 422', 'GET 200']);
  });

  it("a first attempt sends only the documented PATCH: a canceled payment is a non-retryable InvalidState with the document's title", async () => {
    await seed(3, 'canceled');
    const failure = await rejectionOf(
      quietActivityEnvironment({ attempt: 1 }).run(activities.completeResellerPayment, {
        resellerId: 1,
        paymentId: 3,
        paymentMethodId: 2,
      }),
    );
    expect(failure).toMatchObject({ type: 'InvalidState', nonRetryable: true });
    expect((failure as ApplicationFailure).message).toBe(`activeplatform HTTP 422: ${NOT_COMPLETABLE_TITLE}`);
    const requests = await sandbox.control.requests({ provider: 'activeplatform' });
    expect(requests.filter((r) => r.operation).map((r) => `${r.method} ${r.status}`)).toEqual(['PATCH 422']);
  });

  it('a retry after a lost answer, against a provider that refuses the GET (405): the 422 stands, never the 405', async () => {
    await seed(6, 'waiting_for_payment');
    await sandbox.control.script({
      operation: 'activeplatform.payment.complete',
      times: 1,
      outcome: { type: 'timeout', phase: 'after' },
    });
    const input = { resellerId: 1, paymentId: 6, paymentMethodId: 2 };
    expect(
      await rejectionOf(quietActivityEnvironment({ attempt: 1 }).run(activities.completeResellerPayment, input)),
    ).toMatchObject({ type: 'UnknownOutcome' });
    await control(base, 'POST', '/__control/payment-reads', { allowed: false });

    const failure = await rejectionOf(
      quietActivityEnvironment({ attempt: 2 }).run(activities.completeResellerPayment, input),
    );
    expect(failure).toMatchObject({
      type: 'InvalidState',
      nonRetryable: true,
      message: `activeplatform HTTP 422: ${NOT_COMPLETABLE_TITLE}`,
    });
    expect((failure as ApplicationFailure).message).not.toMatch(/405|Method Not Allowed/);
    const statuses = (await sandbox.control.requests({ provider: 'activeplatform' }))
      .filter((r) => r.operation)
      .map((r) => `${r.method} ${r.status}`);
    expect(statuses).toEqual(expect.arrayContaining(['PATCH 422', 'GET 405']));
    expect(await sandbox.control.ledger({ provider: 'activeplatform' })).toHaveLength(1);
  });

  it('a retry whose 422 is confirmed by the read (payment canceled) keeps the 422', async () => {
    await seed(7, 'canceled');
    const failure = await rejectionOf(
      quietActivityEnvironment({ attempt: 3 }).run(activities.completeResellerPayment, {
        resellerId: 1,
        paymentId: 7,
        paymentMethodId: 2,
      }),
    );
    expect(failure).toMatchObject({
      type: 'InvalidState',
      nonRetryable: true,
      message: `activeplatform HTTP 422: ${NOT_COMPLETABLE_TITLE}`,
    });
    const statuses = (await sandbox.control.requests({ provider: 'activeplatform' }))
      .filter((r) => r.operation)
      .map((r) => `${r.method} ${r.status}`);
    expect(statuses).toEqual(['PATCH 422', 'GET 200']);
  });

  describe("a read that fails for any reason after a retry's 422 falls back to the 422", () => {
    const notCompletable = mapActivePlatformError({ status: 422, data: error422, headers: {} });
    const readFailures: Array<[string, ProviderError]> = [
      [
        '405 (no such method)',
        new InvalidRequestError('activeplatform HTTP 405: Method Not Allowed', {
          provider: 'activeplatform',
          statusCode: 405,
        }),
      ],
      [
        '404',
        new InvalidRequestError('activeplatform HTTP 404: Record not found', {
          provider: 'activeplatform',
          statusCode: 404,
        }),
      ],
      [
        'a network failure',
        new TransientProviderError(
          'activeplatform GET /api/v3/resellers/1/payments/8 failed: ECONNRESET socket hang up',
          { provider: 'activeplatform' },
        ),
      ],
      [
        'a rejected token',
        new ProviderAuthError('activeplatform HTTP 401: Unauthorized', {
          provider: 'activeplatform',
          statusCode: 401,
          setting: 'ACTIVEPLATFORM_API_TOKEN',
        }),
      ],
    ];
    it.each(readFailures)('%s', async (_name, readError) => {
      const stub = createResellerActivities({
        activePlatform: {
          completePayment: () => Promise.reject(notCompletable),
          getPayment: () => Promise.reject(readError),
        },
      });
      const failure = await rejectionOf(
        quietActivityEnvironment({ attempt: 2 }).run(stub.completeResellerPayment, {
          resellerId: 1,
          paymentId: 8,
          paymentMethodId: 2,
        }),
      );
      expect(failure).toMatchObject({ type: 'InvalidState', nonRetryable: true, message: notCompletable.message });
      expect((failure as ApplicationFailure).details).toEqual([expect.objectContaining({ statusCode: 422 })]);
    });
  });

  it('429 crosses as RateLimited with the provider delay', async () => {
    await seed(4, 'waiting_for_payment');
    await sandbox.control.script({
      operation: 'activeplatform.payment.complete',
      times: 1,
      outcome: { type: 'rate_limit', retryAfterSeconds: 3 },
    });
    const failure = await rejectionOf(
      quietActivityEnvironment().run(activities.completeResellerPayment, {
        resellerId: 1,
        paymentId: 4,
        paymentMethodId: 2,
      }),
    );
    expect(failure).toMatchObject({ type: 'RateLimited', nonRetryable: false });
    expectProviderDelay(failure, 3000);
  });
});
