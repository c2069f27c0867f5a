/**
 * Subscriptions through the typed client: every input validated with the workflow's own schemas
 * before anything reaches Temporal; every refusal a typed error.
 */
import { staticSummaryOf } from '../common/subscription/web-ui';
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
import { z } from 'zod';
import { BillingAmountCents, BillingCustomerId, BillingPlanId, BillingStatus } from '../common/search-attributes';
import {
  changePlanArgsSchema,
  createSubscriptionInputSchema,
  subscriptionIdOf,
  subscriptionWorkflowId,
  subscriptionWorkflowType,
} from '../common/subscription/input';
import type { AdiqBillingUpdate } from '../common/subscription/adiq-managed';
import type { ZspayInvoiceUpdate } from '../common/subscription/zspay-managed';
import type { SubscriptionStatus, SubscriptionView } from '../common/subscription/model';
import {
  applyCouponArgsSchema,
  cancelArgsSchema,
  changeNextChargeDateArgsSchema,
  changePaymentMethodArgsSchema,
  extendGraceArgsSchema,
  linkExternalPaymentArgsSchema,
  paymentReceivedSchema,
  refundArgsSchema,
  refundNoticeSchema,
} from '../common/subscription/operations';
import { businessIdSchema, listLimitSchema, parseInput, ValidationError, type FieldIssue } from '../common/validation';
import * as defs from '../workflows/subscription-definitions';
import type { BillingClient } from './index';
import { canonicalJson, differingPaths } from './canonical';
import { ConflictError, NotFoundError, RejectedError } from './errors';
import { currentRuns } from '../common/visibility';
import { FailureType } from '../common/failure-types';
import type { CreateSubscriptionWithCode } from './coupons';
import type { applyCouponCodeArgsSchema } from '../common/coupon';

/** An update that takes arguments, with the schema that checks them and their name in errors. */
function operation<S extends z.ZodType>(
  schema: S,
  update: UpdateDefinition<SubscriptionView, [z.output<S>]>,
  label: string,
) {
  return { schema, update, label };
}

/** The operations that take arguments (the others: suspend, reactivate, retryNow, skipNextRetry). */
const OPERATIONS = {
  cancel: operation(cancelArgsSchema, defs.cancelUpdate, 'cancel arguments'),
  changeNextChargeDate: operation(changeNextChargeDateArgsSchema, defs.changeNextChargeDateUpdate, 'new charge date'),
  changePaymentMethod: operation(changePaymentMethodArgsSchema, defs.changePaymentMethodUpdate, 'payment method'),
  changePlan: operation(changePlanArgsSchema, defs.changePlanUpdate, 'plan'),
  applyCoupon: operation(applyCouponArgsSchema, defs.applyCouponUpdate, 'coupon'),
  extendGrace: operation(extendGraceArgsSchema, defs.extendGraceUpdate, 'extension'),
  linkExternalPayment: operation(linkExternalPaymentArgsSchema, defs.linkExternalPaymentUpdate, 'external payment'),
  refund: operation(refundArgsSchema, defs.refundUpdate, 'refund'),
};
export type SubscriptionOperation = keyof typeof OPERATIONS;

// A Record so that the compiler flags a status added to the model but missing here.
const STATUS_SET: Record<SubscriptionStatus, true> = {
  trialing: true,
  active: true,
  past_due: true,
  blocked: true,
  suspended: true,
  canceled: true,
  completed: true,
};
/** Every subscription status, for filters (API query strings, CLI choices). */
export const SUBSCRIPTION_STATUSES = Object.keys(STATUS_SET) as [SubscriptionStatus, ...SubscriptionStatus[]];

export const subscriptionListFilterSchema = z.object({
  status: z
    .enum(SUBSCRIPTION_STATUSES, { error: `status must be one of ${SUBSCRIPTION_STATUSES.join(', ')}` })
    .optional(),
  customerId: businessIdSchema('customerId').optional(),
  planId: businessIdSchema('planId').optional(),
  query: z.string().optional(),
  limit: listLimitSchema.optional(),
});

export interface SubscriptionListFilter {
  status?: SubscriptionStatus;
  customerId?: string;
  planId?: string;
  /** Raw visibility query appended with AND (e.g. "BillingDunningAttempt >= 2"). */
  query?: string;
  /** 1..1000, default 100. */
  limit?: number;
}

