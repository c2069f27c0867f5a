/** The Zspay client against the sandbox: happy paths, every error class, ledger effects. */
import {
  type ProviderError,
  HardDeclineError,
  InvalidRequestError,
  InvalidStateError,
  ProviderAuthError,
  RateLimitedError,
  SoftDeclineError,
  TransientProviderError,
  UnknownOutcomeError,
} from '../../../providers/errors';
import { ZSPAY_SANDBOX_ESTABLISHMENT_ID } from '../../../sandbox/providers/zspay';
import { useSandbox, type RunningSandbox } from '../../helpers/sandbox';
import { control, expectProviderError } from '../expect-error';
import { customerWithCard, zspayCharges, zspayClient } from './helpers';
import { at } from '../../helpers/defined';

let sandbox: RunningSandbox;
useSandbox((started) => (sandbox = started));

const charges = () => zspayCharges(sandbox);

describe('ZspayClient sales', () => {
  it('charges a stored card and reads the sale back', async () => {
    const zspay = zspayClient(sandbox.url);
    const { clientId, cardId } = await customerWithCard(zspay);
    const sale = await zspay.createCardSale({ clienteId: clientId, cartaoId: cardId, amountCents: 1050 });
    expect(sale).toMatchObject({ status: 'approved', amountCents: 1050, paymentType: 'credit' });
    const read = await zspay.getSale(sale.id);
    expect(read).toMatchObject({ id: sale.id, status: 'approved', amountCents: 1050 });
    const request = at(await sandbox.control.requests({ operation: 'zspay.sale.card' }), 0, 'zspay.sale.card requests');
    expect(request.body).toEqual({
      tipoPagamentoId: 3,
      valor: 10.5,
      parcelas: 1,
      clienteId: Number(clientId),
      cartaoId: Number(cardId),
    });
    expect(request.headers.authorization).toBe('Bearer sandbox-zspay-token');
    expect(await charges()).toHaveLength(1);
  });

  it('pre-captures then captures: money moves once, at capture', async () => {
    const zspay = zspayClient(sandbox.url);
    const { clientId, cardId } = await customerWithCard(zspay);
    const authorized = await zspay.preCapture({ clienteId: clientId, cartaoId: cardId, amountCents: 100 });
    expect(authorized).toMatchObject({ status: 'pre_authorized', amountCents: 100 });
    expect(await charges()).toHaveLength(0);
    expect(await zspay.capture(authorized.id)).toMatchObject({ status: 'approved' });
    expect(await charges()).toEqual([
      expect.objectContaining({ amountCents: 100, providerId: authorized.id, customer: clientId }),
    ]);
    await expectProviderError(zspay.capture(authorized.id), InvalidStateError);
  });

  it('issues a boleto, and the paid boleto becomes a charge with our reference', async () => {
    const zspay = zspayClient(sandbox.url);
    const { clientId } = await customerWithCard(zspay);
    const sale = await zspay.createBoletoSale({
      clienteId: clientId,
      amountCents: 500,
      dueDate: '2030-01-10',
      descricao: 'Mensalidade [ref:sub-1:c1:a1]',
    });
    expect(sale).toMatchObject({ status: 'pending', paymentType: 'boleto' });
    expect(sale.boletoUrl).toMatch(/^https:\/\//);
    expect(await charges()).toHaveLength(0);
    expect((await control(sandbox.url, 'POST', `/zspay/__control/boletos/${sale.id}/pay`)).status).toBe(200);
    expect(await charges()).toEqual([expect.objectContaining({ amountCents: 500, reference: 'sub-1:c1:a1' })]);
    expect(await zspay.getSale(sale.id)).toMatchObject({ status: 'approved' });
  });

  it('rejects a boleto under R$ 5.00 before sending, and the sandbox rejects it too', async () => {
    const zspay = zspayClient(sandbox.url);
    const error = await expectProviderError(
      zspay.createBoletoSale({ clienteId: 1, amountCents: 499, dueDate: '2030-01-10', descricao: 'x' }),
      InvalidRequestError,
    );
    expect(error.fieldErrors[0]).toMatchObject({ field: 'amountCents' });
    expect(await sandbox.control.requests({ provider: 'zspay' })).toHaveLength(0);
    const { clientId } = await customerWithCard(zspay);
    const raw = await fetch(`${sandbox.url}/zspay/vendas`, {
      method: 'POST',
      headers: { Authorization: 'Bearer sandbox-zspay-token', 'Content-Type': 'application/json' },
      body: JSON.stringify({
        tipoPagamentoId: 1,
        valor: 4.99,
        dataVencimento: '2030-01-10',
        descricao: 'x',
        clienteId: Number(clientId),
      }),
    });
    expect(raw.status).toBe(400);
    expect(await raw.json()).toMatchObject({ success: false, error: { fields: [{ field: 'valor' }] } });
  });

  it('refunds an approved card sale once', async () => {
    const zspay = zspayClient(sandbox.url);
    const { clientId, cardId } = await customerWithCard(zspay);
    const sale = await zspay.createCardSale({ clienteId: clientId, cartaoId: cardId, amountCents: 2000 });
    await zspay.refundSale(sale.id);
    expect(await zspay.getSale(sale.id)).toMatchObject({ status: 'refunded' });
    await expectProviderError(zspay.refundSale(sale.id), InvalidStateError);
    const refunds = (await sandbox.control.ledger({ provider: 'zspay' })).filter((e) => e.kind === 'refund');
    expect(refunds).toEqual([expect.objectContaining({ amountCents: 2000, providerId: sale.id })]);
  });
});

describe('ZspayClient error mapping', () => {
  it('401 -> ProviderAuthError naming ZSPAY_TOKEN', async () => {
    const error = await expectProviderError(
      zspayClient(sandbox.url, 'wrong').getBalance(ZSPAY_SANDBOX_ESTABLISHMENT_ID),
      ProviderAuthError,
    );
    expect(error.setting).toBe('ZSPAY_TOKEN');
    expect(error.statusCode).toBe(401);
  });

  it('400 with field errors -> InvalidRequestError', async () => {
    const zspay = zspayClient(sandbox.url);
    const { clientId } = await customerWithCard(zspay);
    const error = await expectProviderError(
      zspay.createCardSale({ clienteId: clientId, cartaoId: 999999, amountCents: 100 }),
      InvalidRequestError,
    );
    expect(error.fieldErrors).toEqual([expect.objectContaining({ field: 'cartaoId' })]);
  });

  it('404 -> InvalidRequestError', async () => {
    await expectProviderError(zspayClient(sandbox.url).getSale(123456789), InvalidRequestError);
  });

  it.each([
    ['soft_decline', undefined, SoftDeclineError, '51'],
    ['hard_decline', undefined, HardDeclineError, '57'],
    ['hard_decline', '43', HardDeclineError, '43'],
    ['soft_decline', 'card_declined', SoftDeclineError, 'card_declined'],
    ['hard_decline', 'expired_card', HardDeclineError, 'expired_card'],
  ] as const)('%s (code %s) -> %p', async (type, code, errorClass, expectedCode) => {
    const zspay = zspayClient(sandbox.url);
    const { clientId, cardId } = await customerWithCard(zspay);
    await sandbox.control.script({
      provider: 'zspay',
      operation: 'zspay.sale',
      match: cardId,
      outcome: { type, code },
      times: 1,
    });
    const error = await expectProviderError(
      zspay.createCardSale({ clienteId: clientId, cartaoId: cardId, amountCents: 100 }),
      errorClass as abstract new (...args: never[]) => ProviderError,
    );
    expect(error.code).toBe(expectedCode);
    expect(await charges()).toHaveLength(0);
  });

  it('a decline saying only in words that the card is canceled is hard; the documented generic words stay soft', async () => {
    const zspay = zspayClient(sandbox.url);
    const { clientId, cardId } = await customerWithCard(zspay);
    const decline = () =>
      sandbox.control.script({
        provider: 'zspay',
        operation: 'zspay.sale.card',
        match: cardId,
        outcome: { type: 'hard_decline', code: 'card_declined' },
        times: 1,
      });
    const sale = () => zspay.createCardSale({ clienteId: clientId, cartaoId: cardId, amountCents: 100 });

    await decline();
    const generic = await expectProviderError(sale(), SoftDeclineError);
    expect(generic.raw).toEqual({
      success: false,
      error: {
        type: 'card_error',
        category: 'card_declined',
        message: 'Transação não autorizada. Para mais informações, entre em contato com seu banco.',
      },
      message: 'Transação não autorizada. Para mais informações, entre em contato com seu banco.',
    });

    expect(
      (
        await control(sandbox.url, 'POST', '/zspay/__control/decline-messages', {
          code: 'card_declined',
          message: 'Cartão cancelado',
        })
      ).status,
    ).toBe(200);
    await decline();
    const canceled = await expectProviderError(sale(), HardDeclineError);
    expect(canceled).toMatchObject({ statusCode: 402, code: 'card_declined' });
    expect(canceled.message).toContain('Cartão cancelado');
    expect(canceled.raw).toMatchObject({
      error: { category: 'card_declined', message: 'Cartão cancelado' },
      message: 'Cartão cancelado',
    });

    // A message for every decline (an acquirer code still outranks the words)
    expect(
      (await control(sandbox.url, 'POST', '/zspay/__control/decline-messages', { message: 'Card expired' })).status,
    ).toBe(200);
    await sandbox.control.script({
      provider: 'zspay',
      operation: 'zspay.sale.card',
      match: cardId,
      outcome: { type: 'soft_decline', code: '51' },
      times: 1,
    });
    await expectProviderError(sale(), SoftDeclineError);
    await sandbox.control.script({
      provider: 'zspay',
      operation: 'zspay.sale.card',
      match: cardId,
      outcome: { type: 'soft_decline', code: 'try_again_later_or_not' },
      times: 1,
    });
    await expectProviderError(sale(), HardDeclineError);
    expect(await charges()).toHaveLength(0);
    expect((await control(sandbox.url, 'POST', '/zspay/__control/decline-messages', { message: '' })).status).toBe(400);
  });

  it('5xx -> TransientProviderError, nothing charged', async () => {
    const zspay = zspayClient(sandbox.url);
    const { clientId, cardId } = await customerWithCard(zspay);
    await sandbox.control.script({
      provider: 'zspay',
      operation: 'zspay.sale.card',
      outcome: { type: 'server_error', status: 503 },
      times: 1,
    });
    await expectProviderError(
      zspay.createCardSale({ clienteId: clientId, cartaoId: cardId, amountCents: 100 }),
      TransientProviderError,
    );
    expect(await charges()).toHaveLength(0);
  });

  it('429 -> RateLimitedError with retryAfterMs', async () => {
    await sandbox.control.script({
      provider: 'zspay',
      operation: 'zspay.balance.get',
      outcome: { type: 'rate_limit', retryAfterSeconds: 3 },
      times: 1,
    });
    const error = await expectProviderError(
      zspayClient(sandbox.url).getBalance(ZSPAY_SANDBOX_ESTABLISHMENT_ID),
      RateLimitedError,
    );
    expect(error.retryAfterMs).toBe(3000);
  });

  it('timeout after a sale -> UnknownOutcomeError, and the money did move', async () => {
    const zspay = zspayClient(sandbox.url);
    const { clientId, cardId } = await customerWithCard(zspay);
    await sandbox.control.script({
      provider: 'zspay',
      operation: 'zspay.sale.card',
      outcome: { type: 'timeout', phase: 'after' },
      times: 1,
    });
    await expectProviderError(
      zspay.createCardSale({ clienteId: clientId, cartaoId: cardId, amountCents: 700 }),
      UnknownOutcomeError,
    );
    expect(await charges()).toHaveLength(1);
  });

  it('timeout on a read -> TransientProviderError', async () => {
    await sandbox.control.script({
      provider: 'zspay',
      operation: 'zspay.balance.get',
      outcome: { type: 'timeout' },
      times: 1,
    });
    await expectProviderError(
      zspayClient(sandbox.url).getBalance(ZSPAY_SANDBOX_ESTABLISHMENT_ID),
      TransientProviderError,
    );
  });

  it('malformed body after a capture -> UnknownOutcomeError', async () => {
    const zspay = zspayClient(sandbox.url);
    const { clientId, cardId } = await customerWithCard(zspay);
    const authorized = await zspay.preCapture({ clienteId: clientId, cartaoId: cardId, amountCents: 300 });
    await sandbox.control.script({
      provider: 'zspay',
      operation: 'zspay.sale.capture',
      outcome: { type: 'malformed' },
      times: 1,
    });
    await expectProviderError(zspay.capture(authorized.id), UnknownOutcomeError);
    expect(await zspay.getSale(authorized.id)).toMatchObject({ status: 'approved' });
  });
});

describe('ZspayClient transfers, balance, bank accounts', () => {
  it('transfers from the balance, rejects an insufficient balance, settles by webhook control', async () => {
    const zspay = zspayClient(sandbox.url);
    await control(sandbox.url, 'POST', `/zspay/__control/balances/${ZSPAY_SANDBOX_ESTABLISHMENT_ID}`, {
      currentCents: 10_000,
    });
    const account = await zspay.createBankAccount({
      tipoContaBancaria: 1,
      nomeTitular: 'Integração',
      bancoId: 2,
      agencia: '0000',
      conta: '000000',
    });
    expect(await zspay.listBankAccounts()).toEqual([expect.objectContaining({ id: account.id, ativo: true })]);
    const transfer = await zspay.transfer({
      tipoTransferencia: 2,
      amountCents: 2_510,
      contaBancariaId: String(account.id),
      descricao: 'Repasse [ref:payout-1]',
    });
    expect(transfer).toMatchObject({ scheduled: false, status: 'pending', amountCents: 2_510 });
    expect(await zspay.getBalance(ZSPAY_SANDBOX_ESTABLISHMENT_ID)).toMatchObject({ currentCents: 7_490 });
    const error = await expectProviderError(
      zspay.transfer({ tipoTransferencia: 1, amountCents: 10_000, toEstabelecimentoId: 200, descricao: 'x' }),
      InvalidStateError,
    );
    expect(error.code).toBe('insufficient_balance');
    expect(
      (await control(sandbox.url, 'POST', `/zspay/__control/transfers/${transfer.id}/status`, { status: 4 })).body,
    ).toMatchObject({ status: 4 });
    expect(await zspay.getBalance(ZSPAY_SANDBOX_ESTABLISHMENT_ID)).toMatchObject({ currentCents: 10_000 });
    const transfers = (await sandbox.control.ledger({ provider: 'zspay' })).filter((e) => e.kind === 'transfer');
    expect(transfers).toEqual([expect.objectContaining({ amountCents: 2_510, reference: 'payout-1' })]);
    await zspay.deleteBankAccount(ZSPAY_SANDBOX_ESTABLISHMENT_ID, account.id);
  });

  it('schedules, lists and deletes a transfer; validation names the field', async () => {
    const zspay = zspayClient(sandbox.url);
    const scheduled = await zspay.transfer({
      tipoTransferencia: 1,
      amountCents: 10,
      toEstabelecimentoId: 200,
      descricao: 'agenda',
      agendadoPara: '2030-12-05T20:18:22.851Z',
    });
    expect(scheduled).toMatchObject({ scheduled: true, scheduledFor: '2030-12-05', amountCents: 10 });
    expect(await zspay.listScheduledTransfers(1)).toEqual([
      expect.objectContaining({ id: scheduled.id, amountCents: 10 }),
    ]);
    await zspay.deleteScheduledTransfer(scheduled.id);
    expect(await zspay.listScheduledTransfers(1)).toEqual([]);
    const error = await expectProviderError(
      zspay.transfer({ tipoTransferencia: 2, amountCents: 10, descricao: 'x' }),
      InvalidRequestError,
    );
    expect(error.fieldErrors).toEqual([expect.objectContaining({ field: 'contaBancariaId' })]);
  });
});

describe('ZspayClient plans and subscriptions', () => {
  it('creates a plan, subscribes, changes the due date, suspends, reactivates, lists and refunds invoices, removes', async () => {
    const zspay = zspayClient(sandbox.url);
    const planId = await zspay.createPlan({
      name: 'Plano Mensal',
      description: 'Mensal',
      setup_amount: 25,
      amount: 125,
      grace_period: 0,
      tolerance_period: 0,
      frequency: 'monthly',
      interval: 1,
      currency: 'BRL',
      payment_methods: 'credito',
    });
    expect(await zspay.getPlan(planId)).toMatchObject({ amount: 125, setup_amount: 25, frequency: 'monthly' });
    expect((await zspay.updatePlan(planId, { amount: 100 })).amount).toBe(100);
    expect((await zspay.listPlans({ id: Number(planId) })).plans).toHaveLength(1);
    const subscription = await zspay.subscribe({
      planoId: Number(planId),
      cliente: { nome: 'João Paulo', email: 'teste2@zsystems.com.br', cpf: '00000000000' },
      endereco: { logradouro: 'leoneta', numero: '123', cep: '03380235', cidade: 'sp', estado: 'sp' },
    });
    expect(subscription).toMatchObject({ status_assinatura_id: 1, amount: 100 });
    expect((await zspay.changeSubscriptionDueDate(subscription.id, '2030-12-18')).due_date).toBe('2030-12-18');
    await zspay.suspendSubscription(subscription.id);
    expect((await zspay.getSubscription(subscription.id)).status_assinatura_id).toBe(5);
    await zspay.reactivateSubscription(subscription.id);
    expect((await zspay.listSubscriptions({ assinaturaId: Number(subscription.id) })).subscriptions).toHaveLength(1);
    const invoice = (
      await control<{ id: number }>(sandbox.url, 'POST', `/zspay/__control/subscriptions/${subscription.id}/invoices`, {
        paid: true,
      })
    ).body;
    expect(await zspay.listInvoices(subscription.id)).toEqual([
      expect.objectContaining({ id: invoice.id, status: 'paid', amount: '100' }),
    ]);
    await zspay.refundInvoice(subscription.id, invoice.id);
    expect((await zspay.listInvoices(subscription.id))[0]?.status).toBe('void');
    await zspay.removeSubscription(subscription.id);
    expect((await zspay.getSubscription(subscription.id)).status_assinatura_id).toBe(2);
    await zspay.deletePlan(planId);
    await expectProviderError(zspay.getPlan(planId), InvalidRequestError);
  });
});
