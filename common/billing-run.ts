/** The daily billing run: its input, progress and summary. */
export interface BillingRunInput {
  /** Subscriptions reconciled per batch (one activity call each). */
  batchSize?: number;
  /** Batches in flight at once: bounds the calls per second a run makes at the provider. */
  concurrency?: number;
  /** The run reports what happened in the hours before it (default 24). */
  windowHours?: number;
}

/** What the engine's subscriptions did in a window, from their invoices. */
export interface BillingTally {
  charged: number;
  chargedCents: number;
  failed: number;
  /** Attempts after the first for the same invoice (teimosinha retries, operator retries). */
  retried: number;
  /** Retries that succeeded: invoices recovered from dunning or a block. */
  recovered: number;
}

export const EMPTY_TALLY: BillingTally = { charged: 0, chargedCents: 0, failed: 0, retried: 0, recovered: 0 };

export function addTallies(a: BillingTally, b: BillingTally): BillingTally {
  return {
    charged: a.charged + b.charged,
    chargedCents: a.chargedCents + b.chargedCents,
    failed: a.failed + b.failed,
    retried: a.retried + b.retried,
    recovered: a.recovered + b.recovered,
  };
}

export interface SubscriptionToReconcile {
  subscriptionId: string;
  pendingSaleIds: string[];
}

export interface BillingRunProgress {
  phase: 'listing' | 'reconciling' | 'summarizing' | 'done';
  subscriptions: number;
  batches: number;
  batchesDone: number;
  repaired: number;
}

export interface BillingRunSummary {
  runAt: string;
  window: { from: string; to: string };
  /** Charges in the window: charged, failed, retried, recovered, and the BRL total. */
  activity: BillingTally & { chargedBRL: string };
  subscriptionsChecked: number;
  /** Payments the providers report that the engine had missed (a lost webhook): signaled now. */
  repairedPayments: Array<{ subscriptionId: string; saleId: string }>;
  byStatus: Record<string, number>;
  /** Monthly recurring revenue of active and past-due subscriptions, in cents (monthly-equivalent). */
  mrrCents: number;
  /** Transfers by state. */
  transfers: Record<string, number>;
}

export const BILLING_RUN_SCHEDULE_ID = 'billing-run-daily';
