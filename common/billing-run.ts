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

/**
 * One awaited sale the run could not check: the provider refused the read for a reason no retry
 * fixes (a sale it no longer knows, a request it calls invalid). Listed, never fatal to the run.
 */
export interface BillingRunItemFailure {
  subscriptionId: string;
  saleId: string;
  /** The failure type (InvalidRequest, InvalidState...) and the provider's HTTP status, when known. */
  type: string;
  statusCode?: number;
  reason: string;
}

/** A sale read that failed for good, before it is tied back to its subscription. */
export interface SaleReadFailure {
  saleId: string;
  type: string;
  statusCode?: number;
  reason: string;
}

/** What a batch of sale reads found: the paid sales, and the sales the provider refused to read. */
export interface SaleReads {
  paid: string[];
  failed: SaleReadFailure[];
}

export interface BillingRunProgress {
  phase: 'listing' | 'reconciling' | 'summarizing' | 'done';
  subscriptions: number;
  batches: number;
  batchesDone: number;
  repaired: number;
  /** Items (awaited sales) that could not be checked; the run goes on without them. */
  itemsFailed: number;
  itemFailures: BillingRunItemFailure[];
}

/** How a run's workflow execution stands, from Temporal (not from the run's own progress). */
export type BillingRunStatus = 'running' | 'completed' | 'failed' | 'terminated' | 'canceled' | 'timed_out';

/** A run as the client, the API and the CLI show it. */
export interface BillingRunView {
  workflowId: string;
  runId: string;
  status: BillingRunStatus;
  startedAt: string;
  closedAt?: string;
  /** The progress query's answer (a closed run still answers it while it is retained). */
  progress?: BillingRunProgress;
  /** A completed run's summary. */
  summary?: BillingRunSummary;
  /** Why a failed, terminated, canceled or timed-out run ended. */
  failure?: string;
}

export interface BillingRunSummary {
  runAt: string;
  window: { from: string; to: string };
  /** Charges in the window: charged, failed, retried, recovered, and the BRL total. */
  activity: BillingTally & { chargedBRL: string };
  subscriptionsChecked: number;
  /** Payments the providers report that the engine had missed (a lost webhook): signaled now. */
  repairedPayments: Array<{ subscriptionId: string; saleId: string }>;
  /** Awaited sales the provider refused to read (e.g. a sale Zspay answers 404 for), with the reason. */
  itemsFailed: number;
  itemFailures: BillingRunItemFailure[];
  /** Subscriptions whose charges the window's activity counts: running ones and those that closed in the window. */
  subscriptionsTallied?: number;
  /** Zspay-billed subscriptions whose recent invoices were read at Zspay and signaled (runs since that was added). */
  zspayBilledChecked?: number;
  byStatus: Record<string, number>;
  /** Monthly recurring revenue of active and past-due subscriptions, in cents (monthly-equivalent). */
  mrrCents: number;
  /** Transfers by state. */
  transfers: Record<string, number>;
}

export const BILLING_RUN_SCHEDULE_ID = 'billing-run-daily';
