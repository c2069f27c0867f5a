/**
 * Subscriptions through the typed client: every input validated with the workflow's own schemas
 * before anything reaches Temporal; every refusal a typed error.
 */
import {
  ApplicationFailure,
  WithStartWorkflowOperation,
  WorkflowExecutionAlreadyStartedError,
  WorkflowIdConflictPolicy,
  WorkflowIdReusePolicy,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  type WorkflowHandle,
} from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import type { z } from 'zod';
import { BillingAmountCents, BillingCustomerId, BillingPlanId, BillingStatus } from '../common/search-attributes';
import {
  changePlanArgsSchema,
  createSubscriptionInputSchema,
  subscriptionIdOf,
  subscriptionWorkflowId,
  subscriptionWorkflowType,
  type CreateSubscriptionInput,
} from '../common/subscription/input';
import type { AdiqBillingUpdate } from '../common/subscription/adiq-managed';
import type { SubscriptionStatus, SubscriptionView } from '../common/subscription/model';
import {
  cancelArgsSchema,
  changeNextChargeDateArgsSchema,
  changePaymentMethodArgsSchema,
  extendGraceArgsSchema,
  linkExternalPaymentArgsSchema,
  paymentReceivedSchema,
} from '../common/subscription/operations';
import { parseInput, ValidationError, type FieldIssue } from '../common/validation';
import * as defs from '../workflows/subscription-definitions';
import type { BillingClient } from './index';
import { ConflictError, NotFoundError, RejectedError } from './errors';
import { currentRuns } from '../common/visibility';
import { FailureType } from '../common/failure-types';

export interface SubscriptionListFilter {
  status?: SubscriptionStatus;
  customerId?: string;
  planId?: string;
  /** Raw visibility query appended with AND (e.g. "BillingDunningAttempt >= 2"). */
  query?: string;
  limit?: number;
}

export interface SubscriptionListItem {
  subscriptionId: string;
  workflowId: string;
  status?: string;
  customerId?: string;
  planId?: string;
  amountCents?: number;
  summary?: string;
}

const quote = (value: string) => `'${value.replace(/'/g, "\\'")}'`;

export class SubscriptionsApi {
  constructor(private readonly billing: BillingClient) {}

  /**
   * Starts the subscription's workflow and waits for its first run to accept it: the start date
   * against the workflow's own clock, and the references only the worker can resolve. The same subscription id twice is refused (ConflictError),
   * never doubled; a refused create can be sent again once fixed.
   */
  async create(input: CreateSubscriptionInput): Promise<{ workflowId: string; runId: string }> {
    const parsed = parseInput(createSubscriptionInputSchema, input, 'subscription');
    const workflowId = subscriptionWorkflowId(parsed.subscriptionId);
    const start = new WithStartWorkflowOperation(subscriptionWorkflowType(parsed), {
      workflowId,
      taskQueue: this.billing.taskQueue,
      args: [{ subscription: parsed }],
      workflowIdConflictPolicy: WorkflowIdConflictPolicy.FAIL,
      // A create its first run refused (failed) may be sent again; a running or ended one may not.
      workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
      typedSearchAttributes: [
        { key: BillingStatus, value: 'trialing' },
        { key: BillingCustomerId, value: parsed.customerId },
        { key: BillingPlanId, value: parsed.plan.planId },
        { key: BillingAmountCents, value: parsed.plan.amountCents },
      ],
      memo: { summary: `Subscription ${parsed.subscriptionId} for customer ${parsed.customerId}` },
    });
    try {
      const created = await this.billing.temporal.workflow.executeUpdateWithStart(defs.createdUpdate, { startWorkflowOperation: start });
      return { workflowId, runId: created.runId };
    } catch (error) {
      if (error instanceof WorkflowExecutionAlreadyStartedError) throw new ConflictError(`Subscription ${parsed.subscriptionId} already exists`);
      const refusal = error instanceof WorkflowUpdateFailedError && error.cause instanceof ApplicationFailure ? error.cause : undefined;
      if (refusal?.type === FailureType.ValidationError) {
        const issues = (refusal.details?.[0] as FieldIssue[] | undefined) ?? [{ field: '(root)', message: refusal.message }];
        throw new ValidationError(issues, 'subscription');
      }
      throw error;
    }
  }

  get(subscriptionId: string): Promise<SubscriptionView> {
    return this.call(subscriptionId, (h) => h.query(defs.subscriptionQuery));
  }

  invoices(subscriptionId: string) {
    return this.call(subscriptionId, (h) => h.query(defs.invoicesQuery));
  }

  forecast(subscriptionId: string, count = 6) {
    return this.call(subscriptionId, (h) => h.query(defs.forecastQuery, count));
  }

