/**
 * Adiq Recurrence activities. Adiq bills the subscriptions itself (teimosinha included); the
 * engine creates plans and subscriptions, changes them, reads billings and registers where the
 * notifications go.
 *
 * Retry safety. Adiq has no idempotency key, and a create whose answer was lost (timeout =>
 * UnknownOutcome, retried by Temporal) may or may not have happened. So every create is
 * "look up by our business key first, create only when absent":
 *   - subscription: orderNumber, derived deterministically from our subscription id
 *     (providers/adiq/reference.ts); the subscription search has no orderNumber filter, so the
 *     search is walked (narrowed by plan name) and compared on orderNumber AND plan id;
 *   - plan: its name, which embeds our plan reference ("<reference> - <name>");
 *   - notification registration: merchantId + name; an existing one is updated (PUT) to the
 *     wanted callbackUrl/description and status Active.
 * The look-up runs on every attempt, not only retries: a previous workflow run, or an operator,
 * may have created it too. Two concurrent attempts can still both create (no lock at Adiq), which
 * Temporal excludes for one activity. Status and vault changes are PUTs that set a value and are
 * idempotent as they are. Cancelling a billing that is already Canceled (a retried cancel) is
 * treated as done after reading it back.
 */
import { log } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { AdiqBilling, AdiqClient, AdiqSubscription } from '../../providers/adiq/client';
import { adiqAmountToCents } from '../../providers/adiq/money';
import { adiqOrderNumber } from '../../providers/adiq/reference';
import type { BillingSearchQuery, CreatePlanRequest } from '../../providers/adiq/schemas';
import {
  billingOutcome,
  engineBillingStatus,
  engineSubscriptionStatus,
  type EngineBillingStatus,
} from '../../providers/adiq/status';
import type { PaymentOutcomeStatus } from '../../common/payment-outcome';
import { withProviderFailures } from '../provider-failure';
import { heartbeating } from '../heartbeat';
import { FailureType } from '../../common/failure-types';

export interface AdiqActivityDeps {
  /** Where Adiq must send its notifications, for this merchant (from the worker's configuration). */
  notification?: { merchantId: string; callbackUrl: string };
  adiq: Pick<
    AdiqClient,
    | 'createPlan'
    | 'findPlansByName'
    | 'createSubscription'
    | 'findSubscriptionByOrderNumber'
    | 'getSubscription'
    | 'changeSubscriptionStatus'
    | 'changeSubscriptionVault'
    | 'findBillings'
    | 'searchNotifications'
    | 'createNotification'
    | 'updateNotification'
  >;
}

export interface CreateAdiqPlanInput {
  /** Our plan id: embedded in the Adiq name, the look-up key. */
  reference: string;
  name: string;
  description: string;
  amountCents: number;
  planType: CreatePlanRequest['planType'];
  trialDays?: number;
  interval?: number;
  installments?: number;
  attempts?: number;
}

export interface CreateAdiqSubscriptionInput {
  /** Our subscription id: the orderNumber is derived from it. */
  reference: string;
  planId: string;
  /** The plan's Adiq name, to narrow the look-up (optional). */
  planName?: string;
  vaultId: string;
}

/** What crosses into workflow history: small, money in cents. */
export interface AdiqSubscriptionSummary {
  subscriptionId: string;
  orderNumber: string;
  vaultId: string;
  status: 'active' | 'blocked' | 'canceled' | 'unknown';
  providerStatus: string;
  planId: string;
  amountCents: number | null;
}

export interface AdiqBillingSummary {
  billingId: string;
  subscriptionId: string;
  orderNumber: string;
  status: EngineBillingStatus;
  providerStatus: string;
  outcome?: PaymentOutcomeStatus;
  amountCents: number | null;
  installment: number | null;
  /** YYYY-MM-DD */
  expireDate: string;
}

export interface SearchAdiqBillingsInput {
  /** Only billings of this Adiq subscription (filtered here: the search has no such filter). */
  subscriptionId?: string;
  orderNumber?: string;
  status?: string;
  merchantId?: string;
  /** YYYY-MM-DD, inclusive. */
  from?: string;
  to?: string;
}

/** The Adiq plan name for our plan (255 characters at most). */
export function adiqPlanName(reference: string, name: string): string {
  return `${reference} - ${name}`.slice(0, 255);
}

/** The engine's registration at Adiq (a name of at most 50 characters, a description of at most 150). */
export const ADIQ_NOTIFICATION_NAME = 'temporal-billing-engine';
const ADIQ_NOTIFICATION_DESCRIPTION = 'Payment failures and statuses for the Temporal billing engine';

