/** Every JSON example of adiq-recurrence-api.txt (copied into fixtures) parses with its schema. */
import tokenRequest from '../../fixtures/providers/adiq/auth-token.request.json';
import tokenResponse from '../../fixtures/providers/adiq/auth-token.response.json';
import planCreateRequest from '../../fixtures/providers/adiq/plan-create.request.json';
import planCreateResponse from '../../fixtures/providers/adiq/plan-create.response.json';
import planSearchResponse from '../../fixtures/providers/adiq/plan-search.response.json';
import planGetResponse from '../../fixtures/providers/adiq/plan-get.response.json';
import planUpdateRequest from '../../fixtures/providers/adiq/plan-update.request.json';
import planUpdateResponse from '../../fixtures/providers/adiq/plan-update.response.json';
import planStatusRequest from '../../fixtures/providers/adiq/plan-status.request.json';
import planStatusResponse from '../../fixtures/providers/adiq/plan-status.response.json';
import subscriptionCreateRequest from '../../fixtures/providers/adiq/subscription-create.request.json';
import subscriptionCreateResponse from '../../fixtures/providers/adiq/subscription-create.response.json';
import subscriptionStatusRequest from '../../fixtures/providers/adiq/subscription-status.request.json';
import subscriptionStatusResponse from '../../fixtures/providers/adiq/subscription-status.response.json';
import subscriptionSearchResponse from '../../fixtures/providers/adiq/subscription-search.response.json';
import subscriptionGetResponse from '../../fixtures/providers/adiq/subscription-get.response.json';
import subscriptionVaultRequest from '../../fixtures/providers/adiq/subscription-vault.request.json';
import subscriptionVaultResponse from '../../fixtures/providers/adiq/subscription-vault.response.json';
import billingSearchResponse from '../../fixtures/providers/adiq/billing-search.response.json';
import billingCancelResponse from '../../fixtures/providers/adiq/billing-cancel.response.json';
import notificationCreateRequest from '../../fixtures/providers/adiq/notification-create.request.json';
import notificationCreateResponse from '../../fixtures/providers/adiq/notification-create.response.json';
import notificationSearchResponse from '../../fixtures/providers/adiq/notification-search.response.json';
import notificationUpdateRequest from '../../fixtures/providers/adiq/notification-update.request.json';
import notificationUpdateResponse from '../../fixtures/providers/adiq/notification-update.response.json';
import failureNotification from '../../fixtures/providers/adiq/notification-payment-failure.json';
import statusNotification from '../../fixtures/providers/adiq/notification-payment-status.json';
import error400 from '../../fixtures/providers/adiq/error-400.json';
import { mapAdiqError, classifyAdiqDecline } from '../../../providers/adiq/errors';
import { adiqAmountToCents, centsToAdiqAmount } from '../../../providers/adiq/money';
import {
  failureNotificationDecline,
  failureNotificationSchema,
  paymentNotificationOutcome,
  paymentStatusNotificationSchema,
} from '../../../providers/adiq/notifications';
import { ADIQ_HOSTS, fillPath, ADIQ_RECURRENCE_PATHS } from '../../../providers/adiq/paths';
import { adiqOrderNumber } from '../../../providers/adiq/reference';
import {
  billingPageSchema,
  createNotificationRequestSchema,
  createPlanRequestSchema,
  createSubscriptionRequestSchema,
  errorBodySchema,
  idResponseSchema,
  notificationListSchema,
  notificationSchema,
  planPageSchema,
  planSchema,
  subscriptionPageSchema,
  subscriptionSchema,
  subscriptionStatusRequestSchema,
  subscriptionVaultRequestSchema,
  tokenRequestSchema,
  tokenResponseSchema,
  updateNotificationRequestSchema,
  updatePlanRequestSchema,
  updatePlanStatusRequestSchema,
} from '../../../providers/adiq/schemas';
import { billingOutcome, engineBillingStatus, engineSubscriptionStatus } from '../../../providers/adiq/status';
import {
  HardDeclineError,
  InvalidRequestError,
  ProviderAuthError,
  SoftDeclineError,
  TransientProviderError,
} from '../../../providers/errors';
import type { z } from 'zod';

