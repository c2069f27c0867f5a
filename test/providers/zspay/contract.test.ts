/** Every JSON example of zspay-api.pt-BR.txt (copied as fixtures) parses with our schema for it. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { z } from 'zod';
import { HardDeclineError, SoftDeclineError } from '../../../providers/errors';
import { mapZspayError } from '../../../providers/zspay/errors';
import { centsToValor, valorToCents, zspayCentsToCents } from '../../../providers/zspay/money';
import * as s from '../../../providers/zspay/schemas';
import { parseZspayWebhook, zspayWebhookSchema } from '../../../providers/zspay/webhooks';
import { defined } from '../../helpers/defined';

const dir = join(__dirname, '../../fixtures/providers/zspay');
const fixture = (name: string): unknown => JSON.parse(readFileSync(join(dir, `${name}.json`), 'utf8'));

const schemas: Record<string, z.ZodType> = {
  'balance.response': s.balanceResponseSchema,
  'bank-account-create.request': s.createBankAccountRequestSchema,
  'bank-account-create.response': s.createBankAccountResponseSchema,
  'bank-account-list.response': s.bankAccountListResponseSchema,
  'bank-account-activate.response': s.okResponseSchema,
  'bank-account-delete.response': s.okResponseSchema,
  'transfer-create.request': s.transferRequestSchema,
  'transfer-create.response': s.transferResponseSchema,
  'transfer-scheduled-list.response': s.scheduledTransferListResponseSchema,
  'transfer-delete.response': s.okResponseSchema,
  'client-create.request': s.createClientRequestSchema,
  'client-create.response': s.createClientResponseSchema,
  'card-link.request': s.linkCardRequestSchema,
  'card-link.response': s.linkCardResponseSchema,
  'sale-card.response': s.saleResponseSchema,
  'sale-card-declined.response': s.errorEnvelopeSchema,
  'sale-card-client.response': s.saleResponseSchema,
  'sale-card-client-declined.response': s.errorEnvelopeSchema,
  'sale-card-stored.request': s.cardSaleRequestSchema,
  'sale-card-stored.response': s.saleResponseSchema,
  'sale-refund.response': s.okResponseSchema,
  'sale-boleto.response': s.saleResponseSchema,
  'sale-boleto-client.request': s.boletoSaleRequestSchema,
  'sale-boleto-client.response': s.saleResponseSchema,
  'sale-precapture.request': s.preCaptureRequestSchema,
  'sale-precapture.response': s.captureResponseSchema,
  'sale-capture.request': s.captureRequestSchema,
  'sale-capture.response': s.captureResponseSchema,
  'sale-get.response': s.getSaleResponseSchema,
  'plan-create.request': s.createPlanRequestSchema,
  'plan-create.response': s.planIdResponseSchema,
  'plan-list.response': s.planListResponseSchema,
  'plan-get.response': s.planResponseSchema,
  'plan-update.request': s.updatePlanRequestSchema,
  'plan-update.response': s.planResponseSchema,
  'plan-delete.response': s.planIdResponseSchema,
  'plan-filter.request': s.planFilterSchema,
  'plan-filter.response': s.planListResponseSchema,
  'subscription-create.request': s.subscribeRequestSchema,
  'subscription-create.response': s.subscriptionResponseSchema,
  'subscription-list.response': s.subscriptionListResponseSchema,
  'subscription-get.response': s.subscriptionResponseSchema,
  'subscription-due-date.request': s.changeDueDateRequestSchema,
  'subscription-due-date.response': s.subscriptionResponseSchema,
  'subscription-suspend.request': s.subscriptionActionRequestSchema,
  'subscription-suspend.response': s.okResponseSchema,
  'subscription-reactivate.request': s.subscriptionActionRequestSchema,
  'subscription-reactivate.response': s.okResponseSchema,
  'subscription-delete.response': s.okResponseSchema,
  'invoice-list.response': s.invoiceListResponseSchema,
  'invoice-refund.request': s.refundInvoiceRequestSchema,
  'invoice-refund.response': s.okResponseSchema,
};

/** Requests the engine never sends (raw card or inline customer data; see test/fixtures/providers/zspay/NOTES.md). */
const notSent = ['sale-card.request', 'sale-card-client.request', 'sale-boleto.request', 'subscription-list.request'];

const all = readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .map((f) => f.replace(/\.json$/, ''));
const webhooks = all.filter((name) => name.startsWith('webhook-'));

