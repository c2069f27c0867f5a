/**
 * Adiq's plan rules ("Create plan"): Custom needs `interval` >= 20 days and `installments` > 0;
 * the fixed types get 30-day intervals and their installments from Adiq, so both are optional
 * there; `attempts` (teimosinha retries) is 0..4. Messages name the field.
 */
import type { z } from 'zod';
import { ADIQ_MIN_CUSTOM_INTERVAL_DAYS } from '../../common/billing/plan';

export const ADIQ_MAX_ATTEMPTS = 4;

export interface PlanRuleInput {
  planType: string;
  interval?: number | null;
  installments?: number | null;
}

/** Adds one issue per broken rule; used by the create and update request schemas. */
export function checkAdiqPlanRules(plan: PlanRuleInput, ctx: z.RefinementCtx): void {
  if (plan.planType !== 'Custom') return;
  if (plan.interval == null || plan.interval < ADIQ_MIN_CUSTOM_INTERVAL_DAYS) {
    ctx.addIssue({
      code: 'custom',
      path: ['interval'],
      message: `interval must be at least ${ADIQ_MIN_CUSTOM_INTERVAL_DAYS} days for a Custom plan`,
    });
  }
  if (plan.installments == null || plan.installments <= 0) {
    ctx.addIssue({
      code: 'custom',
      path: ['installments'],
      message: 'installments must be greater than zero for a Custom plan',
    });
  }
}
