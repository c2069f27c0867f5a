import { AdiqTokenCache, type AdiqAccessToken, type AdiqTokenSource } from '../../../providers/adiq/token';
import { ProviderAuthError, TransientProviderError } from '../../../providers/errors';
import { SANDBOX_CREDENTIALS, SANDBOX_PREFIX } from '../../../common/sandbox-credentials';
import { ManualClock } from '../../../sandbox/clock';
import { useSandbox, type RunningSandbox } from '../../helpers/sandbox';
import { expectProviderError } from '../expect-error';
import { adiqClient, adiqControl, tokenRequests } from './helpers';

describe('Adiq token cache', () => {
  let sandbox: RunningSandbox;
  // The sandbox's clock (when its tokens expire) and the caches' clock: one time, moved by the tests.
  const clock = new ManualClock(1_700_000_000_000);
  const now = () => clock.now();

  useSandbox((started) => (sandbox = started), { clock });

  const unauthorized = async () =>
    (await sandbox.control.requests({ provider: 'adiq' })).filter(
      (r) => r.status === 401 && r.path.includes('/recurrence/'),
    ).length;

  it('20 concurrent calls share ONE token request', async () => {
    const client = adiqClient(sandbox);
    const pages = await Promise.all(Array.from({ length: 20 }, () => client.searchPlans()));
    expect(pages).toHaveLength(20);
    expect(await tokenRequests(sandbox)).toBe(1);
    expect((await sandbox.control.requests({ operation: 'adiq.plan.search' })).length).toBe(20);
    // And later calls keep using it.
    await client.searchSubscriptions();
    expect(await tokenRequests(sandbox)).toBe(1);
  });

  it('renews ahead of expiry (60 s margin) with an injected clock', async () => {
    const cache = new AdiqTokenCache({
      authBaseUrl: `${sandbox.url}${SANDBOX_PREFIX.adiqAuth}`,
      ...SANDBOX_CREDENTIALS.adiq,
      timeoutMs: 500,
      now,
    });
    const first = await cache.get();
    expect(first.expiresAt).toBe(clock.now() + 1_800_000);
    clock.advance(1_800_000 - 61_000); // 61 s before expiry: still good
    expect(await cache.get()).toBe(first);
    expect(cache.tokenRequests).toBe(1);
    clock.advance(2_000); // 59 s before expiry: renewed before it runs out
    const second = await cache.get();
    expect(second.accessToken).not.toBe(first.accessToken);
    expect(cache.tokenRequests).toBe(2);
    expect(await tokenRequests(sandbox)).toBe(2);
  });

  it('a short-lived token is still reused (margin capped at half its lifetime) and renewed without a 401', async () => {
    await adiqControl(sandbox, 'POST', '/token-lifetime', { seconds: 1 });
    const client = adiqClient(sandbox, { now });
    await client.searchPlans();
    await client.searchPlans();
    expect(await tokenRequests(sandbox)).toBe(1);
    clock.advance(600); // past the renewal (half of the 1 s lifetime), before the sandbox expires it
    await client.searchPlans();
    expect(await tokenRequests(sandbox)).toBe(2);
    expect(await unauthorized()).toBe(0);
  });

  it('recovers when the provider expires the token early: 401, invalidate, ONE renewal, retry', async () => {
    const client = adiqClient(sandbox);
    await client.searchPlans();
    await adiqControl(sandbox, 'POST', '/tokens/expire');
    const results = await Promise.all(Array.from({ length: 10 }, () => client.searchPlans()));
    expect(results).toHaveLength(10);
    expect(await unauthorized()).toBe(10);
    expect(await tokenRequests(sandbox)).toBe(2);
  });

  it('a second 401 is a credentials problem, not retried further', async () => {
    const bogus: AdiqAccessToken = {
      authorization: 'Bearer revoked',
      accessToken: 'revoked',
      expiresAt: Number.MAX_SAFE_INTEGER,
    };
    const invalidate = jest.fn();
    const tokens: AdiqTokenSource = { get: async () => bogus, invalidate };
    const client = adiqClient(sandbox, { tokens });
    const error = await expectProviderError(client.getPlan('0dd23cbd-de75-45a5-b2d1-972191140593'), ProviderAuthError);
    expect(error.setting).toBe('ADIQ_CLIENT_ID/ADIQ_CLIENT_SECRET');
    expect(invalidate).toHaveBeenCalledTimes(1);
    expect(await unauthorized()).toBe(2);
  });

  it('a failed token request fails every waiting caller once, and the next call asks again', async () => {
    await sandbox.control.script({ operation: 'adiq.auth.token', times: 1, outcome: { type: 'server_error' } });
    const client = adiqClient(sandbox);
    const settled = await Promise.allSettled(Array.from({ length: 5 }, () => client.searchPlans()));
    expect(settled.every((s) => s.status === 'rejected' && s.reason instanceof TransientProviderError)).toBe(true);
    expect(await tokenRequests(sandbox)).toBe(1);
    await expect(client.searchPlans()).resolves.toMatchObject({ total: 0 });
    expect(await tokenRequests(sandbox)).toBe(2);
  });

  it('the token endpoint checks the grant type in the documented error shape', async () => {
    const basic = Buffer.from(`${SANDBOX_CREDENTIALS.adiq.clientId}:${SANDBOX_CREDENTIALS.adiq.clientSecret}`).toString(
      'base64',
    );
    const response = await fetch(`${sandbox.url}/adiq/auth/oauth2/v1/token`, {
      method: 'POST',
      headers: { Authorization: `Basic ${basic}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ grantType: 'password' }),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual([
      { tag: 'grantType', description: 'grantType must be "client_credentials"' },
    ]);
  });
});
