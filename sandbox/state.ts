/**
 * The sandbox's memory: scripted outcomes, the log of every request received and webhook sent,
 * and the ledger of money moved. Tests read the ledger as the witness of "charged exactly once".
 */
import type { ProviderName } from '../providers/errors';
import { RateLimits } from './rate-limit';

export const OUTCOME_TYPES = [
  'approve',
  'soft_decline',
  'hard_decline',
  'server_error',
  'timeout',
  'rate_limit',
  'latency',
  'malformed',
  'unauthorized',
] as const;
export type OutcomeType = (typeof OUTCOME_TYPES)[number];

export interface ScriptedOutcome {
  type: OutcomeType;
  /** For declines: the provider/acquirer code to answer with (e.g. '51', '57', 'card_declined'). */
  code?: string;
  /** For latency and timeout: how long to wait before answering. */
  delayMs?: number;
  /** For timeout: 'before' the operation takes effect, or 'after' (money moved, answer lost). */
  phase?: 'before' | 'after';
  /** For server_error: the HTTP status (default 500). For rate_limit: Retry-After seconds. */
  status?: number;
  retryAfterSeconds?: number;
}

export interface ScenarioRule {
  id: number;
  provider?: ProviderName;
  /** The sandbox's operation name, e.g. 'zspay.sale.card' (see each provider's routes). */
  operation?: string;
  /** Matches when any key of the request (card id, customer id, payment id...) equals this value. */
  match?: string;
  outcome: ScriptedOutcome;
  /** How many requests it applies to; undefined = every matching request. */
  remaining?: number;
}

export interface LoggedRequest {
  seq: number;
  at: string;
  direction: 'incoming' | 'webhook';
  provider: ProviderName | 'control' | 'unknown';
  operation?: string;
  method: string;
  path: string;
  query?: Record<string, unknown>;
  headers: Record<string, string>;
  body?: unknown;
  status?: number;
  outcome?: OutcomeType;
}

export interface LedgerEntry {
  seq: number;
  at: string;
  provider: ProviderName;
  kind: 'charge' | 'refund' | 'transfer' | 'completion' | 'status';
  amountCents: number;
  /** The engine's reference for the operation (our idempotency / reconciliation key). */
  reference?: string;
  providerId: string;
  customer?: string;
  description?: string;
}

/** A notification the engine sent to the merchant's callback (the sandbox plays the merchant). */
export interface MerchantCallback {
  seq: number;
  at: string;
  path: string;
  headers: Record<string, string>;
  /** Kept raw: signatures are verified over the exact bytes. */
  rawBody: string;
  status: number;
}

export class SandboxState {
  /** Token buckets per provider (PUT /__sandbox/rate-limits/:provider); none by default. */
  readonly rateLimits = new RateLimits<ProviderName>();
  readonly merchantCallbacks: MerchantCallback[] = [];
  /** Requests counted when they arrive (the log records them when answered): held requests show here. */
  readonly arrivals: Array<{ provider: ProviderName; operation: string; at: string }> = [];
  /** Off: webhooks are logged but never sent (a lost webhook, for reconciliation tests). */
  webhooksEnabled = true;
  /** Answers for the next merchant callbacks (e.g. 500 to exercise the engine's retries). */
  merchantCallbackFailures: Array<{ status: number; path?: string }> = [];
  private rules: ScenarioRule[] = [];
  private nextRuleId = 1;
  readonly requests: LoggedRequest[] = [];
  readonly ledger: LedgerEntry[] = [];
  private seq = 0;

  addRule(rule: Omit<ScenarioRule, 'id'>): ScenarioRule {
    const saved = { ...rule, id: this.nextRuleId++ };
    this.rules.push(saved);
    return saved;
  }

  listRules(): ScenarioRule[] {
    return [...this.rules];
  }

  clearRules(): void {
    this.rules = [];
  }

  /**
   * The outcome for one request: the first rule (oldest first) that matches, consuming one use.
   * Without a match, the request is approved.
   */
  take(provider: ProviderName, operation: string, keys: Array<string | number | undefined>): ScriptedOutcome {
    const keySet = new Set(keys.filter((k) => k !== undefined).map(String));
    const rule = this.rules.find(
      (r) =>
        (r.provider === undefined || r.provider === provider) &&
        (r.operation === undefined || r.operation === operation || operation.startsWith(`${r.operation}.`)) &&
        (r.match === undefined || keySet.has(r.match)),
    );
    if (!rule) return { type: 'approve' };
    if (rule.remaining !== undefined) {
      rule.remaining -= 1;
      if (rule.remaining <= 0) this.rules = this.rules.filter((r) => r !== rule);
    }
    return rule.outcome;
  }

  logRequest(entry: Omit<LoggedRequest, 'seq' | 'at'>): LoggedRequest {
    const saved = { ...entry, seq: ++this.seq, at: new Date().toISOString() };
    this.requests.push(saved);
    return saved;
  }

  record(entry: Omit<LedgerEntry, 'seq' | 'at'>): LedgerEntry {
    const saved = { ...entry, seq: ++this.seq, at: new Date().toISOString() };
    this.ledger.push(saved);
    return saved;
  }

  reset(): void {
    this.rateLimits.clear();
    this.rules = [];
    this.requests.length = 0;
    this.ledger.length = 0;
    this.merchantCallbacks.length = 0;
    this.arrivals.length = 0;
    this.merchantCallbackFailures = [];
    this.webhooksEnabled = true;
  }

  /** The scripted answer for a merchant callback to `path`, consuming it; 200 when none. */
  merchantCallbackStatus(path: string): number {
    const index = this.merchantCallbackFailures.findIndex((f) => f.path === undefined || f.path === path);
    if (index < 0) return 200;
    return this.merchantCallbackFailures.splice(index, 1)[0].status;
  }

  recordMerchantCallback(entry: Omit<MerchantCallback, 'seq' | 'at'>): MerchantCallback {
    const saved = { ...entry, seq: ++this.seq, at: new Date().toISOString() };
    this.merchantCallbacks.push(saved);
    return saved;
  }
}
