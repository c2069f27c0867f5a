/**
 * The coupon catalog through the typed client: define coupons (one `couponWorkflow` each, id
 * `coupon-<code>`), read them, and redeem them for subscriptions.
 *
 * Redemption happens here, before the subscription is created or updated: the catalog's `redeem`
 * Update counts the subscription id once (the same id again answers the same redemption, so a
 * retried create or applyCoupon never counts twice), then the subscription receives the terms as an
 * inline coupon. When the subscription refuses them (a create its first run refuses, an applyCoupon
 * the transition table refuses) the redemption is released at once — unless the subscription does
 * hold the code (an earlier identical call applied it). A call that fails otherwise (a lost
 * connection: outcome unknown) keeps the redemption for the retry of the same call, which reuses it.
 */
import {
  ApplicationFailure,
  WorkflowExecutionAlreadyStartedError,
  WorkflowIdConflictPolicy,
  WorkflowIdReusePolicy,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
} from '@temporalio/client';
import { z } from 'zod';
import {
  catalogCouponSchema,
  couponCodeSchema,
  couponWorkflowId,
  type CatalogCouponInput,
  type CouponCatalogView,
  type CouponRedemption,
} from '../common/coupon';
import { createSubscriptionInputSchema, type CreateSubscriptionInput } from '../common/subscription/input';
import type { SubscriptionView } from '../common/subscription/model';
import { FailureType } from '../common/failure-types';
import { currentRuns } from '../common/visibility';
import { businessIdSchema, listLimitSchema, parseInput, ValidationError, type FieldIssue } from '../common/validation';
import { couponQuery, redeemCouponUpdate, releaseCouponUpdate } from '../workflows/definitions';
import { canonicalJson, differingPaths } from './canonical';
import { ConflictError, NotFoundError, RejectedError } from './errors';
import type { BillingClient } from './index';
import type { CreatedSubscription } from './subscriptions';

export interface CreatedCoupon {
  code: string;
  workflowId: string;
  /** False when the coupon existed with these same terms. */
  created: boolean;
}

export interface CouponListItem {
  code: string;
  summary?: string;
}

/** A subscription to create with a catalog coupon: `couponCode` instead of the inline `coupon`. */
export type CreateSubscriptionWithCode = CreateSubscriptionInput & { couponCode?: string };

export const couponListFilterSchema = z.object({ limit: listLimitSchema.optional() }).strict();

/** The field issues an ApplicationFailure carries (the workflows' ValidationError details). */
function issuesOf(failure: ApplicationFailure): FieldIssue[] {
  return (failure.details?.[0] as FieldIssue[] | undefined) ?? [{ field: 'couponCode', message: failure.message }];
}

export class CouponsApi {
  constructor(private readonly billing: BillingClient) {}

  /**
   * Defines a coupon. Idempotent by code: the same terms again answer `created: false`; other
   * terms for an existing code are refused (ConflictError naming the fields), never changed.
   */
  async create(input: CatalogCouponInput): Promise<CreatedCoupon> {
    const parsed = parseInput(catalogCouponSchema, input, 'coupon');
    const workflowId = couponWorkflowId(parsed.code);
    try {
      await this.billing.temporal.workflow.start('couponWorkflow', {
        workflowId,
        taskQueue: this.billing.taskQueue,
        args: [{ coupon: parsed }],
        workflowIdConflictPolicy: WorkflowIdConflictPolicy.FAIL,
        workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
        memo: { summary: `Coupon ${parsed.code}` },
      });
      return { code: parsed.code, workflowId, created: true };
    } catch (error) {
      if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
      const stored = await this.billing.firstRunInput(workflowId);
      const previous = catalogCouponSchema.safeParse((stored?.[0] as { coupon?: unknown } | undefined)?.coupon);
      if (previous.success && canonicalJson(previous.data) === canonicalJson(parsed))
        return { code: parsed.code, workflowId, created: false };
      const fields = previous.success ? differingPaths(previous.data, parsed) : [];
      throw new ConflictError(
        `Coupon ${parsed.code} already exists with other terms` +
          (fields.length > 0 ? ` (${fields.join(', ')} differ)` : '') +
          '; a coupon is never changed: define another code',
      );
    }
  }