const cases: Array<[string, z.ZodType, unknown]> = [
  ['auth-token.request', tokenRequestSchema, tokenRequest],
  ['auth-token.response', tokenResponseSchema, tokenResponse],
  ['plan-create.request', createPlanRequestSchema, planCreateRequest],
  ['plan-create.response', idResponseSchema, planCreateResponse],
  ['plan-search.response', planPageSchema, planSearchResponse],
  ['plan-get.response', planSchema, planGetResponse],
  ['plan-update.request', updatePlanRequestSchema, planUpdateRequest],
  ['plan-update.response', idResponseSchema, planUpdateResponse],
  ['plan-status.request', updatePlanStatusRequestSchema, planStatusRequest],
  ['plan-status.response', idResponseSchema, planStatusResponse],
  ['subscription-create.request', createSubscriptionRequestSchema, subscriptionCreateRequest],
  ['subscription-create.response', idResponseSchema, subscriptionCreateResponse],
  ['subscription-status.request', subscriptionStatusRequestSchema, subscriptionStatusRequest],
  ['subscription-status.response', idResponseSchema, subscriptionStatusResponse],
  ['subscription-search.response', subscriptionPageSchema, subscriptionSearchResponse],
  ['subscription-get.response', subscriptionSchema, subscriptionGetResponse],
  ['subscription-vault.request', subscriptionVaultRequestSchema, subscriptionVaultRequest],
  ['subscription-vault.response', idResponseSchema, subscriptionVaultResponse],
  ['billing-search.response', billingPageSchema, billingSearchResponse],
  ['billing-cancel.response', idResponseSchema, billingCancelResponse],
  ['notification-create.request', createNotificationRequestSchema, notificationCreateRequest],
  ['notification-create.response', idResponseSchema, notificationCreateResponse],
  ['notification-search.response', notificationListSchema, notificationSearchResponse],
  ['notification-update.request', updateNotificationRequestSchema, notificationUpdateRequest],
  ['notification-update.response', notificationSchema, notificationUpdateResponse],
  ['notification-payment-failure', failureNotificationSchema, failureNotification],
  ['notification-payment-status', paymentStatusNotificationSchema, statusNotification],
  ['error-400', errorBodySchema, error400],
];

describe('Adiq fixtures parse with their schemas', () => {
  it.each(cases)('%s', (_name, schema, fixture) => {
    const result = schema.safeParse(fixture);
    expect(result.error?.issues).toBeUndefined();
  });

  it('plan amounts in the examples convert to cents exactly', () => {
    const page = planPageSchema.parse(planSearchResponse);
    expect(page.items.map((p) => adiqAmountToCents(p.amount))).toEqual([2999, 2700]);
    const billings = billingPageSchema.parse(billingSearchResponse);
    expect(billings.items.map((b) => [b.status, adiqAmountToCents(b.amount), billingOutcome(b.status)])).toEqual([
      ['Paid', 2999, 'succeeded'],
      ['PaymentInvalid', 4100, 'hard_declined'],
    ]);
    expect(createPlanRequestSchema.parse(planCreateRequest).amount).toBe(centsToAdiqAmount(599));
  });

  it('unknown statuses parse (open enums) and map to unknown', () => {
    const changed = { ...subscriptionGetResponse, status: 'Suspended' };
    expect(engineSubscriptionStatus(subscriptionSchema.parse(changed).status)).toBe('unknown');
    expect(engineSubscriptionStatus('Blocked')).toBe('blocked');
    expect(engineBillingStatus('Payment Invalid')).toBe('invalid');
    expect(engineBillingStatus('Refunded')).toBe('unknown');
    expect(billingOutcome('Canceled')).toBeUndefined();
  });

  it('the notifications: failure fields, status code 200 = paid, either casing', () => {
    const failure = failureNotificationSchema.parse(failureNotification);
    expect(failure).toMatchObject({
      SubscriptionId: 'ba2dad08-7047-467d-8555-a947621d6554',
      OrderNumber: '1234567890',
    });
    expect(failureNotificationDecline(failure)).toBe('soft');
    expect(failureNotificationSchema.parse({ subscriptionId: 'x', errorCode: '46' })).toMatchObject({
      SubscriptionId: 'x',
      ErrorCode: '46',
    });

    expect(paymentNotificationOutcome(paymentStatusNotificationSchema.parse(statusNotification))).toEqual({
      kind: 'unknown',
    });
    const paid = paymentStatusNotificationSchema.parse({ ...statusNotification, statusCode: 200 });
    expect(paymentNotificationOutcome(paid)).toEqual({ kind: 'paid' });
    const pascal = paymentStatusNotificationSchema.parse({
      PaymentId: 'p',
      StatusCode: '51',
      StatusDescription: 'Saldo insuficiente',
    });
    expect(paymentNotificationOutcome(pascal)).toEqual({
      kind: 'failed',
      decline: 'soft',
      code: '51',
      description: 'Saldo insuficiente',
    });
    const canceled = paymentStatusNotificationSchema.parse({
      statusCode: '999',
      statusDescription: 'Cartão cancelado',
    });
    expect(paymentNotificationOutcome(canceled)).toMatchObject({ kind: 'failed', decline: 'hard' });
    const expiredInWords = failureNotificationSchema.parse({
      SubscriptionId: 'x',
      ErrorCode: 'Falha no pagamento',
      ErrorMessage: 'Cartão expirado',
    });
    expect(failureNotificationDecline(expiredInWords)).toBe('hard');
  });
});

