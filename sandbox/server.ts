/**
 * The provider sandbox: one HTTP server that imitates all five providers at their documented
 * paths (each under its own prefix, see SANDBOX_PREFIX), plus a control API under /__sandbox.
 */
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { ProviderName } from '../providers/errors';
import { SANDBOX_CREDENTIALS, SANDBOX_PREFIX } from '../common/sandbox-credentials';
import { systemClock, type SandboxClock } from './clock';
import { OUTCOME_TYPES, SandboxState, type OutcomeType, type ScriptedOutcome } from './state';
import { SandboxStore, type PersistedSection } from './persistence';
import { rateLimitSchema } from './rate-limit';
import { fieldIssues } from '../common/validation';
import { registerAdiq } from './providers/adiq';
import { registerZspay } from './providers/zspay';
import { registerActivePlatform } from './providers/activeplatform';
import { registerZapSign } from './providers/zapsign';
import { registerPaymentStatus } from './providers/payment-status';

export interface SandboxOptions {
  /** Where the sandbox sends provider webhooks when nothing more specific is registered. */
  webhookBaseUrl?: string;
  /**
   * Full webhook URLs per provider, as registered with the real provider (the engine's ingress URL
   * carries its secret). Overrides `${webhookBaseUrl}/webhooks/<provider>`.
   */
  webhookUrls?: Partial<Record<ProviderName, string>>;
  /** Default wait for a scripted timeout; longer than any client timeout. */
  timeoutHangMs?: number;
  credentials?: typeof SANDBOX_CREDENTIALS;
  logger?: boolean;
  /**
   * Where the sandbox keeps what the providers hold (clients, cards, sales, balances, plans,
   * subscriptions, payments...), the ledger and the scripted outcomes across restarts: a JSON file,
   * read at start, written a moment after every change and on close. Unset (tests): memory only.
   */
  stateFile?: string;
  /** Quiet time after a change before the state file is written (default 200 ms). */
  stateSaveDelayMs?: number;
  /** How many entries the request log, the arrivals and the merchant callbacks keep (default 10,000 each). */
  logLimit?: number;
  /**
   * The providers' "now" (tokens, timestamps, log entries, rate limits) and the length of scripted
   * holds (latency, timeout): the system clock unless a test moves a ManualClock.
   */
  clock?: SandboxClock;
}

interface RequestMark {
  provider: ProviderName;
  /** Unknown for a request the rate limit refused before its handler ran. */
  operation?: string;
  outcome: OutcomeType;
}

/** What each provider module gets to build its routes. */
export interface SandboxContext {
  state: SandboxState;
  /** The sandbox's time (SandboxOptions.clock). */
  clock: SandboxClock;
  options: Required<Pick<SandboxOptions, 'timeoutHangMs' | 'credentials'>> & { webhookBaseUrl?: string };
  /** Where this provider's webhooks go, or undefined when none is configured. */
  webhookUrl(provider: ProviderName): string | undefined;
  /** Picks the scripted outcome for this request and marks the request in the log. */
  take(
    request: FastifyRequest,
    provider: ProviderName,
    operation: string,
    keys: Array<string | number | undefined>,
  ): ScriptedOutcome;
  /**
   * Applies the generic part of an outcome at one phase of the handler. Returns true when it
   * answered (or will never answer) the request, in which case the handler must stop.
   * 'before': latency, 5xx, 429, a timeout before anything happened. 'after': a timeout or a
   * malformed body after the operation took effect.
   */
  interrupt(reply: FastifyReply, outcome: ScriptedOutcome, phase: 'before' | 'after'): Promise<boolean>;
  /** Sends a webhook as the provider would, recording it in the log. */
  sendWebhook(
    provider: ProviderName,
    url: string,
    body: unknown,
    headers?: Record<string, string>,
  ): Promise<number | undefined>;
  /** Registers state to clear on POST /__sandbox/reset. */
  onReset(reset: () => void): void;
  /**
   * Registers state to keep across restarts when the sandbox has a state file (a no-op otherwise).
   * The sandbox saves after every request that may have changed it, so handlers need not report changes.
   */
  persist(name: string, section: PersistedSection): void;
}

const providerSchema = z.enum(['adiq', 'zspay', 'activeplatform', 'zapsign', 'payment-status']);

