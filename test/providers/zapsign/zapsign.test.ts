import requestExample from '../../fixtures/providers/zapsign/update-payment-status.request.json';
import { createPartnerActivities } from '../../../activities/partners/zapsign';
import { ZapSignPartnerClient } from '../../../providers/zapsign/client';
import { mapZapSignError } from '../../../providers/zapsign/errors';
import {
  updatePaymentStatusRequestSchema,
  updatePaymentStatusResponseSchema,
} from '../../../providers/zapsign/schemas';
import {
  InvalidRequestError,
  ProviderAuthError,
  RateLimitedError,
  TransientProviderError,
  UnknownOutcomeError,
} from '../../../providers/errors';
import { SANDBOX_CREDENTIALS } from '../../../common/sandbox-credentials';
import { startSandbox, type RunningSandbox } from '../../helpers/sandbox';
import { control, expectProviderError, quietActivityEnvironment, rejectionOf } from '../expect-error';
import { stringContaining } from '../../helpers/matchers';
import { at } from '../../helpers/defined';

const CLIENT_TOKEN = requestExample.client_api_token;
const PARTNER = SANDBOX_CREDENTIALS.zapsign.partnerToken;

interface ClientView {
  paymentStatus: string;
  updates: Array<{ paymentStatus: string }>;
}

describe('ZapSign contract', () => {
  it('the request example parses', () => {
    expect(updatePaymentStatusRequestSchema.parse(requestExample)).toEqual(requestExample);
  });

  it('an unknown payment_status is rejected with the field name', () => {
    const result = updatePaymentStatusRequestSchema.safeParse({ ...requestExample, payment_status: 'pago' });
    expect(result.error?.issues[0]).toMatchObject({
      path: ['payment_status'],
      message: stringContaining('adimplente'),
    });
  });

  it('the undocumented success answer is accepted whatever its shape', () => {
    for (const body of [undefined, null, 'Status updated successfully', { message: 'Status updated successfully' }]) {
      expect(updatePaymentStatusResponseSchema.safeParse(body).success).toBe(true);
    }
  });

  it('maps DRF-style errors', () => {
    const badRequest = mapZapSignError({
      status: 400,
      data: { payment_status: ['"x" is not a valid choice.'] },
      headers: {},
    });
    expect(badRequest).toBeInstanceOf(InvalidRequestError);
    expect((badRequest as InvalidRequestError).fieldErrors).toEqual([
      { field: 'payment_status', message: '"x" is not a valid choice.' },
    ]);
    const forbidden = mapZapSignError({ status: 403, data: { detail: 'not parent' }, headers: {} });
    expect(forbidden).toBeInstanceOf(ProviderAuthError);
    expect(forbidden.message).toContain('ZAPSIGN_PARTNER_TOKEN');
  });
});

