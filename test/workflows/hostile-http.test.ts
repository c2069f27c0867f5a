/**
 * Hostile input at the HTTP API and the webhook endpoints, against a real Temporal server: nothing
 * malformed starts or changes a workflow, every rejection is a problem document naming the fields,
 * and no input makes the API answer 5xx.
 */
import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import { buildApi } from '../../api/server';
import type { BillingClient } from '../../client';
import { startWorkflowTestEnv, type WorkflowTestEnv } from '../helpers/workflow-env';

describe('hostile input at the HTTP API and webhooks (time-skipping server)', () => {
  let testEnv: WorkflowTestEnv;
  let billing: BillingClient;
  let api: FastifyInstance;
  const apiKey = 'property-key';
  const secrets = { zspay: 'zs-secret', adiq: 'ad-secret' };

  beforeAll(async () => {
    testEnv = await startWorkflowTestEnv();
    billing = testEnv.billing;
    api = await buildApi({ client: billing, apiKey, webhookSecrets: secrets });
    await api.listen({ port: 0, host: '127.0.0.1' });
    const address = api.server.address();
    baseUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  });
  afterAll(async () => {
    await api?.close();
    await testEnv?.teardown();
  });

  let baseUrl: string;
  const post = async (url: string, payload: unknown, auth = true) => {
    const response = await fetch(`${baseUrl}${url}`, {
      method: 'POST',
      body: JSON.stringify(payload) ?? 'null',
      headers: { 'content-type': 'application/json', ...(auth ? { authorization: `Bearer ${apiKey}` } : {}) },
    });
    const text = await response.text();
    return { statusCode: response.status, json: <T>() => JSON.parse(text) as T };
  };

  /** Objects shaped like our inputs, with fields of any type. */
  const almostInput = fc.record(
    {
      subscriptionId: fc.oneof(fc.string({ maxLength: 20 }), fc.integer(), fc.constant(null)),
      customerId: fc.oneof(fc.string({ maxLength: 20 }), fc.constant(undefined)),
      plan: fc.oneof(
        fc.object(),
        fc.record({ planId: fc.string(), amountCents: fc.oneof(fc.integer(), fc.double()), recurrence: fc.object() }),
      ),
      paymentMethod: fc.oneof(
        fc.object(),
        fc.record({ type: fc.constantFrom('zspay_card', 'zspay_boleto', 'adiq_vault', 'cash') }),
      ),
    },
    { requiredKeys: [] },
  );

  it('rejects malformed subscriptions with a 400 naming fields, and starts nothing', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(almostInput, fc.anything()), async (body) => {
        const response = await post('/v1/subscriptions', body);
        expect(response.statusCode).toBeLessThan(500);
        if (response.statusCode === 201) return; // a generated body that happens to be valid
        expect(response.statusCode).toBe(400);
        const problem = response.json<{ status: number; errors?: Record<string, string[]> }>();
        expect(problem.status).toBe(400);
        if (problem.errors) expect(Object.keys(problem.errors).length).toBeGreaterThan(0);
        const id = (body as { subscriptionId?: unknown } | null)?.subscriptionId;
        if (typeof id === 'string' && /^[A-Za-z0-9._:-]{1,64}$/.test(id)) {
          await expect(billing.subscriptions.get(id)).rejects.toThrow('No subscription');
        }
      }),
      { numRuns: 60 },
    );
  });

  it('rejects malformed operation arguments and transfers with 400 or 404, never 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(
          '/v1/subscriptions/none/cancel',
          '/v1/subscriptions/none/change-next-charge-date',
          '/v1/subscriptions/none/extend-grace',
          '/v1/transfers',
          '/v1/payouts',
          '/v1/reseller-payments',
        ),
        fc.anything(),
        async (url, body) => {
          const response = await post(url, body);
          expect(response.statusCode).toBeLessThan(500);
          expect([200, 201, 400, 404, 409, 422]).toContain(response.statusCode);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('answers webhooks with a wrong secret 401 and malformed ones 400, never 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('zspay', 'adiq'),
        fc.anything(),
        fc.boolean(),
        async (provider, body, rightSecret) => {
          const secret = rightSecret ? secrets[provider] : 'guess';
          const response = await post(`/webhooks/${provider}/${secret}`, body, false);
          if (!rightSecret) return expect(response.statusCode).toBe(401);
          expect([200, 400]).toContain(response.statusCode);
        },
      ),
      { numRuns: 80 },
    );
  });

  it('answers a wrong webhook secret 401 before reading the body, whatever the body or its type', async () => {
    const raw = (provider: string, secret: string, body: string, contentType: string) =>
      fetch(`${baseUrl}/webhooks/${provider}/${secret}`, {
        method: 'POST',
        body,
        headers: { 'content-type': contentType },
      }).then((response) => response.status);
    // Bodies the JSON parser itself refuses (a prototype key, broken JSON) or cannot read at all.
    const refusedByTheParser: Array<[string, string]> = [
      ['{"__proto__":[]}', 'application/json'],
      ['{"constructor":{"prototype":{}}}', 'application/json'],
      ['{not json', 'application/json'],
      ['event=paid', 'application/x-www-form-urlencoded'],
      ['paid', 'text/plain'],
    ];
    for (const provider of ['zspay', 'adiq'] as const) {
      for (const [body, contentType] of refusedByTheParser) {
        expect(await raw(provider, 'guess', body, contentType)).toBe(401);
        expect(await raw(provider, secrets[provider], body, contentType)).toBeGreaterThanOrEqual(400);
        expect(await raw(provider, secrets[provider], body, contentType)).toBeLessThan(500);
      }
    }
  });

  it('refuses every /v1 request without the API key', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('/v1/subscriptions', '/v1/transfers', '/v1/reseller-payments', '/v1/billing-runs'),
        fc.anything(),
        async (url, body) => {
          expect((await post(url, body, false)).statusCode).toBe(401);
        },
      ),
      { numRuns: 30 },
    );
  });
});