describe('Zspay fixtures', () => {
  it('covers every fixture file', () => {
    const covered = new Set([...Object.keys(schemas), ...notSent, ...webhooks]);
    expect(all.filter((name) => !covered.has(name))).toEqual([]);
    expect(all.length).toBeGreaterThanOrEqual(78);
  });

  it.each(Object.keys(schemas))('%s parses', (name) => {
    const parsed = defined(schemas[name], `the ${name} schema`).safeParse(fixture(name));
    expect(parsed.error?.issues).toBeUndefined();
  });

  it.each(webhooks)('%s parses as a known webhook', (name) => {
    const body = fixture(name);
    expect(zspayWebhookSchema.safeParse(body).error?.issues).toBeUndefined();
    const parsed = parseZspayWebhook(body);
    expect(parsed.known).toBe(true);
    if (parsed.known) expect(parsed.knownStatus).not.toBe('unknown');
  });

  it('keeps an unknown webhook type or status readable', () => {
    expect(parseZspayWebhook({ type: 'payout', status: 'created', data: {} })).toMatchObject({
      known: false,
      type: 'payout',
    });
    const changed = { ...(fixture('webhook-transfer-created') as object), status: 'exploded' };
    expect(parseZspayWebhook(changed)).toMatchObject({ known: true, knownStatus: 'unknown' });
  });

  it('maps the documented decline example to a soft decline', () => {
    const error = mapZspayError({ status: 200, data: fixture('sale-card-declined.response'), headers: {} });
    expect(error).toBeInstanceOf(SoftDeclineError);
    expect(error.code).toBe('card_declined');
  });

  /** The documented decline envelope (type, category, message; no acquirer code) with other words. */
  const declineSaying = (message: string, category = 'card_declined') => ({
    success: false,
    error: { type: 'card_error', category, message },
    message,
  });

  it.each([
    'Cartão cancelado',
    'Cartao cancelado',
    'CARTÃO BLOQUEADO',
    'Transação não autorizada. Cartão vencido.',
    'Cartão expirado',
    'Cartão perdido',
    'Cartão roubado',
    'Cartão furtado',
    'Número do cartão inválido',
    'Card cancelled',
    'Lost card',
    'Stolen card',
    'Expired card',
    'Card blocked',
    'Invalid card number',
  ])('the documented envelope saying %j is a hard decline, at 200 or 402', (message) => {
    for (const status of [200, 402]) {
      const error = mapZspayError({ status, data: declineSaying(message), headers: {} });
      expect(error).toBeInstanceOf(HardDeclineError);
      expect(error.code).toBe('card_declined');
      expect(error.message).toContain(message);
    }
  });

  it.each([
    'Transação não autorizada. Para mais informações, entre em contato com seu banco.',
    'Saldo insuficiente',
    'Limite excedido',
    'Transação negada pelo emissor',
    'Do not honor',
    'Insufficient funds',
  ])('the documented envelope saying %j stays a soft decline', (message) => {
    expect(mapZspayError({ status: 402, data: declineSaying(message), headers: {} })).toBeInstanceOf(SoftDeclineError);
  });

  it('an acquirer code or a specific category outranks the words', () => {
    const withCode = {
      success: false,
      error: { type: 'card_error', category: 'card_declined', code: '51', message: 'Cartão cancelado' },
    };
    expect(mapZspayError({ status: 402, data: withCode, headers: {} })).toBeInstanceOf(SoftDeclineError);
    expect(
      mapZspayError({ status: 402, data: declineSaying('Saldo insuficiente', 'expired_card'), headers: {} }),
    ).toBeInstanceOf(HardDeclineError);
    // Only the outer message names the reason: still read.
    const outerOnly = {
      success: false,
      error: { type: 'card_error', category: 'card_declined' },
      message: 'Cartão cancelado',
    };
    expect(mapZspayError({ status: 402, data: outerOnly, headers: {} })).toBeInstanceOf(HardDeclineError);
  });

  it('converts money exactly', () => {
    expect(centsToValor(50000)).toBe(500);
    expect(JSON.stringify({ valor: centsToValor(1050) })).toBe('{"valor":10.5}');
    expect(JSON.stringify({ valor: centsToValor(10) })).toBe('{"valor":0.1}');
    // The largest amount a plan accepts converts exactly; one past what a double holds is refused, never rounded.
    expect(JSON.stringify({ valor: centsToValor(100_000_000_00) })).toBe('{"valor":100000000}');
    expect(JSON.stringify({ valor: centsToValor(99_999_999_99) })).toBe('{"valor":99999999.99}');
    expect(() => centsToValor(9007199254740991)).toThrow('cannot be written exactly');
    expect(valorToCents(0.1)).toBe(10);
    expect(valorToCents('297625.33')).toBe(29762533);
    expect(zspayCentsToCents(125.0)).toBe(125);
    expect(zspayCentsToCents('1')).toBe(1);
    expect(() => zspayCentsToCents('1.5')).toThrow(RangeError);
  });
});