const ruleSchema = z.object({
  provider: providerSchema.optional(),
  operation: z.string().min(1).optional(),
  match: z.string().min(1).optional(),
  times: z.number().int().positive().optional(),
  outcome: z.object({
    type: z.enum(OUTCOME_TYPES),
    code: z.string().optional(),
    delayMs: z.number().int().nonnegative().max(600_000).optional(),
    phase: z.enum(['before', 'after']).optional(),
    status: z.number().int().min(500).max(599).optional(),
    retryAfterSeconds: z.number().int().nonnegative().optional(),
  }),
});
export type ScenarioRuleInput = z.input<typeof ruleSchema>;

export function providerOfPath(url: string): ProviderName | 'control' | 'unknown' {
  if (url.startsWith('/__sandbox') || url.startsWith('/merchant/')) return 'control';
  if (url.startsWith('/adiq/')) return 'adiq';
  if (url.startsWith(`${SANDBOX_PREFIX.zspay}/`)) return 'zspay';
  if (url.startsWith(`${SANDBOX_PREFIX.activeplatform}/`)) return 'activeplatform';
  if (url.startsWith(`${SANDBOX_PREFIX.zapsign}/`)) return 'zapsign';
  if (url.startsWith(`${SANDBOX_PREFIX.paymentStatus}/`)) return 'payment-status';
  return 'unknown';
}

/** Zod issues grouped by field: { field: [messages] }. */
const fieldErrors = (error: z.ZodError): Record<string, string[]> => {
  const errors: Record<string, string[]> = {};
  for (const { field, message } of fieldIssues(error)) (errors[field] ??= []).push(message);
  return errors;
};

