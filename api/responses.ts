/**
 * The HTTP API's success responses as zod schemas: the OpenAPI document's response schemas come
 * from these (z.toJSONSchema), and the compile-time checks below fail when a view type the client
 * returns no longer fits its schema. The document is generated in zod's input mode, so objects
 * stay open (no `additionalProperties: false`): a field added to a view does not break callers.
 */
import { z } from 'zod';
import type { CreatedSubscription, SubscriptionListItem } from '../client/subscriptions';
import type { PayoutListItem, PayoutView, ScheduledTransfer, TransferListItem } from '../client/transfers';
import type { StartedWorkflow } from '../client';
import type { Invoice, InvoiceSummary, SubscriptionView } from '../common/subscription/model';
import type { TransferView } from '../common/transfer';
import type { Forecast } from '../workflows/subscription-definitions';
import { paymentMethodSchema } from '../common/subscription/model';
import { recurringPayoutInputSchema, transferDestinationSchema } from '../common/transfer';

const date = z.string().describe('a calendar date, YYYY-MM-DD');
const instant = z.string().describe('an ISO 8601 instant');
const cents = z.number().int().describe('integer cents (BRL)');

const subscriptionStatus = z.enum(['trialing', 'active', 'past_due', 'blocked', 'suspended', 'canceled', 'completed']);
const partnerStatus = z.enum(['adimplente', 'inadimplente']);

export const createdSubscriptionResponse = z.object({
  workflowId: z.string(),
  runId: z.string(),
  created: z
    .boolean()
    .describe('false when the subscription existed with this same input (a retried create): HTTP 200'),
});

export const subscriptionViewResponse = z.object({
  subscriptionId: z.string(),
  customerId: z.string(),
  planId: z.string(),
  amountCents: cents,
  status: subscriptionStatus,
  providerStatus: z.object({ zspay: z.number().int(), adiq: z.enum(['Active', 'Blocked', 'Canceled']) }),
  paymentMethod: paymentMethodSchema,
  providerSubscription: z
    .object({ provider: z.enum(['adiq', 'zspay']), subscriptionId: z.string(), planId: z.string() })
    .optional()
    .describe('billed by a provider (Adiq- or Zspay-billed): its subscription and plan ids, once it holds them'),
  nextChargeDate: date.optional(),
  cancelAtPeriodEnd: z.boolean(),
  dunning: z.object({ cycle: z.number().int(), failures: z.number().int(), nextRetryDate: date.optional() }).optional(),
  partnerStatus: partnerStatus.optional(),
  pendingPlanId: z.string().optional(),
  coupon: z
    .object({ code: z.string(), terms: z.string(), cyclesLeft: z.number().int().optional() })
    .optional()
    .describe('the coupon discounting the next invoices (cyclesLeft absent: forever)'),
  couponRedemptions: z.array(z.string()).optional().describe('the coupon codes this subscription redeemed'),
  nextInvoiceAdjustmentCents: cents
    .optional()
    .describe('signed cents waiting for the next invoice (proration, carried balances)'),
  chargeHold: z
    .object({
      cycle: z.number().int(),
      reason: z.string(),
      since: instant,
      holds: z.number().int(),
      retryAt: instant,
    })
    .optional(),
  chargeInFlight: z.object({ cycle: z.number().int(), reference: z.string(), since: instant }).optional(),
  partnerStatusPending: partnerStatus.optional(),
  delivery: z.object({
    pending: z.number().int(),
    failing: z.number().int(),
    lastError: z.string().optional(),
    givenUp: z.number().int(),
  }),
  ignoredPaymentNotices: z.number().int(),
  summary: z.string(),
});

export const subscriptionListResponse = z.array(
  z.object({
    subscriptionId: z.string(),
    workflowId: z.string(),
    status: z.string().optional(),
    customerId: z.string().optional(),
    planId: z.string().optional(),
    amountCents: cents.optional(),
    summary: z.string().optional(),
  }),
);

const invoice = z.object({
  cycle: z
    .number()
    .int()
    .describe(
      '0: the setup fee; from 1: a recurring cycle; negative: the proration invoice of that cycle (-3: of cycle 3)',
    ),
  kind: z.enum(['setup', 'recurring', 'proration']),
  amountCents: cents.describe('what is charged: base - discount + lines, never below zero'),
  baseAmountCents: cents.optional().describe("the plan's amount before discount and lines"),
  discount: z.object({ code: z.string(), amountCents: cents }).optional(),
  lines: z
    .array(
      z.object({
        kind: z.enum(['proration_credit', 'proration_charge', 'carried_in', 'carried_out']),
        amountCents: cents.describe('signed: negative lowers the total'),
        cycle: z.number().int().optional(),
        description: z.string(),
      }),
    )
    .optional(),
  dueDate: date,
  status: z.enum(['open', 'paid', 'failed', 'void', 'refunded']),
  attempts: z.array(
    z.object({
      number: z.number().int(),
      reference: z.string(),
      at: instant,
      outcome: z.string(),
      code: z.string().optional(),
      message: z.string().optional(),
      providerIds: z.record(z.string(), z.string()).optional(),
    }),
  ),
  paidAt: instant.optional(),
  externalPaymentId: z.string().optional(),
  boleto: z
    .object({
      url: z.string().optional(),
      barcode: z.string().optional(),
      dueDate: date,
      saleId: z.string().optional(),
    })
    .optional(),
  refund: z
    .object({
      status: z.enum(['requested', 'refunded', 'failed']),
      reference: z.string(),
      saleId: z.string(),
      amountCents: cents,
      reason: z.string().optional(),
      source: z.enum(['engine', 'provider']),
      requestedAt: instant.optional(),
      refundedAt: instant.optional(),
      error: z.string().optional(),
    })
    .optional(),
});

