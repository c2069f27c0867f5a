/**
 * The Adiq access token ("Access Token Generation"): POST with HTTP Basic
 * base64(clientId:clientSecret) and {"grantType":"client_credentials"}; the answer's token expires
 * after `expires_in` seconds (1800 in the example). The README: cache it, never fetch per call.
 *
 * - Cached until `renewMarginMs` before it expires (default 60 s, capped at half the lifetime so a
 *   short-lived token is still reused), then renewed by the next caller: a token is never sent in
 *   its last minute, when clock skew or a slow request could make it expire in flight.
 * - Single-flight: concurrent callers without a valid token share ONE token request.
 * - `invalidate(token)` drops the cached token after the provider rejected it (401), unless it was
 *   already replaced (another caller renewed it meanwhile).
 * - The clock is injectable for tests.
 */
import { ProviderHttp } from '../http';
import { validateRequest } from '../request-validation';
import { mapAdiqError } from './errors';
import { ADIQ_AUTH_PATHS } from './paths';
import { tokenRequestSchema, tokenResponseSchema } from './schemas';

export const DEFAULT_TOKEN_RENEW_MARGIN_MS = 60_000;

export interface AdiqTokenOptions {
  /** The auth host (ADIQ_HOSTS[env].auth, or the sandbox's /adiq/auth). */
  authBaseUrl: string;
  clientId: string;
  clientSecret: string;
  timeoutMs: number;
  renewMarginMs?: number;
  /** Milliseconds since the epoch; Date.now by default. */
  now?: () => number;
}

export interface AdiqAccessToken {
  /** The Authorization header value: `${token_type} ${access_token}`. */
  authorization: string;
  accessToken: string;
  expiresAt: number;
}

export interface AdiqTokenSource {
  get(): Promise<AdiqAccessToken>;
  invalidate(token?: AdiqAccessToken): void;
}

export class AdiqTokenCache implements AdiqTokenSource {
  private readonly http: ProviderHttp;
  private readonly now: () => number;
  private readonly renewMarginMs: number;
  private current?: AdiqAccessToken & { renewAt: number };
  private inflight?: Promise<AdiqAccessToken>;
  private requests = 0;

  constructor(private readonly options: AdiqTokenOptions) {
    this.now = options.now ?? Date.now;
    this.renewMarginMs = options.renewMarginMs ?? DEFAULT_TOKEN_RENEW_MARGIN_MS;
    const basic = Buffer.from(`${options.clientId}:${options.clientSecret}`, 'utf8').toString('base64');
    this.http = new ProviderHttp({
      provider: 'adiq',
      baseURL: options.authBaseUrl,
      timeoutMs: options.timeoutMs,
      mapErrorResponse: mapAdiqError,
      headers: { Authorization: `Basic ${basic}`, Accept: 'application/json' },
    });
  }

  /** How many token requests this cache has sent (diagnostics and tests). */
  get tokenRequests(): number {
    return this.requests;
  }

  async get(): Promise<AdiqAccessToken> {
    const current = this.current;
    if (current && this.now() < current.renewAt) return current;
    this.inflight ??= this.fetchToken().finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  invalidate(token?: AdiqAccessToken): void {
    if (!token || this.current?.accessToken === token.accessToken) this.current = undefined;
  }

  private async fetchToken(): Promise<AdiqAccessToken> {
    this.requests += 1;
    const requestedAt = this.now();
    const answer = await this.http.request({
      method: 'POST',
      path: ADIQ_AUTH_PATHS.token,
      body: validateRequest('adiq', tokenRequestSchema, { grantType: 'client_credentials' }),
      response: tokenResponseSchema,
    });
    // Counted from when we asked, not when the answer arrived: errs on the early side.
    const lifetimeMs = answer.expires_in * 1000;
    const expiresAt = requestedAt + lifetimeMs;
    const margin = Math.min(this.renewMarginMs, lifetimeMs / 2);
    const token = {
      authorization: `${answer.token_type} ${answer.access_token}`,
      accessToken: answer.access_token,
      expiresAt,
      renewAt: expiresAt - margin,
    };
    this.current = token;
    return token;
  }
}