  /** The coupon's terms and its redemption counter. */
  async get(code: string): Promise<CouponCatalogView> {
    const parsed = parseInput(businessIdSchema('code'), code, 'coupon code');
    try {
      return await this.billing.temporal.workflow.getHandle(couponWorkflowId(parsed)).query(couponQuery);
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) throw new NotFoundError(`No coupon ${parsed}`);
      throw error;
    }
  }

  /** The catalog's coupons, at most `limit` (default 100). */
  async list(filter: z.input<typeof couponListFilterSchema> = {}): Promise<CouponListItem[]> {
    const { limit = 100 } = parseInput(couponListFilterSchema, filter, 'coupon filter');
    const items: CouponListItem[] = [];
    const query = `WorkflowType = 'couponWorkflow' AND ExecutionStatus = 'Running'`;
    for await (const wf of currentRuns(this.billing.temporal, query)) {
      const summary = wf.memo?.summary;
      items.push({
        code: wf.workflowId.replace(/^coupon-/, ''),
        ...(typeof summary === 'string' ? { summary } : {}),
      });
      if (items.length >= limit) break;
    }
    return items;
  }

  /**
   * Redeems `code` for a subscription: counted once per subscription id (the same id again answers
   * the same redemption). Refused (ValidationError naming `couponCode`) for an unknown code, past
   * the coupon's expiry or its limit.
   */
  async redeem(code: string, subscriptionId: string): Promise<CouponRedemption> {
    const parsedCode = parseInput(couponCodeSchema, code, 'coupon code');
    const parsedId = parseInput(businessIdSchema('subscriptionId'), subscriptionId, 'subscription id');
    try {
      return await this.billing.temporal.workflow
        .getHandle(couponWorkflowId(parsedCode))
        .executeUpdate(redeemCouponUpdate, { args: [{ subscriptionId: parsedId }] });
    } catch (error) {
      if (
        error instanceof WorkflowNotFoundError ||
        (error instanceof Error && /already completed/i.test(error.message))
      )
        throw new ValidationError(
          [{ field: 'couponCode', message: `no coupon ${parsedCode} in the catalog` }],
          'coupon',
        );
      if (error instanceof WorkflowUpdateFailedError && error.cause instanceof ApplicationFailure) {
        if (error.cause.type === FailureType.ValidationError)
          throw new ValidationError(issuesOf(error.cause), 'coupon');
        throw new RejectedError(error.cause.message);
      }
      throw error;
    }
  }

  /** Gives a subscription's redemption back (nothing when it holds none): the counter's view after. */
  async release(code: string, subscriptionId: string): Promise<CouponCatalogView> {
    const parsedCode = parseInput(couponCodeSchema, code, 'coupon code');
    const parsedId = parseInput(businessIdSchema('subscriptionId'), subscriptionId, 'subscription id');
    try {
      return await this.billing.temporal.workflow
        .getHandle(couponWorkflowId(parsedCode))
        .executeUpdate(releaseCouponUpdate, { args: [{ subscriptionId: parsedId }] });
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) throw new NotFoundError(`No coupon ${parsedCode}`);
      throw error;
    }
  }

  /**
   * `subscriptions.create` with `couponCode`: the subscription is checked first (nothing is
   * redeemed for an input refused on its face), then the code is redeemed for its id, then the
   * subscription is created with the coupon's terms; a create refused releases the redemption.
   */
  async createSubscription(
    input: CreateSubscriptionWithCode,
    create: (input: CreateSubscriptionInput) => Promise<CreatedSubscription>,
  ): Promise<CreatedSubscription> {
    const { couponCode, ...subscription } = input;
    const code = parseInput(couponCodeSchema, couponCode, 'subscription');
    if (subscription.coupon !== undefined)
      throw new ValidationError(
        [{ field: 'couponCode', message: 'give either coupon (its terms in full) or couponCode (from the catalog)' }],
        'subscription',
      );
    const parsed = parseInput(createSubscriptionInputSchema, subscription, 'subscription');
    // The provider charges its own plan's amount in these modes: nothing is redeemed for them.
    const billedBy = { adiq_vault: 'Adiq', zspay_subscription: 'Zspay' } as Record<string, string | undefined>;
    const provider = billedBy[parsed.paymentMethod.type];
    if (provider)
      throw new ValidationError(
        [{ field: 'couponCode', message: `couponCode is not available for a subscription billed by ${provider}` }],
        'subscription',
      );
    const redemption = await this.redeem(code, parsed.subscriptionId);
    try {
      return await create({ ...subscription, coupon: redemption.coupon });
    } catch (error) {
      const refused =
        error instanceof ValidationError ||
        (error instanceof ConflictError && !(await this.holds(parsed.subscriptionId, code)));
      if (refused) await this.release(code, parsed.subscriptionId);
      throw error;
    }
  }

  /** `applyCoupon` with `couponCode`: redeemed, then applied; a refusal releases the redemption. */
  async applyToSubscription(
    subscriptionId: string,
    couponCode: unknown,
    apply: (coupon: CouponRedemption['coupon']) => Promise<SubscriptionView>,
  ): Promise<SubscriptionView> {
    const code = parseInput(couponCodeSchema, couponCode, 'coupon');
    const redemption = await this.redeem(code, subscriptionId);
    try {
      return await apply(redemption.coupon);
    } catch (error) {
      const refused = error instanceof RejectedError || error instanceof NotFoundError;
      if (refused && !(await this.holds(subscriptionId, code))) await this.release(code, subscriptionId);
      throw error;
    }
  }

  /** Whether the subscription redeemed the code (its view lists it); false when it cannot be read. */
  private async holds(subscriptionId: string, code: string): Promise<boolean> {
    try {
      const view = await this.billing.subscriptions.get(subscriptionId);
      return (view.couponRedemptions ?? []).includes(code);
    } catch (error) {
      if (error instanceof NotFoundError || error instanceof RejectedError) return false;
      throw error;
    }
  }
}
