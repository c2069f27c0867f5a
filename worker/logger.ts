/**
 * The SDK's logger, less one line the engine causes by design: each provider's activity worker
 * polls no workflows, and the SDK warns about that at every start ("No workflows registered").
 */
import { DefaultLogger, Runtime, type LogLevel } from '@temporalio/worker';

const EXPECTED_WARNINGS = new Set(['No workflows registered, not polling for workflow tasks']);
const LEVELS: readonly LogLevel[] = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR'];

/** The log level from BILLING_LOG_LEVEL (TRACE...ERROR), or `fallback`. */
export function logLevelFrom(value: string | undefined, fallback: LogLevel): LogLevel {
  const level = value?.toUpperCase();
  return LEVELS.find((known) => known === level) ?? fallback;
}

export function engineLogger(level: LogLevel): DefaultLogger {
  const sdk = new DefaultLogger(level);
  return new DefaultLogger(level, (entry) => {
    if (!EXPECTED_WARNINGS.has(entry.message)) sdk.log(entry.level, entry.message, entry.meta);
  });
}

/** Installs the engine's logger; call before the first worker or native connection is created. */
export function installEngineLogger(level: LogLevel): void {
  Runtime.install({ logger: engineLogger(level) });
}
