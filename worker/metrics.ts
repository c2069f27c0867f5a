/**
 * The worker's metrics: the Temporal SDK's own (workers, polls, task latencies, cache...) and the
 * engine's `billing_*` metrics, on one Prometheus endpoint served by the SDK's Core runtime
 * (`Runtime.install({ telemetryOptions: { metrics: { prometheus } } })`). Business metrics go
 * through the SDK's meters: activities use `Context.current().metricMeter`, workflows `metricMeter`
 * from @temporalio/workflow (skipped on replay, no history commands), and the provider HTTP layer
 * reports here (`observeProviderRequests`). README: Metrics and logs.
 */
import type { LogLevel, MetricMeter } from '@temporalio/common';
import { Runtime, type MetricsExporterConfig } from '@temporalio/worker';
import { observeProviderRequests } from '../providers/http';
import { engineLogger, type EngineLoggerOptions } from './logger';

/** The engine's metrics (the README lists them with their labels). */
export const BILLING_METRICS = {
  /** Counter {provider, method, outcome}: charge activities by outcome (succeeded, pending, soft_declined, hard_declined, error). */
  charges: 'billing_charges_total',
  /** Counter {attempt}: teimosinha retries started, by attempt number (2 = the first retry). */
  chargeRetries: 'billing_charge_retries_total',
  /** Counter {provider}: charges held (refused for a reason no retry of the same call can fix). */
  chargesHeld: 'billing_charges_held_total',
  /** Counter {kind}: failed outbox deliveries (merchant notifications, partner statuses, pushes, Adiq calls). */
  deliveryFailures: 'billing_notification_delivery_failures_total',
  /** Histogram {provider, method, status} in seconds: every provider HTTP request. */
  providerRequestDuration: 'billing_provider_request_duration_seconds',
  /** Counter {provider}: provider answers 429. */
  providerRateLimited: 'billing_provider_rate_limited_total',
  /** Histogram in seconds: a billing run from its start to its summary. */
  billingRunDuration: 'billing_run_duration_seconds',
} as const;

/** The default Prometheus address of `npm start` and `npm run worker`. */
export const DEFAULT_METRICS_ADDRESS = '127.0.0.1:9464';

/** The Prometheus exporter on `bindAddress` (host:port), with the engine's histogram buckets. */
export function prometheusExporter(bindAddress: string): MetricsExporterConfig {
  return {
    prometheus: {
      bindAddress,
      histogramBucketOverrides: {
        [BILLING_METRICS.providerRequestDuration]: [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15, 30],
        [BILLING_METRICS.billingRunDuration]: [1, 5, 15, 30, 60, 120, 300, 900, 1800, 3600, 7200],
      },
    },
  };
}

/** Where the metrics are scraped. */
export function metricsUrl(bindAddress: string): string {
  const [, host = '', port = ''] = /^(.*):(\d+)$/.exec(bindAddress) ?? [];
  const shown = host === '0.0.0.0' || host === '[::]' || host === '' ? '127.0.0.1' : host;
  return `http://${shown}:${port}/metrics`;
}

/** Provider latency and 429s from the provider HTTP layer, on `meter` (the runtime's). */
export function installProviderMetrics(meter: MetricMeter): void {
  const duration = meter.createHistogram(
    BILLING_METRICS.providerRequestDuration,
    'float',
    's',
    'Provider HTTP requests: time to the answer (or the failure), by provider, method and status class',
  );
  const rateLimited = meter.createCounter(
    BILLING_METRICS.providerRateLimited,
    undefined,
    'Provider answers 429 (rate limited), by provider',
  );
  observeProviderRequests(({ provider, method, status, durationMs }) => {
    duration.record(durationMs / 1000, { provider, method, status: statusClass(status) });
    if (status === 429) rateLimited.add(1, { provider });
  });
}

/** `2xx`, `4xx`, `5xx`, `429` on its own (the pace's signal), `error` when no answer came. */
export function statusClass(status: number | undefined): string {
  if (status === undefined) return 'error';
  if (status === 429) return '429';
  return `${Math.floor(status / 100)}xx`;
}

export interface EngineRuntimeOptions extends EngineLoggerOptions {
  level: LogLevel;
  /** The Prometheus endpoint's bind address; undefined: no metrics endpoint. */
  metricsAddress?: string;
}

/**
 * Installs the Temporal runtime once per process, before the first worker, native connection or
 * bundle creates it: the engine's logger (the SDK's native records forwarded to it, one line each)
 * and, when an address is given, the Prometheus endpoint with the provider metrics.
 */
export function installEngineRuntime(options: EngineRuntimeOptions): Runtime {
  const { level, metricsAddress } = options;
  let runtime: Runtime;
  try {
    runtime = Runtime.install({
      logger: engineLogger(level, options),
      telemetryOptions: {
        logging: {
          filter: { core: level === 'TRACE' || level === 'DEBUG' ? level : 'WARN', other: 'ERROR' },
          forward: {},
        },
        ...(metricsAddress ? { metrics: prometheusExporter(metricsAddress) } : {}),
      },
    });
  } catch (error) {
    const message = (error as Error).message;
    if (metricsAddress && /prometheus/i.test(message))
      throw new Error(`${message} (${metricsAddress}): set BILLING_METRICS_ADDRESS to a free host:port, or off`);
    throw error;
  }
  if (metricsAddress) installProviderMetrics(runtime.metricMeter);
  return runtime;
}
