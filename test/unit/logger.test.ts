/**
 * The engine's logger: one JSON object per line, with the workflow's ids, and no secret.
 */
import { apiLoggerOptions, engineLogger, formatLogEntry, secretsOf } from '../../worker/logger';
import { loadTelemetryConfig, ConfigError } from '../../worker/config';
import { buildApi } from '../../api/server';
import type { BillingClient } from '../../client';

describe('engine logger', () => {
  const secret = 'zs-token-0123456789abcdef';
  const lines: string[] = [];
  const logger = engineLogger('INFO', {
    write: (chunk) => lines.push(chunk),
    secrets: () => [secret],
  });
  beforeEach(() => lines.splice(0));

  it('writes one JSON line per record, with the workflow ids and the subscription', () => {
    logger.warn('Charge held: the provider refused it', {
      namespace: 'default',
      taskQueue: 'billing-engine',
      workflowId: 'subscription-sub-42',
      runId: 'run-1',
      workflowType: 'subscriptionWorkflow',
      cycle: 3,
      error: 'InvalidRequestError: bad\nrequest',
      [Symbol.for('log_timestamp')]: 1_764_583_200_000_000_000n,
    });
    logger.info('Activity completed', {
      activityType: 'captureCard',
      workflowId: 'subscription-sub-42',
      workflowRunId: 'run-1',
      taskToken: 'CiQ...',
      attempt: 2,
    });
    logger.debug('below the level');
    expect(lines).toHaveLength(2);
    for (const line of lines) {
      expect(line.endsWith('\n')).toBe(true);
      expect(line.slice(0, -1)).not.toContain('\n');
    }
    const [held, completed] = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(Object.keys(held!).slice(0, 3)).toEqual(['time', 'level', 'message']);
    expect(held).toMatchObject({
      time: '2025-12-01T10:00:00.000Z',
      level: 'WARN',
      message: 'Charge held: the provider refused it',
      workflowId: 'subscription-sub-42',
      runId: 'run-1',
      subscriptionId: 'sub-42',
      workflowType: 'subscriptionWorkflow',
      cycle: 3,
      error: 'InvalidRequestError: bad\nrequest',
    });
    expect(completed).toMatchObject({
      level: 'INFO',
      activityType: 'captureCard',
      workflowId: 'subscription-sub-42',
      runId: 'run-1',
      subscriptionId: 'sub-42',
      attempt: 2,
    });
    // A task token completes someone else's activity: never written.
    expect(completed).not.toHaveProperty('taskToken');
  });

  it('redacts secrets: configured values anywhere, fields named like one, webhook URL segments', () => {
    logger.error(`zspay answered 401 for Bearer ${secret}`, {
      headers: { Authorization: `Bearer ${secret}`, 'Content-Type': 'application/json' },
      apiKey: 'another-key-never-seen',
      url: '/webhooks/zspay/some-old-secret-value?x=1',
      error: new Error(`request with ${secret} failed`),
    });
    expect(lines).toHaveLength(1);
    const line = lines[0]!;
    expect(line).not.toContain(secret);
    expect(line).not.toContain('another-key-never-seen');
    expect(line).not.toContain('some-old-secret-value');
    const record = JSON.parse(line) as Record<string, unknown>;
    expect(record.message).toBe('zspay answered 401 for Bearer [redacted]');
    expect(record.headers).toEqual({ Authorization: '[redacted]', 'Content-Type': 'application/json' });
    expect(record.apiKey).toBe('[redacted]');
    expect(record.url).toBe('/webhooks/zspay/[redacted]?x=1');
    expect(record.error).toMatchObject({ name: 'Error', message: 'request with [redacted] failed' });
  });

  it('writes one readable line per record in the pretty format', () => {
    const line = formatLogEntry(
      {
        level: 'INFO',
        message: 'two\nlines',
        meta: { workflowId: 'transfer-t1', amountCents: 100 },
        timestampNanos: 1_764_583_200_000_000_000n,
      },
      'pretty',
    );
    expect(line).toBe('2025-12-01T10:00:00.000Z INFO  two\\nlines workflowId=transfer-t1 amountCents=100');
  });

  it("turns the API's JSON lines into readable ones when asked, and keeps them otherwise", () => {
    const out: string[] = [];
    const json = apiLoggerOptions({ level: 'WARN', format: 'json', write: (l) => out.push(l) });
    const pretty = apiLoggerOptions({ level: 'WARN', format: 'pretty', write: (l) => out.push(l) });
    expect(json.level).toBe('warn');
    const line = '{"level":"ERROR","time":"2025-12-01T10:00:00.000Z","reqId":"req-1","msg":"boom"}\n';
    json.stream!.write(line);
    pretty.stream!.write(line);
    expect(out).toEqual([
      '{"time":"2025-12-01T10:00:00.000Z","level":"ERROR","message":"boom","reqId":"req-1"}\n',
      '2025-12-01T10:00:00.000Z ERROR boom reqId=req-1\n',
    ]);
  });

  it('reads the secrets configured in the environment, maps included', () => {
    expect(
      secretsOf({
        ZSPAY_TOKEN: 'zspay-production-token',
        MERCHANT_WEBHOOK_SECRETS: '{"acme":"merchant-signing-secret"}',
        ZAPSIGN_CLIENT_TOKENS: 'not json',
        ADIQ_CLIENT_SECRET: 'short',
      }).sort(),
    ).toEqual(['merchant-signing-secret', 'zspay-production-token']);
  });
});

