/**
 * Per-provider rate limits for the sandbox: one token bucket per limited provider. Pure (no I/O,
 * no timers); the clock is injected so tests can step time.
 *
 * A bucket holds at most `burst` tokens, starts full and refills at `requestsPerSecond`. Each
 * admitted request takes one token; a refused request takes none and is told, as Retry-After,
 * when the next token is due (whole seconds, rounded up, at least 1).
 */
import { z } from 'zod';

export const rateLimitSchema = z.object({
  requestsPerSecond: z.number().positive().max(1_000_000),
  burst: z.number().int().min(1).max(1_000_000),
});
export type RateLimit = z.infer<typeof rateLimitSchema>;

export type Admission = { admitted: true } | { admitted: false; retryAfterSeconds: number };

export type Clock = () => number;

// Refills are fractional (10 × 0.1 token adds up to 0.9999999999999999): this much short still counts.
const ROUNDING_SLACK = 1e-9;

export class TokenBucket {
  private tokens: number;
  private refilledAt: number;

  constructor(
    readonly limit: RateLimit,
    private readonly clock: Clock = Date.now,
  ) {
    this.tokens = limit.burst;
    this.refilledAt = clock();
  }

  take(): Admission {
    const now = this.clock();
    // max(0, …): a clock that steps back refills nothing rather than draining the bucket.
    const elapsedMs = Math.max(0, now - this.refilledAt);
    this.tokens = Math.min(this.limit.burst, this.tokens + (elapsedMs * this.limit.requestsPerSecond) / 1000);
    this.refilledAt = now;
    if (this.tokens >= 1 - ROUNDING_SLACK) {
      this.tokens = Math.max(0, this.tokens - 1);
      return { admitted: true };
    }
    const nextTokenInMs = ((1 - this.tokens) * 1000) / this.limit.requestsPerSecond;
    return { admitted: false, retryAfterSeconds: Math.max(1, Math.ceil(nextTokenInMs / 1000)) };
  }
}

/** The buckets of the limited keys (providers); a key without a limit is always admitted. */
export class RateLimits<Key extends string> {
  private readonly buckets = new Map<Key, TokenBucket>();

  constructor(private readonly clock: Clock = Date.now) {}

  /** Sets or replaces a key's limit; the new bucket starts full. */
  set(key: Key, limit: RateLimit): void {
    this.buckets.set(key, new TokenBucket(rateLimitSchema.parse(limit), this.clock));
  }

  /** Removes a key's limit; false when it had none. */
  remove(key: Key): boolean {
    return this.buckets.delete(key);
  }

  clear(): void {
    this.buckets.clear();
  }

  list(): Partial<Record<Key, RateLimit>> {
    return Object.fromEntries([...this.buckets].map(([key, bucket]) => [key, bucket.limit])) as Partial<
      Record<Key, RateLimit>
    >;
  }

  take(key: Key): Admission {
    return this.buckets.get(key)?.take() ?? { admitted: true };
  }
}
