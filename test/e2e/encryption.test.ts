/**
 * With a key configured, workflow payloads reach the Temporal server encrypted; the client and
 * worker read them through the codec, and the authenticated codec server decodes them for the Web
 * UI and the CLI.
 */
import { Client } from '@temporalio/client';
import { EncryptionCodec } from '../../client/encryption';
import { startTestStack, type TestStack } from '../helpers/stack';
import { at, defined } from '../helpers/defined';

describe('encrypted payloads (dev server)', () => {
  let stack: TestStack;
  const codec = new EncryptionCodec(new Map([['test-1', Buffer.alloc(32, 7)]]), 'test-1');

  beforeAll(async () => {
    stack = await startTestStack({ codec });
  });
  afterAll(() => stack?.teardown());

  it('stores encrypted payloads, reads them through the codec, and decodes them at the codec server for the API key only', async () => {
    await stack.client.subscriptions.create({
      subscriptionId: 'secret-1',
      customerId: 'customer-with-a-name',
      plan: {
        planId: 'gold',
        amountCents: 5990,
        recurrence: { kind: 'calendar', frequency: 'monthly', interval: 1 },
        trialDays: 30,
      },
      paymentMethod: { type: 'zspay_card', zspayClientId: 'client-77', cardId: 'card-88' },
    });
    expect(await stack.client.subscriptions.get('secret-1')).toMatchObject({
      customerId: 'customer-with-a-name',
      status: 'trialing',
    });

    // Without the codec, the server's copy is ciphertext.
    const raw = new Client({ connection: stack.temporal.env.connection, namespace: 'default' });
    const history = await raw.workflow.getHandle('subscription-secret-1').fetchHistory();
    const input = defined(
      history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0],
      'the input payload of the start event',
    );
    expect(Buffer.from(input.metadata!.encoding!).toString()).toBe('binary/encrypted');
    expect(Buffer.from(input.data!).toString('latin1')).not.toContain('client-77');

    const body = JSON.stringify({
      payloads: [
        {
          metadata: Object.fromEntries(
            Object.entries(input.metadata!).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
          ),
          data: Buffer.from(input.data!).toString('base64'),
        },
      ],
    });
    const unauthenticated = await fetch(`${stack.apiUrl}/codec/decode`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body,
    });
    expect(unauthenticated.status).toBe(401);
    const decoded = await fetch(`${stack.apiUrl}/codec/decode`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${stack.apiKey}` },
      body,
    });
    expect(decoded.status).toBe(200);
    const { payloads } = (await decoded.json()) as { payloads: Array<{ data: string }> };
    expect(Buffer.from(at(payloads, 0, 'decoded payloads').data, 'base64').toString()).toContain('client-77');
  });
});
