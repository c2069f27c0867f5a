/**
 * One coupon of the catalog (id `coupon-<code>`), for as long as it is offered: its terms and a
 * redemption counter shared by every subscription. `redeem` (an Update) counts a subscription once
 * — asked again with the same subscription id it answers the same redemption — and is refused,
 * naming `couponCode`, past the coupon's expiry or its global limit; `release` gives a
 * subscription's redemption back (the client releases what a subscription refused). Handlers never
 * await; the workflow continues as new when Temporal suggests it, carrying the counter.
 */
import {
  allHandlersFinished,
  ApplicationFailure,
  condition,
  continueAsNew,
  setHandler,
  upsertMemo,
  workflowInfo,
} from '@temporalio/workflow';
import { localDateOf } from '../common/billing/calendar';
import {
  catalogView,
  checkCatalogCoupon,
  redeem,
  redeemRefusal,
  release,
  subscriptionIdProblems,
  type CatalogCoupon,
  type CouponCatalogState,
  type CouponCatalogView,
} from '../common/coupon-rules';
import { FailureType } from '../common/failure-types';
import { couponQuery, couponRedemptionQuery, redeemCouponUpdate, releaseCouponUpdate } from './definitions';
import { invalidInput } from './failures';

export interface CouponWorkflowInput {
  coupon: CatalogCoupon;
  /** Carried by continue-as-new; absent on the first run. */
  state?: CouponCatalogState;
}

const refusal = (message: string) =>
  ApplicationFailure.create({
    type: FailureType.ValidationError,
    message,
    nonRetryable: true,
    details: [[{ field: message.split(':')[0], message: message.slice(message.indexOf(':') + 1).trim() }]],
  });

export async function couponWorkflow(input: CouponWorkflowInput): Promise<CouponCatalogView> {
  const checked = checkCatalogCoupon(input.coupon);
  if (!checked.input) throw invalidInput(`Invalid coupon: ${checked.problems.join('; ')}`);
  const coupon = checked.input;
  let state: CouponCatalogState = input.state ?? { redemptions: {}, released: 0 };
  const today = () => localDateOf(Date.now(), coupon.timeZone);
  const view = () => catalogView(coupon, state, today());
  const publish = () => {
    const v = view();
    upsertMemo({
      summary: `Coupon ${coupon.code} · ${v.terms} · ${v.redemptions}${coupon.maxRedemptions !== undefined ? ` of ${coupon.maxRedemptions}` : ''} redeemed${coupon.expiresAt ? ` · until ${coupon.expiresAt}` : ''}`,
    });
  };

  setHandler(couponQuery, view);
  setHandler(couponRedemptionQuery, (subscriptionId) => state.redemptions[subscriptionId] ?? null);
  setHandler(
    redeemCouponUpdate,
    ({ subscriptionId }) => {
      const next = redeem(coupon, state, subscriptionId, today(), new Date().toISOString());
      if (next.state !== state) {
        state = next.state;
        publish();
      }
      return next.redemption;
    },
    {
      validator: (args: { subscriptionId: string }) => {
        const problems = subscriptionIdProblems(args);
        if (problems.length > 0) throw refusal(problems[0]!);
        const why = redeemRefusal(coupon, state, args.subscriptionId, today());
        if (why) throw refusal(why);
      },
    },
  );
  setHandler(
    releaseCouponUpdate,
    ({ subscriptionId }) => {
      const next = release(state, subscriptionId);
      if (next !== state) {
        state = next;
        publish();
      }
      return view();
    },
    {
      validator: (args) => {
        const problems = subscriptionIdProblems(args);
        if (problems.length > 0) throw refusal(problems[0]!);
      },
    },
  );
  publish();

  await condition(() => workflowInfo().continueAsNewSuggested);
  await condition(allHandlersFinished);
  return continueAsNew<typeof couponWorkflow>({ coupon, state });
}
