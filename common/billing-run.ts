/** The daily billing run: its input, progress and summary. */
export interface BillingRunInput {
  /** Subscriptions reconciled per batch (one activity call each). */
  batchSize?: number;
  /** Batches in flight at once: bounds the calls per second a run makes at the provider. */
  concurrency?: number;
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