  /** Lists subscriptions by their search attributes (needs a server with visibility, not the time-skipping one). */
  async list(filter: SubscriptionListFilter = {}): Promise<SubscriptionListItem[]> {
    const clauses = [`WorkflowType IN ('subscriptionWorkflow', 'adiqSubscriptionWorkflow')`, `ExecutionStatus = 'Running'`];
    if (filter.status) clauses.push(`BillingStatus = ${quote(filter.status)}`);
    if (filter.customerId) clauses.push(`BillingCustomerId = ${quote(filter.customerId)}`);
    if (filter.planId) clauses.push(`BillingPlanId = ${quote(filter.planId)}`);
    if (filter.query) clauses.push(`(${filter.query})`);
    const items: SubscriptionListItem[] = [];
    for await (const wf of currentRuns(this.billing.temporal, clauses.join(' AND '))) {
      const attributes = wf.typedSearchAttributes;
      items.push({
        subscriptionId: subscriptionIdOf(wf.workflowId),
        workflowId: wf.workflowId,
        status: attributes.get(BillingStatus),
        customerId: attributes.get(BillingCustomerId),
        planId: attributes.get(BillingPlanId),
        amountCents: attributes.get(BillingAmountCents),
        summary: (await wf.memo)?.summary as string | undefined,
      });
      if (items.length >= (filter.limit ?? 100)) break;
    }
    return items;
  }

  cancel(subscriptionId: string, args: z.input<typeof cancelArgsSchema>) {
    return this.update(subscriptionId, defs.cancelUpdate, parseInput(cancelArgsSchema, args, 'cancel arguments'));
  }

  suspend(subscriptionId: string) {
    return this.update(subscriptionId, defs.suspendUpdate);
  }

  reactivate(subscriptionId: string) {
    return this.update(subscriptionId, defs.reactivateUpdate);
  }

  changeNextChargeDate(subscriptionId: string, args: z.input<typeof changeNextChargeDateArgsSchema>) {
    return this.update(subscriptionId, defs.changeNextChargeDateUpdate, parseInput(changeNextChargeDateArgsSchema, args, 'new charge date'));
  }

  changePaymentMethod(subscriptionId: string, args: z.input<typeof changePaymentMethodArgsSchema>) {
    return this.update(subscriptionId, defs.changePaymentMethodUpdate, parseInput(changePaymentMethodArgsSchema, args, 'payment method'));
  }

  changePlan(subscriptionId: string, args: z.input<typeof changePlanArgsSchema>) {
    return this.update(subscriptionId, defs.changePlanUpdate, parseInput(changePlanArgsSchema, args, 'plan'));
  }

  retryNow(subscriptionId: string) {
    return this.update(subscriptionId, defs.retryNowUpdate);
  }

  skipNextRetry(subscriptionId: string) {
    return this.update(subscriptionId, defs.skipNextRetryUpdate);
  }

  extendGrace(subscriptionId: string, args: z.input<typeof extendGraceArgsSchema>) {
    return this.update(subscriptionId, defs.extendGraceUpdate, parseInput(extendGraceArgsSchema, args, 'extension'));
  }

  linkExternalPayment(subscriptionId: string, args: z.input<typeof linkExternalPaymentArgsSchema>) {
    return this.update(subscriptionId, defs.linkExternalPaymentUpdate, parseInput(linkExternalPaymentArgsSchema, args, 'external payment'));
  }

  /** Adiq reported a billing outcome for an Adiq-billed subscription (notification ingress). */
  adiqBilling(subscriptionId: string, update: AdiqBillingUpdate): Promise<void> {
    return this.call(subscriptionId, (h) => h.signal(defs.adiqBillingSignal, update));
  }

  /** A provider confirmed a payment (webhook ingress, billing run). Duplicates have one effect. */
  paymentReceived(subscriptionId: string, payment: z.input<typeof paymentReceivedSchema>): Promise<void> {
    const parsed = parseInput(paymentReceivedSchema, payment, 'payment');
    return this.call(subscriptionId, (h) => h.signal(defs.paymentReceivedSignal, parsed));
  }

  private handle(subscriptionId: string): WorkflowHandle {
    return this.billing.temporal.workflow.getHandle(subscriptionWorkflowId(subscriptionId));
  }

  private async call<T>(subscriptionId: string, fn: (handle: WorkflowHandle) => Promise<T>): Promise<T> {
    try {
      return await fn(this.handle(subscriptionId));
    } catch (error) {
      if (!(error instanceof WorkflowNotFoundError) && !(error instanceof Error && /already completed/i.test(error.message))) throw error;
      // Updates and signals reach only running workflows: tell "ended" apart from "never existed".
      const ended = await this.billing.describe(subscriptionWorkflowId(subscriptionId));
      if (!ended) throw new NotFoundError(`No subscription ${subscriptionId}`);
      throw new RejectedError(`Subscription ${subscriptionId} has ended`);
    }
  }

  private update<Args extends unknown[]>(
    subscriptionId: string,
    definition: UpdateDefinition<SubscriptionView, Args>,
    ...args: Args
  ): Promise<SubscriptionView> {
    return this.call(subscriptionId, async (h) => {
      try {
        // Updates here take zero or one argument; the definition's own type checks the callers.
        return await h.executeUpdate(definition.name, { args: args as unknown as [unknown] });
      } catch (error) {
        if (error instanceof WorkflowUpdateFailedError) throw new RejectedError(error.cause?.message ?? error.message);
        throw error;
      }
    });
  }
}
