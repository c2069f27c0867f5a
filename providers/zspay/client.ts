/**
 * Zspay API client (zspay-api.pt-BR.txt). Authentication: "authorization Bearer 'Token API'" on
 * every call. Amounts cross this class in integer cents; `valor` (reais) and plan `amount` (cents)
 * are converted in money.ts. Every Zspay answer may be `success: false` even on HTTP 200: those go
 * through the same mapper as HTTP errors (errors.ts).
 */
import { z } from 'zod';
import { ProviderHttp, type ProviderRequest } from '../http';
import { validateRequest } from '../request-validation';
import { mapZspayError } from './errors';
import { centsToValor, valorToCents } from './money';
import {
  balanceResponseSchema,
  bankAccountListResponseSchema,
  boletoInputSchema,
  boletoSaleRequestSchema,
  captureRequestSchema,
  captureResponseSchema,
  cardSaleRequestSchema,
  changeDueDateRequestSchema,
  createBankAccountRequestSchema,
  createBankAccountResponseSchema,
  createClientRequestSchema,
  createClientResponseSchema,
  createPlanRequestSchema,
  errorEnvelopeSchema,
  getSaleResponseSchema,
  idParam,
  invoiceListResponseSchema,
  linkCardRequestSchema,
  linkCardResponseSchema,
  okResponseSchema,
  planFilterSchema,
  planIdResponseSchema,
  planListResponseSchema,
  planResponseSchema,
  preCaptureRequestSchema,
  refundInvoiceRequestSchema,
  saleResponseSchema,
  scheduledTransferListResponseSchema,
  subscribeRequestSchema,
  subscriptionActionRequestSchema,
  subscriptionListResponseSchema,
  subscriptionResponseSchema,
  transferRequestSchema,
  transferResponseSchema,
  updatePlanRequestSchema,
  type Assinatura,
  type Cliente,
  type CreateBankAccountRequest,
  type CreateClientRequest,
  type CreatePlanRequest,
  type ErrorEnvelope,
  type Fatura,
  type LinkCardRequest,
  type Pedido,
  type PedidoDetail,
  type PlanFilter,
  type Plano,
  type SubscribeRequest,
  type TransferRecord,
  type UpdatePlanRequest,
  type Venda,
} from './schemas';
import {
  ORDER_STATUS,
  PAYMENT_TYPE,
  PaymentTypeId,
  statusOf,
  TRANSFER_STATUS,
  type OrderStatus,
  type TransferStatus,
} from './status';

export interface ZspayClientOptions {
  /** e.g. https://api.zsystems.com.br (the sandbox: http://host:port/zspay). */
  baseUrl: string;
  /** The API token ("Token API"), from ZSPAY_TOKEN. */
  token: string;
  /** Default 20 s: card authorizations wait on the acquirer. */
  timeoutMs?: number;
}

export const DEFAULT_ZSPAY_TIMEOUT_MS = 20_000;

/** A sale (pedido) as the engine reads it, whichever endpoint returned it. */
export interface ZspaySale {
  id: string;
  status: OrderStatus;
  statusCode: number;
  paymentType?: (typeof PAYMENT_TYPE)[keyof typeof PAYMENT_TYPE] | 'unknown';
  amountCents?: number;
  clientId?: string;
  boletoUrl?: string;
}

export interface ZspayTransfer {
  id: string;
  scheduled: boolean;
  status: TransferStatus;
  amountCents: number;
  descricao?: string | null;
  scheduledFor?: string | null;
}

export interface ZspayScheduledTransfer {
  id: string;
  amountCents: number;
  tipoId: number;
  descricao?: string | null;
  scheduledFor: string;
}

export interface CardChargeInput {
  clienteId: string | number;
  cartaoId: string | number;
  amountCents: number;
  installments?: number;
}

export interface BoletoInput {
  clienteId: string | number;
  amountCents: number;
  /** YYYY-MM-DD. */
  dueDate: string;
  descricao: string;
}

export interface TransferInput {
  /** 1 = digital account (toEstabelecimentoId), 2 = bank account (contaBancariaId). */
  tipoTransferencia: 1 | 2;
  amountCents: number;
  toEstabelecimentoId?: string | number;
  contaBancariaId?: string | number;
  descricao: string;
  /** ISO date-time: schedules the transfer instead of executing it now. */
  agendadoPara?: string;
  /** Only for user tokens; an establishment token needs none ("Transferir ou Agendar"). */
  senha?: string;
}

export class ZspayClient {
  private readonly http: ProviderHttp;