export function createAdiqActivities({ adiq, notification }: AdiqActivityDeps) {
  return {
    async createAdiqPlan(input: CreateAdiqPlanInput): Promise<{ planId: string; created: boolean }> {
      return withProviderFailures(() =>
        heartbeating({ reference: input.reference }, async () => {
          const { reference, ...plan } = input;
          const name = adiqPlanName(reference, plan.name);
          const existing = (await adiq.findPlansByName(name)).find((p) => p.status !== 'Canceled');
          if (existing) {
            if (adiqAmountToCents(existing.amount) !== input.amountCents || existing.planType !== input.planType) {
              log.warn('Adiq plan with our name differs from the requested plan; reusing it', {
                planId: existing.id,
                reference,
              });
            }
            return { planId: existing.id, created: false };
          }
          return { planId: await adiq.createPlan({ ...plan, name }), created: true };
        }),
      );
    },

    async createAdiqSubscription(
      input: CreateAdiqSubscriptionInput,
    ): Promise<AdiqSubscriptionSummary & { created: boolean }> {
      return withProviderFailures(() =>
        heartbeating({ reference: input.reference }, async () => {
          const orderNumber = adiqOrderNumber(input.reference);
          const filter = { planId: input.planId, planName: input.planName };
          const existing = await adiq.findSubscriptionByOrderNumber(orderNumber, filter);
          if (existing) {
            log.info('Adiq subscription already exists for this orderNumber; not creating it again', {
              orderNumber,
              subscriptionId: existing.id,
            });
            return { ...summarizeSubscription(existing), created: false };
          }
          const subscriptionId = await adiq.createSubscription({
            vaultId: input.vaultId,
            orderNumber,
            planId: input.planId,
          });
          return { ...summarizeSubscription(await adiq.getSubscription(subscriptionId)), created: true };
        }),
      );
    },

    async getAdiqSubscription(subscriptionId: string): Promise<AdiqSubscriptionSummary> {
      return withProviderFailures(async () => summarizeSubscription(await adiq.getSubscription(subscriptionId)));
    },

    async changeAdiqSubscriptionStatus(input: {
      subscriptionId: string;
      status: 'active' | 'canceled';
    }): Promise<AdiqSubscriptionSummary> {
      return withProviderFailures(async () => {
        await adiq.changeSubscriptionStatus(input.subscriptionId, input.status);
        return summarizeSubscription(await adiq.getSubscription(input.subscriptionId));
      });
    },

    async changeAdiqSubscriptionVault(input: {
      subscriptionId: string;
      vaultId: string;
    }): Promise<AdiqSubscriptionSummary> {
      return withProviderFailures(async () => {
        await adiq.changeSubscriptionVault(input.subscriptionId, input.vaultId);
        return summarizeSubscription(await adiq.getSubscription(input.subscriptionId));
      });
    },

    async searchAdiqBillings(input: SearchAdiqBillingsInput): Promise<AdiqBillingSummary[]> {
      return withProviderFailures(async () => {
        const query: Omit<BillingSearchQuery, 'page' | 'limit'> = {
          Mid: input.merchantId,
          status: input.status,
          ExpirationDateRangeStartDate: input.from,
          ExpirationDateRangeEndDate: input.to,
        };
        const billings = await adiq.findBillings(
          query,
          (b) =>
            (!input.subscriptionId || b.subscription.id === input.subscriptionId) &&
            (!input.orderNumber || b.subscription.orderNumber === input.orderNumber),
        );
        return billings.map(summarizeBilling);
      });
    },

    /**
     * Makes sure Adiq calls the engine's notification URL ("Create / Search / Update Notification"):
     * looked up by name first, then created, updated or left as it is, so it is safe to run at every
     * start-up. The URL carries the webhook secret: it comes from the worker's configuration, never
     * from workflow history.
     */
    async ensureAdiqNotification(): Promise<{
      notificationId: string;
      action: 'created' | 'updated' | 'unchanged';
      merchantId: string;
    }> {
      if (!notification) {
        throw ApplicationFailure.nonRetryable(
          "Adiq notifications need ADIQ_MERCHANT_ID and the engine's public URL (BILLING_PUBLIC_URL, with ADIQ_WEBHOOK_SECRET)",
          FailureType.ConfigurationError,
        );
      }
      const input = { ...notification, name: ADIQ_NOTIFICATION_NAME, description: ADIQ_NOTIFICATION_DESCRIPTION };
      return withProviderFailures(async () => {
        const existing = (await adiq.searchNotifications({ merchantId: input.merchantId, name: input.name })).find(
          (n) => n.name === input.name,
        );
        if (!existing)
          return {
            notificationId: await adiq.createNotification(input),
            action: 'created' as const,
            merchantId: input.merchantId,
          };
        if (
          existing.status === 'Active' &&
          existing.callbackUrl === input.callbackUrl &&
          existing.description === input.description
        ) {
          return { notificationId: existing.id, action: 'unchanged' as const, merchantId: input.merchantId };
        }
        const { merchantId, ...body } = input;
        const updated = await adiq.updateNotification(merchantId, { ...body, status: 'Active' });
        return { notificationId: updated.id, action: 'updated' as const, merchantId };
      });
    },
  };
}

export type AdiqActivities = ReturnType<typeof createAdiqActivities>;

export function summarizeSubscription(s: AdiqSubscription): AdiqSubscriptionSummary {
  return {
    subscriptionId: s.id,
    orderNumber: s.orderNumber,
    vaultId: s.vaultId,
    status: engineSubscriptionStatus(s.status),
    providerStatus: s.status,
    planId: s.plan.id,
    amountCents: adiqAmountToCents(s.plan.amount),
  };
}

export function summarizeBilling(b: AdiqBilling): AdiqBillingSummary {
  return {
    billingId: b.id,
    subscriptionId: b.subscription.id,
    orderNumber: b.subscription.orderNumber,
    status: engineBillingStatus(b.status),
    providerStatus: b.status,
    outcome: billingOutcome(b.status),
    amountCents: adiqAmountToCents(b.amount),
    installment: b.installment ?? null,
    expireDate: b.expireAt.slice(0, 10),
  };
}
