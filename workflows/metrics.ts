/**
 * The engine's business metrics emitted from workflow code, through the SDK's workflow meter: the
 * SDK skips them while a workflow replays (so each is counted once), and they add no command to
 * the history (replay stays compatible). Names and labels: README, Metrics and logs.
 */
import { metricMeter, workflowInfo } from '@temporalio/workflow';

/** A metric must never fail a workflow task. */
function safely(emit: () => void): void {
  try {
    emit();
  } catch {
    // Nothing: metrics are best effort.
  }
}

/**
 * `billing_charges_total{provider="adiq", method="card", outcome}`: a charge Adiq made, counted when
 * the engine records it (Zspay's are counted by the charge activities, same metric).
 */
export function countAdiqCharge(outcome: 'succeeded' | 'soft_declined' | 'hard_declined'): void {
  safely(() =>
    metricMeter
      .createCounter('billing_charges_total', undefined, 'Charges by provider, method and outcome')
      .add(1, { provider: 'adiq', method: 'card', outcome }),
  );
}

/** `billing_charge_retries_total{attempt}`: a retry of a failed invoice starts (2 = the first retry). */
export function countChargeRetry(reference: string): void {
  const attempt = reference.slice(reference.lastIndexOf('-') + 1);
  safely(() =>
    metricMeter
      .createCounter('billing_charge_retries_total', undefined, 'Retries of failed invoices, by attempt number')
      .add(1, { attempt }),
  );
}

/** `billing_charges_held_total{provider, method}`: a charge is held (refused for a reason retries cannot fix). */
export function countChargeHeld(provider: string, method: string): void {
  safely(() =>
    metricMeter
      .createCounter('billing_charges_held_total', undefined, 'Charges held: refused for a reason no retry can fix')
      .add(1, { provider, method }),
  );
}

/** `billing_notification_delivery_failures_total{kind}`: an outbox delivery attempt failed. */
export function countDeliveryFailure(kind: string): void {
  safely(() =>
    metricMeter
      .createCounter(
        'billing_notification_delivery_failures_total',
        undefined,
        'Failed outbox deliveries (merchant notifications, partner statuses, payment status pushes, Adiq calls)',
      )
      .add(1, { kind }),
  );
}

/** `billing_run_duration_seconds`: the billing run, from its start to its summary (workflow time). */
export function recordBillingRunDuration(): void {
  safely(() =>
    metricMeter
      .createHistogram('billing_run_duration_seconds', 'float', 's', 'Billing runs: from their start to their summary')
      .record((Date.now() - workflowInfo().runStartTime.getTime()) / 1000),
  );
}
