/**
 * The worker's configuration: provider hosts and credentials, from the environment, validated at
 * start-up with one clear message per missing or malformed setting. Out of the box every provider
 * points at the local sandbox with the sandbox's credentials; pointing a provider at a real host
 * makes its credentials mandatory (sandbox credentials are never sent to a real provider).
 */
import { z } from 'zod';
import { isTimeZone } from '../common/validation';
import { DEFAULT_SANDBOX_PORT, SANDBOX_CREDENTIALS, SANDBOX_PREFIX } from '../common/sandbox-credentials';
import { PROVIDER_QUEUES, type ProviderQueue } from '../common/task-queue';

const url = (setting: string) =>
  z
    .url({ message: `${setting} must be an http(s) URL` })
    .refine((v) => /^https?:\/\//.test(v), `${setting} must be an http(s) URL`);

/** A JSON object of reference -> secret, from one environment variable. */
const secretMap = (setting: string, what: string) =>
  z
    .string()
    .transform((value, ctx) => {
      try {
        return z.record(z.string(), z.string().min(1)).parse(JSON.parse(value));
      } catch {
        ctx.addIssue({ code: 'custom', message: `${setting} must be a JSON object of ${what}` });
        return z.NEVER;
      }
    })
    .optional();

/** `ZSPAY_REQUESTS_PER_SECOND`... */
export const pacingSetting = (provider: ProviderQueue) =>
  `${provider.toUpperCase().replace(/-/g, '_')}_REQUESTS_PER_SECOND`;
const requestsPerSecond = (setting: string) =>
  z.coerce
    .number({ message: `${setting} must be a number of requests per second (0: no limit)` })
    .min(0, `${setting} must be 0 or more`)
    .max(10_000, `${setting} must be at most 10000`)
    .optional();

/**
 * How fast each provider is called, in activities (one request each, mostly) per second, enforced
 * by the Temporal server on the provider's task queue across all workers. Conservative defaults: a
 * merchant that finds a provider's limit by being refused every billing day gets throttled or
 * flagged. 0 removes the limit.
 */
export const DEFAULT_PACING: Readonly<Record<ProviderQueue, number>> = {
  zspay: 20,
  adiq: 10,
  activeplatform: 5,
  zapsign: 5,
  'payment-status': 10,
};

/** A worker-sizing count: a positive integer, or absent for the SDK's default. */
const workerCount = (setting: string, max: number) =>
  z.coerce
    .number({ message: `${setting} must be a whole number` })
    .int(`${setting} must be a whole number`)
    .min(1, `${setting} must be at least 1`)
    .max(max, `${setting} must be at most ${max}`)
    .optional();

/**
 * What a refund does about money already paid out since the refunded payment (README, "Refunds"):
 * `notify` names the transfers in `payment.refunded`. `compensate` (a transfer back from the
 * establishment that received a payout) is recognised but refused at start-up: see
 * COMPENSATE_UNAVAILABLE.
 */
export const REFUND_PAYOUT_POLICIES = ['notify', 'compensate'] as const;
export type RefundPayoutPolicy = 'notify';

/**
 * Why `compensate` cannot run (Zspay's document, "Transferir ou Agendar Transferência"): the request
 * names no source establishment (tipoTransferencia, valor, toEstabelecimentoId | contaBancariaId);
 * the money leaves the establishment whose API token sends it (`from_estabelecimento_id` in the
 * answer). The engine sends every transfer with ZSPAY_TOKEN, so a transfer back from the payee
 * establishment is not expressible with the credentials it holds, and a payout to a bank account
 * has left Zspay altogether.
 */
export const COMPENSATE_UNAVAILABLE =
  'REFUND_PAYOUT_POLICY=compensate is not available: a Zspay transfer names no source establishment (it leaves the balance of the establishment whose token sends it), the engine sends with ZSPAY_TOKEN only, so it cannot transfer back from the establishment that received a payout (and a payout to a bank account has left Zspay); use notify (the default)';

const rawSchema = z.object({
  WORKER_MAX_CACHED_WORKFLOWS: workerCount('WORKER_MAX_CACHED_WORKFLOWS', 1_000_000),
  WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: workerCount('WORKER_MAX_CONCURRENT_WORKFLOW_TASKS', 10_000),
  WORKER_MAX_CONCURRENT_ACTIVITIES: workerCount('WORKER_MAX_CONCURRENT_ACTIVITIES', 10_000),
  WORKER_MAX_CONCURRENT_PROVIDER_ACTIVITIES: workerCount('WORKER_MAX_CONCURRENT_PROVIDER_ACTIVITIES', 10_000),
  SANDBOX_URL: url('SANDBOX_URL').optional(),
  PROVIDER_TIMEOUT_MS: z.coerce
    .number({ message: 'PROVIDER_TIMEOUT_MS must be a number of milliseconds' })
    .int()
    .min(100)
    .max(120_000)
    .optional(),
  MERCHANT_TIMEZONE: z
    .string()
    .refine(isTimeZone, 'MERCHANT_TIMEZONE must be an IANA time zone, e.g. America/Sao_Paulo')
    .optional(),
  ZSPAY_BASE_URL: url('ZSPAY_BASE_URL').optional(),
  ZSPAY_TOKEN: z.string().min(1, 'ZSPAY_TOKEN must not be empty').optional(),
  ADIQ_AUTH_URL: url('ADIQ_AUTH_URL').optional(),
  ADIQ_RECURRENCE_URL: url('ADIQ_RECURRENCE_URL').optional(),
  ADIQ_CLIENT_ID: z.string().min(1, 'ADIQ_CLIENT_ID must not be empty').optional(),
  ADIQ_CLIENT_SECRET: z.string().min(1, 'ADIQ_CLIENT_SECRET must not be empty').optional(),
  ADIQ_MERCHANT_ID: z
    .string()
    .min(1, 'ADIQ_MERCHANT_ID must not be empty')
    .max(20, 'ADIQ_MERCHANT_ID must be at most 20 characters')
    .optional(),
  ADIQ_WEBHOOK_SECRET: z.string().min(1, 'ADIQ_WEBHOOK_SECRET must not be empty').optional(),
  BILLING_PUBLIC_URL: url('BILLING_PUBLIC_URL').optional(),
  ACTIVEPLATFORM_BASE_URL: url('ACTIVEPLATFORM_BASE_URL').optional(),
  ACTIVEPLATFORM_API_TOKEN: z.string().min(1, 'ACTIVEPLATFORM_API_TOKEN must not be empty').optional(),
  ZAPSIGN_BASE_URL: url('ZAPSIGN_BASE_URL').optional(),
  ZAPSIGN_PARTNER_TOKEN: z.string().min(1, 'ZAPSIGN_PARTNER_TOKEN must not be empty').optional(),
  ZAPSIGN_CLIENT_TOKENS: secretMap('ZAPSIGN_CLIENT_TOKENS', 'client reference -> client API token'),
  MERCHANT_WEBHOOK_SECRETS: secretMap('MERCHANT_WEBHOOK_SECRETS', 'secret reference -> signing secret'),
  PAYMENT_STATUS_BASE_URL: url('PAYMENT_STATUS_BASE_URL').optional(),
  PAYMENT_STATUS_API_KEY: z.string().min(1, 'PAYMENT_STATUS_API_KEY must not be empty').optional(),
  REFUND_PAYOUT_POLICY: z
    .enum(REFUND_PAYOUT_POLICIES, {
      message: `REFUND_PAYOUT_POLICY must be one of ${REFUND_PAYOUT_POLICIES.join(', ')}`,
    })
    .optional(),
  ...Object.fromEntries(
    PROVIDER_QUEUES.map((provider) => [pacingSetting(provider), requestsPerSecond(pacingSetting(provider))]),
  ),
});

export interface ProviderEndpoint {
  baseUrl: string;
  /** True when this provider is the local sandbox. */
  sandbox: boolean;
}

export interface WorkerConfig {
  timeoutMs: number;
  /** Signing secrets for merchant callbacks, by the reference subscriptions carry. */
  merchantSecrets: Record<string, string>;
  merchantTimeZone: string;
  zspay: ProviderEndpoint & { token: string };
  adiq: {
    authUrl: string;
    recurrenceUrl: string;
    sandbox: boolean;
    clientId: string;
    clientSecret: string;
    /** Where Adiq must notify the engine (registered at start-up), when the engine's public URL is known. */
    notification?: { merchantId: string; callbackUrl: string };
  };
  activePlatform: ProviderEndpoint & { apiToken: string };
  /** clientTokens: customer-held ZapSign client tokens, by our reference (never in workflow inputs). */
  zapsign: ProviderEndpoint & { partnerToken: string; clientTokens: Record<string, string> };
  paymentStatus: ProviderEndpoint & { apiKey: string };
  /** Provider calls per second, per provider (0: no limit). */
  pacing: Record<ProviderQueue, number>;
  /** Worker sizing; an absent field keeps the SDK's default. */
  sizing: WorkerSizing;
  /** Money paid out since a refunded payment: named to the merchant (README, "Refunds"). */
  refundPayoutPolicy: RefundPayoutPolicy;
}

/** How much one worker process holds and runs at once (README: Sizing workers). */
export interface WorkerSizing {
  /** The main queue's worker: workflows kept in memory, workflow tasks and engine activities at once. */
  main: {
    maxCachedWorkflows?: number;
    maxConcurrentWorkflowTaskExecutions?: number;
    maxConcurrentActivityTaskExecutions?: number;
  };
  /** Each provider queue's worker: provider calls in flight at once. */
  providers: { maxConcurrentActivityTaskExecutions?: number };
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: string[]) {
    super(`Invalid worker configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

export function loadWorkerConfig(env: NodeJS.ProcessEnv = process.env): WorkerConfig {
  const parsed = rawSchema.safeParse(Object.fromEntries(Object.entries(env).filter(([, v]) => v !== '')));
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`));
  }
  const e = parsed.data;
  const sandboxUrl = (e.SANDBOX_URL ?? `http://127.0.0.1:${DEFAULT_SANDBOX_PORT}`).replace(/\/+$/, '');
  const problems: string[] = [];

  /** A provider's credential: the sandbox's when the provider is the sandbox, else required. */
  const credential = (sandbox: boolean, setting: string, value: string | undefined, sandboxValue: string): string => {
    if (value) return value;
    if (sandbox) return sandboxValue;
    problems.push(`${setting} is required when its provider points at a real host`);
    return '';
  };
  const endpoint = (value: string | undefined, prefix: string): ProviderEndpoint => ({
    baseUrl: value ?? `${sandboxUrl}${prefix}`,
    sandbox: value === undefined || value.startsWith(sandboxUrl),
  });

  const zspay = endpoint(e.ZSPAY_BASE_URL, SANDBOX_PREFIX.zspay);
  const activePlatform = endpoint(e.ACTIVEPLATFORM_BASE_URL, SANDBOX_PREFIX.activeplatform);
  const zapsign = endpoint(e.ZAPSIGN_BASE_URL, SANDBOX_PREFIX.zapsign);
  const paymentStatus = endpoint(e.PAYMENT_STATUS_BASE_URL, SANDBOX_PREFIX.paymentStatus);
  const adiqAuth = endpoint(e.ADIQ_AUTH_URL, SANDBOX_PREFIX.adiqAuth);
  const adiqRecurrence = endpoint(e.ADIQ_RECURRENCE_URL, SANDBOX_PREFIX.adiqRecurrence);
  const adiqSandbox = adiqAuth.sandbox && adiqRecurrence.sandbox;

  const config: WorkerConfig = {
    timeoutMs: e.PROVIDER_TIMEOUT_MS ?? 15_000,
    merchantSecrets: e.MERCHANT_WEBHOOK_SECRETS ?? {},
    merchantTimeZone: e.MERCHANT_TIMEZONE ?? 'America/Sao_Paulo',
    zspay: {
      ...zspay,
      token: credential(zspay.sandbox, 'ZSPAY_TOKEN', e.ZSPAY_TOKEN, SANDBOX_CREDENTIALS.zspay.token),
    },
    adiq: {
      authUrl: adiqAuth.baseUrl,
      recurrenceUrl: adiqRecurrence.baseUrl,
      sandbox: adiqSandbox,
      clientId: credential(adiqSandbox, 'ADIQ_CLIENT_ID', e.ADIQ_CLIENT_ID, SANDBOX_CREDENTIALS.adiq.clientId),
      clientSecret: credential(
        adiqSandbox,
        'ADIQ_CLIENT_SECRET',
        e.ADIQ_CLIENT_SECRET,
        SANDBOX_CREDENTIALS.adiq.clientSecret,
      ),
      notification: adiqNotificationOf(
        e.ADIQ_MERCHANT_ID ?? (adiqSandbox ? SANDBOX_CREDENTIALS.adiq.merchantId : undefined),
        e.BILLING_PUBLIC_URL,
        e.ADIQ_WEBHOOK_SECRET,
      ),
    },
    activePlatform: {
      ...activePlatform,
      apiToken: credential(
        activePlatform.sandbox,
        'ACTIVEPLATFORM_API_TOKEN',
        e.ACTIVEPLATFORM_API_TOKEN,
        SANDBOX_CREDENTIALS.activeplatform.apiToken,
      ),
    },
    zapsign: {
      ...zapsign,
      partnerToken: credential(
        zapsign.sandbox,
        'ZAPSIGN_PARTNER_TOKEN',
        e.ZAPSIGN_PARTNER_TOKEN,
        SANDBOX_CREDENTIALS.zapsign.partnerToken,
      ),
      clientTokens: e.ZAPSIGN_CLIENT_TOKENS ?? {},
    },
    paymentStatus: {
      ...paymentStatus,
      apiKey: credential(
        paymentStatus.sandbox,
        'PAYMENT_STATUS_API_KEY',
        e.PAYMENT_STATUS_API_KEY,
        SANDBOX_CREDENTIALS.paymentStatus.apiKey,
      ),
    },
    pacing: pacingOf(e),
    sizing: {
      main: definedOnly({
        maxCachedWorkflows: e.WORKER_MAX_CACHED_WORKFLOWS,
        maxConcurrentWorkflowTaskExecutions: e.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS,
        maxConcurrentActivityTaskExecutions: e.WORKER_MAX_CONCURRENT_ACTIVITIES,
      }),
      providers: definedOnly({ maxConcurrentActivityTaskExecutions: e.WORKER_MAX_CONCURRENT_PROVIDER_ACTIVITIES }),
    },
    refundPayoutPolicy: 'notify',
  };
  if (e.REFUND_PAYOUT_POLICY === 'compensate') problems.push(COMPENSATE_UNAVAILABLE);
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

