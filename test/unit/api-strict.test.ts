/**
 * A strict HTTP API (issue 12.6): malformed query strings, paths and bodies answer 4xx problem
 * documents naming the field and change nothing (no Temporal call); unknown routes 404; the Bearer
 * scheme in any case; creates idempotent by id (the same body answers 200, another body 409); a
 * transfer dated before today refused unless it runs now. Temporal is a mock: these checks all
 * happen before (or instead of) a call.
 */
import type { FastifyInstance } from 'fastify';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { buildApi } from '../../api/server';
import type { BillingClient } from '../../client';
import { SubscriptionsApi } from '../../client/subscriptions';
import { TransfersApi } from '../../client/transfers';
import { localDateOf } from '../../common/billing/calendar';
import { EncryptionCodec } from '../../client/encryption';

interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  errors?: Record<string, string[]>;
}

const subscription = {
  subscriptionId: 'acme-42',
  customerId: 'acme',
  plan: { planId: 'gold', amountCents: 5990, recurrence: { kind: 'calendar', frequency: 'monthly', interval: 1 } },
  paymentMethod: { type: 'zspay_card', zspayClientId: '18638', cardId: '518628' },
};
const transfer = {
  transferId: 't-1',
  sourceEstablishmentId: '131',
  destination: { type: 'digital_account', establishmentId: '900' },
  amountCents: 25_000,
  description: 'Payout',
};