  constructor(options: ZspayClientOptions) {
    this.http = new ProviderHttp({
      provider: 'zspay',
      baseURL: options.baseUrl,
      timeoutMs: options.timeoutMs ?? DEFAULT_ZSPAY_TIMEOUT_MS,
      mapErrorResponse: mapZspayError,
      headers: { Authorization: `Bearer ${options.token}`, Accept: 'application/json' },
    });
  }

  // ---- clients and cards ----------------------------------------------------------------------

  /** POST /clientes. */
  async createClient(input: CreateClientRequest): Promise<Cliente> {
    const body = validateRequest('zspay', createClientRequestSchema, input);
    const answer = await this.call({
      method: 'POST',
      path: '/clientes',
      mutating: true,
      body,
      response: createClientResponseSchema,
    });
    return answer.cliente;
  }

  /**
   * POST /clientes/{cliente_id}/cartoes. Takes the raw card as documented: for the card-linking
   * flow outside the engine (browser, public key) and tests. Returns ids and display data only.
   */
  async linkCard(
    clienteId: string | number,
    card: LinkCardRequest,
  ): Promise<{ cardId: string; brand?: string | null; lastDigits?: string }> {
    const id = validateRequest('zspay', idParam('clienteId'), clienteId);
    const body = validateRequest('zspay', linkCardRequestSchema, card);
    const answer = await this.call({
      method: 'POST',
      path: `/clientes/${id}/cartoes`,
      mutating: true,
      body,
      response: linkCardResponseSchema,
    });
    const saved = answer.cartaoId;
    return {
      cardId: String(saved.id),
      brand: saved.bandeira,
      lastDigits: saved.ultimos_digitos === undefined ? undefined : String(saved.ultimos_digitos),
    };
  }

  // ---- sales ----------------------------------------------------------------------------------

  /** POST /vendas, "Nova venda via cartão de crédito e cliente já definidos". */
  async createCardSale(input: CardChargeInput): Promise<ZspaySale> {
    const body = validateRequest('zspay', cardSaleRequestSchema, {
      tipoPagamentoId: PaymentTypeId.credit,
      valor: centsToValor(input.amountCents),
      parcelas: input.installments ?? 1,
      clienteId: this.id('clienteId', input.clienteId),
      cartaoId: this.id('cartaoId', input.cartaoId),
    });
    const answer = await this.call({
      method: 'POST',
      path: '/vendas',
      mutating: true,
      body,
      response: saleResponseSchema,
    });
    return { ...fromPedido(answer.pedido), paymentType: 'credit', amountCents: input.amountCents };
  }

  /** POST /vendas, "Nova venda via boleto com cliente já definido" (minimum R$ 5.00, checked here first). */
  async createBoletoSale(input: BoletoInput): Promise<ZspaySale> {
    const checked = validateRequest('zspay', boletoInputSchema, input);
    const body = validateRequest('zspay', boletoSaleRequestSchema, {
      tipoPagamentoId: PaymentTypeId.boleto,
      valor: centsToValor(checked.amountCents),
      dataVencimento: checked.dueDate,
      descricao: checked.descricao,
      clienteId: checked.clienteId,
    });
    const answer = await this.call({
      method: 'POST',
      path: '/vendas',
      mutating: true,
      body,
      response: saleResponseSchema,
    });
    return { ...fromPedido(answer.pedido), paymentType: 'boleto', amountCents: checked.amountCents };
  }

  /** POST /vendas/pre_captura: authorizes without capturing (status 8, Pré-autorizado). */
  async preCapture(input: CardChargeInput): Promise<ZspaySale> {
    const body = validateRequest('zspay', preCaptureRequestSchema, {
      valor: centsToValor(input.amountCents),
      cartaoId: this.id('cartaoId', input.cartaoId),
      clienteId: this.id('clienteId', input.clienteId),
    });
    const answer = await this.call({
      method: 'POST',
      path: '/vendas/pre_captura',
      mutating: true,
      body,
      response: captureResponseSchema,
    });
    return fromPedidoDetail(answer.pedido);
  }

  /** POST /vendas/captura: captures a pre-authorized order. */
  async capture(pedidoId: string | number): Promise<ZspaySale> {
    const body = validateRequest('zspay', captureRequestSchema, { pedidoId: this.id('pedidoId', pedidoId) });
    const answer = await this.call({
      method: 'POST',
      path: '/vendas/captura',
      mutating: true,
      body,
      response: captureResponseSchema,
    });
    return fromPedidoDetail(answer.pedido);
  }

