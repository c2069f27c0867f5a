/**
 * The OpenAPI 3.1 document of the HTTP API, generated from the same zod schemas the client and the
 * workflows validate with, so the document cannot drift from what the engine accepts.
 */
import { z } from 'zod';
import { completeResellerPaymentInputSchema } from '../common/reseller-payment';
import { changePlanArgsSchema, createSubscriptionInputSchema } from '../common/subscription/input';
import {
  cancelArgsSchema,
  changeNextChargeDateArgsSchema,
  changePaymentMethodArgsSchema,
  extendGraceArgsSchema,
  linkExternalPaymentArgsSchema,
} from '../common/subscription/operations';
import { recurringPayoutInputSchema, scheduleTransferInputSchema } from '../common/transfer';

const schema = (s: z.ZodType) => z.toJSONSchema(s, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;

const problem = {
  type: 'object',
  required: ['type', 'title', 'status'],
  properties: {
    type: { type: 'string' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
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
  404: 'Not found',
  409: 'Duplicate: it exists already',
  422: 'Refused in the current state; `detail` says why',
};
const ok = (description: string) => ({ description, content: json({ type: 'object' }) });
const idParam = (name: string) => ({ name, in: 'path', required: true, schema: { type: 'string' } });

function operation(
  summary: string,
  options: {
    body?: string;
    params?: string[];
    responses: Record<string, unknown>;
    secured?: boolean;
    query?: string[];
  },
) {
  return {
    summary,
    ...(options.secured === false ? { security: [] } : {}),
    parameters: [
      ...(options.params ?? []).map(idParam),
      ...(options.query ?? []).map((name) => ({ name, in: 'query', required: false, schema: { type: 'string' } })),
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
  ['change-plan', 'ChangePlanArgs', 'Change the plan from the next cycle'],
  ['retry-now', undefined, 'Retry the failed invoice now'],
  ['skip-next-retry', undefined, 'Skip the next scheduled retry'],
  ['extend-grace', 'ExtendGraceArgs', 'Extend the trial, tolerance or next retry'],
  ['link-external-payment', 'LinkExternalPaymentArgs', "Link a cycle's invoice to a payment of the payment status API"],
];

export function openApiDocument(): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {
    '/health': { get: operation('Liveness', { secured: false, responses: { 200: ok('The process is up') } }) },
    '/ready': {
      get: operation('Readiness: the Temporal connection', {
        secured: false,
        responses: { 200: ok('Temporal answers'), 503: ok('Temporal does not answer') },
      }),
    },
    '/v1/subscriptions': {
      post: operation('Create a subscription', {
        body: 'CreateSubscriptionInput',
        responses: { 201: ok('Started'), ...problems(400, 401, 409) },
      }),
      get: operation('List subscriptions by search attributes', {
        query: ['status', 'customerId', 'planId', 'limit'],
        responses: { 200: ok('Subscriptions'), ...problems(401) },
      }),
    },
    '/v1/subscriptions/{id}': {
      get: operation('A subscription', { params: ['id'], responses: { 200: ok('Its state'), ...problems(401, 404) } }),
    },
    '/v1/subscriptions/{id}/invoices': {
      get: operation('Invoices with every attempt', {
        params: ['id'],
        responses: { 200: ok('Invoices and totals'), ...problems(401, 404) },
      }),
    },
    '/v1/subscriptions/{id}/forecast': {
      get: operation('Next charges and remaining retries', {
        params: ['id'],
        query: ['count'],
        responses: { 200: ok('Forecast'), ...problems(401, 404) },
      }),
    },
    '/v1/transfers': {
      post: operation('Schedule a transfer', {
        body: 'ScheduleTransferInput',
        responses: { 201: ok('Scheduled'), ...problems(400, 401, 409) },
      }),
      get: operation('List transfers', {
        query: ['state', 'establishmentId', 'from', 'to', 'limit'],
        responses: { 200: ok('Transfers'), ...problems(401) },
      }),
    },
    '/v1/transfers/{id}': {
      get: operation('A transfer', {
        params: ['id'],
        responses: { 200: ok('Its state and history'), ...problems(401, 404) },
      }),
    },
    '/v1/transfers/{id}/cancel': {
      post: operation('Cancel before it executes', {
        params: ['id'],
        responses: { 200: ok('Canceled'), ...problems(401, 404, 422) },
      }),
    },
    '/v1/payouts': {
      post: operation('Create a recurring payout Schedule', {
        body: 'RecurringPayoutInput',
        responses: { 201: ok('Scheduled'), ...problems(400, 401, 409) },
      }),
    },
    '/v1/billing-runs': {
      post: operation('Trigger a billing run now', { responses: { 202: ok('Started'), ...problems(401) } }),
    },
    '/v1/billing-runs/{workflowId}': {
      get: operation("A run's progress and summary", {
        params: ['workflowId'],
        responses: { 200: ok('Progress'), ...problems(401, 404) },
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
        responses: { 200: ok('Attached to the existing completion'), 201: ok('Started'), ...problems(400, 401) },
      }),
    },
    '/v1/reseller-payments/{resellerId}/{paymentId}': {
      get: operation('A completion', {
        params: ['resellerId', 'paymentId'],
        responses: { 200: ok('Its state and result'), ...problems(401, 404) },
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
        responses: { 200: ok('The subscription after the operation'), ...problems(400, 401, 404, 422) },
      }),
    };
  }
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
      },
      schemas: {
        Problem: problem,
        CreateSubscriptionInput: schema(createSubscriptionInputSchema),
        CancelArgs: schema(cancelArgsSchema),
        ChangeNextChargeDateArgs: schema(changeNextChargeDateArgsSchema),
        ChangePaymentMethodArgs: schema(changePaymentMethodArgsSchema),
        ChangePlanArgs: schema(changePlanArgsSchema),
        ExtendGraceArgs: schema(extendGraceArgsSchema),
        LinkExternalPaymentArgs: schema(linkExternalPaymentArgsSchema),
        ScheduleTransferInput: schema(scheduleTransferInputSchema),
        RecurringPayoutInput: schema(recurringPayoutInputSchema),
        CompleteResellerPaymentInput: schema(completeResellerPaymentInputSchema),
      },
    },
  };
}