describe('Adiq error mapping', () => {
  it('400 example: InvalidRequest with the tag as field', () => {
    const error = mapAdiqError({ status: 400, data: error400, headers: {} });
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect((error as InvalidRequestError).fieldErrors).toEqual([
      { field: 'Campo', message: 'Não pode ser nulo ou vazio.' },
    ]);
  });

  it('401: ProviderAuth naming the settings', () => {
    const error = mapAdiqError({ status: 401, data: [{ tag: '401', description: 'Unauthorized' }], headers: {} });
    expect(error).toBeInstanceOf(ProviderAuthError);
    expect(error.message).toContain('ADIQ_CLIENT_ID/ADIQ_CLIENT_SECRET');
  });

  it.each([
    [[{ tag: '51', description: 'Saldo insuficiente' }], SoftDeclineError],
    [[{ tag: '05', description: 'Não autorizada' }], SoftDeclineError],
    [[{ tag: '46', description: 'Conta encerrada' }], HardDeclineError],
    [[{ tag: 'Cartao', description: 'Cartão cancelado' }], HardDeclineError],
    [[{ tag: 'Pagamento', description: 'Falha desconhecida' }], SoftDeclineError],
    [[{ tag: 'Cartao', description: 'Cartao vencido' }], HardDeclineError],
    [[{ tag: 'Card', description: 'Invalid card number' }], HardDeclineError],
    [[{ tag: 'Pagamento', description: 'Saldo insuficiente' }], SoftDeclineError],
    [[{ tag: '54', description: 'Saldo insuficiente' }], HardDeclineError],
    ['not json', SoftDeclineError],
  ])('402 %j', (data, errorClass) => {
    expect(mapAdiqError({ status: 402, data, headers: {} })).toBeInstanceOf(errorClass);
  });

  it('500 (any body) is Transient', () => {
    expect(
      mapAdiqError({ status: 500, data: [{ tag: 'Erro', description: 'Erro interno' }], headers: {} }),
    ).toBeInstanceOf(TransientProviderError);
    expect(mapAdiqError({ status: 502, data: '<html>', headers: {} })).toBeInstanceOf(TransientProviderError);
  });

  it('decline words are read without accents', () => {
    expect(classifyAdiqDecline(undefined, 'CARTÃO ROUBADO')).toBe('hard');
    expect(classifyAdiqDecline('', 'limite excedido')).toBe('soft');
    expect(classifyAdiqDecline(null, 'Número do cartão inválido')).toBe('hard');
    expect(classifyAdiqDecline('Erro', 'Transação cancelada')).toBe('soft');
  });
});

describe('Adiq money, references, paths', () => {
  it('cents <-> Adiq amounts exactly', () => {
    expect(centsToAdiqAmount(599)).toBe(5.99);
    expect(JSON.stringify({ amount: centsToAdiqAmount(1) })).toBe('{"amount":0.01}');
    expect(JSON.stringify({ amount: centsToAdiqAmount(123456789012) })).toBe('{"amount":1234567890.12}');
    expect(adiqAmountToCents(29.99)).toBe(2999);
    expect(adiqAmountToCents(0.1 + 0.2)).toBeNull(); // never rounded silently
    expect(adiqAmountToCents(5.999999)).toBeNull();
  });

  it('orderNumber: short ids as they are, longer ones hashed to 10 characters, deterministically', () => {
    expect(adiqOrderNumber('1234567890')).toBe('1234567890');
    const long = adiqOrderNumber('sub_01HZY3K4M5N6P7Q8R9S0T1U2V3');
    expect(long).toMatch(/^[0-9A-F]{10}$/);
    expect(adiqOrderNumber('sub_01HZY3K4M5N6P7Q8R9S0T1U2V3')).toBe(long);
  });

  it('hosts and paths', () => {
    expect(ADIQ_HOSTS.homologation).toEqual({
      auth: 'https://authorization-hml.adiq.io',
      recurrence: 'https://recorrencia-hml.adiq.io',
    });
    expect(ADIQ_HOSTS.production).toEqual({
      auth: 'https://authorization.adiq.io',
      recurrence: 'https://recorrencia.adiq.io',
    });
    expect(fillPath(ADIQ_RECURRENCE_PATHS.planStatus, { planId: 'a/b' })).toBe('/v1/plans/a%2Fb/status');
    expect(() => fillPath(ADIQ_RECURRENCE_PATHS.plan)).toThrow(/planId/);
  });
});
