import { ApplicationFailure } from '@temporalio/common';
import { adiqPlanName, createAdiqActivities } from '../../../activities/adiq/recurrence';
import { adiqOrderNumber } from '../../../providers/adiq/reference';
import { ADIQ_SANDBOX_MERCHANT_ID } from '../../../sandbox/providers/adiq';
import { useSandbox, type RunningSandbox } from '../../helpers/sandbox';
import { expectProviderDelay, quietActivityEnvironment, rejectionOf } from '../expect-error';
import { adiqClient, adiqControl, monthlyPlan, OTHER_VAULT_ID, VAULT_ID } from './helpers';

describe('Adiq activities', () => {
  let sandbox: RunningSandbox;
  let activities: ReturnType<typeof createAdiqActivities>;

  useSandbox((started) => {
    sandbox = started;
    activities = createAdiqActivities({ adiq: adiqClient(sandbox, { timeoutMs: 400 }) });
  });

  const run = <A extends unknown[], R>(fn: (...args: A) => Promise<R>, ...args: A): Promise<R> =>
    quietActivityEnvironment().run<A, R, (...args: A) => Promise<R>>(fn, ...args);
  const storedSubscriptions = async (orderNumber: string) =>
    (await adiqControl<unknown[]>(sandbox, 'GET', `/subscriptions?orderNumber=${orderNumber}`)).body;

  it('createAdiqPlan creates once and finds its plan by name afterwards', async () => {
    const input = { reference: 'plan_42', ...monthlyPlan };
    const first = await run(activities.createAdiqPlan, input);
    expect(first.created).toBe(true);
    const second = await run(activities.createAdiqPlan, input);
    expect(second).toEqual({ planId: first.planId, created: false });
    const plans = (await adiqControl<Array<{ name: string; amount: number }>>(sandbox, 'GET', '/plans')).body;
    expect(plans).toEqual([expect.objectContaining({ name: adiqPlanName('plan_42', monthlyPlan.name), amount: 5.99 })]);
  });

  it('a create retried after a lost answer (UnknownOutcome) does not create the subscription twice', async () => {
    const { planId } = await run(activities.createAdiqPlan, { reference: 'plan_1', ...monthlyPlan });
    await sandbox.control.script({
      operation: 'adiq.subscription.create',
      times: 1,
      outcome: { type: 'timeout', phase: 'after' },
    });
    const input = { reference: 'sub_01HZY3K4M5N6P7Q8R9S0T1U2V3', planId, vaultId: VAULT_ID };

    const failure = await rejectionOf(
      quietActivityEnvironment({ attempt: 1 }).run(activities.createAdiqSubscription, input),
    );
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure).toMatchObject({ type: 'UnknownOutcome', nonRetryable: false });

    const retried = await quietActivityEnvironment({ attempt: 2 }).run(activities.createAdiqSubscription, input);
    const orderNumber = adiqOrderNumber(input.reference);
    expect(retried).toMatchObject({ created: false, orderNumber, planId, status: 'active', amountCents: 599 });
    expect(await storedSubscriptions(orderNumber)).toHaveLength(1);
    expect(
      (await sandbox.control.requests({ operation: 'adiq.subscription.create' })).filter((r) => r.status === 200),
    ).toHaveLength(0);
  });

  it('createAdiqSubscription creates when absent; a decline is a non-retryable failure', async () => {
    const { planId } = await run(activities.createAdiqPlan, { reference: 'plan_2', ...monthlyPlan });
    const created = await run(activities.createAdiqSubscription, {
      reference: '1234567890',
      planId,
      vaultId: VAULT_ID,
    });
    expect(created).toMatchObject({ created: true, orderNumber: '1234567890', vaultId: VAULT_ID, status: 'active' });

    await sandbox.control.script({
      operation: 'adiq.subscription.create',
      times: 1,
      outcome: { type: 'hard_decline', code: '41' },
    });
    const failure = await rejectionOf(
      run(activities.createAdiqSubscription, { reference: 'other', planId, vaultId: VAULT_ID }),
    );
    expect(failure).toMatchObject({ type: 'HardDecline', nonRetryable: true });
  });

  it('status and vault changes, and the billings search', async () => {
    const { planId } = await run(activities.createAdiqPlan, { reference: 'plan_3', ...monthlyPlan });
    const { subscriptionId } = await run(activities.createAdiqSubscription, {
      reference: 'S3',
      planId,
      vaultId: VAULT_ID,
    });
    expect(
      await run(activities.changeAdiqSubscriptionVault, { subscriptionId, vaultId: OTHER_VAULT_ID }),
    ).toMatchObject({ vaultId: OTHER_VAULT_ID });

    await adiqControl(sandbox, 'POST', `/subscriptions/${subscriptionId}/bill`, { date: '2024-03-01' });
    await sandbox.control.script({ operation: 'adiq.billing.charge', times: 1, outcome: { type: 'soft_decline' } });
    await adiqControl(sandbox, 'POST', `/subscriptions/${subscriptionId}/bill`, { date: '2024-04-01' });
    const billings = await run(activities.searchAdiqBillings, { subscriptionId });
    expect(billings.map((b) => [b.expireDate, b.status, b.outcome, b.amountCents])).toEqual([
      ['2024-03-01', 'paid', 'succeeded', 599],
      ['2024-04-01', 'open', 'pending', 599],
    ]);

    expect(await run(activities.changeAdiqSubscriptionStatus, { subscriptionId, status: 'canceled' })).toMatchObject({
      status: 'canceled',
      providerStatus: 'Canceled',
    });
    expect(await run(activities.getAdiqSubscription, subscriptionId)).toMatchObject({ status: 'canceled' });
  });

  it('ensureAdiqNotification creates the registration, then leaves it alone, then updates it when the URL changes; none configured is a configuration error', async () => {
    const adiq = adiqClient(sandbox, { timeoutMs: 400 });
    const withUrl = (callbackUrl: string) =>
      createAdiqActivities({ adiq, notification: { merchantId: ADIQ_SANDBOX_MERCHANT_ID, callbackUrl } });
    const created = await run(withUrl('http://engine.local/webhooks/adiq/s3cret').ensureAdiqNotification);
    expect(created).toMatchObject({ action: 'created', merchantId: ADIQ_SANDBOX_MERCHANT_ID });
    expect(await run(withUrl('http://engine.local/webhooks/adiq/s3cret').ensureAdiqNotification)).toMatchObject({
      notificationId: created.notificationId,
      action: 'unchanged',
    });
    expect(await run(withUrl('http://engine.example/webhooks/adiq/s3cret').ensureAdiqNotification)).toMatchObject({
      notificationId: created.notificationId,
      action: 'updated',
    });
    expect((await sandbox.control.requests({ operation: 'adiq.notification.create' })).length).toBe(1);
    expect(await rejectionOf(run(activities.ensureAdiqNotification))).toMatchObject({
      type: 'ConfigurationError',
      nonRetryable: true,
    });
  });

  it('429 crosses as RateLimited with the provider delay; 5xx is retryable', async () => {
    await sandbox.control.script({
      operation: 'adiq.subscription.get',
      times: 1,
      outcome: { type: 'rate_limit', retryAfterSeconds: 3 },
    });
    const limited = await rejectionOf(run(activities.getAdiqSubscription, '013c7ec4-62c1-4d78-859d-e8d2a11f681d'));
    expect(limited).toMatchObject({ type: 'RateLimited', nonRetryable: false });
    expectProviderDelay(limited, 3000);
    await sandbox.control.script({ operation: 'adiq.subscription.get', times: 1, outcome: { type: 'server_error' } });
    expect(
      await rejectionOf(run(activities.getAdiqSubscription, '013c7ec4-62c1-4d78-859d-e8d2a11f681d')),
    ).toMatchObject({
      type: 'Transient',
      nonRetryable: false,
    });
  });
});
