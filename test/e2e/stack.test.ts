/**
 * The engine end to end on a real dev server started by the harness: HTTP API -> client ->
 * Temporal -> worker -> activities -> provider sandbox, and back.
 */
import { execFileSync } from 'node:child_process';
import { locateTemporalBinaries } from '../../scripts/temporal-binaries';
import { startTestStack, type TestStack } from '../helpers/stack';

describe('the local stack on a dev server', () => {
  let stack: TestStack;
  const api = (path: string, init: RequestInit & { key?: string | null } = {}) => {
    const { key, ...rest } = init;
    const headers: Record<string, string> = { 'Content-Type': 'application/json' };
    if (key !== null) headers.Authorization = `Bearer ${key ?? stack.apiKey}`;
    return fetch(`${stack.apiUrl}${path}`, {
      ...rest,
      headers: { ...headers, ...(rest.headers as Record<string, string>) },
    });
  };
  const seedPayment = (resellerId: number, paymentId: number) =>
    fetch(`${stack.sandbox.url}/activeplatform/__control/payments`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ resellerId, paymentId, status: 'waiting_for_payment', total: '129.9' }),
    });
  const body = {
    resellerId: 10,
    paymentId: 501,
    paymentMethodId: 2,
    confirmation: { mode: 'confirmed', providerReference: 'sale-501' },
  };

  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(async () => {
    await stack?.teardown();
  });

  it('reports health, and readiness from the Temporal connection', async () => {
    expect((await api('/health', { key: null })).status).toBe(200);
    const ready = await api('/ready', { key: null });
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', temporal: true });
  });

  it('rejects unauthenticated requests with 401 and starts nothing', async () => {
    for (const key of [null, 'wrong-key']) {
      const response = await api('/v1/reseller-payments', { method: 'POST', body: JSON.stringify(body), key });
      expect(response.status).toBe(401);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
    }
    const { executions } = await stack.temporal.env.client.workflowService.listWorkflowExecutions({
      namespace: 'default',
    });
    expect(executions).toHaveLength(0);
  });

  it('rejects malformed input with a problem document naming each field', async () => {
    const response = await api('/v1/reseller-payments', {
      method: 'POST',
      body: JSON.stringify({ ...body, paymentId: 'x', confirmation: {} }),
    });
    expect(response.status).toBe(400);
    const problem = (await response.json()) as { status: number; errors: Record<string, string[]> };
    expect(problem.status).toBe(400);
    expect(Object.keys(problem.errors).sort()).toEqual(['confirmation.mode', 'paymentId']);
  });

  it('completes a reseller payment through the API, once, visible to list queries and the CLI', async () => {
    expect((await seedPayment(10, 501)).status).toBe(201);
    const created = await api('/v1/reseller-payments', { method: 'POST', body: JSON.stringify(body) });
    expect(created.status).toBe(201);
    await stack.client.resellerPayments.result(10, 501);

    const view = await (await api('/v1/reseller-payments/10/501')).json();
    expect(view).toMatchObject({ state: 'completed', result: { status: 'completed', totalCents: 12990 } });

    const again = await api('/v1/reseller-payments', { method: 'POST', body: JSON.stringify(body) });
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ workflowId: 'reseller-payment-10-501', attached: true });
    expect(
      (await stack.sandbox.control.ledger({ provider: 'activeplatform' })).filter((e) => e.kind === 'completion'),
    ).toHaveLength(1);

    // Visibility is eventually consistent: poll the search-attribute query briefly.
    const query = `ResellerId = '10' AND ResellerPaymentStatus = 'completed'`;
    let ids: string[] = [];
    for (let i = 0; i < 50 && ids.length === 0; i++) {
      ids = [];
      for await (const wf of stack.temporal.env.client.workflow.list({ query })) ids.push(wf.workflowId);
      if (ids.length === 0) await new Promise((r) => setTimeout(r, 200));
    }
    expect(ids).toEqual(['reseller-payment-10-501']);

    const cli = locateTemporalBinaries()!.cli;
    const listed = execFileSync(
      cli,
      ['workflow', 'list', '--address', stack.temporal.server.address, '--query', query, '--output', 'json'],
      { encoding: 'utf8' },
    );
    expect(listed).toContain('reseller-payment-10-501');
  });

  it('answers 404 as a problem document for an unknown payment', async () => {
    const response = await api('/v1/reseller-payments/10/999999');
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ status: 404, title: 'Not found' });
  });
});
