/**
 * The codec server fails closed: no request encodes or decodes without a credential. A forged
 * Origin (any local process can send one) gets 401; the Web UI's browser is let in by a session
 * cookie it gets by signing in with the API key, and only from the Web UI's origin.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { defaultPayloadConverter } from '@temporalio/common';
import { EncryptionCodec } from '../../client/encryption';
import { CODEC_SESSION_COOKIE, registerCodecRoutes } from '../../api/routes/codec';

describe('codec server authentication', () => {
  const apiKey = 'the-api-key';
  const uiOrigin = 'http://127.0.0.1:8233';
  const codec = new EncryptionCodec(new Map([['k1', Buffer.alloc(32, 3)]]), 'k1');
  let now = Date.UTC(2026, 11, 1, 12);
  let app: FastifyInstance;
  let body: string;
  let baseUrl: string;

  /** Over a real socket (light-my-request's inject does not load under Jest here). */
  const request = async (options: {
    method: string;
    url: string;
    headers?: Record<string, string>;
    payload?: string;
  }): Promise<{ statusCode: number; headers: Headers; body: string; json(): unknown }> => {
    const response = await fetch(`${baseUrl}${options.url}`, {
      method: options.method,
      headers: options.headers,
      body: options.payload,
      redirect: 'manual',
    });
    const text = await response.text();
    return {
      statusCode: response.status,
      headers: response.headers,
      body: text,
      json: () => JSON.parse(text) as unknown,
    };
  };

  beforeAll(async () => {
    app = Fastify();
    registerCodecRoutes(app, { codec, apiKey, uiOrigin, now: () => now });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.server.address();
    if (!address || typeof address === 'string') throw new Error('no TCP port');
    baseUrl = `http://127.0.0.1:${address.port}`;
    const [encrypted] = await codec.encode([defaultPayloadConverter.toPayload({ card: 'client-77' })]);
    body = JSON.stringify({
      payloads: [
        {
          metadata: Object.fromEntries(
            Object.entries(encrypted!.metadata!).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
          ),
          data: Buffer.from(encrypted!.data!).toString('base64'),
        },
      ],
    });
  });
  afterAll(() => app.close());

  const decode = (headers: Record<string, string>) =>
    request({
      method: 'POST',
      url: '/codec/decode',
      headers: { 'content-type': 'application/json', ...headers },
      payload: body,
    });
  const decodedText = (response: { json(): unknown }) => {
    const { payloads } = response.json() as { payloads: Array<{ data: string }> };
    return Buffer.from(payloads[0]!.data, 'base64').toString();
  };

  it('answers 401 to a forged Web UI Origin without a credential, on decode and encode', async () => {
    const forged = await decode({ origin: uiOrigin });
    expect(forged.statusCode).toBe(401);
    expect(forged.body).not.toContain('client-77');
    const encode = await request({
      method: 'POST',
      url: '/codec/encode',
      headers: { 'content-type': 'application/json', origin: uiOrigin },
      payload: JSON.stringify({ payloads: [] }),
    });
    expect(encode.statusCode).toBe(401);
    expect((await decode({})).statusCode).toBe(401);
    expect((await decode({ origin: uiOrigin, authorization: 'Bearer wrong' })).statusCode).toBe(401);
    expect(
      (await decode({ origin: uiOrigin, cookie: `${CODEC_SESSION_COOKIE}=9999999999999.forged` })).statusCode,
    ).toBe(401);
  });

  it("decodes for the API key as a Bearer token (the Temporal CLI's --codec-auth)", async () => {
    const response = await decode({ authorization: `Bearer ${apiKey}` });
    expect(response.statusCode).toBe(200);
    expect(decodedText(response)).toContain('client-77');
  });

  it('signs a browser in with the API key, then decodes for its cookie from the Web UI origin only', async () => {
    expect((await request({ method: 'GET', url: '/codec/session' })).body).toContain('<form');
    const refused = await request({
      method: 'POST',
      url: '/codec/session',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'apiKey=wrong',
    });
    expect(refused.statusCode).toBe(401);
    expect(refused.headers.get('set-cookie')).toBeNull();

    const signedIn = await request({
      method: 'POST',
      url: '/codec/session',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: `apiKey=${encodeURIComponent(apiKey)}`,
    });
    expect(signedIn.statusCode).toBe(303);
    expect(signedIn.headers.get('location')).toBe(uiOrigin);
    const setCookie = String(signedIn.headers.get('set-cookie'));
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Strict/);
    expect(setCookie).toMatch(/Path=\/codec/);
    const sessionCookie = setCookie.split(';')[0]!;

    const fromUi = await decode({ origin: uiOrigin, cookie: sessionCookie });
    expect(fromUi.statusCode).toBe(200);
    expect(fromUi.headers.get('access-control-allow-origin')).toBe(uiOrigin);
    expect(fromUi.headers.get('access-control-allow-credentials')).toBe('true');
    expect(decodedText(fromUi)).toContain('client-77');
    // The cookie counts only from the Web UI's origin, and only until it expires.
    expect((await decode({ origin: 'http://evil.example', cookie: sessionCookie })).statusCode).toBe(401);
    expect((await decode({ cookie: sessionCookie })).statusCode).toBe(401);
    now += 13 * 3600 * 1000;
    expect((await decode({ origin: uiOrigin, cookie: sessionCookie })).statusCode).toBe(401);
  });

  it("answers the Web UI's CORS preflight without a credential (browsers send none there)", async () => {
    const preflight = await request({ method: 'OPTIONS', url: '/codec/decode', headers: { origin: uiOrigin } });
    expect(preflight.statusCode).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(uiOrigin);
  });
});