/** What `create` answers: `created` is false when the subscription existed with this same input. */
export interface CreatedSubscription {
  workflowId: string;
  runId: string;
  created: boolean;
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
   * against the workflow's own clock, and the references only the worker can resolve.
   *
   * Idempotent by subscription id: sending the same input again (a retry after a dropped
   * connection) answers the existing subscription with `created: false`; a different input for an
   * existing id is refused (ConflictError naming the fields that differ), never doubled. Inputs
   * are compared with the first run's, parsed with today's schema and canonicalized (key order
   * and defaults do not matter). A create its first run refused can be sent again once fixed.
   */
  async create(input: CreateSubscriptionWithCode): Promise<CreatedSubscription> {
    // A catalog coupon (couponCode) is redeemed first, then given to the subscription in full.
    // (Any input may arrive here from the API: undefined, null, an array... the schema names what is wrong.)
    if (typeof input === 'object' && input !== null && (input as { couponCode?: unknown }).couponCode !== undefined)
      return this.billing.coupons.createSubscription(input, (resolved) => this.create(resolved));
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
      // What the Web UI shows for this run without a query; its current details come from the workflow.
      staticSummary: staticSummaryOf(parsed),
    });
    try {
      const created = await this.billing.temporal.workflow.executeUpdateWithStart(defs.createdUpdate, {
        startWorkflowOperation: start,
      });
      return { workflowId, runId: created.runId, created: true };
    } catch (error) {
      if (error instanceof WorkflowExecutionAlreadyStartedError) return this.existing(workflowId, parsed);
      const refusal =
        error instanceof WorkflowUpdateFailedError && error.cause instanceof ApplicationFailure
          ? error.cause
          : undefined;
      if (refusal?.type === FailureType.ValidationError) {
        const issues = (refusal.details?.[0] as FieldIssue[] | undefined) ?? [
          { field: '(root)', message: refusal.message },
        ];
        throw new ValidationError(issues, 'subscription');
      }
      throw error;
    }
  }

  /** The subscription the id names, when it was created with this same input; a ConflictError otherwise. */
  private async existing(
    workflowId: string,
    parsed: z.output<typeof createSubscriptionInputSchema>,
  ): Promise<CreatedSubscription> {
    const stored = await this.billing.firstRunInput(workflowId);
    const first = stored?.[0] as { subscription?: unknown } | undefined;
    const previous = createSubscriptionInputSchema.safeParse(first?.subscription);
    if (previous.success && canonicalJson(previous.data) === canonicalJson(parsed)) {
      const description = await this.billing.describe(workflowId);
      return { workflowId, runId: description?.runId ?? '', created: false };
    }
    const fields = previous.success ? differingPaths(previous.data, parsed) : [];
    throw new ConflictError(
      `Subscription ${parsed.subscriptionId} already exists with a different input` +
        (fields.length > 0 ? ` (${fields.join(', ')} differ)` : '') +
        '; send the same input to get it, or choose another subscriptionId',
    );
  }

  get(subscriptionId: string): Promise<SubscriptionView> {
    return this.call(subscriptionId, (h) => h.query(defs.subscriptionQuery));
  }

  invoices(subscriptionId: string) {
    return this.call(subscriptionId, (h) => h.query(defs.invoicesQuery));
  }

  forecast(subscriptionId: string, count = 6) {
    parseInput(
      z
        .number()
        .int('count must be a whole number')
        .min(1, 'count must be between 1 and 36')
        .max(36, 'count must be between 1 and 36'),
      count,
      'forecast count',
    );
    return this.call(subscriptionId, (h) => h.query(defs.forecastQuery, count));
  }

  /** Lists subscriptions by their search attributes (needs a server with visibility, not the time-skipping one). */
  async list(input: SubscriptionListFilter = {}): Promise<SubscriptionListItem[]> {
    const filter = parseInput(subscriptionListFilterSchema, input, 'subscription filter');
    const clauses = [
      `WorkflowType IN ('subscriptionWorkflow', 'adiqSubscriptionWorkflow')`,
      `ExecutionStatus = 'Running'`,
    ];
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
        summary: wf.memo?.summary as string | undefined,
      });
      if (items.length >= (filter.limit ?? 100)) break;
    }
    return items;
  }

  /**
   * An operation on arguments nobody has checked yet (an HTTP body, CLI flags): malformed ones are
   * refused with field-level issues (ValidationError) before anything reaches the workflow.
   */
  operate(subscriptionId: string, name: SubscriptionOperation, args: unknown): Promise<SubscriptionView> {
    if (!Object.hasOwn(OPERATIONS, name))
      throw new ValidationError(
        [{ field: 'operation', message: `operation must be one of ${Object.keys(OPERATIONS).join(', ')}` }],
        'operation',
      );
    // applyCoupon with a catalog code: redeemed first, then applied with its terms in full.
    if (name === 'applyCoupon' && typeof args === 'object' && args !== null && 'couponCode' in args)
      return this.billing.coupons.applyToSubscription(subscriptionId, args.couponCode, (coupon) =>
        this.operate(subscriptionId, 'applyCoupon', { coupon }),
      );
    const { schema, update, label } = OPERATIONS[name];
    return this.update(subscriptionId, update, parseInput(schema, args, label));
  }

  cancel(subscriptionId: string, args: z.input<typeof cancelArgsSchema>) {
    return this.operate(subscriptionId, 'cancel', args);
  }

  suspend(subscriptionId: string) {
    return this.update(subscriptionId, defs.suspendUpdate);
  }

  reactivate(subscriptionId: string) {
    return this.update(subscriptionId, defs.reactivateUpdate);
  }

  changeNextChargeDate(subscriptionId: string, args: z.input<typeof changeNextChargeDateArgsSchema>) {
    return this.operate(subscriptionId, 'changeNextChargeDate', args);
  }

  changePaymentMethod(subscriptionId: string, args: z.input<typeof changePaymentMethodArgsSchema>) {
    return this.operate(subscriptionId, 'changePaymentMethod', args);
  }

  /**
   * Changes the plan: from the next cycle (`proration` left out or `none`), or from today with
   * `proration: 'next_invoice'` (the current paid cycle's unused days credited at the old price and
   * charged at the new one, as lines of the next invoice; the billing period must stay the same) or
   * `proration: 'now'` (the same lines; a positive difference is charged to the card at once as a
   * proration invoice, `kind: 'proration'`, `cycle` minus the cycle it settles; a credit goes on the
   * next invoice). Refused (`RejectedError`, with the reason) as the transition table says.
   */
  changePlan(subscriptionId: string, args: z.input<typeof changePlanArgsSchema>) {
    return this.operate(subscriptionId, 'changePlan', args);
  }

  /**
   * Applies a coupon to the next recurring invoices, its terms in full or a catalog `couponCode`
   * (redeemed first, released if the subscription refuses it); refused while one is in force.
   */
  applyCoupon(
    subscriptionId: string,
    args: z.input<typeof applyCouponArgsSchema> | z.input<typeof applyCouponCodeArgsSchema>,
  ) {
    return this.operate(subscriptionId, 'applyCoupon', args);
  }

  retryNow(subscriptionId: string) {
    return this.update(subscriptionId, defs.retryNowUpdate);
  }

  skipNextRetry(subscriptionId: string) {
    return this.update(subscriptionId, defs.skipNextRetryUpdate);
  }

  extendGrace(subscriptionId: string, args: z.input<typeof extendGraceArgsSchema>) {
    return this.operate(subscriptionId, 'extendGrace', args);
  }

  linkExternalPayment(subscriptionId: string, args: z.input<typeof linkExternalPaymentArgsSchema>) {
    return this.operate(subscriptionId, 'linkExternalPayment', args);
  }

  /**
   * Refunds a paid invoice at Zspay, in full (`amountCents` may be left out or be the invoice's
   * amount): the card sale of an engine-billed subscription, or the fatura of a Zspay-billed one
   * ("Estornar uma fatura"). Answers once the refund is recorded (`refund.status: 'requested'` on
   * the invoice); the workflow sends it exactly once, then the invoice reads `refunded` (or the
   * refund `failed`, with Zspay's reason). Refused (RejectedError) for an unpaid, boleto or already
   * refunded invoice, or a partial amount.
   */
  refund(subscriptionId: string, args: z.input<typeof refundArgsSchema>) {
    return this.operate(subscriptionId, 'refund', args);
  }

  /** A provider webhook says a sale was refunded (estornado): the workflow asks Zspay before acting. */
  refundReceived(subscriptionId: string, notice: z.input<typeof refundNoticeSchema>): Promise<void> {
    const parsed = parseInput(refundNoticeSchema, notice, 'refund notice');
    return this.call(subscriptionId, (h) => h.signal(defs.refundReceivedSignal, parsed));
  }

  /** Adiq reported a billing outcome for an Adiq-billed subscription (notification ingress). */
  adiqBilling(subscriptionId: string, update: AdiqBillingUpdate): Promise<void> {
    return this.call(subscriptionId, (h) => h.signal(defs.adiqBillingSignal, update));
  }

  /** Zspay reported an invoice outcome for a Zspay-billed subscription (webhook ingress, billing run). */
  zspayInvoice(subscriptionId: string, update: ZspayInvoiceUpdate): Promise<void> {
    return this.call(subscriptionId, (h) => h.signal(defs.zspayInvoiceSignal, update));
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
      if (
        !(error instanceof WorkflowNotFoundError) &&
        !(error instanceof Error && /already completed/i.test(error.message))
      )
        throw error;
      // Updates and signals reach only running workflows: tell "ended" apart from "never existed".
      const ended = await this.billing.describe(subscriptionWorkflowId(subscriptionId));
      if (!ended) throw new NotFoundError(`No subscription ${subscriptionId}`);
      throw new RejectedError(`Subscription ${subscriptionId} has ended`);
    }
  }

  /** Runs an update; `OPERATIONS` pairs each definition with the schema that checked its argument. */
  private update(
    subscriptionId: string,
    definition: { name: string },
    ...args: [] | [unknown]
  ): Promise<SubscriptionView> {
    return this.call(subscriptionId, async (h) => {
      try {
        const name = definition.name;
        return await (args.length === 0
          ? h.executeUpdate<SubscriptionView, []>(name)
          : h.executeUpdate<SubscriptionView, [unknown]>(name, { args }));
      } catch (error) {
        if (error instanceof WorkflowUpdateFailedError) throw new RejectedError(error.cause?.message ?? error.message);
        throw error;
      }
    });
  }
}
