/**
 * The webhook URLs' secrets (`/webhooks/zspay/<secret>`) never leave the API: not in a log line
 * (request logging, Fastify's own messages), not in a response body (404s, malformed URLs, problem
 * documents).
 */
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { buildApi } from '../../api/server';
import { redactWebhookPath, secretRedactor } from '../../api/redaction';
import type { BillingClient } from '../../client';
import { WebhooksApi } from '../../client/webhooks';

describe('webhook secret redaction', () => {
  const secrets = {
    zspay: `zs_${randomBytes(18).toString('base64url')}`,
    adiq: `ad_${randomBytes(18).toString('base64url')}`,
  };
  const lines: string[] = [];
  let api: FastifyInstance;
  let baseUrl: string;

  beforeAll(async () => {
    // Nothing here reaches Temporal: malformed and ignorable events are answered before any routing.
    const client = { isTemporalReachable: async () => true } as unknown as BillingClient;
    Object.assign(client, { webhooks: new WebhooksApi(client) });
    api = await buildApi({
      client,
      apiKey: 'test-key',
      webhookSecrets: secrets,
      logger: { level: 'debug', stream: { write: (line: string) => lines.push(line) } },
    });
    await api.listen({ port: 0, host: '127.0.0.1' });
    const address = api.server.address();
    baseUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  });
  afterAll(() => api.close());
  beforeEach(() => {
    lines.length = 0;
  });

  const send = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, text: await response.text() };
  };
  const leaks = (text: string) =>
    Object.values(secrets).filter((secret) => text.includes(secret) || text.includes(encodeURIComponent(secret)));

  const cases: Array<[string, string, string, unknown, number]> = [
    [
      'a valid Zspay webhook',
      'POST',
      `/webhooks/zspay/${secrets.zspay}`,
      { type: 'transaction', status: 'succeeded', data: { status_pedido_id: '2' } },
      400,
    ],
    [
      'a valid Adiq notification',
      'POST',
      `/webhooks/adiq/${secrets.adiq}`,
      { subscriptionId: 'sub-1', statusCode: '999', statusDescription: '?' },
      200,
    ],
    ['the right secret, wrong method', 'GET', `/webhooks/zspay/${secrets.zspay}`, undefined, 404],
    ['the right secret, a path below it', 'POST', `/webhooks/adiq/${secrets.adiq}/extra?x=1`, {}, 404],
    ['another provider with this secret', 'POST', `/webhooks/stripe/${secrets.zspay}`, {}, 404],
    ['an encoded path', 'GET', `/webhooks%2Fzspay%2F${secrets.zspay}`, undefined, 404],
    [
      'a percent-encoded secret',
      'GET',
      `/webhooks/zspay/${[...secrets.zspay].map((c) => `%${c.charCodeAt(0).toString(16)}`).join('')}`,
      undefined,
      404,
    ],
    ['another case', 'GET', `/WEBHOOKS/zspay/${secrets.zspay}`, undefined, 404],
    ['a malformed URL', 'POST', `/webhooks/zspay/${secrets.zspay}%E0%A4%A`, {}, 400],
    [
      'a secret segment longer than Fastify routes',
      'POST',
      `/webhooks/zspay/${secrets.zspay}${'x'.repeat(120)}`,
      {},
      400,
    ],
    ['an old secret (wrong now)', 'POST', `/webhooks/adiq/${secrets.adiq}-old`, {}, 401],
  ];

  it.each(cases)('%s: no secret in the body or the log', async (_name, method, path, body, status) => {
    const answer = await send(method, path, body);
    expect(answer.status).toBe(status);
    expect(leaks(answer.text)).toEqual([]);
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.filter((line) => leaks(line).length > 0)).toEqual([]);
    // The request is still logged, its secret replaced.
    const incoming = lines
      .map((line) => JSON.parse(line) as { msg: string; req?: { url: string } })
      .find((line) => line.msg === 'incoming request');
    expect(incoming?.req?.url).toBeDefined();
  });

  it('logs a webhook request with the secret replaced, the rest of the URL kept', async () => {
    await send('POST', `/webhooks/adiq/${secrets.adiq}?attempt=2`, { subscriptionId: 'sub-1', statusCode: '999' });
    const incoming = lines
      .map((line) => JSON.parse(line) as { msg: string; req?: { method: string; url: string } })
      .find((line) => line.msg === 'incoming request');
    expect(incoming?.req).toMatchObject({ method: 'POST', url: '/webhooks/adiq/[redacted]?attempt=2' });
  });

  it('answers an unknown route with a problem document whose instance is the path, secret replaced', async () => {
    const answer = await send('GET', `/webhooks/zspay/${secrets.zspay}`);
    expect(JSON.parse(answer.text)).toEqual({
      type: 'about:blank',
      title: 'Not Found',
      status: 404,
      detail: 'No route for GET /webhooks/zspay/[redacted]',
      instance: '/webhooks/zspay/[redacted]',
    });
    const other = await send('GET', '/v1/nothing-here');
    expect(JSON.parse(other.text)).toMatchObject({ status: 404, instance: '/v1/nothing-here' });
  });
});

describe('redacting texts', () => {
  it('replaces the secret segment of webhook paths, whatever the secret', () => {
    expect(redactWebhookPath('POST /webhooks/zspay/abc123?x=1 failed')).toBe(
      'POST /webhooks/zspay/[redacted]?x=1 failed',
    );
    expect(redactWebhookPath('"url":"//webhooks//adiq/s3cr3t/more"')).toBe('"url":"//webhooks//adiq/[redacted]/more"');
    expect(redactWebhookPath('/webhooks/zspay/')).toBe('/webhooks/zspay/');
    expect(redactWebhookPath('/v1/subscriptions/acme-42')).toBe('/v1/subscriptions/acme-42');
  });

  it('replaces the configured secrets anywhere, raw, URL-encoded or JSON-escaped', () => {
    const redact = secretRedactor({ zspay: 'a b"c', adiq: 'plain-secret-value' });
    expect(redact('x=plain-secret-value&y=a%20b%22c z="a b\\"c"')).toBe('x=[redacted]&y=[redacted] z="[redacted]"');
  });
});
