/**
 * The engine's logs (the worker's, through the Temporal runtime installed by worker/metrics.ts, and
 * the HTTP API's): one record per line, JSON by default (`time`, `level`, `message`, then `workflowId`, `runId`, `subscriptionId`,
 * `activityType`... when known, then the record's own fields), or one readable line
 * (`BILLING_LOG_FORMAT=pretty`). Secrets never reach a line: fields named like one (token, secret,
 * password, API key, authorization) are redacted, and so are the configured secrets' values and the
 * webhook URLs' secret segment wherever they appear (api/redaction.ts).
 *
 * Less one line the engine causes by design: each provider's activity worker polls no workflows,
 * and the SDK warns about that at every start ("No workflows registered").
 */
import type { LogLevel, LogMetadata, Logger } from '@temporalio/common';
import type { ApiLoggerOptions } from '../api/server';
import { REDACTED, secretRedactor } from '../api/redaction';
import type { LogFormat } from './config';

const EXPECTED_WARNINGS = new Set(['No workflows registered, not polling for workflow tasks']);
const LEVELS: readonly LogLevel[] = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR'];
/** Where the SDK puts a record's own time (workflow and forwarded native records). */
const LOG_TIMESTAMP = Symbol.for('log_timestamp');

/** One record, as the SDK hands it to a logger. */
export interface LogEntry {
  level: LogLevel;
  message: string;
  meta?: LogMetadata;
  timestampNanos: bigint;
}

/** The log level from BILLING_LOG_LEVEL (TRACE...ERROR), or `fallback`. */
export function logLevelFrom(value: string | undefined, fallback: LogLevel): LogLevel {
  const level = value?.toUpperCase();
  return LEVELS.find((known) => known === level) ?? fallback;
}

/** Environment variables holding secrets, and those holding JSON objects of secrets. */
const SECRET_VARIABLES = [
  'ZSPAY_TOKEN',
  'ADIQ_CLIENT_SECRET',
  'ACTIVEPLATFORM_API_TOKEN',
  'ZAPSIGN_PARTNER_TOKEN',
  'PAYMENT_STATUS_API_KEY',
  'BILLING_API_KEY',
  'ZSPAY_WEBHOOK_SECRET',
  'ADIQ_WEBHOOK_SECRET',
  'TEMPORAL_API_KEY',
];
const SECRET_MAP_VARIABLES = ['ZAPSIGN_CLIENT_TOKENS', 'MERCHANT_WEBHOOK_SECRETS', 'BILLING_ENCRYPTION_KEYS'];

/** The secrets configured in `env`, read when a line is written (npm start sets some after the logger). */
export function secretsOf(env: NodeJS.ProcessEnv): string[] {
  const secrets = SECRET_VARIABLES.map((name) => env[name] ?? '');
  for (const name of SECRET_MAP_VARIABLES) {
    try {
      const map: unknown = JSON.parse(env[name] ?? '{}');
      if (map && typeof map === 'object') secrets.push(...Object.values(map).filter((v) => typeof v === 'string'));
    } catch {
      // Malformed: the configuration reports it.
    }
  }
  // A secret this short would redact ordinary words; none of the engine's is.
  return secrets.filter((secret) => secret.length >= 8);
}

/** Redacts the webhook secret segment and every secret in `secrets()` (re-read when they change). */
export function textRedactor(secrets: () => string[]): (text: string) => string {
  let seen = '';
  let redact = secretRedactor({ zspay: '', adiq: '' });
  return (text) => {
    const current = secrets();
    const key = current.join('\u0000');
    if (key !== seen) {
      seen = key;
      redact = secretRedactor({ zspay: '', adiq: '', ...Object.fromEntries(current.map((s, i) => [`s${i}`, s])) });
    }
    return redact(text);
  };
}

const SECRET_KEY = /token|secret|password|passwd|authorization|api[-_]?key|cookie|credential/i;
/** Fields never written: a task token completes someone else's activity. */
const DROPPED_KEYS = new Set(['taskToken']);

/** A field's value as JSON can carry it: errors as name, message and stack; secrets redacted. */
function plain(value: unknown, depth = 0): unknown {
  if (value instanceof Error) {
    const cause = (value as { cause?: unknown }).cause;
    const type = (value as { type?: unknown }).type;
    return {
      name: value.name,
      ...(typeof type === 'string' ? { type } : {}),
      message: value.message,
      ...(value.stack ? { stack: value.stack } : {}),
      ...(cause !== undefined && depth < 4 ? { cause: plain(cause, depth + 1) } : {}),
    };
  }
  if (typeof value === 'bigint') return value.toString();
  if (value === null || typeof value !== 'object') return value;
  if (depth >= 6) return '[object]';
  if (Array.isArray(value)) return value.map((item) => plain(item, depth + 1));
  if (value instanceof Date) return value.toISOString();
  const result: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) {
    if (DROPPED_KEYS.has(key)) continue;
    result[key] = SECRET_KEY.test(key) && field !== undefined && field !== null ? REDACTED : plain(field, depth + 1);
  }
  return result;
}