describe('API logs', () => {
  it('writes a request that failed with a 5xx as JSON lines, at WARN as under npm start', async () => {
    const out: string[] = [];
    const client = {
      isTemporalReachable: async () => {
        throw new Error('temporal exploded');
      },
    } as unknown as BillingClient;
    const api = await buildApi({
      client,
      apiKey: 'test-key',
      webhookSecrets: { zspay: 'zs-secret-123456', adiq: 'ad-secret-123456' },
      logger: apiLoggerOptions({ level: 'WARN', format: 'json', write: (line) => out.push(line) }),
    });
    try {
      await api.listen({ port: 0, host: '127.0.0.1' });
      const address = api.server.address();
      const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
      expect((await fetch(`${base}/health`)).status).toBe(200);
      expect((await fetch(`${base}/ready`)).status).toBe(500);
    } finally {
      await api.close();
    }
    // Only the failure: successful requests are INFO.
    expect(out).toHaveLength(1);
    expect(out[0]!.endsWith('\n') && !out[0]!.slice(0, -1).includes('\n')).toBe(true);
    const record = JSON.parse(out[0]!) as Record<string, unknown>;
    expect(Object.keys(record).slice(0, 3)).toEqual(['time', 'level', 'message']);
    expect(record).toMatchObject({ level: 'ERROR', message: 'temporal exploded' });
    expect(typeof record.reqId).toBe('string');
    expect(record.time).toMatch(/^\d{4}-\d\d-\d\dT/);
  });
});

describe('telemetry configuration', () => {
  it('serves metrics on the default address unless turned off, and validates what is set', () => {
    const defaults = { metricsAddress: '127.0.0.1:9464' };
    expect(loadTelemetryConfig({}, defaults)).toEqual({ metricsAddress: '127.0.0.1:9464', logFormat: 'json' });
    expect(loadTelemetryConfig({ BILLING_METRICS_ADDRESS: 'off' }, defaults).metricsAddress).toBeUndefined();
    expect(loadTelemetryConfig({ BILLING_METRICS_ADDRESS: '' }, defaults).metricsAddress).toBeUndefined();
    expect(
      loadTelemetryConfig({ BILLING_METRICS_ADDRESS: '0.0.0.0:9100', BILLING_LOG_FORMAT: 'pretty' }, defaults),
    ).toEqual({ metricsAddress: '0.0.0.0:9100', logFormat: 'pretty' });
    expect(() => loadTelemetryConfig({ BILLING_METRICS_ADDRESS: '9464', BILLING_LOG_FORMAT: 'xml' })).toThrow(
      ConfigError,
    );
  });
});
