/**
 * Adiq's notifications reach the engine only where its registration points: the engine registers
 * its webhook URL (idempotently), and Adiq (the sandbox) then calls `/webhooks/adiq/<secret>`.
 */
import { startTestStack, type TestStack } from '../helpers/stack';
import { eventually } from '../helpers/eventually';
import { ADIQ_NOTIFICATION_NAME } from '../../activities/adiq/recurrence';
import { adiqClient, adiqControl, monthlyPlan, VAULT_ID } from '../providers/adiq/helpers';

describe("Adiq's notification registration (dev server, sandbox, worker, API)", () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(async () => {
    await stack?.teardown();
  });

  it('registers the engine once, leaves it alone the second time, and Adiq then calls the engine', async () => {
    const first = await stack.client.adiq.ensureNotification();
    expect(first.action).toBe('created');
    expect((await stack.client.adiq.ensureNotification()).action).toBe('unchanged');
    const adiq = adiqClient(stack.sandbox);
    const [registration] = await adiq.searchNotifications({
      merchantId: first.merchantId,
      name: ADIQ_NOTIFICATION_NAME,
    });
    expect(registration).toMatchObject({
      status: 'Active',
      callbackUrl: `${stack.apiUrl}/webhooks/adiq/${stack.webhookSecrets.adiq}`,
    });

    // A failed collection at Adiq: its notification now reaches the engine's ingress.
    const planId = await adiq.createPlan(monthlyPlan);
    const subscriptionId = await adiq.createSubscription({ vaultId: VAULT_ID, orderNumber: 'e2eadiq001', planId });
    await stack.sandbox.control.script({
      provider: 'adiq',
      operation: 'adiq.billing.charge',
      match: subscriptionId,
      outcome: { type: 'soft_decline', code: '51' },
      times: 1,
    });
    await adiqControl(stack.sandbox, 'POST', `/subscriptions/${subscriptionId}/bill`, {});
    const delivered = await eventually(
      async () => (await stack.sandbox.control.requests({ provider: 'adiq' })).filter((r) => r.direction === 'webhook'),
      (webhooks) => webhooks.some((w) => w.status === 200),
    );
    expect(delivered.some((w) => w.status === 200)).toBe(true);
  });
});
