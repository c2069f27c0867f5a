/**
 * The one way provider clients talk HTTP: an axios instance with an explicit timeout, every
 * request body and every answer checked by zod, and every failure sorted into the taxonomy.
 *
 * Transport failures are classified here, identically for all providers; a provider's own
 * error answers (4xx/5xx bodies) go through that provider's `mapErrorResponse`.
 */
import axios, { AxiosError, type AxiosInstance, type AxiosRequestConfig, type Method } from 'axios';
import type { z } from 'zod';
import {
  type ProviderError,
  type ProviderName,
  RateLimitedError,
  TransientProviderError,
  UnknownOutcomeError,
} from './errors';

export interface ProviderErrorResponse {
  status: number;
  data: unknown;
  headers: Record<string, string | undefined>;
  requestId?: string;
}

export type ErrorResponseMapper = (response: ProviderErrorResponse) => ProviderError;

export interface ProviderHttpOptions {
  provider: ProviderName;
  baseURL: string;
  timeoutMs: number;
  /** Maps the provider's non-2xx answers onto the taxonomy. */
  mapErrorResponse: ErrorResponseMapper;
  /** Headers sent with every request (authentication, media types). */
  headers?: Record<string, string>;
  /** Called before each request, e.g. to attach a fresh OAuth token. */
  authorize?: () => Promise<Record<string, string>>;
}

export interface ProviderRequest<T> {
  method: Method;
  path: string;
  /** A request that changes state at the provider: a timeout after sending means "unknown outcome". */
  mutating?: boolean;
  body?: unknown;
  query?: Record<string, string | number | boolean | undefined>;
  headers?: Record<string, string>;
  response: z.ZodType<T>;
  /** Which statuses count as success (default 2xx). */
  acceptStatus?: (status: number) => boolean;
}

/** One provider HTTP exchange, as metrics see it: no URL, no body, nothing secret. */
export interface ProviderRequestSample {
  provider: ProviderName;
  method: string;
  /** The answer's status; undefined when no answer came (timeout, connection refused...). */
  status: number | undefined;
  durationMs: number;
}

let requestObserver: ((sample: ProviderRequestSample) => void) | undefined;

/**
 * Every provider request is reported here once answered or failed (the worker's metrics: latency
 * and 429s by provider). One observer per process; `undefined` stops reporting.
 */
export function observeProviderRequests(observer: ((sample: ProviderRequestSample) => void) | undefined): void {
  requestObserver = observer;
}

function report(sample: ProviderRequestSample): void {
  try {
    requestObserver?.(sample);
  } catch {
    // Metrics never fail a provider call.
  }
}

export class ProviderHttp {
  readonly axios: AxiosInstance;

  constructor(private readonly options: ProviderHttpOptions) {
    this.axios = axios.create({
      baseURL: options.baseURL.replace(/\/+$/, ''),
      timeout: options.timeoutMs,
      headers: options.headers,
      // We classify statuses ourselves.
      validateStatus: () => true,
      // A provider answer is read as text first so a malformed body is ours to classify.
      transformResponse: [(data: unknown) => data],
      responseType: 'text',
    });
  }

  get provider(): ProviderName {
    return this.options.provider;
  }

  async request<T>(req: ProviderRequest<T>): Promise<T> {
    const { provider } = this.options;
    const authHeaders = this.options.authorize ? await this.options.authorize() : {};
    const config: AxiosRequestConfig = {
      method: req.method,
      url: req.path,
      data: req.body === undefined ? undefined : JSON.stringify(req.body),
      params: req.query,
      headers: {
        ...(req.body === undefined ? {} : { 'Content-Type': 'application/json' }),
        ...this.options.headers,
        ...authHeaders,
        ...req.headers,
      },
    };
    let status: number;
    let text: string;
    let headers: Record<string, string | undefined>;
    const started = performance.now();
    try {
      const response = await this.axios.request<string>(config);
      status = response.status;
      text = typeof response.data === 'string' ? response.data : '';
      headers = normalizeHeaders(response.headers);
    } catch (error) {
      report({ provider, method: req.method, status: undefined, durationMs: performance.now() - started });
      throw classifyTransportError(provider, req, error);
    }
    report({ provider, method: req.method, status, durationMs: performance.now() - started });

    const body = parseJson(text);
    const requestId = headers['x-request-id'];
    const ok = req.acceptStatus ? req.acceptStatus(status) : status >= 200 && status < 300;
    if (!ok) {
      if (status === 429) {
        throw new RateLimitedError(`${provider} rate limited the request`, {
          provider,
          statusCode: status,
          requestId,
          retryAfterMs: parseRetryAfter(headers['retry-after']),
          raw: body.ok ? body.value : text.slice(0, 500),
        });
      }
      throw this.options.mapErrorResponse({ status, data: body.ok ? body.value : text, headers, requestId });
    }

    const parsed = body.ok ? req.response.safeParse(body.value) : undefined;
    if (!parsed?.success) {
      // We cannot read the answer. For a write the provider may well have acted on it.
      const reason = parsed ? describeZodIssues(parsed.error) : 'body is not JSON';
      const message = `${provider} answered ${req.method} ${req.path} with an unreadable body (${reason})`;
      const details = { provider, statusCode: status, requestId, raw: text.slice(0, 500) };
      throw req.mutating ? new UnknownOutcomeError(message, details) : new TransientProviderError(message, details);
    }
    return parsed.data;
  }
}

function classifyTransportError(provider: ProviderName, req: ProviderRequest<unknown>, error: unknown): ProviderError {
  const err = error as AxiosError;
  const code = err.code ?? 'UNKNOWN';
  // Nothing reached the provider when the connection was refused or the host was not found.
  const neverSent = ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ERR_INVALID_URL'].includes(code);
  const message = `${provider} ${req.method} ${req.path} failed: ${code} ${err.message ?? ''}`.trim();
  if (req.mutating && !neverSent) {
    return new UnknownOutcomeError(message, { provider, code });
  }
  return new TransientProviderError(message, { provider, code });
}

function normalizeHeaders(headers: Record<string, unknown>): Record<string, string | undefined> {
  const result: Record<string, string | undefined> = {};
  for (const [key, value] of Object.entries(headers ?? {})) result[key.toLowerCase()] = headerText(value);
  return result;
}

/** A header's value as text; a repeated header's values joined as HTTP joins them. */
function headerText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value))
    return value
      .map(headerText)
      .filter((text) => text !== undefined)
      .join(', ');
  return undefined;
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  if (text === '') return { ok: true, value: undefined };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

/** Retry-After is either delta-seconds or an HTTP date. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.round(seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

export function describeZodIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.length ? issue.path.join('.') : '(root)'}: ${issue.message}`)
    .join('; ');
}
