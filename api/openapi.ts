/**
 * The OpenAPI 3.1 document of the HTTP API, generated from the same zod schemas the client and the
 * workflows validate with, so the document cannot drift from what the engine accepts.
 */
import { z } from 'zod';
import { completeResellerPaymentInputSchema } from '../common/reseller-payment';
import { changePlanArgsSchema, createSubscriptionInputSchema } from '../common/subscription/input';
import {
  applyCouponArgsSchema,
  cancelArgsSchema,
  changeNextChargeDateArgsSchema,
  changePaymentMethodArgsSchema,
  extendGraceArgsSchema,
  linkExternalPaymentArgsSchema,
  refundArgsSchema,
} from '../common/subscription/operations';
import { recurringPayoutInputSchema } from '../common/transfer';
import { applyCouponCodeArgsSchema, catalogCouponSchema } from '../common/coupon';
import { SUBSCRIPTION_STATUSES } from '../client/subscriptions';
import { scheduleTransferRequestSchema, TRANSFER_STATES } from '../client/transfers';
import * as responses from './responses';

const schema = (s: z.ZodType) => z.toJSONSchema(s, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;

const problem = {
  type: 'object',
  required: ['type', 'title', 'status'],
  properties: {
    type: { type: 'string' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    instance: { type: 'string' },
    errors: { type: 'object', additionalProperties: { type: 'array', items: { type: 'string' } } },
  },
};

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (s: object) => ({ 'application/json': { schema: s } });
const problems = (...statuses: number[]) =>
  Object.fromEntries(
    statuses.map((status) => [
      String(status),
      {
        description: PROBLEM_DESCRIPTIONS[status],
        content: { 'application/problem+json': { schema: ref('Problem') } },
      },
    ]),
  );
const PROBLEM_DESCRIPTIONS: Record<number, string> = {
  400: 'Validation error: `errors` names each field',
  401: 'Missing or wrong API key (or webhook secret)',
  404: 'Not found (also: no such route)',
  409: 'The id exists with a different input; `detail` names the fields that differ',
  422: 'Refused in the current state; `detail` says why',
};
/** A success response: its schema from api/responses.ts, by component name. */
const ok = (description: string, schemaName?: keyof typeof RESPONSE_SCHEMAS) => ({
  description,
  content: json(schemaName ? ref(schemaName) : { type: 'object' }),
});
const noContent = (description: string) => ({ description });

/** Response components, generated from the zod schemas in api/responses.ts. */
const RESPONSE_SCHEMAS = {
  CreatedSubscription: responses.createdSubscriptionResponse,
  Subscription: responses.subscriptionViewResponse,
  SubscriptionList: responses.subscriptionListResponse,
  Invoices: responses.invoicesResponse,
  Forecast: responses.forecastResponse,
  ScheduledTransfer: responses.scheduledTransferResponse,
  Transfer: responses.transferViewResponse,
  TransferList: responses.transferListResponse,
  CreatedPayout: responses.createdPayoutResponse,
  Payout: responses.payoutViewResponse,
  PayoutList: responses.payoutListResponse,
  StartedWorkflow: responses.startedWorkflowResponse,
  Health: responses.healthResponse,
  Ready: responses.readyResponse,
  CodecPayloads: responses.codecPayloadsSchema,
} satisfies Record<string, z.ZodType>;

interface QueryParameter {
  name: string;
  description?: string;
  schema: Record<string, unknown>;
}
const text = (name: string, description?: string): QueryParameter => ({
  name,
  description,
  schema: { type: 'string' },
});
const oneOf = (name: string, values: readonly string[]): QueryParameter => ({
  name,
  schema: { type: 'string', enum: [...values] },
});
const wholeNumber = (name: string, minimum: number, maximum: number, description?: string): QueryParameter => ({
  name,
  description,
  schema: { type: 'integer', minimum, maximum },
});
const businessId = (name: string): QueryParameter => ({
  name,
  schema: { type: 'string', pattern: '^[A-Za-z0-9._:-]+$', maxLength: 64 },
});
const idParam = (name: string) => ({ name, in: 'path', required: true, schema: { type: 'string' } });

function operation(
  summary: string,
  options: {
    body?: string;
    params?: string[];
    responses: Record<string, unknown>;
    secured?: boolean;
    query?: Array<string | QueryParameter>;
  },
) {
  return {
    summary,
    ...(options.secured === false ? { security: [] } : {}),
    parameters: [
      ...(options.params ?? []).map(idParam),
      ...(options.query ?? []).map((parameter) => ({
        in: 'query',
        required: false,
        ...(typeof parameter === 'string' ? text(parameter) : parameter),
      })),
    ],
    ...(options.body ? { requestBody: { required: true, content: json(ref(options.body)) } } : {}),
    responses: options.responses,
  };
}

const SUBSCRIPTION_OPERATIONS: Array<[string, string | undefined, string]> = [
  ['cancel', 'CancelArgs', 'Cancel now or at period end'],
  ['suspend', undefined, 'Suspend billing'],
  ['reactivate', undefined, 'Reactivate a suspended subscription (or undo a cancel at period end)'],
  ['change-next-charge-date', 'ChangeNextChargeDateArgs', 'Move the next charge (the new date becomes the anchor)'],
  [
    'change-payment-method',
    'ChangePaymentMethodArgs',
    'Change the card or boleto client (in dunning: retried at once)',
  ],
  [
    'change-plan',
    'ChangePlanArgs',
    'Change the plan from the next cycle, or from today with proration next_invoice (the unused days on the next invoice) or now (a positive difference charged to the card at once as a proration invoice; a credit goes on the next invoice)',
  ],
  [
    'apply-coupon',
    'ApplyCouponArgs',
    'Apply a coupon (percent or cents off, for N cycles or forever) to the next recurring invoices',
  ],
  ['retry-now', undefined, 'Retry the failed invoice now'],
  ['skip-next-retry', undefined, 'Skip the next scheduled retry'],
  ['extend-grace', 'ExtendGraceArgs', 'Extend the trial, tolerance or next retry'],
  ['link-external-payment', 'LinkExternalPaymentArgs', "Link a cycle's invoice to a payment of the payment status API"],
  [
    'refund',
    'RefundArgs',
    'Refund a paid invoice at Zspay, in full: a card sale, or a fatura of a Zspay-billed subscription (answered once recorded; 422 for an unpaid, boleto or partial refund)',
  ],
];

export function openApiDocument(): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {
    '/health': {
      get: operation('Liveness', { secured: false, responses: { 200: ok('The process is up', 'Health') } }),
    },
    '/ready': {
      get: operation('Readiness: the Temporal connection', {
        secured: false,
        responses: { 200: ok('Temporal answers', 'Ready'), 503: ok('Temporal does not answer', 'Ready') },
      }),
    },
    '/v1/subscriptions': {
      post: operation('Create a subscription (idempotent by subscriptionId; `couponCode` redeems a catalog coupon)', {
        body: 'CreateSubscriptionInput',
        responses: {
          201: ok('Started', 'CreatedSubscription'),
          200: ok('It exists with this same input (a retried create): `created: false`', 'CreatedSubscription'),
          ...problems(400, 401, 409),
        },
      }),
      get: operation('List running subscriptions by search attributes', {
        query: [
          oneOf('status', SUBSCRIPTION_STATUSES),
          businessId('customerId'),
          businessId('planId'),
          wholeNumber('limit', 1, 1000, 'default 100'),
        ],
        responses: { 200: ok('Subscriptions', 'SubscriptionList'), ...problems(400, 401) },
      }),
    },
    '/v1/subscriptions/{id}': {
      get: operation('A subscription', {
        params: ['id'],
        responses: { 200: ok('Its state', 'Subscription'), ...problems(400, 401, 404) },
      }),
    },
    '/v1/subscriptions/{id}/invoices': {
      get: operation('Invoices with every attempt', {
        params: ['id'],
        responses: { 200: ok('Invoices and totals', 'Invoices'), ...problems(400, 401, 404) },
      }),
    },
    '/v1/subscriptions/{id}/forecast': {
      get: operation('Next charges and remaining retries', {
        params: ['id'],
        query: [wholeNumber('count', 1, 36, 'default 6')],
        responses: { 200: ok('Forecast', 'Forecast'), ...problems(400, 401, 404) },
      }),
    },
    '/v1/coupons': {
      post: operation('Define a catalog coupon with a global redemption limit (idempotent by code; never changed)', {
        body: 'CatalogCouponInput',
        responses: {
          201: ok('Defined'),
          200: ok('It exists with these same terms: `created: false`'),
          ...problems(400, 401, 409),
        },
      }),
      get: operation('List the catalog coupons', {
        query: [wholeNumber('limit', 1, 1000, 'default 100')],
        responses: { 200: ok('Coupons'), ...problems(400, 401) },
      }),
    },
    '/v1/coupons/{code}': {
      get: operation('A catalog coupon: its terms and redemption counter', {
        params: ['code'],
        responses: { 200: ok('Terms, redemptions, remaining'), ...problems(400, 401, 404) },
      }),
    },
    '/v1/transfers': {
      post: operation('Schedule a transfer, or run it now (idempotent by transferId)', {
        body: 'ScheduleTransferInput',
        responses: {
          201: ok('Scheduled', 'ScheduledTransfer'),
          200: ok('It exists with this same input (a retried request): `created: false`', 'ScheduledTransfer'),
          ...problems(400, 401, 409),
        },
      }),
      get: operation('List transfers', {
        query: [
          oneOf('state', TRANSFER_STATES),
          businessId('establishmentId'),
          text(
            'from',
            'scheduled at or after: an ISO instant with offset, or YYYY-MM-DD (midnight in the merchant zone)',
          ),
          text('to', 'scheduled before: an ISO instant with offset, or YYYY-MM-DD (midnight in the merchant zone)'),
          wholeNumber('limit', 1, 1000, 'default 100'),
        ],
        responses: { 200: ok('Transfers', 'TransferList'), ...problems(400, 401) },
      }),
    },
    '/v1/transfers/{id}': {
      get: operation('A transfer', {
        params: ['id'],
        responses: { 200: ok('Its state and history', 'Transfer'), ...problems(400, 401, 404) },
      }),
    },
    '/v1/transfers/{id}/cancel': {
      post: operation('Cancel before it executes', {
        params: ['id'],
        responses: { 200: ok('Canceled', 'Transfer'), ...problems(400, 401, 404, 422) },
      }),
    },
    '/v1/payouts': {
      post: operation('Create a recurring payout Schedule (idempotent by payoutId)', {
        body: 'RecurringPayoutInput',
        responses: {
          201: ok('Scheduled', 'CreatedPayout'),
          200: ok('It exists with this same input: `created: false`', 'CreatedPayout'),
          ...problems(400, 401, 409),
        },
      }),
      get: operation('List recurring payouts', {
        query: [wholeNumber('limit', 1, 1000, 'default 100')],
        responses: { 200: ok('Payouts', 'PayoutList'), ...problems(400, 401) },
      }),
    },
    '/v1/payouts/{id}': {
      get: operation('A recurring payout: its input, next and recent runs', {
        params: ['id'],
        responses: { 200: ok('The payout', 'Payout'), ...problems(400, 401, 404) },
      }),
      delete: operation('Delete a recurring payout (a settlement already running finishes)', {
        params: ['id'],
        responses: { 204: noContent('Deleted'), ...problems(400, 401, 404) },
      }),
    },
    '/v1/billing-runs': {
      post: operation('Trigger a billing run now', { responses: { 202: ok('Started'), ...problems(401) } }),
    },
    '/v1/billing-runs/{workflowId}': {
      get: operation("A run's status, progress and summary", {
        params: ['workflowId'],
        responses: {
          200: ok(
            '`status` (running, completed, failed, terminated, canceled, timed_out), `progress` (with `itemFailures`: sales that could not be checked, and why), `summary` once completed, `failure` when it ended otherwise',
          ),
          ...problems(401, 404),
        },
      }),
    },
    '/v1/billing-runs/schedule': {
      get: operation('The daily schedule', { responses: { 200: ok('Schedule state'), ...problems(401) } }),
    },
    '/v1/billing-runs/schedule/pause': {
      post: operation('Pause the daily schedule', { responses: { 200: ok('Paused'), ...problems(401) } }),
    },
    '/v1/billing-runs/schedule/unpause': {
      post: operation('Resume the daily schedule', { responses: { 200: ok('Resumed'), ...problems(401) } }),
    },
    '/v1/reseller-payments': {
      post: operation('Complete a reseller payment (a repeat attaches)', {
        body: 'CompleteResellerPaymentInput',
        responses: {
          200: ok('Attached to the existing completion', 'StartedWorkflow'),
          201: ok('Started', 'StartedWorkflow'),
          ...problems(400, 401),
        },
      }),
    },
    '/v1/reseller-payments/{resellerId}/{paymentId}': {
      get: operation('A completion', {
        params: ['resellerId', 'paymentId'],
        responses: { 200: ok('Its state and result'), ...problems(400, 401, 404) },
      }),
    },
    '/webhooks/zspay/{secret}': {
      post: operation('Zspay webhooks', {
        secured: false,
        params: ['secret'],
        responses: { 200: ok('Handled or acknowledged'), ...problems(400, 401) },
      }),
    },
    '/webhooks/adiq/{secret}': {
      post: operation('Adiq notifications', {
        secured: false,
        params: ['secret'],
        responses: { 200: ok('Acknowledged'), ...problems(401) },
      }),
    },
  };
  for (const [name, body, summary] of SUBSCRIPTION_OPERATIONS) {
    paths[`/v1/subscriptions/{id}/${name}`] = {
      post: operation(summary, {
        params: ['id'],
        body,
        responses: { 200: ok('The subscription after the operation', 'Subscription'), ...problems(400, 401, 404, 422) },
      }),
    };
  }
  for (const direction of ['encode', 'decode'] as const) {
    paths[`/codec/${direction}`] = {
      post: {
        summary: `The codec server: ${direction} payloads (Temporal Web UI and CLI codec endpoint; only when payloads are encrypted)`,
        description:
          'The API key (Bearer or X-Api-Key), or from the configured Web UI origin a codec session cookie (GET /codec/session).',
        security: [{ bearer: [] }, { apiKey: [] }, { codecSession: [] }],
        requestBody: { required: true, content: json(ref('CodecPayloads')) },
        responses: { 200: ok(`The payloads, ${direction}d`, 'CodecPayloads'), ...problems(400, 401) },
      },
    };
  }
  paths['/codec/session'] = {
    get: {
      summary: 'A sign-in form for the Web UI codec session',
      security: [],
      responses: { 200: { description: 'An HTML form', content: { 'text/html': { schema: { type: 'string' } } } } },
    },
    post: {
      summary: 'Sign in with the API key: sets the codec session cookie (HttpOnly, SameSite=Strict, path /codec)',
      security: [],
      requestBody: {
        required: true,
        content: {
          'application/json': {
            schema: { type: 'object', required: ['apiKey'], properties: { apiKey: { type: 'string' } } },
          },
          'application/x-www-form-urlencoded': {
            schema: { type: 'object', required: ['apiKey'], properties: { apiKey: { type: 'string' } } },
          },
        },
      },
      responses: {
        200: { description: 'Signed in; the cookie is set', content: { 'text/plain': { schema: { type: 'string' } } } },
        303: { description: 'Signed in; the cookie is set and the browser sent back to the Web UI' },
        401: {
          description: 'Not the API key: the form again',
          content: { 'text/html': { schema: { type: 'string' } } },
        },
      },
    },
  };
  return {
    openapi: '3.1.0',
    info: {
      title: 'Temporal billing engine',
      version: '0.1.0',
      description: 'Subscriptions, transfers, billing runs and reseller payments on Temporal.',
    },
    security: [{ bearer: [] }, { apiKey: [] }],
    paths,
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer' },
        apiKey: { type: 'apiKey', in: 'header', name: 'X-Api-Key' },
        codecSession: { type: 'apiKey', in: 'cookie', name: 'billing_codec_session' },
      },
      schemas: {
        Problem: problem,
        CreateSubscriptionInput: schema(createSubscriptionInputSchema),
        CancelArgs: schema(cancelArgsSchema),
        ChangeNextChargeDateArgs: schema(changeNextChargeDateArgsSchema),
        ChangePaymentMethodArgs: schema(changePaymentMethodArgsSchema),
        ChangePlanArgs: schema(changePlanArgsSchema),
        ApplyCouponArgs: schema(z.union([applyCouponArgsSchema, applyCouponCodeArgsSchema])),
        CatalogCouponInput: schema(catalogCouponSchema),
        ExtendGraceArgs: schema(extendGraceArgsSchema),
        LinkExternalPaymentArgs: schema(linkExternalPaymentArgsSchema),
        RefundArgs: schema(refundArgsSchema),
        ScheduleTransferInput: schema(scheduleTransferRequestSchema),
        RecurringPayoutInput: schema(recurringPayoutInputSchema),
        CompleteResellerPaymentInput: schema(completeResellerPaymentInputSchema),
        ...Object.fromEntries(Object.entries(RESPONSE_SCHEMAS).map(([name, s]) => [name, schema(s)])),
      },
    },
  };
}
