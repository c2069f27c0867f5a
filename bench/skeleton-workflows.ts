/**
 * Benchmark-only skeleton: the shape of one subscription cycle without the billing logic. Per
 * cycle it does what subscriptionWorkflow does for a card subscription with no merchant and no
 * partner configured: one query handler, search attributes upserted before and after the charge,
 * a durable timer (condition with timeout) until the due instant when it is in the future, TWO
 * charge activities (authorize, then capture, with the real charge's activity options), then
 * continue-as-new. The activities are no-ops supplied by the bench. Started as the engine's
 * subscriptions are, with update-with-start: the `skeletonAccepted` update answers in the first
 * workflow task (the engine's `created` also runs a configuration check first).
 */
import {
  condition,
  continueAsNew,
  defineQuery,
  defineUpdate,
  proxyActivities,
  setHandler,
  upsertMemo,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import { BillingDunningAttempt, BillingNextChargeAt, BillingStatus } from '../common/search-attributes';
import { providerWriteRetry } from '../common/retry-policies';

export interface SkeletonActivities {
  skeletonAuthorize(input: { reference: string; amountCents: number }): Promise<{ saleId: string }>;
  skeletonCharge(input: {
    reference: string;
    amountCents: number;
  }): Promise<{ status: 'succeeded'; reference: string }>;
}

export interface SkeletonCycleInput {
  id: string;
  /** Epoch ms of the next charge. */
  dueAt: number;
  /** Time between cycles (ms). */
  intervalMs: number;
  /** Charges left to make; at 0 the run parks on the next due timer, as a paid subscription does. */
  cyclesLeft: number;
  cycle?: number;
}

export const skeletonQuery = defineQuery<{ cycle: number }>('skeletonState');
export const skeletonAcceptedUpdate = defineUpdate<{ cycle: number }>('skeletonAccepted');

const charges = proxyActivities<SkeletonActivities>({
  startToCloseTimeout: '2 minutes',
  heartbeatTimeout: '1 minute',
  retry: providerWriteRetry,
});

export async function skeletonCycleWorkflow(input: SkeletonCycleInput): Promise<void> {
  const cycle = input.cycle ?? 1;
  setHandler(skeletonQuery, () => ({ cycle }));
  setHandler(skeletonAcceptedUpdate, () => ({ cycle }));
  const publish = (status: string, dueAt: number) => {
    upsertSearchAttributes([
      { key: BillingStatus, value: status },
      { key: BillingDunningAttempt, value: 0 },
      { key: BillingNextChargeAt, value: new Date(dueAt) },
    ]);
    upsertMemo({ summary: `skeleton ${input.id} cycle ${cycle}` });
  };
  publish('active', input.dueAt);
  // The real workflow sleeps in condition(() => version !== seen, timeout); nothing signals here.
  if (input.dueAt > Date.now()) await condition(() => false, input.dueAt - Date.now());
  if (input.cyclesLeft <= 0) return;
  const reference = `${input.id}-${cycle}-1`;
  await charges.skeletonAuthorize({ reference, amountCents: 5990 });
  await charges.skeletonCharge({ reference, amountCents: 5990 });
  publish('active', input.dueAt + input.intervalMs);
  await continueAsNew<typeof skeletonCycleWorkflow>({
    ...input,
    dueAt: input.dueAt + input.intervalMs,
    cyclesLeft: input.cyclesLeft - 1,
    cycle: cycle + 1,
  });
}
