/**
 * Creating a subscription: the input the client, the HTTP API and the workflow validate alike, and
 * the workflow's first state.
 */
import { z } from 'zod';
import { planSchema } from '../billing/plan';
import { calendarDateSchema, externalPaymentSchema, merchantEndpointSchema, paymentMethodSchema } from './model';
import { businessIdSchema } from '../validation';
import { MAX_BACK_BILLED_CYCLES } from './state';
import { BOLETO_MINIMUM_CENTS } from '../billing/plan-rules';
import { formatBRL } from '../money';
import { couponSchema } from './operations';

/**
 * How a plan change settles the current cycle: `none` (from the next cycle), `next_invoice` (from
 * today, the difference on the next invoice) or `now` (from today, a positive difference charged at
 * once on an invoice of its own; a credit goes on the next invoice).
 */
export const PRORATION_MODES = ['none', 'next_invoice', 'now'] as const;
export type ProrationMode = (typeof PRORATION_MODES)[number];

export const subscriptionPlanSchema = planSchema.and(z.object({ planId: businessIdSchema('plan.planId') }));
export type SubscriptionPlan = z.infer<typeof subscriptionPlanSchema>;

export const createSubscriptionInputSchema = z
  .object({
    subscriptionId: businessIdSchema('subscriptionId'),
    customerId: businessIdSchema('customerId'),
    plan: subscriptionPlanSchema,
    paymentMethod: paymentMethodSchema,
    /**
     * The sign-up date in the merchant's zone; default: today. At most a year ahead. A date in the
     * past bills only the cycle current today, plus `backBillCycles` earlier ones.
     */
    startDate: calendarDateSchema('startDate').optional(),
    /** With a past startDate: how many cycles before today's to bill too (0..12, default 0). */
    backBillCycles: z
      .number({ message: 'backBillCycles must be a number' })
      .int('backBillCycles must be a whole number')
      .min(0, 'backBillCycles must be between 0 and 12')
      .max(MAX_BACK_BILLED_CYCLES, `backBillCycles must be between 0 and ${MAX_BACK_BILLED_CYCLES}`)
      .optional(),
    /** The merchant's callback for notifications (failures after every attempt, blocks, recoveries). */
    merchant: merchantEndpointSchema.optional(),
    /** The ZapSign client account to block (`inadimplente`) and unblock (`adimplente`), by reference. */
    partner: z.object({ zapsignClientRef: businessIdSchema('partner.zapsignClientRef') }).optional(),
    /** Payments of the payment status API that invoices are linked to, by cycle (0 = setup fee). */
    externalPayments: z
      .record(z.string().regex(/^\d+$/, 'externalPayments keys are cycle numbers'), externalPaymentSchema)
      .optional(),
    /** A coupon discounting the first recurring invoices (its terms in full; see couponSchema). */
    coupon: couponSchema().optional(),
  })
  .superRefine((input, ctx) => {
    if (input.coupon && input.paymentMethod.type === 'adiq_vault') {
      ctx.addIssue({
        code: 'custom',
        path: ['coupon'],
        message: 'coupon is not available for a subscription billed by Adiq (Adiq charges the plan amount)',
      });
    }
    if (input.paymentMethod.type === 'adiq_vault' && input.plan.recurrence.kind !== 'adiq') {
      ctx.addIssue({
        code: 'custom',
        path: ['plan', 'recurrence', 'kind'],
        message: "plan.recurrence.kind must be 'adiq' for a subscription billed by Adiq (paymentMethod adiq_vault)",
      });
    }
    if (input.coupon && input.paymentMethod.type === 'zspay_subscription') {
      ctx.addIssue({
        code: 'custom',
        path: ['coupon'],
        message: 'coupon is not available for a subscription billed by Zspay (Zspay charges the plan amount)',
      });
    }
    if (input.paymentMethod.type === 'zspay_subscription' && input.plan.recurrence.kind !== 'calendar') {
      ctx.addIssue({
        code: 'custom',
        path: ['plan', 'recurrence', 'kind'],
        message:
          "plan.recurrence.kind must be 'calendar' for a subscription billed by Zspay (paymentMethod zspay_subscription)",
      });
    }
    if (input.paymentMethod.type === 'zspay_boleto' && input.plan.amountCents < BOLETO_MINIMUM_CENTS) {
      ctx.addIssue({
        code: 'custom',
        path: ['plan', 'amountCents'],
        message: `plan.amountCents must be at least ${BOLETO_MINIMUM_CENTS} (${formatBRL(BOLETO_MINIMUM_CENTS)}) for boleto`,
      });
    }
  });
export type CreateSubscriptionInput = z.input<typeof createSubscriptionInputSchema>;
export type ParsedSubscriptionInput = z.output<typeof createSubscriptionInputSchema>;

export const changePlanArgsSchema = z.object({
  plan: subscriptionPlanSchema,
  /**
   * `none` (default): the new plan applies from the next cycle. `next_invoice`: it applies today;
   * the current paid cycle's unused days are credited at the old price and charged at the new one,
   * as lines of the next invoice. `now`: the same two lines, but a positive difference is charged at
   * once on a proration invoice (a card subscription only); a credit (a downgrade) or no difference
   * goes on the next invoice, as with `next_invoice`.
   */
  proration: z.enum(PRORATION_MODES, { message: `proration must be one of ${PRORATION_MODES.join(', ')}` }).optional(),
});
export type ChangePlanArgs = z.infer<typeof changePlanArgsSchema>;

/** Adiq-billed and Zspay-billed subscriptions run their own workflow types; all answer the same queries. */
export function subscriptionWorkflowType(input: {
  paymentMethod: { type: string };
}): 'subscriptionWorkflow' | 'adiqSubscriptionWorkflow' | 'zspaySubscriptionWorkflow' {
  if (input.paymentMethod.type === 'adiq_vault') return 'adiqSubscriptionWorkflow';
  if (input.paymentMethod.type === 'zspay_subscription') return 'zspaySubscriptionWorkflow';
  return 'subscriptionWorkflow';
}

export function subscriptionWorkflowId(subscriptionId: string): string {
  return `subscription-${subscriptionId}`;
}

/** The subscription id a workflow id names (`subscription-acme-42` -> `acme-42`). */
export function subscriptionIdOf(workflowId: string): string {
  return workflowId.replace(/^subscription-/, '');
}