/** The engine's notification URL at Adiq: its public base, the ingress path and the URL's secret. */
function adiqNotificationOf(
  merchantId: string | undefined,
  publicUrl: string | undefined,
  secret: string | undefined,
): WorkerConfig['adiq']['notification'] {
  if (!merchantId || !publicUrl || !secret) return undefined;
  return { merchantId, callbackUrl: `${publicUrl.replace(/\/+$/, '')}/webhooks/adiq/${encodeURIComponent(secret)}` };
}

function pacingOf(values: Record<string, unknown>): Record<ProviderQueue, number> {
  return Object.fromEntries(
    PROVIDER_QUEUES.map((provider) => [
      provider,
      (values[pacingSetting(provider)] as number | undefined) ?? DEFAULT_PACING[provider],
    ]),
  ) as Record<ProviderQueue, number>;
}

/** The object without its undefined fields, so that spreading it keeps the SDK's defaults. */
function definedOnly<T extends Record<string, number | undefined>>(values: T): Partial<T> {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** How the engine's logs are written: one JSON object per line, or one readable line per record. */
export type LogFormat = 'json' | 'pretty';

/** Metrics and logs of a worker process (README: Metrics and logs). */
export interface TelemetryConfig {
  /** The Prometheus endpoint's bind address (host:port); undefined: no metrics. */
  metricsAddress?: string;
  logFormat: LogFormat;
}

/**
 * `BILLING_METRICS_ADDRESS` (host:port, default `defaults.metricsAddress`; empty or `off`: no
 * endpoint) and `BILLING_LOG_FORMAT` (`json`, the default, or `pretty`). Read before the Temporal
 * runtime is installed, which is before the rest of the configuration.
 */
export function loadTelemetryConfig(
  env: NodeJS.ProcessEnv = process.env,
  defaults: { metricsAddress?: string } = {},
): TelemetryConfig {
  const problems: string[] = [];
  const address = env.BILLING_METRICS_ADDRESS?.trim();
  let metricsAddress: string | undefined = defaults.metricsAddress;
  if (address !== undefined) {
    if (address === '' || address.toLowerCase() === 'off') metricsAddress = undefined;
    else if (/^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):\d{1,5}$/.test(address) && Number(address.split(':').pop()) <= 65535)
      metricsAddress = address;
    else problems.push('BILLING_METRICS_ADDRESS must be host:port (e.g. 127.0.0.1:9464), or off');
  }
  const format = env.BILLING_LOG_FORMAT?.trim().toLowerCase() || 'json';
  if (format !== 'json' && format !== 'pretty') problems.push('BILLING_LOG_FORMAT must be json or pretty');
  if (problems.length > 0) throw new ConfigError(problems);
  return { metricsAddress, logFormat: format as LogFormat };
}