  /** GET /vendas/{pedidoId}. */
  async getSale(pedidoId: string | number): Promise<ZspaySale> {
    const id = this.id('pedidoId', pedidoId);
    const answer = await this.call({ method: 'GET', path: `/vendas/${id}`, response: getSaleResponseSchema });
    return fromVenda(answer.venda);
  }

  /** POST /vendas/{pedidoId}/estornar (full refund of a card sale). */
  async refundSale(pedidoId: string | number): Promise<void> {
    const id = this.id('pedidoId', pedidoId);
    await this.call({
      method: 'POST',
      path: `/vendas/${id}/estornar`,
      mutating: true,
      body: {},
      response: okResponseSchema,
    });
  }

  // ---- plans ----------------------------------------------------------------------------------

  /** POST /planos (amount/setup_amount in cents). Returns the new plan's id. */
  async createPlan(input: CreatePlanRequest): Promise<string> {
    const body = validateRequest('zspay', createPlanRequestSchema, input);
    const answer = await this.call({
      method: 'POST',
      path: '/planos',
      mutating: true,
      body,
      response: planIdResponseSchema,
    });
    return String(answer.plano);
  }

  /** GET /planos, optionally filtered ("Filtrar listagem de planos": page, limit, id, nome, valor). */
  async listPlans(filter: PlanFilter = {}): Promise<{ plans: Plano[]; pages?: number; total?: number }> {
    const query = validateRequest('zspay', planFilterSchema, filter);
    const answer = await this.call({ method: 'GET', path: '/planos', query, response: planListResponseSchema });
    return { plans: answer.planos, pages: answer.paginas, total: answer.quantidade };
  }

  /** GET /planos/{PlanoId}. */
  async getPlan(planId: string | number): Promise<Plano> {
    const answer = await this.call({
      method: 'GET',
      path: `/planos/${this.id('planoId', planId)}`,
      response: planResponseSchema,
    });
    return answer.plano;
  }

  /** PUT /planos/{PlanoId}. */
  async updatePlan(planId: string | number, input: UpdatePlanRequest): Promise<Plano> {
    const body = validateRequest('zspay', updatePlanRequestSchema, input);
    const path = `/planos/${this.id('planoId', planId)}`;
    const answer = await this.call({ method: 'PUT', path, mutating: true, body, response: planResponseSchema });
    return answer.plano;
  }

  /** DELETE /planos/{PlanoId}. */
  async deletePlan(planId: string | number): Promise<void> {
    await this.call({
      method: 'DELETE',
      path: `/planos/${this.id('planoId', planId)}`,
      mutating: true,
      response: planIdResponseSchema,
    });
  }

  // ---- subscriptions and invoices -------------------------------------------------------------

  /** POST /planos/assinar. */
  async subscribe(input: SubscribeRequest): Promise<Assinatura> {
    const body = validateRequest('zspay', subscribeRequestSchema, input);
    const answer = await this.call({
      method: 'POST',
      path: '/planos/assinar',
      mutating: true,
      body,
      response: subscriptionResponseSchema,
    });
    return answer.data;
  }

  /** GET /planos/assinaturas?page&limit&filters={"omni","assinaturaId"}. */
  async listSubscriptions(options: { page?: number; limit?: number; omni?: string; assinaturaId?: number } = {}) {
    const filters = JSON.stringify({ omni: options.omni ?? '', assinaturaId: options.assinaturaId ?? null });
    const query = { page: options.page ?? 1, limit: options.limit ?? 50, filters };
    const answer = await this.call({
      method: 'GET',
      path: '/planos/assinaturas',
      query,
      response: subscriptionListResponseSchema,
    });
    return { subscriptions: answer.assinaturas, pages: answer.paginas, total: answer.quantidade };
  }

  /** GET /planos/assinatura/{AssinaturaId}. */
  async getSubscription(subscriptionId: string | number): Promise<Assinatura> {
    const path = `/planos/assinatura/${this.id('assinaturaId', subscriptionId)}`;
    return (await this.call({ method: 'GET', path, response: subscriptionResponseSchema })).data;
  }

  /** PUT /planos/assinatura/{AssinaturaId} { due_date }: moves the next charge. */
  async changeSubscriptionDueDate(subscriptionId: string | number, dueDate: string): Promise<Assinatura> {
    const body = validateRequest('zspay', changeDueDateRequestSchema, { due_date: dueDate });
    const path = `/planos/assinatura/${this.id('assinaturaId', subscriptionId)}`;
    return (await this.call({ method: 'PUT', path, mutating: true, body, response: subscriptionResponseSchema })).data;
  }