describe('a strict HTTP API', () => {
  let api: FastifyInstance;
  let baseUrl: string;
  const temporal = {
    workflow: {
      executeUpdateWithStart: jest.fn(),
      start: jest.fn(),
      getHandle: jest.fn(),
    },
    schedule: { create: jest.fn(), getHandle: jest.fn(), list: jest.fn() },
  };
  const billing = {
    temporal,
    taskQueue: 'billing-test',
    isTemporalReachable: async () => true,
    firstRunInput: jest.fn(),
    describe: jest.fn(),
  };
  const client = billing as unknown as BillingClient;
  /** The input the last workflow start carried. */
  const startedInput = () => (temporal.workflow.start.mock.calls.at(-1) as [string, { args: unknown[] }])[1].args[0];
  Object.assign(client, { subscriptions: new SubscriptionsApi(client), transfers: new TransfersApi(client) });

  beforeAll(async () => {
    api = await buildApi({
      client,
      apiKey: 'test-key',
      webhookSecrets: { zspay: 'zs-secret', adiq: 'ad-secret' },
      codec: { codec: new EncryptionCodec(new Map([['k1', Buffer.alloc(32, 7)]]), 'k1') },
    });
    // A real socket, as the other API tests: Fastify's inject pulls in an ESM-only dependency Jest does not load.
    await api.listen({ port: 0, host: '127.0.0.1' });
    const address = api.server.address();
    baseUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  });
  afterAll(() => api.close());
  beforeEach(() => jest.resetAllMocks());

  const request = async (
    method: 'GET' | 'POST' | 'DELETE' | 'PUT',
    url: string,
    options: { body?: unknown; raw?: string; authorization?: string | null } = {},
  ) => {
    const headers: Record<string, string> = {};
    if (options.authorization !== null) headers.authorization = options.authorization ?? 'Bearer test-key';
    if (options.body !== undefined || options.raw !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${baseUrl}${url}`, {
      method,
      headers,
      body: options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body)),
    });
    const text = await response.text();
    return {
      status: response.status,
      contentType: String(response.headers.get('content-type')),
      body: text ? (JSON.parse(text) as Problem & Record<string, unknown>) : undefined,
    };
  };
  const nothingReachedTemporal = () => {
    expect(temporal.workflow.executeUpdateWithStart).not.toHaveBeenCalled();
    expect(temporal.workflow.start).not.toHaveBeenCalled();
    expect(temporal.workflow.getHandle).not.toHaveBeenCalled();
    expect(temporal.schedule.create).not.toHaveBeenCalled();
  };

  describe('the codec server', () => {
    const b64 = (text: string) => Buffer.from(text).toString('base64');
    it.each([
      ['payloads not an array', { payloads: 'x' }, 'payloads'],
      [
        'metadata values not strings',
        { payloads: [{ metadata: { encoding: 5 }, data: {} }] },
        'payloads.0.metadata.encoding',
      ],
      [
        'data not base64',
        { payloads: [{ metadata: { encoding: b64('json/plain') }, data: '%%%' }] },
        'payloads.0.data',
      ],
    ])('answers a malformed body (%s) with a 400 naming the field', async (_case, body, field) => {
      const response = await request('POST', '/codec/decode', { body });
      expect(response.status).toBe(400);
      expect(Object.keys(response.body?.errors ?? {})).toContain(field);
    });

    it('answers no payloads (absent or null, as the Temporal CLI sends for a query without arguments) with none', async () => {
      for (const body of [{}, { payloads: null }, { payloads: [] }]) {
        const response = await request('POST', '/codec/encode', { body });
        expect(response.status).toBe(200);
        expect(response.body).toEqual({ payloads: [] });
      }
    });

    it('answers a payload its key cannot open with a 400, not a 500', async () => {
      const tampered = {
        payloads: [
          {
            metadata: { encoding: b64('binary/encrypted'), 'encryption-key-id': b64('k1') },
            data: b64('not a ciphertext'),
          },
        ],
      };
      const response = await request('POST', '/codec/decode', { body: tampered });
      expect(response.status).toBe(400);
      expect(response.body?.errors?.payloads).toBeDefined();
    });
  });

  describe('query strings, paths and bodies: 400 problem documents naming the field, nothing changed', () => {
    it.each([
      ['/v1/subscriptions?status=bogus', 'status', /status must be one of trialing, active/],
      ['/v1/subscriptions?limit=-1', 'limit', /limit must be a whole number between 1 and 1000/],
      ['/v1/subscriptions?limit=0', 'limit', /limit must be between 1 and 1000/],
      ['/v1/subscriptions?limit=5000', 'limit', /limit must be between 1 and 1000/],
      ['/v1/subscriptions?limit=2.5', 'limit', /whole number/],
      ['/v1/subscriptions?customerId=a%5Cb', 'customerId', /customerId may contain only/],
      ["/v1/subscriptions?planId=x'%20OR%20'1", 'planId', /planId may contain only/],
      ['/v1/subscriptions?status=active&status=past_due', 'status', /status must be given once/],
      ['/v1/subscriptions?sort=desc', 'sort', /sort is not a query parameter/],
      ['/v1/subscriptions/acme-42/forecast?count=abc', 'count', /count must be a whole number between 1 and 36/],
      ['/v1/subscriptions/acme-42/forecast?count=37', 'count', /count must be between 1 and 36/],
      ['/v1/subscriptions/a%5Cb', 'id', /id may contain only/],
      ['/v1/transfers?from=garbage', 'from', /from must be an ISO instant/],
      ['/v1/transfers?to=2026-02-30', 'to', /to must be an ISO instant/],
      ['/v1/transfers?state=bogus', 'state', /state must be one of scheduled/],
      ['/v1/transfers?establishmentId=a%5Cb', 'establishmentId', /may contain only/],
      ['/v1/transfers/a%5Cb', 'id', /id may contain only/],
      ['/v1/payouts?limit=x', 'limit', /whole number/],
      ['/v1/reseller-payments/abc/1', 'resellerId', /resellerId must be a positive whole number/],
    ])('GET %s names %s', async (url, field, message) => {
      const response = await request('GET', url);
      expect(response.status).toBe(400);
      expect(response.contentType).toMatch(/^application\/problem\+json/);
      expect(response.body?.errors?.[field]).toEqual([expect.stringMatching(message)]);
      nothingReachedTemporal();
    });

    it('answers a body that is not JSON with 400 and why, never 500', async () => {
      const response = await request('POST', '/v1/subscriptions', { raw: '{"subscriptionId": ' });
      expect(response.status).toBe(400);
      expect(response.contentType).toMatch(/^application\/problem\+json/);
      expect(response.body).toMatchObject({ title: 'Bad Request', status: 400 });
      expect(response.body?.detail).toMatch(/^The body is not valid JSON/);
      nothingReachedTemporal();
    });

    it('answers an empty JSON body with 400 and a non-object body with field-level errors', async () => {
      const empty = await request('POST', '/v1/subscriptions', { raw: '' });
      expect(empty.status).toBe(400);
      expect(empty.body?.detail).toMatch(/body is empty/);
      const array = await request('POST', '/v1/subscriptions', { body: [1, 2] });
      expect(array.status).toBe(400);
      expect(array.body?.errors).toBeDefined();
      // No body at all, and JSON null: the create (and its coupon path) must not dereference them.
      expect((await request('POST', '/v1/subscriptions', { authorization: 'Bearer test-key' })).status).toBe(400);
      expect((await request('POST', '/v1/subscriptions', { raw: 'null' })).status).toBe(400);
      const cancel = await request('POST', '/v1/transfers/t-1/cancel', { body: { reason: 42 } });
      expect(cancel.status).toBe(400);
      expect(cancel.body?.errors?.reason).toEqual(['reason must be text']);
      nothingReachedTemporal();
    });
  });

  describe('unknown routes', () => {
    it.each([
      ['POST', '/v1/subscriptions/acme-42/bogus'],
      ['GET', '/v1/subscriptions/acme-42/bogus'],
      ['POST', '/v1/nothing'],
      ['PUT', '/v1/subscriptions/acme-42'],
      ['GET', '/nowhere'],
    ] as const)('%s %s is a 404 problem document', async (method, url) => {
      const response = await request(method, url, method === 'POST' ? { body: {} } : {});
      expect(response.status).toBe(404);
      expect(response.contentType).toMatch(/^application\/problem\+json/);
      expect(response.body).toMatchObject({ title: 'Not Found', status: 404 });
      nothingReachedTemporal();
    });
  });

  describe('the Bearer scheme (RFC 7235: case-insensitive)', () => {
    it.each(['Bearer test-key', 'bearer test-key', 'BEARER test-key', 'bEaReR   test-key'])(
      'accepts "%s"',
      async (authorization) => {
        const response = await request('GET', '/v1/subscriptions?status=bogus', { authorization });
        expect(response.status).toBe(400); // past authentication, refused by validation
      },
    );
    it.each(['bearer wrong', 'Basic test-key', 'test-key', 'Bearertest-key'])('refuses "%s"', async (authorization) => {
      const response = await request('GET', '/v1/subscriptions', { authorization });
      expect(response.status).toBe(401);
      expect(response.contentType).toMatch(/^application\/problem\+json/);
    });
  });

  describe('idempotent creates', () => {
    const alreadyStarted = () =>
      new WorkflowExecutionAlreadyStartedError('exists', 'subscription-acme-42', 'subscriptionWorkflow');

    it('answers 201 for a new subscription', async () => {
      temporal.workflow.executeUpdateWithStart.mockResolvedValue({ runId: 'run-1' });
      const response = await request('POST', '/v1/subscriptions', { body: subscription });
      expect(response.status).toBe(201);
      expect(response.body).toEqual({ workflowId: 'subscription-acme-42', runId: 'run-1', created: true });
    });

    it('answers 200 with the existing subscription when the same body comes again (keys in any order)', async () => {
      temporal.workflow.executeUpdateWithStart.mockRejectedValue(alreadyStarted());
      // As the first run stored it: parsed, with its keys in another order.
      const { plan, ...rest } = subscription;
      billing.firstRunInput.mockResolvedValue([{ subscription: { plan: { ...plan }, ...rest } }]);
      billing.describe.mockResolvedValue({ runId: 'run-7' });
      const response = await request('POST', '/v1/subscriptions', { body: subscription });
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ workflowId: 'subscription-acme-42', runId: 'run-7', created: false });
      expect(billing.firstRunInput).toHaveBeenCalledWith('subscription-acme-42');
    });

    it('answers 409 naming the fields when another body comes for the same id', async () => {
      temporal.workflow.executeUpdateWithStart.mockRejectedValue(alreadyStarted());
      billing.firstRunInput.mockResolvedValue([{ subscription }]);
      const response = await request('POST', '/v1/subscriptions', {
        body: { ...subscription, customerId: 'other', plan: { ...subscription.plan, amountCents: 100 } },
      });
      expect(response.status).toBe(409);
      expect(response.body?.detail).toBe(
        'Subscription acme-42 already exists with a different input (customerId, plan.amountCents differ); send the same input to get it, or choose another subscriptionId',
      );
    });

    it('treats transfers the same way', async () => {
      temporal.workflow.start.mockRejectedValue(
        new WorkflowExecutionAlreadyStartedError('exists', 'transfer-t-1', 'transferWorkflow'),
      );
      const executeOn = localDateOf(Date.now() + 3 * 86_400_000, 'America/Sao_Paulo');
      billing.firstRunInput.mockResolvedValue([{ ...transfer, executeOn }]);
      billing.describe.mockResolvedValue({ runId: 'run-3' });
      const same = await request('POST', '/v1/transfers', { body: { ...transfer, executeOn } });
      expect(same.status).toBe(200);
      expect(same.body).toMatchObject({ workflowId: 'transfer-t-1', created: false, executeOn });
      const other = await request('POST', '/v1/transfers', { body: { ...transfer, executeOn, amountCents: 1 } });
      expect(other.status).toBe(409);
      expect(other.body?.detail).toContain('(amountCents differ)');
    });

    it('treats payouts the same way', async () => {
      const payout = {
        payoutId: 'store-9',
        sourceEstablishmentId: '131',
        destination: { type: 'digital_account', establishmentId: '9' },
        weekday: 'FRIDAY',
        at: '18:00',
      };
      const { ScheduleAlreadyRunning } = jest.requireActual<typeof import('@temporalio/client')>('@temporalio/client');
      temporal.schedule.create.mockRejectedValue(new ScheduleAlreadyRunning('exists', 'payout-store-9'));
      temporal.schedule.getHandle.mockReturnValue({
        describe: async () => ({ action: { args: [{ ...payout, keepCents: 0 }] } }),
      });
      const same = await request('POST', '/v1/payouts', { body: payout });
      expect(same.status).toBe(200);
      expect(same.body).toEqual({ scheduleId: 'payout-store-9', created: false });
      const other = await request('POST', '/v1/payouts', { body: { ...payout, weekday: 'MONDAY' } });
      expect(other.status).toBe(409);
      expect(other.body?.detail).toContain('(weekday differ)');
    });
  });

  describe('transfer dates', () => {
    const today = () => localDateOf(Date.now(), 'America/Sao_Paulo');

    it('refuses a date before today in the transfer zone, naming executeOn, and starts nothing', async () => {
      const yesterday = localDateOf(Date.now() - 86_400_000, 'America/Sao_Paulo');
      const response = await request('POST', '/v1/transfers', { body: { ...transfer, executeOn: yesterday } });
      expect(response.status).toBe(400);
      expect(response.body?.errors?.executeOn).toEqual([
        expect.stringMatching(
          new RegExp(`^executeOn ${yesterday} is in the past \\(today is ${today()} in America/Sao_Paulo\\)`),
        ),
      ]);
      nothingReachedTemporal();
    });

    it('accepts today and later', async () => {
      temporal.workflow.start.mockResolvedValue({ firstExecutionRunId: 'run-1' });
      const response = await request('POST', '/v1/transfers', { body: { ...transfer, executeOn: today() } });
      expect(response.status).toBe(201);
      expect(startedInput()).toMatchObject({
        executeOn: today(),
        executeAt: '09:00',
      });
    });

    it.each([
      ['without executeOn', {}],
      ['with runNow: true', { runNow: true }],
    ])('runs now %s: today, at the current local time', async (_name, extra) => {
      temporal.workflow.start.mockResolvedValue({ firstExecutionRunId: 'run-1' });
      const response = await request('POST', '/v1/transfers', { body: { ...transfer, ...extra } });
      expect(response.status).toBe(201);
      const started = startedInput() as {
        executeOn: string;
        executeAt: string;
        runNow?: boolean;
      };
      expect(started.executeOn).toBe(today());
      expect(started.executeAt).toMatch(/^\d{2}:\d{2}$/);
      expect(started).not.toHaveProperty('runNow');
    });

    it('runs now on a past date when runNow asks for it (a bank transfer dated on its last business day)', async () => {
      temporal.workflow.start.mockResolvedValue({ firstExecutionRunId: 'run-1' });
      const yesterday = localDateOf(Date.now() - 86_400_000, 'America/Sao_Paulo');
      const response = await request('POST', '/v1/transfers', {
        body: { ...transfer, runNow: true, executeOn: yesterday },
      });
      expect(response.status).toBe(201);
      expect(startedInput()).toMatchObject({ executeOn: yesterday, executeAt: '00:00' });
    });

    it('refuses runNow with a date or time still ahead, and a time without a date', async () => {
      const tomorrow = localDateOf(Date.now() + 86_400_000, 'America/Sao_Paulo');
      const future = await request('POST', '/v1/transfers', {
        body: { ...transfer, runNow: true, executeOn: tomorrow },
      });
      expect(future.status).toBe(400);
      expect(future.body?.errors?.executeOn).toEqual([expect.stringMatching(/is after today .*leave runNow out/)]);
      const nowLocal = new Intl.DateTimeFormat('en-GB', {
        timeZone: 'America/Sao_Paulo',
        hour: '2-digit',
        minute: '2-digit',
        hourCycle: 'h23',
      }).format(Date.now());
      if (nowLocal < '23:59') {
        const later = await request('POST', '/v1/transfers', {
          body: { ...transfer, runNow: true, executeOn: today(), executeAt: '23:59' },
        });
        expect(later.status).toBe(400);
        expect(later.body?.errors?.executeAt).toEqual([expect.stringMatching(/^executeAt 23:59 is still ahead/)]);
      }
      const timeOnly = await request('POST', '/v1/transfers', { body: { ...transfer, executeAt: '10:00' } });
      expect(timeOnly.status).toBe(400);
      expect(timeOnly.body?.errors?.executeAt).toEqual(['executeAt needs executeOn; leave both out to transfer now']);
      nothingReachedTemporal();
    });
  });
});
