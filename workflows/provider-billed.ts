/**
 * What the provider-billed subscriptions (adiq-subscription.ts, zspay-subscription.ts) share: the
 * runtime over their own transition table, its handlers, and the provider's activity stubs.
 */
import type { Duration } from '@temporalio/common';
import { providerReadRetry, providerWriteRetry } from '../common/retry-policies';
import { BillingProviderSubscriptionId } from '../common/search-attributes';
import type { ParsedSubscriptionInput } from '../common/subscription/input';
import { summaryLine } from '../common/subscription/machine';
import { initialState, upgradeState, type SubscriptionState } from '../common/subscription/state';
import type { SubscriptionMachine } from '../common/subscription/table';
import type { ProviderQueue } from '../common/task-queue';
import { providerActivities } from './provider-activities';
import type { SubscriptionWorkflowInput } from './subscription';
import { eventContext, SubscriptionRuntime } from './subscription-runtime';

export interface ProviderBilling {
  /** As the summary line says it: "billed by Adiq". */
  name: string;
  machine: SubscriptionMachine;
  /** The provider's id of the subscription, once it holds one (the BillingProviderSubscriptionId attribute). */
  subscriptionIdOf: (state: SubscriptionState) => string | undefined;
}

/** The runtime of a provider-billed subscription, its handlers registered before anything can reach them. */
export function providerBilledRuntime(
  input: SubscriptionWorkflowInput,
  spec: ParsedSubscriptionInput,
  billing: ProviderBilling,
): SubscriptionRuntime {
  const runtime = new SubscriptionRuntime({
    spec,
    firstRun: input.state === undefined,
    machine: billing.machine,
    state: input.state ? upgradeState(input.state) : initialState(spec, eventContext(spec).today),
    summary: (state) => `${summaryLine(state).split(' · ').slice(0, 3).join(' · ')} · billed by ${billing.name}`,
    extraAttributes: (state) => {
      const id = billing.subscriptionIdOf(state);
      return id ? [{ key: BillingProviderSubscriptionId, value: id }] : [];
    },
  });
  runtime.registerHandlers();
  return runtime;
}

/**
 * The provider's activities: creates heartbeat while they wait on it, so a dead worker's attempt
 * is retried after 10 seconds (each create looks up first); reads retry as reads do.
 */
export function providerBilledActivities(queue: ProviderQueue, readTimeout: Duration) {
  return {
    writes: providerActivities(queue, {
      startToCloseTimeout: '1 minute',
      heartbeatTimeout: '10 seconds',
      retry: providerWriteRetry,
    }),
    reads: providerActivities(queue, { startToCloseTimeout: readTimeout, retry: providerReadRetry }),
  };
}