/**
 * A record's fields in the order operators read them: time, level, message, then what identifies
 * the workflow and activity, then the rest. `subscriptionId` comes from the record or from a
 * subscription workflow's id (`subscription-<id>`).
 */
export function logRecord(entry: LogEntry): Record<string, unknown> {
  const meta = (plain(entry.meta ?? {}) ?? {}) as Record<string, unknown>;
  const { workflowId, runId, workflowRunId, subscriptionId, activityType, workflowType, sdkComponent, ...rest } = meta;
  const subscription =
    subscriptionId ??
    (typeof workflowId === 'string' && workflowId.startsWith('subscription-')
      ? workflowId.slice('subscription-'.length)
      : undefined);
  const record: Record<string, unknown> = {
    time: new Date(Number(entry.timestampNanos / 1_000_000n)).toISOString(),
    level: entry.level,
    message: entry.message,
    workflowId,
    runId: runId ?? workflowRunId,
    subscriptionId: subscription,
    activityType,
    workflowType,
    component: sdkComponent,
  };
  for (const [key, value] of Object.entries(rest)) if (!(key in record)) record[key] = value;
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined));
}

/** One line (no newline inside) for a record, in the chosen format. */
export function formatLogEntry(entry: LogEntry, format: LogFormat): string {
  const record = logRecord(entry);
  return format === 'json' ? JSON.stringify(record) : prettyLine(record);
}

/** `time LEVEL message key=value...`, on one line. */
export function prettyLine(record: Record<string, unknown>): string {
  const { time, level, message, ...fields } = record;
  const context = Object.entries(fields)
    .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`)
    .join(' ');
  return `${String(time)} ${String(level).padEnd(5)} ${String(message)}${context ? ` ${context}` : ''}`.replace(
    /\r?\n/g,
    '\\n',
  );
}

export interface EngineLoggerOptions {
  format?: LogFormat;
  /** Where lines go (default stdout); each call gets one line with its newline. */
  write?: (line: string) => void;
  /** The secrets to redact (default: those configured in the process's environment). */
  secrets?: () => string[];
}

/** The engine's logger: records at `level` and above, one line each. */
export class EngineLogger implements Logger {
  private readonly format: LogFormat;
  private readonly write: (line: string) => void;
  private readonly redact: (text: string) => string;
  private readonly severity: number;

  constructor(
    readonly level: LogLevel,
    options: EngineLoggerOptions = {},
  ) {
    this.severity = LEVELS.indexOf(level);
    this.format = options.format ?? 'json';
    this.write = options.write ?? ((line: string) => void process.stdout.write(line));
    this.redact = textRedactor(options.secrets ?? (() => secretsOf(process.env)));
  }

  log(level: LogLevel, message: string, meta?: LogMetadata): void {
    if (LEVELS.indexOf(level) < this.severity || EXPECTED_WARNINGS.has(message)) return;
    const { [LOG_TIMESTAMP]: timestamp, ...rest } = (meta ?? {}) as LogMetadata & { [LOG_TIMESTAMP]?: bigint };
    const timestampNanos = typeof timestamp === 'bigint' ? timestamp : BigInt(Date.now()) * 1_000_000n;
    try {
      this.write(`${this.redact(formatLogEntry({ level, message, meta: rest, timestampNanos }, this.format))}\n`);
    } catch {
      // A record that cannot be written (a closed stream) is dropped, never thrown into the SDK.
    }
  }
  trace(message: string, meta?: LogMetadata): void {
    this.log('TRACE', message, meta);
  }
  debug(message: string, meta?: LogMetadata): void {
    this.log('DEBUG', message, meta);
  }
  info(message: string, meta?: LogMetadata): void {
    this.log('INFO', message, meta);
  }
  warn(message: string, meta?: LogMetadata): void {
    this.log('WARN', message, meta);
  }
  error(message: string, meta?: LogMetadata): void {
    this.log('ERROR', message, meta);
  }
}

export function engineLogger(level: LogLevel, options: EngineLoggerOptions = {}): EngineLogger {
  return new EngineLogger(level, options);
}

/**
 * The HTTP API's logger options in the engine's shape: Fastify's records (pino: `msg`) rewritten as
 * the worker's (time, level, message first), as JSON or in the readable format.
 */
export function apiLoggerOptions(options: {
  level: LogLevel;
  format: LogFormat;
  write?: (line: string) => void;
}): ApiLoggerOptions {
  const write = options.write ?? ((line: string) => void process.stdout.write(line));
  return {
    level: options.level.toLowerCase(),
    stream: {
      write: (line: string) => {
        let record: Record<string, unknown>;
        try {
          const { time, level, msg, message, ...fields } = JSON.parse(line) as Record<string, unknown>;
          record = { time, level, message: message ?? msg, ...fields };
        } catch {
          return write(line);
        }
        return write(`${options.format === 'json' ? JSON.stringify(record) : prettyLine(record)}\n`);
      },
    },
  };
}
