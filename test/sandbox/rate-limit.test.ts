/** The sandbox's per-provider rate limit: the token bucket on a fake clock, then over HTTP. */
import { SANDBOX_CREDENTIALS, SANDBOX_PREFIX } from '../../common/sandbox-credentials';
import { ADIQ_AUTH_PATHS, ADIQ_RECURRENCE_PATHS } from '../../providers/adiq/paths';
import { RateLimitedError } from '../../providers/errors';
import { RateLimits, TokenBucket } from '../../sandbox/rate-limit';
import { useSandbox, type RunningSandbox } from '../helpers/sandbox';
import { customerWithCard, zspayClient } from '../providers/zspay/helpers';

const fakeClock = (start = 1_000_000) => {
  const clock = { now: start, read: () => clock.now, advance: (ms: number) => (clock.now += ms) };
  return clock;
};

/** How many of `count` consecutive requests the bucket admits. */
const admittedOf = (bucket: { take(): { admitted: boolean } }, count: number) =>
  Array.from({ length: count }, () => bucket.take()).filter((a) => a.admitted).length;

describe('TokenBucket', () => {
  it('starts full: admits a burst, then refuses', () => {
    const clock = fakeClock();
    const bucket = new TokenBucket({ requestsPerSecond: 2, burst: 5 }, clock.read);
    expect(admittedOf(bucket, 5)).toBe(5);
    expect(bucket.take()).toEqual({ admitted: false, retryAfterSeconds: 1 });
  });

  it('refills at requestsPerSecond, never above the burst', () => {
    const clock = fakeClock();
    const bucket = new TokenBucket({ requestsPerSecond: 4, burst: 3 }, clock.read);
    admittedOf(bucket, 3);
    clock.advance(249);
    expect(bucket.take().admitted).toBe(false);
    clock.advance(1);
    expect(bucket.take().admitted).toBe(true);
    clock.advance(60_000);
    expect(admittedOf(bucket, 10)).toBe(3);
  });

  it('admits a token made of fractional refills (10 × 0.1 token adds up to 0.9999999999999999)', () => {
    const clock = fakeClock();
    const bucket = new TokenBucket({ requestsPerSecond: 10, burst: 1 }, clock.read);
    bucket.take();
    for (let i = 1; i < 10; i++) {
      clock.advance(10);
      expect(bucket.take().admitted).toBe(false);
    }
    clock.advance(10);
    expect(bucket.take().admitted).toBe(true);
  });

  it('answers Retry-After as the wait for the next token, in whole seconds rounded up, at least 1', () => {
    const clock = fakeClock();
    const slow = new TokenBucket({ requestsPerSecond: 0.4, burst: 1 }, clock.read);
    slow.take();
    expect(slow.take()).toEqual({ admitted: false, retryAfterSeconds: 3 }); // next token in 2.5 s
    clock.advance(1600);
    expect(slow.take()).toEqual({ admitted: false, retryAfterSeconds: 1 }); // in 0.9 s
    clock.advance(900);
    expect(slow.take().admitted).toBe(true);

    const fast = new TokenBucket({ requestsPerSecond: 100, burst: 1 }, clock.read);
    fast.take();
    expect(fast.take()).toEqual({ admitted: false, retryAfterSeconds: 1 }); // 10 ms, still 1
  });

  it('refuses without taking a token', () => {
    const clock = fakeClock();
    const bucket = new TokenBucket({ requestsPerSecond: 1, burst: 1 }, clock.read);
    bucket.take();
    expect(admittedOf(bucket, 50)).toBe(0);
    clock.advance(1000);
    expect(bucket.take().admitted).toBe(true);
  });
});

describe('RateLimits', () => {
  it('limits each key on its own bucket; a key without a limit is always admitted', () => {
    const clock = fakeClock();
    const limits = new RateLimits<'zspay' | 'adiq'>(clock.read);
    limits.set('zspay', { requestsPerSecond: 1, burst: 2 });
    expect(admittedOf({ take: () => limits.take('zspay') }, 4)).toBe(2);
    expect(admittedOf({ take: () => limits.take('adiq') }, 100)).toBe(100);
    expect(limits.list()).toEqual({ zspay: { requestsPerSecond: 1, burst: 2 } });
  });

  it('starts a replaced limit full, and forgets removed and cleared ones', () => {
    const limits = new RateLimits<'zspay'>(fakeClock().read);
    limits.set('zspay', { requestsPerSecond: 1, burst: 1 });
    limits.take('zspay');
    limits.set('zspay', { requestsPerSecond: 1, burst: 2 });
    expect(admittedOf({ take: () => limits.take('zspay') }, 3)).toBe(2);
    expect(limits.remove('zspay')).toBe(true);
    expect(limits.take('zspay').admitted).toBe(true);
    limits.set('zspay', { requestsPerSecond: 1, burst: 1 });
    limits.clear();
    expect(limits.list()).toEqual({});
  });

  it('rejects a limit that could never admit anything', () => {
    const limits = new RateLimits<'zspay'>();
    expect(() => limits.set('zspay', { requestsPerSecond: 0, burst: 1 })).toThrow();
    expect(() => limits.set('zspay', { requestsPerSecond: 1, burst: 0.5 })).toThrow();
  });
});