  /** POST /planos/assinatura/suspender. */
  async suspendSubscription(subscriptionId: string | number): Promise<void> {
    await this.subscriptionAction('/planos/assinatura/suspender', subscriptionId);
  }

  /** POST /planos/assinatura/reativar. */
  async reactivateSubscription(subscriptionId: string | number): Promise<void> {
    await this.subscriptionAction('/planos/assinatura/reativar', subscriptionId);
  }

  /**
   * "Remover uma assinatura": the document gives DELETE /planos/{PlanoId} (the plan-removal path)
   * while naming the parameter the subscription's id. Sent as documented; see test/fixtures/providers/zspay/NOTES.md.
   */
  async removeSubscription(subscriptionId: string | number): Promise<void> {
    const path = `/planos/${this.id('assinaturaId', subscriptionId)}`;
    await this.call({ method: 'DELETE', path, mutating: true, response: okResponseSchema });
  }

  /** GET /planos/assinatura/{id}/faturas: the last 50 invoices (amount in cents). */
  async listInvoices(subscriptionId: string | number): Promise<Fatura[]> {
    const path = `/planos/assinatura/${this.id('assinaturaId', subscriptionId)}/faturas`;
    return (await this.call({ method: 'GET', path, response: invoiceListResponseSchema })).faturas;
  }

  /** POST /planos/assinatura/{id}/faturas { id }: refunds ("estornar") one invoice. */
  async refundInvoice(subscriptionId: string | number, invoiceId: string | number): Promise<void> {
    const body = validateRequest('zspay', refundInvoiceRequestSchema, { id: this.id('faturaId', invoiceId) });
    const path = `/planos/assinatura/${this.id('assinaturaId', subscriptionId)}/faturas`;
    await this.call({ method: 'POST', path, mutating: true, body, response: okResponseSchema });
  }

  // ---- transfers, balance, bank accounts ------------------------------------------------------

  /** POST /transferencias: immediate, or scheduled when agendadoPara is given. */
  async transfer(input: TransferInput): Promise<ZspayTransfer> {
    const body = validateRequest('zspay', transferRequestSchema, {
      tipoTransferencia: input.tipoTransferencia,
      valor: centsToValor(input.amountCents),
      toEstabelecimentoId:
        input.toEstabelecimentoId === undefined ? null : this.id('toEstabelecimentoId', input.toEstabelecimentoId),
      contaBancariaId: input.contaBancariaId === undefined ? null : this.id('contaBancariaId', input.contaBancariaId),
      senha: input.senha,
      descricao: input.descricao,
      agendadoPara: input.agendadoPara,
    });
    const answer = await this.call({
      method: 'POST',
      path: '/transferencias',
      mutating: true,
      body,
      response: transferResponseSchema,
    });
    const record = answer.agendamento ?? answer.transferencia;
    if (!record) throw mapZspayError({ status: 200, data: answer, headers: {} });
    return fromTransferRecord(record, answer.agendamento !== undefined);
  }

  /** GET /transferencias/agendadas/{tipoTransferenciaId}. */
  async listScheduledTransfers(tipoTransferencia: 1 | 2): Promise<ZspayScheduledTransfer[]> {
    const answer = await this.call({
      method: 'GET',
      path: `/transferencias/agendadas/${tipoTransferencia}`,
      response: scheduledTransferListResponseSchema,
    });
    return answer.data.map((t) => ({
      id: String(t.id),
      amountCents: valorToCents(t.valor),
      tipoId: Number(t.tipoId),
      descricao: t.descricao,
      scheduledFor: t.agendadoPara,
    }));
  }

  /** DELETE /transferencias/{idTransferencia} (scheduled transfers only). */
  async deleteScheduledTransfer(transferId: string | number): Promise<void> {
    const path = `/transferencias/${this.id('transferId', transferId)}`;
    await this.call({ method: 'DELETE', path, mutating: true, response: okResponseSchema });
  }

  /** GET /estabelecimentos/{idEstabelecimento}/saldo: current and future balance, in cents. */
  async getBalance(establishmentId: string | number): Promise<{ currentCents: number; futureCents: number }> {
    const path = `/estabelecimentos/${this.id('estabelecimentoId', establishmentId)}/saldo`;
    const { saldo } = await this.call({ method: 'GET', path, response: balanceResponseSchema });
    return { currentCents: valorToCents(saldo.atual), futureCents: valorToCents(saldo.futuro) };
  }

