/**
 * The worker's Prometheus endpoint end to end: the SDK's own metrics and the engine's `billing_*`
 * ones move as subscriptions are charged (activities), held (workflows) and rate limited (the
 * provider HTTP layer). The Temporal runtime is installed once per process, before anything
 * creates it: this file installs it with the endpoint, on a free port, before the stack starts.
 */
import { freePort } from '../../scripts/ports';
import { installEngineRuntime, metricsUrl } from '../../worker/metrics';
import { customerWithCard, zspayClient } from '../providers/zspay/helpers';
import { startTestStack, type TestStack } from '../helpers/stack';
import { eventually } from '../helpers/eventually';

/** Samples of the Prometheus text format: name, labels, value. */
function samples(text: string): Array<{ name: string; labels: Record<string, string>; value: number }> {
  return text
    .split('\n')
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => {
      const match = /^([A-Za-z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
      if (!match) throw new Error(`not a Prometheus sample: ${line}`);
      const labels = Object.fromEntries(
        [...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1]!, m[2]!]),
      );
      return { name: match[1]!, labels, value: Number(match[3]) };
    });
}

describe('metrics endpoint (dev server, sandbox, worker)', () => {
  let stack: TestStack;
  let url: string;
  const logLines: string[] = [];

  const scrape = async () => {
    const response = await fetch(url);
    expect(response.status).toBe(200);
    return response.text();
  };
  /** The sum of a metric's samples whose labels include `labels` (0 when none yet). */
  const value = async (name: string, labels: Record<string, string> = {}) =>
    samples(await scrape())
      .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
      .reduce((sum, s) => sum + s.value, 0);
  const api = async (path: string, body?: unknown) => {
    const response = await fetch(`${stack.apiUrl}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { Authorization: `Bearer ${stack.apiKey}`, 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const subscribe = async (subscriptionId: string, clientId: string, cardId: string) =>
    api('/v1/subscriptions', {
      subscriptionId,
      customerId: 'metrics',
      plan: {
        planId: 'gold',
        amountCents: 5990,
        chargeHourLocal: 0,
        recurrence: { kind: 'calendar', frequency: 'monthly', interval: 1 },
      },
      paymentMethod: { type: 'zspay_card', zspayClientId: clientId, cardId },
    });

  beforeAll(async () => {
    const address = `127.0.0.1:${await freePort()}`;
    installEngineRuntime({ level: 'WARN', metricsAddress: address, write: (line) => logLines.push(line) });
    url = metricsUrl(address);
    stack = await startTestStack();
  });
  afterAll(async () => {
    await stack?.teardown();
  });

  it("serves the SDK's metrics", async () => {
    const text = await eventually(scrape, (t) => /^temporal_\w+/m.test(t));
    expect(text).toMatch(/^temporal_\w+/m);
  });

  it('counts a succeeded charge by provider, and times the provider requests', async () => {
    const { clientId, cardId } = await customerWithCard(zspayClient(stack.sandbox.url));
    const succeeded = { name: 'billing_charges_total', labels: { provider: 'zspay', outcome: 'succeeded' } };
    const before = await value(succeeded.name, succeeded.labels);
    expect((await subscribe('metrics-card-1', clientId, cardId)).status).toBe(201);
    await eventually(
      () => api('/v1/subscriptions/metrics-card-1/invoices'),
      (r) => (r.body.invoices as Array<{ status: string }> | undefined)?.[0]?.status === 'paid',
    );
    await eventually(
      () => value(succeeded.name, succeeded.labels),
      (after) => after === before + 1,
    );
    const text = await scrape();
    expect(text).toMatch(/^billing_charges_total\{.*outcome="succeeded".*\} 1$/m);
    expect(text).toMatch(/^billing_charges_total\{.*provider="zspay".*\}/m);
    expect(await value('billing_provider_request_duration_seconds_count', { provider: 'zspay' })).toBeGreaterThan(0);
  });

  it("counts Zspay's 429s and the charge attempt they failed, then a held charge (workflow metric)", async () => {
    const { clientId, cardId } = await customerWithCard(zspayClient(stack.sandbox.url));
    const rateLimitedBefore = await value('billing_provider_rate_limited_total', { provider: 'zspay' });
    const errorsBefore = await value('billing_charges_total', { provider: 'zspay', outcome: 'error' });
    const heldBefore = await value('billing_charges_held_total', { provider: 'zspay' });
    // First a 429 (retried after its Retry-After), then credentials rejected: the charge is held.
    await stack.sandbox.control.script({
      provider: 'zspay',
      operation: 'zspay.sale.precapture',
      match: clientId,
      outcome: { type: 'rate_limit', retryAfterSeconds: 1 },
      times: 1,
    });
    await stack.sandbox.control.script({
      provider: 'zspay',
      operation: 'zspay.sale.precapture',
      match: clientId,
      outcome: { type: 'unauthorized' },
      times: 1,
    });
    expect((await subscribe('metrics-held-1', clientId, cardId)).status).toBe(201);
    await eventually(
      () => value('billing_charges_held_total', { provider: 'zspay' }),
      (held) => held === heldBefore + 1,
      30_000,
    );
    expect(await value('billing_charges_held_total', { provider: 'zspay', method: 'card' })).toBeGreaterThan(0);
    expect(await value('billing_provider_rate_limited_total', { provider: 'zspay' })).toBe(rateLimitedBefore + 1);
    expect(await value('billing_charges_total', { provider: 'zspay', outcome: 'error' })).toBe(errorsBefore + 2);
    // The engine's own warning about it is one JSON line naming the subscription.
    // (Records are buffered a moment by the runtime, to sort the SDK's native ones in with them.)
    const held = await eventually(
      async () =>
        logLines
          .map((line) => JSON.parse(line) as Record<string, unknown>)
          .find((record) => String(record.message).startsWith('Charge held')),
      (record) => record !== undefined,
      5_000,
    ).catch(() => {
      throw new Error(`no "Charge held" record in:\n${logLines.join('')}`);
    });
    expect(held).toMatchObject({
      level: 'WARN',
      workflowId: 'subscription-metrics-held-1',
      subscriptionId: 'metrics-held-1',
    });
    expect(held?.runId).toEqual(expect.any(String));
  });
});