export const invoicesResponse = z.object({
  invoices: z.array(invoice),
  summary: z.object({
    archivedCount: z.number().int(),
    archivedPaidCents: cents,
    paidCount: z.number().int(),
    paidCents: cents,
    failedAttempts: z.number().int(),
  }),
});

export const forecastResponse = z.object({
  charges: z.array(
    z.object({
      cycle: z.number().int(),
      date,
      amountCents: cents,
      baseAmountCents: cents.optional(),
      discountCents: cents.optional(),
      adjustmentCents: cents.optional(),
    }),
  ),
  retries: z.array(date),
});

const transferState = z.enum([
  'scheduled',
  'waiting_for_balance',
  'executing',
  'pending',
  'succeeded',
  'failed',
  'canceled',
  'needs_reconciliation',
]);

export const scheduledTransferResponse = z.object({
  workflowId: z.string(),
  runId: z.string(),
  executeOn: date.describe('the date it executes (bank transfers: the next business day)'),
  created: z.boolean().describe('false when the transfer existed with this same input (a retried request): HTTP 200'),
});

export const transferViewResponse = z.object({
  transferId: z.string(),
  state: transferState,
  amountCents: cents,
  destination: transferDestinationSchema,
  executeOn: date,
  executeAt: z.string().describe('HH:MM, local'),
  scheduledAt: instant,
  providerTransferId: z.string().optional(),
  reason: z.string().optional(),
  history: z.array(z.object({ at: instant, state: transferState, note: z.string().optional() })),
  contradictedWebhooks: z.number().int().optional(),
  lastContradictedWebhook: z
    .object({
      at: instant,
      providerTransferId: z.string(),
      status: z.union([z.number(), z.string()]),
      reason: z.string(),
    })
    .optional(),
});

export const transferListResponse = z.array(
  z.object({
    transferId: z.string(),
    state: z.string().optional(),
    scheduledAt: instant.optional(),
    establishmentId: z.string().optional(),
  }),
);

export const createdPayoutResponse = z.object({
  scheduleId: z.string(),
  created: z.boolean().describe('false when the payout existed with this same input: HTTP 200'),
});

export const payoutViewResponse = z.object({
  payoutId: z.string(),
  scheduleId: z.string(),
  paused: z.boolean(),
  note: z.string().optional(),
  nextRuns: z.array(instant),
  recentRuns: z.array(z.object({ scheduledAt: instant, workflowId: z.string() })),
  input: recurringPayoutInputSchema.optional(),
});

export const payoutListResponse = z.array(
  z.object({
    payoutId: z.string(),
    scheduleId: z.string(),
    paused: z.boolean(),
    nextRun: instant.optional(),
    summary: z.string().optional(),
  }),
);

export const startedWorkflowResponse = z.object({
  workflowId: z.string(),
  runId: z.string(),
  attached: z.boolean().describe('true when an earlier request started it (HTTP 200)'),
});

export const healthResponse = z.object({ status: z.literal('ok') });
export const readyResponse = z.object({ status: z.enum(['ready', 'unavailable']), temporal: z.boolean() });

export const codecPayloadsSchema = z.object({
  payloads: z.array(
    z.object({
      metadata: z.record(z.string(), z.string().describe('base64')).optional(),
      data: z.string().describe('base64').optional(),
    }),
  ),
});

// Compile-time checks: each view the client returns fits its response schema.
type Fits<T, S extends z.ZodType> = T extends z.output<S> ? true : false;
type Assert<T extends true> = T;
export type ResponseSchemaChecks = [
  Assert<Fits<CreatedSubscription, typeof createdSubscriptionResponse>>,
  Assert<Fits<SubscriptionView, typeof subscriptionViewResponse>>,
  Assert<Fits<SubscriptionListItem[], typeof subscriptionListResponse>>,
  Assert<Fits<{ invoices: Invoice[]; summary: InvoiceSummary }, typeof invoicesResponse>>,
  Assert<Fits<Forecast, typeof forecastResponse>>,
  Assert<Fits<ScheduledTransfer, typeof scheduledTransferResponse>>,
  Assert<Fits<TransferView, typeof transferViewResponse>>,
  Assert<Fits<TransferListItem[], typeof transferListResponse>>,
  Assert<Fits<PayoutView, typeof payoutViewResponse>>,
  Assert<Fits<PayoutListItem[], typeof payoutListResponse>>,
  Assert<Fits<StartedWorkflow, typeof startedWorkflowResponse>>,
];
