/**
 * The scan every test server gets before teardown (test/helpers/history-secrets.ts) finds a card
 * number or a credential in a real history, open or closed, and passes clean ones.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { SANDBOX_CREDENTIALS } from '../../common/sandbox-credentials';
import { assertHistoriesHoldNoSecrets, TEST_CARD_NUMBER } from '../helpers/history-secrets';
import { createTimeSkippingEnv } from '../helpers/temporal';

describe('history scan', () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    env = await createTimeSkippingEnv();
  });
  // Torn down without the scan: this file leaves leaks behind on purpose.
  afterAll(() => env?.teardown());

  // No worker polls this queue: the histories hold only what the client sent.
  const start = (workflowId: string, input: unknown) =>
    env.client.workflow.start('subscriptionWorkflow', { taskQueue: 'nobody-polls', workflowId, args: [input] });

  it('passes clean histories and counts open and closed runs', async () => {
    await start('clean-open', { customerId: 'acme' });
    const closed = await start('clean-closed', { customerId: 'acme' });
    await closed.terminate('closed for the scan');
    await expect(assertHistoriesHoldNoSecrets(env.client)).resolves.toBe(2);
  });

  it('names the run holding a card number in a workflow input', async () => {
    await start('leaky-card', { customerId: 'acme', card: { number: '4111111111111111' } });
    await expect(assertHistoriesHoldNoSecrets(env.client)).rejects.toThrow(
      /leaky-card \(run [0-9a-f-]+\): card number 411111…1111/,
    );
  });

  it("names the provider document's test card, which fails the Luhn check", async () => {
    await start('leaky-test-card', { customerId: 'acme', cardNumber: TEST_CARD_NUMBER });
    await expect(assertHistoriesHoldNoSecrets(env.client)).rejects.toThrow(/leaky-test-card .*known secret 52342333…/);
  });

  it('names a credential in a closed run, in a termination reason', async () => {
    const handle = await start('leaky-reason', { customerId: 'acme' });
    await handle.terminate(`token ${SANDBOX_CREDENTIALS.zspay.token}`);
    await expect(assertHistoriesHoldNoSecrets(env.client)).rejects.toThrow(/leaky-reason .*known secret sandbox-…/);
  });
});
