/**
 * The sandbox's memory: scripted outcomes, the log of the recent requests received and webhooks
 * sent, and the ledger of money moved. Tests read the ledger as the witness of "charged exactly
 * once". With a state file, everything but the logs outlives a restart (`persisted`).
 */
import { z } from 'zod';
import type { ProviderName } from '../providers/errors';
import { systemClock, type SandboxClock } from './clock';
import type { PersistedSection } from './persistence';
import { RateLimits, rateLimitSchema, type RateLimit } from './rate-limit';

/** How many entries each log keeps (requests, arrivals, merchant callbacks): the most recent ones. */
export const DEFAULT_LOG_LIMIT = 10_000;

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
  /** The sandbox's operation name, e.g. 'zspay.sale.precapture' (see each provider's routes). */
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

/** What the control state keeps across restarts: the ledger and the operator's settings, not the logs. */
const controlSnapshotSchema = z.object({
  seq: z.int().min(0),
  ledger: z.array(z.custom<LedgerEntry>((entry) => typeof entry === 'object' && entry !== null)),
  rules: z.array(z.custom<ScenarioRule>((rule) => typeof rule === 'object' && rule !== null)),
  nextRuleId: z.int().min(1),
  rateLimits: z.record(z.string(), rateLimitSchema),
  webhooksEnabled: z.boolean(),
  merchantCallbackFailures: z.array(z.object({ status: z.int(), path: z.string().optional() })),
});
type ControlSnapshot = z.infer<typeof controlSnapshotSchema>;

export class SandboxState {
  /** Token buckets per provider (PUT /__sandbox/rate-limits/:provider); none by default. */
  readonly rateLimits: RateLimits<ProviderName>;
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

  /**
   * The logs keep the last `logLimit` entries each, so a sandbox running for weeks does not grow
   * without end. Entries are stamped, and rate limits refilled, by `clock`.
   */
  constructor(
    readonly logLimit: number = DEFAULT_LOG_LIMIT,
    readonly clock: SandboxClock = systemClock,
  ) {
    this.rateLimits = new RateLimits<ProviderName>(() => clock.now());
  }

  /** The clock's time as an ISO timestamp. */
  timestamp(): string {
    return new Date(this.clock.now()).toISOString();
  }

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
    const saved = { ...entry, seq: ++this.seq, at: this.timestamp() };
    this.keepLast(this.requests, saved);
    return saved;
  }

  /** Counts a request as it arrives (see `arrivals`). */
  logArrival(provider: ProviderName, operation: string): void {
    this.keepLast(this.arrivals, { provider, operation, at: this.timestamp() });
  }

  private keepLast<T>(log: T[], entry: T): void {
    log.push(entry);
    if (log.length > this.logLimit) log.splice(0, log.length - this.logLimit);
  }

  record(entry: Omit<LedgerEntry, 'seq' | 'at'>): LedgerEntry {
    const saved = { ...entry, seq: ++this.seq, at: this.timestamp() };
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
    const [failure] = index < 0 ? [] : this.merchantCallbackFailures.splice(index, 1);
    return failure?.status ?? 200;
  }

  recordMerchantCallback(entry: Omit<MerchantCallback, 'seq' | 'at'>): MerchantCallback {
    const saved = { ...entry, seq: ++this.seq, at: this.timestamp() };
    this.keepLast(this.merchantCallbacks, saved);
    return saved;
  }

  /** The ledger, scripted outcomes and settings, for the state file (logs are left out). */
  readonly persisted: PersistedSection = {
    save: (): ControlSnapshot => ({
      seq: this.seq,
      ledger: this.ledger,
      rules: this.rules,
      nextRuleId: this.nextRuleId,
      rateLimits: this.rateLimits.list(),
      webhooksEnabled: this.webhooksEnabled,
      merchantCallbackFailures: this.merchantCallbackFailures,
    }),
    load: (data) => {
      const snapshot = controlSnapshotSchema.parse(data);
      this.seq = snapshot.seq;
      this.ledger.splice(0, this.ledger.length, ...snapshot.ledger);
      this.rules = snapshot.rules;
      this.nextRuleId = snapshot.nextRuleId;
      this.rateLimits.clear();
      for (const [provider, limit] of Object.entries(snapshot.rateLimits) as Array<[ProviderName, RateLimit]>)
        this.rateLimits.set(provider, limit);
      this.webhooksEnabled = snapshot.webhooksEnabled;
      this.merchantCallbackFailures = snapshot.merchantCallbackFailures;
    },
  };
}
