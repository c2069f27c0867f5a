import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { BillingClient, ValidationError } from '../../client';
import { NOT_COMPLETABLE_TITLE } from '../../providers/activeplatform/errors';
import { resellerPaymentQuery } from '../../workflows/definitions';
import { recordHistory } from '../helpers/histories';
import type { RunningSandbox } from '../helpers/sandbox';
import { startWorkflowTestEnv, type WorkflowTestEnv } from '../helpers/workflow-env';
import { at } from '../helpers/defined';

describe('reseller payment completion workflow (time-skipping server)', () => {
  let env: TestWorkflowEnvironment;
  let sandbox: RunningSandbox;
  let billing: BillingClient;

  const seedPayment = async (resellerId: number, paymentId: number, status = 'waiting_for_payment') => {
    const response = await fetch(`${sandbox.url}/activeplatform/__control/payments`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ resellerId, paymentId, status, total: '360.0' }),
    });
    expect(response.status).toBe(201);
  };
  const completions = async () =>
    (await sandbox.control.ledger({ provider: 'activeplatform' })).filter((e) => e.kind === 'completion');
  const failureOf = async (promise: Promise<unknown>) => {
    const error = await promise.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(WorkflowFailedError);
    expect((error as WorkflowFailedError).cause).toBeInstanceOf(ApplicationFailure);
    return (error as WorkflowFailedError).cause as ApplicationFailure;
  };

  let testEnv: WorkflowTestEnv;
  beforeAll(async () => {
    testEnv = await startWorkflowTestEnv();
    ({ env, sandbox, billing } = testEnv);
  });
  afterAll(() => testEnv?.teardown());
  beforeEach(() => sandbox.control.reset());

  it('completes a payment the caller confirmed, once, and returns its details in cents', async () => {
    await seedPayment(1, 6475);
    const started = await billing.resellerPayments.complete({
      resellerId: 1,
      paymentId: 6475,
      paymentMethodId: 2,
      confirmation: { mode: 'confirmed', providerReference: 'zspay-sale-1' },
    });
    expect(started).toMatchObject({ workflowId: 'reseller-payment-1-6475', attached: false });
    const result = await billing.resellerPayments.result(1, 6475);
    expect(result).toMatchObject({ paymentId: '6475', status: 'completed', totalCents: 36000, paymentMethodId: 2 });
    expect(await billing.resellerPayments.get(1, 6475)).toMatchObject({ state: 'completed', result });
    await recordHistory(env.client.workflow.getHandle('reseller-payment-1-6475'), 'reseller-payment-completed');
    expect(await completions()).toHaveLength(1);
  });

  it('attaches a second request for the same payment instead of completing twice', async () => {
    await seedPayment(1, 7001);
    const input = {
      resellerId: 1,
      paymentId: 7001,
      paymentMethodId: 2,
      confirmation: { mode: 'confirmed', providerReference: 'ref-7001' },
    };
    const first = await billing.resellerPayments.complete(input);
    await billing.resellerPayments.result(1, 7001);
    const second = await billing.resellerPayments.complete(input);
    expect(second).toEqual({ ...first, attached: true });
    expect(await completions()).toHaveLength(1);
  });

  it('of concurrent requests for the same payment exactly one starts the run; every other one attaches to it', async () => {
    await seedPayment(1, 7002);
    const input = {
      resellerId: 1,
      paymentId: 7002,
      paymentMethodId: 2,
      confirmation: { mode: 'confirmed', providerReference: 'ref-7002' },
    };
    const started = await Promise.all(Array.from({ length: 4 }, () => billing.resellerPayments.complete(input)));
    expect(started.filter((s) => !s.attached)).toHaveLength(1);
    const starter = at(
      started.filter((s) => !s.attached),
      0,
      'runs that started the workflow',
    );
    for (const s of started) expect(s).toMatchObject({ workflowId: 'reseller-payment-1-7002', runId: starter.runId });
    expect(await billing.resellerPayments.result(1, 7002)).toMatchObject({ status: 'completed' });
    expect(await completions()).toHaveLength(1);
  });

  it('waits for the paying provider confirmation, then completes', async () => {
    await seedPayment(2, 8001);
    await billing.resellerPayments.complete({
      resellerId: 2,
      paymentId: 8001,
      paymentMethodId: 3,
      confirmation: {
        mode: 'await',
        provider: 'zspay',
        providerReference: 'boleto-77',
        deadline: '2099-01-01T00:00:00Z',
      },
    });
    const handle = env.client.workflow.getHandle('reseller-payment-2-8001');
    expect(await handle.query(resellerPaymentQuery)).toMatchObject({ state: 'awaiting_confirmation' });
    await billing.resellerPayments.confirm(2, 8001, 'another-boleto');
    expect(await handle.query(resellerPaymentQuery)).toMatchObject({ state: 'awaiting_confirmation' });
    expect(await completions()).toHaveLength(0);
    await billing.resellerPayments.confirm(2, 8001, 'boleto-77', '2026-11-20T10:00:00Z');
    expect(await billing.resellerPayments.result(2, 8001)).toMatchObject({ status: 'completed' });
    expect(await handle.query(resellerPaymentQuery)).toMatchObject({
      state: 'completed',
      confirmedAt: '2026-11-20T10:00:00Z',
    });
    await recordHistory(handle, 'reseller-payment-awaited-confirmation');
    expect(await completions()).toHaveLength(1);
  });

  it('gives up with a clear reason when no confirmation arrives by the deadline', async () => {
    await seedPayment(2, 8002);
    const deadline = new Date((await env.currentTimeMs()) + 3 * 24 * 3600_000).toISOString();
    await billing.resellerPayments.complete({
      resellerId: 2,
      paymentId: 8002,
      paymentMethodId: 3,
      confirmation: { mode: 'await', provider: 'zspay', providerReference: 'boleto-78', deadline },
    });
    const failure = await failureOf(billing.resellerPayments.result(2, 8002));
    expect(failure.type).toBe('ConfirmationExpired');
    expect(await billing.resellerPayments.get(2, 8002)).toMatchObject({ state: 'confirmation_expired' });
    await recordHistory(
      env.client.workflow.getHandle('reseller-payment-2-8002'),
      'reseller-payment-confirmation-expired',
    );
    expect(await completions()).toHaveLength(0);
  });

  it('ends with a non-retried reason when ActivePlatform answers 422 (payment not waiting or expired)', async () => {
    await seedPayment(3, 9001, 'canceled');
    await billing.resellerPayments.complete({
      resellerId: 3,
      paymentId: 9001,
      paymentMethodId: 2,
      confirmation: { mode: 'confirmed', providerReference: 'ref-9001' },
    });
    const failure = await failureOf(billing.resellerPayments.result(3, 9001));
    expect(failure.type).toBe('InvalidState');
    expect(failure.nonRetryable).toBe(true);
    const view = await billing.resellerPayments.get(3, 9001);
    expect(view.state).toBe('rejected');
    expect(view.reason).toMatch(/422|waiting|expired|status/i);
    expect(view.reason).toBe(`activeplatform HTTP 422: ${NOT_COMPLETABLE_TITLE}`);
    expect(failure.message).toContain(NOT_COMPLETABLE_TITLE);
    // Only the documented PATCH: a first attempt's 422 is the answer, nothing is read back.
    const requests = (await sandbox.control.requests({ provider: 'activeplatform' })).filter((r) => r.operation);
    expect(requests.map((r) => `${r.method} ${r.status}`)).toEqual(['PATCH 422']);
    await recordHistory(env.client.workflow.getHandle('reseller-payment-3-9001'), 'reseller-payment-rejected-422');
  });

  it("after a lost answer, against a provider that refuses the GET (405), ends rejected with the 422's reason, not the 405", async () => {
    await seedPayment(3, 9002);
    await fetch(`${sandbox.url}/activeplatform/__control/payment-reads`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ allowed: false }),
    });
    // The first PATCH completes the payment and its answer is lost; the retry's PATCH gets the 422.
    await sandbox.control.script({
      operation: 'activeplatform.payment.complete',
      match: '9002',
      outcome: { type: 'timeout', phase: 'after' },
      times: 1,
    });
    await billing.resellerPayments.complete({
      resellerId: 3,
      paymentId: 9002,
      paymentMethodId: 2,
      confirmation: { mode: 'confirmed', providerReference: 'ref-9002' },
    });
    const failure = await failureOf(billing.resellerPayments.result(3, 9002));
    expect(failure.type).toBe('InvalidState');
    expect(failure.message).toContain(NOT_COMPLETABLE_TITLE);
    expect(failure.message).not.toMatch(/405|Method Not Allowed/);
    const view = await billing.resellerPayments.get(3, 9002);
    expect(view).toMatchObject({ state: 'rejected', reason: `activeplatform HTTP 422: ${NOT_COMPLETABLE_TITLE}` });
    const requests = (await sandbox.control.requests({ provider: 'activeplatform' })).filter((r) => r.operation);
    expect(requests.map((r) => `${r.method} ${r.status}`)).toEqual(expect.arrayContaining(['PATCH 422', 'GET 405']));
    expect(await completions()).toHaveLength(1);
  });

  it('retries transient provider errors and completes once', async () => {
    await seedPayment(4, 9101);
    await sandbox.control.script({
      provider: 'activeplatform',
      outcome: { type: 'server_error', status: 503 },
      times: 2,
      match: '9101',
    });
    await billing.resellerPayments.complete({
      resellerId: 4,
      paymentId: 9101,
      paymentMethodId: 2,
      confirmation: { mode: 'confirmed', providerReference: 'ref-9101' },
    });
    expect(await billing.resellerPayments.result(4, 9101)).toMatchObject({ status: 'completed' });
    const patches = (await sandbox.control.requests({ provider: 'activeplatform' })).filter(
      (r) => r.method === 'PATCH',
    );
    expect(patches.map((r) => r.status)).toEqual([503, 503, 200]);
    expect(await completions()).toHaveLength(1);
  });

  it('refuses invalid input before anything reaches Temporal, naming each field', async () => {
    const error = await billing.resellerPayments
      .complete({
        resellerId: 0,
        paymentId: 1.5,
        paymentMethodId: 2,
        confirmation: { mode: 'await', provider: 'zspay', providerReference: 'x', deadline: 'tomorrow' },
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues.map((i) => i.field).sort()).toEqual([
      'confirmation.deadline',
      'paymentId',
      'resellerId',
    ]);
  });
});
