import { ApplicationFailure } from '@temporalio/common';
import { createResellerActivities } from '../../../activities/resellers/activeplatform';
import { ActivePlatformClient } from '../../../providers/activeplatform/client';
import { SANDBOX_CREDENTIALS } from '../../../common/sandbox-credentials';
import { useSandbox, type RunningSandbox } from '../../helpers/sandbox';
import { control, expectProviderDelay, quietActivityEnvironment, rejectionOf } from '../expect-error';

describe('reseller activities (ActivePlatform)', () => {
  let sandbox: RunningSandbox;
  let base: string;
  let activities: ReturnType<typeof createResellerActivities>;

  useSandbox((started) => {
    sandbox = started;
    base = `${sandbox.url}/activeplatform`;
    const activePlatform = new ActivePlatformClient({ baseUrl: base, apiToken: SANDBOX_CREDENTIALS.activeplatform.apiToken, timeoutMs: 400 });
    activities = createResellerActivities({ activePlatform });
  });

  const seed = (paymentId: number, status: string) =>
    control(base, 'POST', '/__control/payments', { resellerId: 1, paymentId, status, total: '360.0', discountAmount: '10.5' });

  it('completes a payment and returns cents', async () => {
    await seed(1, 'waiting_for_payment');
    const result = await quietActivityEnvironment().run(activities.completeResellerPayment, { resellerId: 1, paymentId: 1, paymentMethodId: 2 });
    expect(result).toEqual({
      paymentId: '1',
      status: 'completed',
      totalCents: 36000,
      discountCents: 1050,
      closedAt: expect.any(String),
      paymentMethodId: 2,
      paymentMethodName: 'Cash',
    });
  });

  it('a retry after a lost answer succeeds without completing twice', async () => {
    await seed(2, 'waiting_for_payment');
    await sandbox.control.script({ operation: 'activeplatform.payment.complete', times: 1, outcome: { type: 'timeout', phase: 'after' } });
    const input = { resellerId: 1, paymentId: 2, paymentMethodId: 2 };
    const first = await rejectionOf(quietActivityEnvironment({ attempt: 1 }).run(activities.completeResellerPayment, input));
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

  it('a canceled payment stays a non-retryable InvalidState failure', async () => {
    await seed(3, 'canceled');
    const failure = await rejectionOf(
      quietActivityEnvironment().run(activities.completeResellerPayment, { resellerId: 1, paymentId: 3, paymentMethodId: 2 }),
    );
    expect(failure).toMatchObject({ type: 'InvalidState', nonRetryable: true });
    expect((failure as ApplicationFailure).message).toContain('waiting for payment/expired');
  });

  it('429 crosses as RateLimited with the provider delay', async () => {
    await seed(4, 'waiting_for_payment');
    await sandbox.control.script({ operation: 'activeplatform.payment.complete', times: 1, outcome: { type: 'rate_limit', retryAfterSeconds: 3 } });
    const failure = await rejectionOf(
      quietActivityEnvironment().run(activities.completeResellerPayment, { resellerId: 1, paymentId: 4, paymentMethodId: 2 }),
    );
    expect(failure).toMatchObject({ type: 'RateLimited', nonRetryable: false });
    expectProviderDelay(failure, 3000);
  });

  it('getResellerPayment reads a payment', async () => {
    await seed(5, 'expired');
    await expect(quietActivityEnvironment().run(activities.getResellerPayment, { resellerId: 1, paymentId: 5 })).resolves.toMatchObject({
      status: 'expired',
      totalCents: 36000,
      closedAt: null,
    });
  });
});
