/** A typed client for the sandbox's control API, for tests, the demo and benchmarks. */
import type { ScenarioRuleInput } from './server';
import type { LedgerEntry, LoggedRequest, MerchantCallback, ScenarioRule } from './state';

/** `?name=value&...` for the filters given (an undefined filter is left out, not sent as "undefined"). */
function queryString(filter: Record<string, string | undefined>): string {
  const given = Object.entries(filter).filter((entry): entry is [string, string] => entry[1] !== undefined);
  return given.length === 0 ? '' : `?${new URLSearchParams(given).toString()}`;
}

export class SandboxControl {
  constructor(readonly baseUrl: string) {}

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!response.ok)
      throw new Error(`Sandbox control ${method} ${path}: HTTP ${response.status} ${await response.text()}`);
    return response.status === 204 ? (undefined as T) : ((await response.json()) as T);
  }

  script(rule: ScenarioRuleInput): Promise<ScenarioRule> {
    return this.call('POST', '/__sandbox/scenarios', rule);
  }

  /** The scripted rules not yet used up. */
  scenarios(): Promise<ScenarioRule[]> {
    return this.call('GET', '/__sandbox/scenarios');
  }

  clearScenarios(): Promise<void> {
    return this.call('DELETE', '/__sandbox/scenarios');
  }

  requests(filter: { provider?: string; operation?: string } = {}): Promise<LoggedRequest[]> {
    return this.call('GET', `/__sandbox/requests${queryString(filter)}`);
  }

  ledger(filter: { provider?: string; reference?: string } = {}): Promise<LedgerEntry[]> {
    return this.call('GET', `/__sandbox/ledger${queryString(filter)}`);
  }

  /** Requests as they arrive, answered or not (a held request shows here before the log). */
  arrivals(operation?: string): Promise<Array<{ provider: string; operation: string; at: string }>> {
    return this.call('GET', `/__sandbox/arrivals${operation ? `?operation=${encodeURIComponent(operation)}` : ''}`);
  }

  merchantCallbacks(): Promise<MerchantCallback[]> {
    return this.call('GET', '/__sandbox/merchant-callbacks');
  }

  /** The next merchant callbacks (to `path`, e.g. '/merchant/flaky', or any) answer these statuses, in order. */
  failMerchantCallbacks(statuses: number[], path?: string): Promise<void> {
    return this.call('POST', '/__sandbox/merchant-callbacks/failures', { statuses, path });
  }

  /** Off: provider webhooks are dropped (logged as 'dropped'), as when a webhook is lost. */
  setWebhooks(enabled: boolean): Promise<void> {
    return this.call('POST', '/__sandbox/webhooks', { enabled });
  }

  /** A token bucket for one provider: beyond it the provider answers 429 with Retry-After. */
  setRateLimit(provider: string, limit: { requestsPerSecond: number; burst: number }): Promise<void> {
    return this.call('PUT', `/__sandbox/rate-limits/${encodeURIComponent(provider)}`, limit);
  }

  removeRateLimit(provider: string): Promise<void> {
    return this.call('DELETE', `/__sandbox/rate-limits/${encodeURIComponent(provider)}`);
  }

  reset(): Promise<void> {
    return this.call('POST', '/__sandbox/reset');
  }
}
