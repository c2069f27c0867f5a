/**
 * The codec server the Temporal Web UI (`--ui-codec-endpoint`) and CLI (`--codec-endpoint`) use to
 * show decrypted payloads: POST /codec/encode and /codec/decode with `{ payloads: [...] }`
 * (base64 fields).
 *
 * It fails closed: nothing is encoded or decoded without a credential. Either the API key
 * (`Authorization: Bearer <key>` or `X-Api-Key`: the Temporal CLI's `--codec-auth`, scripts), or,
 * for a browser, a codec session cookie: signing in once at GET /codec/session with the API key
 * sets an HttpOnly, SameSite=Strict cookie scoped to /codec, which the Web UI sends when its codec
 * settings "include cross-origin credentials". The cookie counts only on requests from the
 * configured Web UI origin. An Origin header alone is never a credential: any local process can
 * send one.
 */
import { createHmac } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { z } from 'zod';
import { ValidationError } from '../../common/validation';
import { presentedKey, secretsEqual } from '../auth';

/** The Temporal codec server protocol's body: payloads with base64 metadata values and data. */
const base64 = z.base64('must be base64');
const codecBodySchema = z.object({
  // The Temporal CLI sends no payloads at all (absent or null) for a call without arguments.
  payloads: z
    .array(z.object({ metadata: z.record(z.string(), base64).optional(), data: base64.optional() }), {
      error: 'payloads must be an array of payloads',
    })
    .nullish(),
});
type JsonPayload = NonNullable<z.infer<typeof codecBodySchema>['payloads']>[number];

export interface CodecRouteOptions {
  codec: PayloadCodec;
  apiKey: string;
  /** The Web UI's origin (`http://127.0.0.1:8233`): CORS, and where a codec session cookie counts. */
  uiOrigin?: string;
  /** How long a browser's codec session lasts (default 12 hours). */
  sessionSeconds?: number;
  /** For tests. */
  now?: () => number;
}

export const CODEC_SESSION_COOKIE = 'billing_codec_session';
const DEFAULT_SESSION_SECONDS = 12 * 3600;

const fromJson = (p: JsonPayload): Payload => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
  data: p.data === undefined ? undefined : Buffer.from(p.data, 'base64'),
});
const toJson = (p: Payload): JsonPayload => ({
  metadata: Object.fromEntries(
    Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
  ),
  data: p.data ? Buffer.from(p.data).toString('base64') : undefined,
});

/** A session token: its expiry and an HMAC of it under the API key (stateless; a new key ends every session). */
function sessionToken(apiKey: string, expiresAt: number): string {
  const mac = createHmac('sha256', apiKey).update(`codec-session:${expiresAt}`).digest('base64url');
  return `${expiresAt}.${mac}`;
}

function validSession(token: string | undefined, apiKey: string, now: number): boolean {
  if (!token) return false;
  const match = /^(\d{10,13})\.[\w-]+$/.exec(token);
  if (!match) return false;
  const expiresAt = Number(match[1]);
  return expiresAt > now && secretsEqual(token, sessionToken(apiKey, expiresAt));
}