export async function buildSandbox(
  options: SandboxOptions = {},
): Promise<{ app: FastifyInstance; state: SandboxState }> {
  const clock = options.clock ?? systemClock;
  const state = new SandboxState(options.logLimit, clock);
  const store = options.stateFile
    ? new SandboxStore({ file: options.stateFile, delayMs: options.stateSaveDelayMs })
    : undefined;
  const rateLimits = state.rateLimits;
  const marks = new WeakMap<FastifyRequest, RequestMark>();
  const resets: Array<() => void> = [];
  /** Scripted holds in progress, cancelled on close. */
  const pendingHolds = new Set<() => void>();
  const app = Fastify({ logger: options.logger ?? false, forceCloseConnections: true, bodyLimit: 1_048_576 });

  // Providers send and expect various media types (ActivePlatform: application/vnd.api+json).
  app.addContentTypeParser(/^application\/.*json/, { parseAs: 'string' }, (_req, body, done) => {
    if (body === '') return done(null, undefined);
    try {
      done(null, JSON.parse(body as string));
    } catch {
      const error = new Error('Body is not valid JSON') as Error & { statusCode: number };
      error.statusCode = 400;
      done(error, undefined);
    }
  });

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const cancel = clock.setTimer(ms, () => {
        pendingHolds.delete(cancel);
        resolve();
      });
      pendingHolds.add(cancel);
    });

  const ctx: SandboxContext = {
    state,
    clock,
    options: {
      timeoutHangMs: options.timeoutHangMs ?? 30_000,
      credentials: options.credentials ?? SANDBOX_CREDENTIALS,
      webhookBaseUrl: options.webhookBaseUrl,
    },
    webhookUrl(provider) {
      const explicit = options.webhookUrls?.[provider];
      if (explicit) return explicit;
      return options.webhookBaseUrl ? `${options.webhookBaseUrl.replace(/\/+$/, '')}/webhooks/${provider}` : undefined;
    },
    take(request, provider, operation, keys) {
      state.logArrival(provider, operation);
      const outcome = state.take(provider, operation, keys);
      marks.set(request, { provider, operation, outcome: outcome.type });
      return outcome;
    },
    async interrupt(reply, outcome, phase) {
      const outcomePhase = outcome.phase ?? 'before';
      if (phase === 'before') {
        if (outcome.type === 'latency') await sleep(outcome.delayMs ?? 1000);
        if (outcome.type === 'server_error') {
          await reply.code(outcome.status ?? 500).send({ message: 'Sandbox: scripted server error' });
          return true;
        }
        // As when credentials are revoked or rotated: no retry of the same call can succeed.
        if (outcome.type === 'unauthorized') {
          await reply.code(401).send({ message: 'Sandbox: scripted unauthorized' });
          return true;
        }
        if (outcome.type === 'rate_limit') {
          await reply
            .code(429)
            .header('Retry-After', String(outcome.retryAfterSeconds ?? 1))
            .send({ message: 'Too Many Requests' });
          return true;
        }
      }
      if (outcome.type === 'timeout' && outcomePhase === phase) {
        await sleep(outcome.delayMs ?? ctx.options.timeoutHangMs);
        if (!reply.sent) await reply.code(504).send({ message: 'Sandbox: scripted timeout' });
        return true;
      }
      if (outcome.type === 'malformed' && phase === 'after') {
        await reply.code(200).header('Content-Type', 'application/json').send('{"truncated": ');
        return true;
      }
      return false;
    },
    async sendWebhook(provider, url, body, headers = {}) {
      let status: number | undefined;
      if (!state.webhooksEnabled) {
        state.logRequest({
          direction: 'webhook',
          provider,
          method: 'POST',
          path: url,
          headers,
          body,
          status: undefined,
          operation: 'dropped',
        });
        return undefined;
      }
      try {
        const response = await fetch(url, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', ...headers },
          body: JSON.stringify(body),
          signal: AbortSignal.timeout(10_000),
        });
        status = response.status;
      } catch {
        status = undefined;
      }
      state.logRequest({ direction: 'webhook', provider, method: 'POST', path: url, headers, body, status });
      return status;
    },
    onReset(reset) {
      resets.push(reset);
    },
    persist(name, section) {
      store?.register(name, section);
    },
  };
  ctx.persist('control', state.persisted);

  const logged = new WeakSet<FastifyRequest>();
  /** Every provider request once: when answered, or when the caller hung up first (status undefined). */
  const logIncoming = (request: FastifyRequest, status: number | undefined) => {
    const provider = providerOfPath(request.url);
    if (provider === 'control' || logged.has(request)) return;
    logged.add(request);
    const mark = marks.get(request);
    state.logRequest({
      direction: 'incoming',
      provider: mark?.provider ?? provider,
      operation: mark?.operation,
      method: request.method,
      path: request.url.replace(/\?.*$/s, ''),
      query: request.query as Record<string, unknown>,
      headers: Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [k, String(v)])),
      body: request.body,
      status,
      outcome: mark?.outcome,
    });
  };
  // Every change is done by the time a request is answered or its caller hangs up. Any provider
  // request may change state (a read too: it may use up a scripted outcome); control reads do not.
  const stateMayHaveChanged = (request: FastifyRequest) => {
    if (providerOfPath(request.url) === 'control' && (request.method === 'GET' || request.method === 'HEAD')) return;
    store?.changed();
  };
  app.addHook('onResponse', async (request, reply) => {
    logIncoming(request, reply.statusCode);
    stateMayHaveChanged(request);
  });
  // A caller that times out closes the connection while a scripted hold is still running.
  app.addHook('onRequestAbort', async (request) => {
    logIncoming(request, undefined);
    stateMayHaveChanged(request);
  });

  // A provider's rate limit answers before any handler, so a refused request performs nothing; it
  // runs after the body is parsed (logged like any request, outcome 'rate_limit') and after the
  // provider's own request hooks (Zspay checks its token first: limits are per API client). Never
  // limited: the control API (/__sandbox, /merchant/, each provider's /__control/) and Adiq's OAuth
  // token endpoint, a separate host (authorization-*.adiq.io) whose limit is not the Recurrence API's.
  app.addHook('preHandler', async (request, reply) => {
    const provider = providerOfPath(request.url);
    if (
      provider === 'control' ||
      provider === 'unknown' ||
      request.url.includes('/__control/') ||
      request.url.startsWith(`${SANDBOX_PREFIX.adiqAuth}/`)
    )
      return;
    const admission = rateLimits.take(provider);
    if (admission.admitted) return;
    marks.set(request, { provider, outcome: 'rate_limit' });
    await ctx.interrupt(reply, { type: 'rate_limit', retryAfterSeconds: admission.retryAfterSeconds }, 'before');
    return reply;
  });

  app.addHook('onClose', async () => {
    for (const cancel of pendingHolds) cancel();
    pendingHolds.clear();
    await store?.close();
  });

  // Control API: script outcomes, read the request log and the ledger, reset.
  app.get('/__sandbox/health', async () => ({ ok: true }));
  app.post('/__sandbox/scenarios', async (request, reply) => {
    const parsed = ruleSchema.safeParse(request.body);
    if (!parsed.success) {
      return reply.code(400).send({ message: 'Invalid scenario', issues: parsed.error.issues });
    }
    const { times, ...rule } = parsed.data;
    return reply.code(201).send(state.addRule({ ...rule, remaining: times }));
  });
  app.get('/__sandbox/scenarios', async () => state.listRules());
  app.delete('/__sandbox/scenarios', async (_request, reply) => {
    state.clearRules();
    return reply.code(204).send();
  });
  app.get<{ Querystring: { provider?: string; operation?: string } }>('/__sandbox/requests', async (request) => {
    const { provider, operation } = request.query;
    return state.requests.filter(
      (r) => (!provider || r.provider === provider) && (!operation || r.operation === operation),
    );
  });
  app.get<{ Querystring: { provider?: string; reference?: string } }>('/__sandbox/ledger', async (request) => {
    const { provider, reference } = request.query;
    return state.ledger.filter(
      (e) => (!provider || e.provider === provider) && (!reference || e.reference === reference),
    );
  });
  /** The route's :provider, or undefined after answering 404. */
  const providerParam = async (
    request: FastifyRequest<{ Params: { provider: string } }>,
    reply: FastifyReply,
  ): Promise<ProviderName | undefined> => {
    const { provider } = request.params;
    const parsed = providerSchema.safeParse(provider);
    if (parsed.success) return parsed.data;
    await reply.code(404).send({ message: `Unknown provider '${provider}'` });
    return undefined;
  };
  app.get('/__sandbox/rate-limits', async () => rateLimits.list());
  app.put<{ Params: { provider: string } }>('/__sandbox/rate-limits/:provider', async (request, reply) => {
    const provider = await providerParam(request, reply);
    if (!provider) return reply;
    const limit = rateLimitSchema.safeParse(request.body);
    if (!limit.success)
      return reply.code(400).send({ message: 'Invalid rate limit', errors: fieldErrors(limit.error) });
    rateLimits.set(provider, limit.data);
    return reply.send({ provider, ...limit.data });
  });
  app.delete<{ Params: { provider: string } }>('/__sandbox/rate-limits/:provider', async (request, reply) => {
    const provider = await providerParam(request, reply);
    if (!provider) return reply;
    rateLimits.remove(provider);
    return reply.code(204).send();
  });
  app.post('/__sandbox/reset', async (_request, reply) => {
    state.reset();
    for (const reset of resets) reset();
    return reply.code(204).send();
  });

  // The merchant's system: receives the engine's signed notifications, kept raw for verification.
  await app.register(
    async (merchant) => {
      merchant.removeAllContentTypeParsers();
      merchant.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body));
      merchant.post('/*', async (request, reply) => {
        const status = state.merchantCallbackStatus(request.url);
        state.recordMerchantCallback({
          path: request.url,
          headers: Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [k, String(v)])),
          rawBody: typeof request.body === 'string' ? request.body : '',
          status,
        });
        return reply.code(status).send({ received: status < 300 });
      });
    },
    { prefix: '/merchant' },
  );
  app.get('/__sandbox/merchant-callbacks', async () => state.merchantCallbacks);
  app.get<{ Querystring: { operation?: string } }>('/__sandbox/arrivals', async (request) => {
    const { operation } = request.query;
    return state.arrivals.filter((a) => !operation || a.operation === operation);
  });
  app.post('/__sandbox/webhooks', async (request, reply) => {
    const parsed = z.object({ enabled: z.boolean() }).safeParse(request.body);
    if (!parsed.success) return reply.code(400).send({ message: 'Expected { enabled: boolean }' });
    state.webhooksEnabled = parsed.data.enabled;
    return reply.code(204).send();
  });
  app.post('/__sandbox/merchant-callbacks/failures', async (request, reply) => {
    const parsed = z
      .object({
        statuses: z.array(z.number().int().min(400).max(599)),
        path: z.string().startsWith('/merchant/').optional(),
      })
      .safeParse(request.body);
    if (!parsed.success)
      return reply.code(400).send({ message: 'Expected { statuses: number[], path?: "/merchant/..." }' });
    state.merchantCallbackFailures.push(...parsed.data.statuses.map((status) => ({ status, path: parsed.data.path })));
    return reply.code(204).send();
  });

  await app.register(async (scope) => registerAdiq(scope, ctx), { prefix: '/adiq' });
  await app.register(async (scope) => registerZspay(scope, ctx), { prefix: SANDBOX_PREFIX.zspay });
  await app.register(async (scope) => registerActivePlatform(scope, ctx), { prefix: SANDBOX_PREFIX.activeplatform });
  await app.register(async (scope) => registerZapSign(scope, ctx), { prefix: SANDBOX_PREFIX.zapsign });
  await app.register(async (scope) => registerPaymentStatus(scope, ctx), { prefix: SANDBOX_PREFIX.paymentStatus });
  // Every part has registered its state (and set its initial values): the saved state replaces them.
  if (store?.load() === 'set-aside') {
    state.reset();
    for (const reset of resets) reset();
  }

  return { app, state };
}