  /** POST /estabelecimentos/contas_bancarias. */
  async createBankAccount(input: CreateBankAccountRequest) {
    const body = validateRequest('zspay', createBankAccountRequestSchema, input);
    const answer = await this.call({
      method: 'POST',
      path: '/estabelecimentos/contas_bancarias',
      mutating: true,
      body,
      response: createBankAccountResponseSchema,
    });
    return answer.contaBancaria;
  }

  /** GET /estabelecimentos/contas_bancarias. */
  async listBankAccounts() {
    return (
      await this.call({
        method: 'GET',
        path: '/estabelecimentos/contas_bancarias',
        response: bankAccountListResponseSchema,
      })
    ).contasBancarias;
  }

  /** PUT /estabelecimentos/contas_bancarias/{id}/ativar: selects the account for withdrawals. */
  async activateBankAccount(accountId: string | number): Promise<void> {
    const path = `/estabelecimentos/contas_bancarias/${this.id('contaBancariaId', accountId)}/ativar`;
    await this.call({ method: 'PUT', path, mutating: true, body: {}, response: okResponseSchema });
  }

  /** DELETE /estabelecimentos/{EstabelecimentoId}/contas_bancarias/{ContaBancariaId}/excluir. */
  async deleteBankAccount(establishmentId: string | number, accountId: string | number): Promise<void> {
    const path = `/estabelecimentos/${this.id('estabelecimentoId', establishmentId)}/contas_bancarias/${this.id('contaBancariaId', accountId)}/excluir`;
    await this.call({ method: 'DELETE', path, mutating: true, response: okResponseSchema });
  }

  // ---- plumbing -------------------------------------------------------------------------------

  private async subscriptionAction(path: string, subscriptionId: string | number): Promise<void> {
    const body = validateRequest('zspay', subscriptionActionRequestSchema, {
      assinatura_id: this.id('assinaturaId', subscriptionId),
    });
    await this.call({ method: 'POST', path, mutating: true, body, response: okResponseSchema });
  }

  private id(field: string, value: string | number): number {
    return validateRequest('zspay', idParam(field), value);
  }

  /** One request; a `success: false` answer (even HTTP 200) becomes a taxonomy error. */
  private async call<T>(req: ProviderRequest<T>): Promise<T> {
    const result = await this.http.request<T | ErrorEnvelope>({
      ...req,
      response: z.union([req.response, errorEnvelopeSchema]),
    });
    if (isErrorEnvelope(result)) throw mapZspayError({ status: 200, data: result, headers: {} });
    return result;
  }
}

function isErrorEnvelope(value: unknown): value is ErrorEnvelope {
  return typeof value === 'object' && value !== null && (value as { success?: unknown }).success === false;
}

function fromPedido(pedido: Pedido): ZspaySale {
  return {
    id: String(pedido.id),
    statusCode: Number(pedido.status_pedido_id),
    status: statusOf(ORDER_STATUS, pedido.status_pedido_id),
    clientId: pedido.cliente_id == null ? undefined : String(pedido.cliente_id),
    boletoUrl: pedido.urlBoleto,
  };
}

function fromPedidoDetail(pedido: PedidoDetail): ZspaySale {
  const payment = pedido.pagamentos?.[0];
  const product = pedido.pedidos_produtos?.[0];
  const valor = payment?.valor ?? product?.valor_unitario;
  return {
    id: String(pedido.id),
    statusCode: Number(pedido.status_pedido_id),
    status: statusOf(ORDER_STATUS, pedido.status_pedido_id),
    paymentType: payment ? statusOf(PAYMENT_TYPE, payment.tipo_pagamento_id) : 'credit',
    amountCents: valor === undefined ? undefined : valorToCents(valor),
    clientId: pedido.cliente_id == null ? undefined : String(pedido.cliente_id),
  };
}

function fromVenda(venda: Venda): ZspaySale {
  return {
    id: String(venda.id),
    statusCode: Number(venda.status.id),
    status: statusOf(ORDER_STATUS, venda.status.id),
    paymentType: statusOf(PAYMENT_TYPE, venda.tipoPagamento.id),
    amountCents: valorToCents(venda.valores.total),
    boletoUrl: venda.tipoPagamento.boleto?.url,
  };
}

function fromTransferRecord(record: TransferRecord, scheduled: boolean): ZspayTransfer {
  return {
    id: String(record.id),
    scheduled,
    // A scheduled transfer has no transfer status yet: it is "Nova" until executed.
    status:
      record.status_transferencia_id === undefined ? 'new' : statusOf(TRANSFER_STATUS, record.status_transferencia_id),
    amountCents: valorToCents(record.valor),
    descricao: record.descricao,
    scheduledFor: record.agendado_para,
  };
}