function cookie(request: FastifyRequest, name: string): string | undefined {
  const header = request.headers.cookie;
  if (typeof header !== 'string') return undefined;
  for (const part of header.split(';')) {
    const index = part.indexOf('=');
    if (index > 0 && part.slice(0, index).trim() === name) return part.slice(index + 1).trim();
  }
  return undefined;
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function signInPage(message: string): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>Billing engine codec server</title></head>
<body style="font-family: sans-serif; max-width: 40em; margin: 3em auto">
<h1>Decrypt payloads in the Temporal Web UI</h1>
<p>${escapeHtml(message)}</p>
<form method="post" action="/codec/session">
<label>API key <input type="password" name="apiKey" autocomplete="current-password" autofocus required></label>
<button type="submit">Sign in</button>
</form>
<p>Then, in the Web UI's codec server settings, use the browser setting with this endpoint and
"Include cross-origin credentials" (see the README, "Encrypted payloads and the codec server").</p>
</body></html>`;
}

export function registerCodecRoutes(app: FastifyInstance, options: CodecRouteOptions): void {
  const now = options.now ?? Date.now;
  const sessionSeconds = options.sessionSeconds ?? DEFAULT_SESSION_SECONDS;
  const fromUi = (request: FastifyRequest) =>
    options.uiOrigin !== undefined && request.headers.origin === options.uiOrigin;
  const hasApiKey = (request: FastifyRequest) => {
    const key = presentedKey(request.headers);
    return key !== undefined && secretsEqual(key, options.apiKey);
  };
  const allowed = (request: FastifyRequest) =>
    hasApiKey(request) ||
    (fromUi(request) && validSession(cookie(request, CODEC_SESSION_COOKIE), options.apiKey, now()));
  const cors = (request: FastifyRequest, reply: FastifyReply) => {
    if (fromUi(request)) {
      void reply
        .header('Access-Control-Allow-Origin', options.uiOrigin)
        .header('Access-Control-Allow-Methods', 'POST, OPTIONS')
        .header('Access-Control-Allow-Headers', 'Content-Type, X-Namespace, Authorization, Authorization-Extras')
        .header('Access-Control-Allow-Credentials', 'true')
        .header('Vary', 'Origin');
    }
  };

  // In a scope of its own: the sign-in form's body parser stays out of the rest of the API.
  void app.register(async (scope) => {
    scope.addContentTypeParser(
      'application/x-www-form-urlencoded',
      { parseAs: 'string', bodyLimit: 4096 },
      (_request, body, done) => done(null, Object.fromEntries(new URLSearchParams(body as string))),
    );

    scope.get('/codec/session', async (_request, reply) =>
      reply
        .type('text/html; charset=utf-8')
        .header('Cache-Control', 'no-store')
        .send(signInPage('Sign this browser in with the API key (kept in .data/api-key under npm start).')),
    );
    scope.post<{ Body: { apiKey?: string } | undefined }>('/codec/session', async (request, reply) => {
      const body = request.body;
      const given = body && typeof body === 'object' && typeof body.apiKey === 'string' ? body.apiKey : undefined;
      const ok = given !== undefined ? secretsEqual(given, options.apiKey) : hasApiKey(request);
      if (!ok)
        return reply
          .code(401)
          .type('text/html; charset=utf-8')
          .header('Cache-Control', 'no-store')
          .send(signInPage('That is not the API key. Try again.'));
      const expiresAt = Math.floor(now() / 1000) * 1000 + sessionSeconds * 1000;
      void reply.header(
        'Set-Cookie',
        `${CODEC_SESSION_COOKIE}=${sessionToken(options.apiKey, expiresAt)}; Path=/codec; Max-Age=${sessionSeconds}; HttpOnly; SameSite=Strict`,
      );
      if (options.uiOrigin) return reply.code(303).header('Location', options.uiOrigin).send();
      return reply.type('text/plain; charset=utf-8').send('Signed in: the Web UI can now decode payloads.\n');
    });

    for (const direction of ['encode', 'decode'] as const) {
      scope.options(`/codec/${direction}`, async (request, reply) => {
        cors(request, reply);
        return reply.code(204).send();
      });
      scope.post(`/codec/${direction}`, async (request, reply) => {
        cors(request, reply);
        if (!allowed(request))
          return reply.code(401).header('WWW-Authenticate', 'Bearer').type('application/problem+json').send({
            type: 'about:blank',
            title: 'Unauthorized',
            status: 401,
            detail: 'Send the API key as a Bearer token, or sign the browser in at /codec/session.',
          });
        // A malformed body is a 400 naming the field (zod's error), never a 500.
        const payloads = (codecBodySchema.parse(request.body ?? {}).payloads ?? []).map(fromJson);
        let result: Payload[];
        try {
          result = direction === 'encode' ? await options.codec.encode(payloads) : await options.codec.decode(payloads);
        } catch (error) {
          // A payload this key cannot open (tampered, another key id) is the caller's, not the server's, fault.
          throw new ValidationError([{ field: 'payloads', message: (error as Error).message }], 'codec request');
        }
        return { payloads: result.map(toJson) };
      });
    }
  });
}