describe('ZapSign client and activity against the sandbox', () => {
  let sandbox: RunningSandbox;
  let base: string;
  let client: ZapSignPartnerClient;

  beforeAll(async () => {
    sandbox = await startSandbox();
    base = `${sandbox.url}/zapsign`;
    client = new ZapSignPartnerClient({ baseUrl: base, partnerToken: PARTNER, timeoutMs: 400 });
  });
  afterAll(() => sandbox.close());
  beforeEach(async () => {
    await sandbox.control.reset();
    await control(base, 'POST', '/__control/clients', { clientApiToken: CLIENT_TOKEN });
  });

  const clientView = async (token = CLIENT_TOKEN) =>
    (await control<ClientView>(base, 'GET', `/__control/clients/${token}`)).body;

  it('sets inadimplente then adimplente, with the documented request', async () => {
    await client.updatePaymentStatus({ clientApiToken: CLIENT_TOKEN, paymentStatus: 'inadimplente' });
    expect(await clientView()).toMatchObject({
      paymentStatus: 'inadimplente',
      updates: [{ paymentStatus: 'inadimplente' }],
    });
    await client.updatePaymentStatus({ clientApiToken: CLIENT_TOKEN, paymentStatus: 'adimplente' });
    expect((await clientView()).paymentStatus).toBe('adimplente');
    const request = at(
      await sandbox.control.requests({ operation: 'zapsign.partner.update_payment_status' }),
      0,
      'zapsign.partner.update_payment_status requests',
    );
    expect(request.path).toBe('/zapsign/api/v1/partner/update-payment-status/');
    expect(request.headers.authorization).toBe(`Bearer ${PARTNER}`);
    expect(request.body).toEqual({ client_api_token: CLIENT_TOKEN, payment_status: 'inadimplente' });
  });

  it('wrong partner token: 401 ProviderAuthError naming ZAPSIGN_PARTNER_TOKEN', async () => {
    const wrong = new ZapSignPartnerClient({ baseUrl: base, partnerToken: 'not-a-partner', timeoutMs: 400 });
    const error = await expectProviderError(
      wrong.updatePaymentStatus({ clientApiToken: CLIENT_TOKEN, paymentStatus: 'inadimplente' }),
      ProviderAuthError,
    );
    expect(error).toMatchObject({ statusCode: 401, setting: 'ZAPSIGN_PARTNER_TOKEN' });
  });

  it('missing Authorization: 401', async () => {
    const response = await fetch(`${base}/api/v1/partner/update-payment-status/`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(requestExample),
    });
    expect(response.status).toBe(401);
  });

  it('a partner that is not the parent (or an unknown client): 403 ProviderAuthError, status unchanged', async () => {
    await control(base, 'POST', '/__control/clients', { clientApiToken: 'other-client', parentToken: 'other-partner' });
    const error = await expectProviderError(
      client.updatePaymentStatus({ clientApiToken: 'other-client', paymentStatus: 'inadimplente' }),
      ProviderAuthError,
    );
    expect(error.statusCode).toBe(403);
    expect(error.message).toMatch(/parent/);
    expect((await clientView('other-client')).updates).toHaveLength(0);
    await expectProviderError(
      client.updatePaymentStatus({ clientApiToken: 'unknown-client', paymentStatus: 'adimplente' }),
      ProviderAuthError,
    );
  });

  it('the sandbox answers 400 with field errors for a bad body', async () => {
    const response = await fetch(`${base}/api/v1/partner/update-payment-status/`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${PARTNER}` },
      body: JSON.stringify({ payment_status: 'pago' }),
    });
    expect(response.status).toBe(400);
    const error = mapZapSignError({ status: 400, data: await response.json(), headers: {} });
    expect((error as InvalidRequestError).fieldErrors.map((e) => e.field).sort()).toEqual([
      'client_api_token',
      'payment_status',
    ]);
  });

  it('5xx Transient, 429 RateLimited, timeout after the update UnknownOutcome, malformed UnknownOutcome', async () => {
    const call = () => client.updatePaymentStatus({ clientApiToken: CLIENT_TOKEN, paymentStatus: 'inadimplente' });
    await sandbox.control.script({ provider: 'zapsign', times: 1, outcome: { type: 'server_error' } });
    await expectProviderError(call(), TransientProviderError);
    await sandbox.control.script({
      provider: 'zapsign',
      times: 1,
      outcome: { type: 'rate_limit', retryAfterSeconds: 2 },
    });
    expect((await expectProviderError(call(), RateLimitedError)).retryAfterMs).toBe(2000);
    await sandbox.control.script({ provider: 'zapsign', times: 1, outcome: { type: 'timeout', phase: 'after' } });
    await expectProviderError(call(), UnknownOutcomeError);
    await sandbox.control.script({ provider: 'zapsign', times: 1, outcome: { type: 'malformed' } });
    await expectProviderError(call(), UnknownOutcomeError);
    // Only the two requests that reached the operation changed the status.
    expect((await clientView()).updates).toHaveLength(2);
  });

  it('the activity resolves the client token from a reference; the token is not in its input or result', async () => {
    const resolved: string[] = [];
    const activities = createPartnerActivities({
      zapsign: client,
      resolveClientToken: async (clientRef) => {
        resolved.push(clientRef);
        return CLIENT_TOKEN;
      },
    });
    const input = { clientRef: 'customer-42', paymentStatus: 'inadimplente' as const };
    const result = await quietActivityEnvironment().run(activities.updatePartnerPaymentStatus, input);
    expect(result).toEqual(input);
    expect(JSON.stringify(result)).not.toContain(CLIENT_TOKEN);
    expect(resolved).toEqual(['customer-42']);
    const view = await clientView();
    expect(view.paymentStatus).toBe('inadimplente');
    expect(view.updates.filter((u) => u.paymentStatus === 'inadimplente')).toHaveLength(1);
  });

  it('the activity turns a 403 into a non-retryable ProviderAuth failure', async () => {
    const activities = createPartnerActivities({ zapsign: client, resolveClientToken: async () => 'unknown-client' });
    const failure = await rejectionOf(
      quietActivityEnvironment().run(activities.updatePartnerPaymentStatus, {
        clientRef: 'x',
        paymentStatus: 'adimplente' as const,
      }),
    );
    expect(failure).toMatchObject({ type: 'ProviderAuth', nonRetryable: true });
  });
});
