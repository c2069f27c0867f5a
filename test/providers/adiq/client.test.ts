import { SANDBOX_CREDENTIALS, SANDBOX_PREFIX } from '../../../common/sandbox-credentials';
import type { AdiqClient } from '../../../providers/adiq/client';
import { ADIQ_SANDBOX_MERCHANT_ID } from '../../../sandbox/providers/adiq';
import {
  HardDeclineError,
  InvalidRequestError,
  ProviderAuthError,
  type ProviderError,
  RateLimitedError,
  SoftDeclineError,
  TransientProviderError,
  UnknownOutcomeError,
} from '../../../providers/errors';
import { useSandbox, type RunningSandbox } from '../../helpers/sandbox';
import { expectProviderError } from '../expect-error';
import { adiqClient, adiqControl, monthlyPlan, OTHER_VAULT_ID, VAULT_ID } from './helpers';
import { at } from '../../helpers/defined';

describe('Adiq client against the sandbox', () => {
  let sandbox: RunningSandbox;
  let client: AdiqClient;

  useSandbox((started) => {
    sandbox = started;
    client = adiqClient(sandbox);
  });

  const newSubscription = async (orderNumber = '1234567890') => {
    const planId = await client.createPlan(monthlyPlan);
    const subscriptionId = await client.createSubscription({ vaultId: VAULT_ID, orderNumber, planId });
    return { planId, subscriptionId };
  };

  describe('plans', () => {
    it('creates a plan: amount sent in reais from cents, token by HTTP Basic, Bearer on the call', async () => {
      const planId = await client.createPlan(monthlyPlan);
      expect(planId).toMatch(/^[0-9a-f-]{36}$/);
      const tokenRequest = at(
        await sandbox.control.requests({ operation: 'adiq.auth.token' }),
        0,
        'adiq.auth.token requests',
      );
      const basic = Buffer.from(
        `${SANDBOX_CREDENTIALS.adiq.clientId}:${SANDBOX_CREDENTIALS.adiq.clientSecret}`,
      ).toString('base64');
      expect(tokenRequest.headers.authorization).toBe(`Basic ${basic}`);
      expect(tokenRequest.body).toEqual({ grantType: 'client_credentials' });
      expect(tokenRequest.path).toBe(`${SANDBOX_PREFIX.adiqAuth}/oauth2/v1/token`);
      const create = at(
        await sandbox.control.requests({ operation: 'adiq.plan.create' }),
        0,
        'adiq.plan.create requests',
      );
      expect(create.headers.authorization).toMatch(/^Bearer sbx\./);
      expect(create.body).toEqual({
        name: monthlyPlan.name,
        description: monthlyPlan.description,
        amount: 5.99,
        planType: 'Monthly',
        trialDays: 7,
        attempts: 3,
        paymentMethod: 'CreditCard',
      });
      // The raw JSON carries the exact decimal.
      expect(JSON.stringify(create.body)).toContain('"amount":5.99');
    });

    it('gets, searches, updates and changes the status of a plan', async () => {
      const planId = await client.createPlan(monthlyPlan);
      const plan = await client.getPlan(planId);
      expect(plan).toMatchObject({
        id: planId,
        amount: 5.99,
        planType: 'Monthly',
        interval: 30,
        status: 'Active',
        merchantId: ADIQ_SANDBOX_MERCHANT_ID,
      });
      await client.createPlan({ ...monthlyPlan, name: 'Other plan' });
      const page = await client.searchPlans({ name: 'Neighborhood', page: 1, limit: 10 });
      expect(page).toMatchObject({ page: 1, limit: 10, total: 1 });
      expect(page.items[0]?.id).toBe(planId);
      await expect(
        client.updatePlan(planId, {
          ...monthlyPlan,
          merchantId: ADIQ_SANDBOX_MERCHANT_ID,
          amountCents: 2999,
          planType: 'Custom',
          interval: 20,
          installments: 5,
        }),
      ).resolves.toBe(planId);
      expect(await client.getPlan(planId)).toMatchObject({
        amount: 29.99,
        planType: 'Custom',
        interval: 20,
        installments: 5,
      });
      await expect(client.updatePlanStatus(planId, 'Inactive')).resolves.toBe(planId);
      expect((await client.getPlan(planId)).status).toBe('Inactive');
      expect((await client.findPlansByName(monthlyPlan.name)).map((p) => p.id)).toEqual([planId]);
    });

    it('validates plan rules before sending, naming the fields', async () => {
      const error = await expectProviderError(
        client.createPlan({ ...monthlyPlan, planType: 'Custom', interval: 19, attempts: 5, name: 'x'.repeat(256) }),
        InvalidRequestError,
      );
      expect(error.fieldErrors.map((e) => e.field).sort()).toEqual(['attempts', 'installments', 'interval', 'name']);
      await expect(client.createPlan({ ...monthlyPlan, amountCents: 5.5 })).rejects.toBeInstanceOf(InvalidRequestError);
      expect(await sandbox.control.requests({ provider: 'adiq' })).toHaveLength(0);
    });
  });

  describe('subscriptions', () => {
    it('creates, reads, searches, changes status and vault', async () => {
      const { planId, subscriptionId } = await newSubscription();
      const subscription = await client.getSubscription(subscriptionId);
      expect(subscription).toMatchObject({
        id: subscriptionId,
        orderNumber: '1234567890',
        vaultId: VAULT_ID,
        status: 'Active',
        plan: { id: planId },
      });
      const page = await client.searchSubscriptions({ planName: 'Neighborhood' });
      expect(page.items.map((s) => s.id)).toEqual([subscriptionId]);
      expect(await client.findSubscriptionByOrderNumber('1234567890', { planId })).toMatchObject({
        id: subscriptionId,
      });
      expect(await client.findSubscriptionByOrderNumber('0000000000')).toBeUndefined();

      await expect(client.changeSubscriptionVault(subscriptionId, OTHER_VAULT_ID)).resolves.toBe(subscriptionId);
      await expect(client.changeSubscriptionStatus(subscriptionId, 'canceled')).resolves.toBe(subscriptionId);
      expect(await client.getSubscription(subscriptionId)).toMatchObject({
        status: 'Canceled',
        vaultId: OTHER_VAULT_ID,
      });
      const statusRequest = at(
        await sandbox.control.requests({ operation: 'adiq.subscription.status' }),
        0,
        'adiq.subscription.status requests',
      );
      expect(statusRequest.body).toEqual({ status: 'Canceled' });
    });

    it('400 with [{tag, description}] becomes InvalidRequest with field errors from the tags', async () => {
      const error = await expectProviderError(
        client.createSubscription({
          vaultId: VAULT_ID,
          orderNumber: '1',
          planId: 'e776ab3b-4698-4afa-97d4-a621d70c4a11',
        }),
        InvalidRequestError,
      );
      expect(error.statusCode).toBe(400);
      expect(error.code).toBe('planId');
      expect(error.fieldErrors).toEqual([{ field: 'planId', message: 'Plano não encontrado.' }]);
      expect(error.retryable).toBe(false);
    });

    it('the sandbox validates bodies with the documented error shape', async () => {
      client.tokens.invalidate(); // the reset between tests forgot the sandbox's tokens
      const token = await client.tokens.get();
      const response = await fetch(`${sandbox.url}/adiq/recurrence/v1/subscriptions`, {
        method: 'POST',
        headers: { Authorization: token.authorization, 'Content-Type': 'application/json' },
        body: JSON.stringify({ vaultId: '', orderNumber: '12345678901' }),
      });
      expect(response.status).toBe(400);
      const body = (await response.json()) as Array<{ tag: string; description: string }>;
      expect(body.map((e) => e.tag).sort()).toEqual(['orderNumber', 'planId', 'vaultId']);
    });

    const declines: Array<
      ['soft_decline' | 'hard_decline', string, typeof SoftDeclineError | typeof HardDeclineError]
    > = [
      ['soft_decline', '51', SoftDeclineError],
      ['hard_decline', '46', HardDeclineError],
      ['hard_decline', '14', HardDeclineError],
    ];
    it.each(declines)('402 %s (%s) is a decline of the right class', async (type, code, errorClass) => {
      const planId = await client.createPlan(monthlyPlan);
      await sandbox.control.script({ operation: 'adiq.subscription.create', times: 1, outcome: { type, code } });
      const error = await expectProviderError<ProviderError>(
        client.createSubscription({ vaultId: VAULT_ID, orderNumber: '42', planId }),
        errorClass,
      );
      expect(error).toMatchObject({ statusCode: 402, code });
      expect(await adiqControl<unknown[]>(sandbox, 'GET', '/subscriptions')).toMatchObject({ body: [] });
    });
  });

  describe('billing', () => {
    it('searches billings and cancels an open one', async () => {
      const { subscriptionId } = await newSubscription();
      await adiqControl(sandbox, 'POST', `/subscriptions/${subscriptionId}/bill`, { date: '2024-01-01' });
      await sandbox.control.script({ operation: 'adiq.billing.charge', times: 1, outcome: { type: 'soft_decline' } });
      await adiqControl(sandbox, 'POST', `/subscriptions/${subscriptionId}/bill`, { date: '2024-02-01' });
      const page = await client.searchBillings({
        ExpirationDateRangeStartDate: '2024-01-01',
        ExpirationDateRangeEndDate: '2024-01-31',
      });
      expect(page.items).toHaveLength(1);
      expect(page.items[0]).toMatchObject({
        status: 'Paid',
        amount: 5.99,
        installment: 1,
        expireAt: '2024-01-01T00:00:00',
      });
      const open = at(
        await client.findBillings({ status: 'Opened' }, (b) => b.subscription.id === subscriptionId),
        0,
        'open billings',
      );
      expect(open).toMatchObject({ installment: 2 });
      await expect(client.cancelBilling(open.id)).resolves.toBe(open.id);
      const canceled = at(await client.findBillings({ status: 'Canceled' }, () => true), 0, 'canceled billings');
      expect(canceled.id).toBe(open.id);
      const again = await expectProviderError(client.cancelBilling(open.id), InvalidRequestError);
      expect(again.fieldErrors[0]?.field).toBe('billingId');
    });
  });

  describe('notifications', () => {
    it('creates, searches and updates a registration', async () => {
      const request = {
        merchantId: '017005555500000',
        name: 'New Merchant Notifier',
        description: 'Adding callback',
        callbackUrl: 'http://test.com/feeds/paymentsFail/',
      };
      const id = await client.createNotification(request);
      expect(await client.searchNotifications({ merchantId: '017005555500000', status: 'Active' })).toEqual([
        expect.objectContaining({ ...request, id, status: 'Active' }),
      ]);
      const updated = await client.updateNotification('017005555500000', {
        ...request,
        name: 'Merchant Notifier',
        callbackUrl: 'http://test.com/feeds/paymentsFail/v2',
        status: 'Canceled',
      });
      expect(updated).toMatchObject({ id, name: 'Merchant Notifier', status: 'Canceled', modifiedBy: 'Adiq' });
      expect(await client.searchNotifications({ status: 'Active' })).toEqual([]);
    });
  });

  describe('errors', () => {
    it('401 with wrong credentials: ProviderAuth naming ADIQ_CLIENT_ID/ADIQ_CLIENT_SECRET', async () => {
      const wrong = adiqClient(sandbox, { clientSecret: 'wrong' });
      const error = await expectProviderError(wrong.searchPlans(), ProviderAuthError);
      expect(error.statusCode).toBe(401);
      expect(error.setting).toBe('ADIQ_CLIENT_ID/ADIQ_CLIENT_SECRET');
      expect(error.message).toContain('ADIQ_CLIENT_ID');
      expect(error.message).toContain('Unauthorized');
    });

    it('5xx is Transient', async () => {
      await sandbox.control.script({
        operation: 'adiq.plan.search',
        times: 1,
        outcome: { type: 'server_error', status: 503 },
      });
      const error = await expectProviderError(client.searchPlans(), TransientProviderError);
      expect(error.statusCode).toBe(503);
      expect(error.retryable).toBe(true);
    });

    it('a 5xx on the token request is Transient too', async () => {
      await sandbox.control.script({ operation: 'adiq.auth.token', times: 1, outcome: { type: 'server_error' } });
      await expectProviderError(client.searchPlans(), TransientProviderError);
      await expect(client.searchPlans()).resolves.toMatchObject({ total: 0 });
    });

    it('429 is RateLimited with retryAfterMs', async () => {
      await sandbox.control.script({
        operation: 'adiq.subscription.search',
        times: 1,
        outcome: { type: 'rate_limit', retryAfterSeconds: 7 },
      });
      const error = await expectProviderError(client.searchSubscriptions(), RateLimitedError);
      expect(error.retryAfterMs).toBe(7000);
    });

    it('a timeout after the create took effect is UnknownOutcome (and the subscription exists)', async () => {
      const planId = await client.createPlan(monthlyPlan);
      await sandbox.control.script({
        operation: 'adiq.subscription.create',
        times: 1,
        outcome: { type: 'timeout', phase: 'after' },
      });
      await expectProviderError(
        client.createSubscription({ vaultId: VAULT_ID, orderNumber: '77', planId }),
        UnknownOutcomeError,
      );
      expect(await client.findSubscriptionByOrderNumber('77')).toMatchObject({ orderNumber: '77' });
    });

    it('a timeout on a read is Transient', async () => {
      await sandbox.control.script({ operation: 'adiq.plan.search', times: 1, outcome: { type: 'timeout' } });
      await expectProviderError(client.searchPlans(), TransientProviderError);
    });

    it('a malformed answer: UnknownOutcome for a write, Transient for a read', async () => {
      await sandbox.control.script({ operation: 'adiq.plan.create', times: 1, outcome: { type: 'malformed' } });
      await expectProviderError(client.createPlan(monthlyPlan), UnknownOutcomeError);
      await sandbox.control.script({ operation: 'adiq.plan.search', times: 1, outcome: { type: 'malformed' } });
      await expectProviderError(client.searchPlans(), TransientProviderError);
    });
  });

  describe('billing runs (sandbox control) and notifications to the merchant', () => {
    const callbackUrl = () => `${sandbox.url}/merchant/adiq/payments`;
    const register = () =>
      client.createNotification({
        merchantId: ADIQ_SANDBOX_MERCHANT_ID,
        name: 'Engine',
        description: 'Engine webhooks',
        callbackUrl: callbackUrl(),
      });
    const bill = (subscriptionId: string, date: string) =>
      adiqControl<{
        outcome: string;
        retryOn: string | null;
        subscription: { status: string };
        billing: { id: string; status: string };
      }>(sandbox, 'POST', `/subscriptions/${subscriptionId}/bill`, { date });

    it('approved: ledger charge with the orderNumber, status notification 200', async () => {
      await register();
      const { subscriptionId } = await newSubscription('5550001');
      const { body } = await bill(subscriptionId, '2024-01-01');
      expect(body).toMatchObject({ outcome: 'paid', billing: { status: 'Paid' }, subscription: { status: 'Active' } });
      expect(await sandbox.control.ledger({ provider: 'adiq' })).toEqual([
        expect.objectContaining({
          kind: 'charge',
          amountCents: 599,
          reference: '5550001',
          providerId: body.billing.id,
        }),
      ]);
      const callbacks = await sandbox.control.merchantCallbacks();
      expect(callbacks).toHaveLength(1);
      expect(JSON.parse(callbacks[0]!.rawBody)).toMatchObject({
        statusCode: '200',
        subscriptionId,
        billingId: body.billing.id,
        orderNumber: '5550001',
      });
    });

    it('teimosinha: soft declines retry 2, 2, 4 days later, then block when attempts (3) are exhausted', async () => {
      await register();
      const { subscriptionId } = await newSubscription('5550002');
      await sandbox.control.script({ operation: 'adiq.billing.charge', outcome: { type: 'soft_decline', code: '51' } });
      const first = await bill(subscriptionId, '2024-01-01');
      expect(first.body).toMatchObject({ outcome: 'retry_scheduled', retryOn: '2024-01-03' });
      expect((await bill(subscriptionId, '2024-01-03')).body.retryOn).toBe('2024-01-05');
      expect((await bill(subscriptionId, '2024-01-05')).body.retryOn).toBe('2024-01-09');
      const last = await bill(subscriptionId, '2024-01-09');
      expect(last.body).toMatchObject({
        outcome: 'blocked',
        retryOn: null,
        billing: { status: 'Denied' },
        subscription: { status: 'Blocked' },
      });
      expect((await bill(subscriptionId, '2024-01-17')).status).toBe(409);
      // One failure notification and one status notification per failed attempt.
      const payloads = (await sandbox.control.merchantCallbacks()).map(
        (c) => JSON.parse(c.rawBody) as Record<string, unknown>,
      );
      expect(payloads.filter((p) => 'ErrorCode' in p)).toHaveLength(4);
      expect(payloads.filter((p) => p.statusCode === '51')).toHaveLength(4);
      expect(payloads[0]).toMatchObject({
        SubscriptionId: subscriptionId,
        OrderNumber: '5550002',
        ExpireAt: '2024-01-01T00:00:00-03:00',
        ErrorCode: '51',
      });
      expect(await sandbox.control.ledger({ provider: 'adiq' })).toHaveLength(0);
      expect((await client.getSubscription(subscriptionId)).status).toBe('Blocked');
    });

    it('a hard decline (canceled card) blocks at once, without retry', async () => {
      const { subscriptionId } = await newSubscription('5550003');
      await sandbox.control.script({ operation: 'adiq.billing.charge', times: 1, outcome: { type: 'hard_decline' } });
      const { body } = await bill(subscriptionId, '2024-01-01');
      expect(body).toMatchObject({
        outcome: 'blocked',
        billing: { status: 'PaymentInvalid' },
        subscription: { status: 'Blocked' },
      });
      // Re-activated by the merchant (e.g. after a vault change), it is billed again.
      await client.changeSubscriptionVault(subscriptionId, OTHER_VAULT_ID);
      await client.changeSubscriptionStatus(subscriptionId, 'active');
      expect((await bill(subscriptionId, '2024-01-05')).body).toMatchObject({ outcome: 'paid' });
    });
  });
});
