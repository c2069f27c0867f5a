/**
 * Creating a subscription: the input the client, the HTTP API and the workflow validate alike, and
 * the workflow's first state.
 */
import { z } from 'zod';
import { planSchema } from '../billing/plan';
import type { CalendarDate } from '../billing/calendar';
import { firstChargeDate } from '../billing/schedule';
import { calendarDateSchema, externalPaymentSchema, merchantEndpointSchema, paymentMethodSchema } from './model';
import type { SubscriptionState } from './machine';
import { businessIdSchema } from '../validation';

export const subscriptionPlanSchema = planSchema.and(z.object({ planId: businessIdSchema('plan.planId') }));
export type SubscriptionPlan = z.infer<typeof subscriptionPlanSchema>;

export const createSubscriptionInputSchema = z
  .object({
    subscriptionId: businessIdSchema('subscriptionId'),
    customerId: businessIdSchema('customerId'),
    plan: subscriptionPlanSchema,
    paymentMethod: paymentMethodSchema,
    /** The sign-up date in the merchant's zone; default: today. */
    startDate: calendarDateSchema('startDate').optional(),
    /** The merchant's callback for notifications (failures after every attempt, blocks, recoveries). */
    merchant: merchantEndpointSchema.optional(),
    /** The ZapSign client account to block (`inadimplente`) and unblock (`adimplente`), by reference. */
    partner: z.object({ zapsignClientRef: businessIdSchema('partner.zapsignClientRef') }).optional(),
    /** Payments of the payment status API that invoices are linked to, by cycle (0 = setup fee). */
    externalPayments: z.record(z.string().regex(/^\d+$/, 'externalPayments keys are cycle numbers'), externalPaymentSchema).optional(),
  })
  .superRefine((input, ctx) => {
    if (input.paymentMethod.type === 'adiq_vault' && input.plan.recurrence.kind !== 'adiq') {
      ctx.addIssue({ code: 'custom', path: ['plan', 'recurrence', 'kind'], message: "plan.recurrence.kind must be 'adiq' for a subscription billed by Adiq (paymentMethod adiq_vault)" });
    }
    if (input.paymentMethod.type === 'zspay_boleto' && input.plan.amountCents < 500) {
      ctx.addIssue({ code: 'custom', path: ['plan', 'amountCents'], message: 'plan.amountCents must be at least 500 (R$ 5.00) for boleto' });
    }
  });
export type CreateSubscriptionInput = z.input<typeof createSubscriptionInputSchema>;
export type ParsedSubscriptionInput = z.output<typeof createSubscriptionInputSchema>;

export const changePlanArgsSchema = z.object({ plan: subscriptionPlanSchema });
export type ChangePlanArgs = z.infer<typeof changePlanArgsSchema>;

/** Adiq-billed subscriptions run their own workflow type; both answer the same queries. */
export function subscriptionWorkflowType(input: { paymentMethod: { type: string } }): 'subscriptionWorkflow' | 'adiqSubscriptionWorkflow' {
  return input.paymentMethod.type === 'adiq_vault' ? 'adiqSubscriptionWorkflow' : 'subscriptionWorkflow';
}

export function subscriptionWorkflowId(subscriptionId: string): string {
  return `subscription-${subscriptionId}`;
}

export function initialState(input: ParsedSubscriptionInput, today: CalendarDate): SubscriptionState {
  const startDate = input.startDate ?? today;
  const firstCharge = firstChargeDate(startDate, input.plan);
  return {
    subscriptionId: input.subscriptionId,
    customerId: input.customerId,
    plan: input.plan,
    paymentMethod: input.paymentMethod,
    status: firstCharge > startDate ? 'trialing' : 'active',
    startDate,
    anchor: { cycle: 1, date: firstCharge },
    nextCycle: 1,
    setupFeeDue: (input.plan.setupAmountCents ?? 0) > 0,
    cancelAtPeriodEnd: false,
    invoices: [],
    summary: { archivedCount: 0, archivedPaidCents: 0, paidCount: 0, paidCents: 0, failedAttempts: 0 },
    notificationSequence: 0,
    externalPayments: input.externalPayments ?? {},
    pendingPayments: [],
  };
}