describe('the sandbox with a rate limit', () => {
  let sandbox: RunningSandbox;
  useSandbox((started) => (sandbox = started));

  const control = (method: 'PUT' | 'DELETE' | 'GET', path: string, body?: unknown) =>
    fetch(`${sandbox.url}/__sandbox/rate-limits${path}`, {
      method,
      headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  it('answers a burst above the limit with 429 and Retry-After, charging only the admitted requests', async () => {
    const zspay = zspayClient(sandbox.url);
    const card = await customerWithCard(zspay);
    // One token every 10 s: nothing refills while the test runs.
    expect((await control('PUT', '/zspay', { requestsPerSecond: 0.1, burst: 3 })).status).toBe(200);

    const results = await Promise.allSettled(
      Array.from({ length: 8 }, () =>
        zspay.createCardSale({ clienteId: card.clientId, cartaoId: card.cardId, amountCents: 1000 }),
      ),
    );
    const refused = results
      .filter((r): r is PromiseRejectedResult => r.status === 'rejected')
      .map((r) => r.reason as unknown);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(3);
    expect(refused).toHaveLength(5);
    for (const error of refused) {
      expect(error).toBeInstanceOf(RateLimitedError);
      expect((error as RateLimitedError).retryAfterMs).toBe(10_000);
    }

    const charges = (await sandbox.control.ledger({ provider: 'zspay' })).filter((e) => e.kind === 'charge');
    expect(charges).toHaveLength(3);
    const sales = await sandbox.control.requests({ provider: 'zspay' });
    const saleAttempts = sales.filter((r) => r.direction === 'incoming' && r.path === '/zspay/vendas');
    expect(saleAttempts.map((r) => r.status).sort()).toEqual([200, 200, 200, 429, 429, 429, 429, 429]);
    for (const r of saleAttempts.filter((r) => r.status === 429)) {
      expect(r).toMatchObject({
        outcome: 'rate_limit',
        method: 'POST',
        body: { clienteId: Number(card.clientId), cartaoId: Number(card.cardId) },
      });
    }
    // The answer itself is the scripted rate_limit outcome's.
    const raw = await fetch(`${sandbox.url}/zspay/vendas/1`, {
      headers: { authorization: `Bearer ${SANDBOX_CREDENTIALS.zspay.token}` },
    });
    expect(raw.status).toBe(429);
    expect(raw.headers.get('retry-after')).toBe('10');
    expect(await raw.json()).toEqual({ message: 'Too Many Requests' });
  });

  it('limits only the named provider, never the control API or Adiq’s token endpoint', async () => {
    sandbox.state.rateLimits.set('adiq', { requestsPerSecond: 0.1, burst: 1 });
    const token = () =>
      fetch(`${sandbox.url}${SANDBOX_PREFIX.adiqAuth}${ADIQ_AUTH_PATHS.token}`, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          authorization: `Basic ${Buffer.from(`${SANDBOX_CREDENTIALS.adiq.clientId}:${SANDBOX_CREDENTIALS.adiq.clientSecret}`).toString('base64')}`,
        },
        body: JSON.stringify({ grantType: 'client_credentials' }),
      });
    for (let i = 0; i < 3; i++) expect((await token()).status).toBe(200);
    const recurrence = () => fetch(`${sandbox.url}${SANDBOX_PREFIX.adiqRecurrence}${ADIQ_RECURRENCE_PATHS.plans}`);
    expect((await recurrence()).status).not.toBe(429); // the one token (then 401: no bearer token)
    expect((await recurrence()).status).toBe(429);
    expect(await sandbox.control.ledger()).toEqual([]); // the control API still answers
    await customerWithCard(zspayClient(sandbox.url)); // Zspay is not limited
  });

  it('sets, lists and removes limits over HTTP; reset removes them all', async () => {
    expect(await (await control('PUT', '/zspay', { requestsPerSecond: 5, burst: 10 })).json()).toEqual({
      provider: 'zspay',
      requestsPerSecond: 5,
      burst: 10,
    });
    await control('PUT', '/zapsign', { requestsPerSecond: 1, burst: 1 });
    expect(await (await control('GET', '')).json()).toEqual({
      zspay: { requestsPerSecond: 5, burst: 10 },
      zapsign: { requestsPerSecond: 1, burst: 1 },
    });
    expect((await control('DELETE', '/zspay')).status).toBe(204);
    expect(await (await control('GET', '')).json()).toEqual({ zapsign: { requestsPerSecond: 1, burst: 1 } });
    await sandbox.control.reset();
    expect(await (await control('GET', '')).json()).toEqual({});
  });

  it('rejects a malformed limit field by field, and an unknown provider', async () => {
    const invalid = await control('PUT', '/zspay', { requestsPerSecond: -1, burst: 1.5 });
    expect(invalid.status).toBe(400);
    const body = (await invalid.json()) as { errors: Record<string, string[]> };
    expect(Object.keys(body.errors).sort()).toEqual(['burst', 'requestsPerSecond']);
    expect((await control('PUT', '/zspay', {})).status).toBe(400);
    expect((await control('PUT', '/stripe', { requestsPerSecond: 1, burst: 1 })).status).toBe(404);
    expect((await control('DELETE', '/stripe')).status).toBe(404);
    expect(await (await control('GET', '')).json()).toEqual({});
  });
});
