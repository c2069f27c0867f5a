/**
 * Zspay imitation (zspay-api.pt-BR.txt) at the documented paths: Bearer token, clients and cards,
 * card sales (direct and pre-capture + capture), boletos (minimum R$ 5.00), sale lookup, refunds,
 * plans, subscriptions and invoices, transfers (immediate and scheduled) debiting the
 * establishment's balance, bank accounts, and webhooks to `${webhookBaseUrl}/webhooks/zspay`.
 *
 * Errors use the sales' documented envelope { success: false, error: { type, category, message },
 * message }. Not documented and chosen here (see test/fixtures/providers/zspay/NOTES.md): 401 for a
 * bad token, 400 + error.fields for validation, 404 for unknown ids, 402 for card declines (the
 * acquirer code in error.code), 422 for a state conflict / insufficient balance.
 *
 * Control routes (no token): POST /__control/boletos/:id/pay, POST /__control/transfers/:id/status
 * { status: 2|3|4 }, POST /__control/balances/:establishmentId { currentCents, futureCents? },
 * POST /__control/subscriptions/:id/invoices { paid: boolean }, POST /__control/subscriptions/:id/bill
 * { paid: boolean, date? } (collects the invoice due, retries and all: the scheduler), POST /__control/sales/:id/expire
 * (a pre-authorization lapses uncaptured), DELETE /__control/sales/:id (Zspay forgets the sale: its
 * reads answer 404), POST /__control/decline-messages { code?, message } (the
 * words of the scripted declines answered with that code or category, e.g. card_declined +
 * "Cartão cancelado"; without a code, of every scripted decline; cleared on reset).
 */
import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { centsOf, reaisOf } from './money';
import { referenceOf } from '../../providers/zspay/reference';
import type { ScriptedOutcome } from '../state';
import type { SandboxContext } from '../server';
import { collectionsSection } from '../persistence';
import { afterEffect, keyText, providerRoutes, type Route } from '../route';

/** How many times the sandbox collects an invoice that fails (the document's examples: `max_retries: 3`). */
export const ZSPAY_INVOICE_MAX_RETRIES = 3;

/** The next due date of a plan's subscription: `interval` days, weeks, months (day clamped) or years after `date`. */
export function nextZspayDueDate(date: string, frequency: string, interval: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  if (frequency === 'daily' || frequency === 'weekly') {
    const days = frequency === 'daily' ? interval : 7 * interval;
    return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
  }
  const months = frequency === 'monthly' ? interval : 12 * interval;
  const first = new Date(Date.UTC(y, m - 1 + months, 1));
  const last = new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth() + 1, 0)).getUTCDate();
  return new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth(), Math.min(d, last))).toISOString().slice(0, 10);
}

/** The token's establishment (the document's examples use 131). */
export const ZSPAY_SANDBOX_ESTABLISHMENT_ID = 131;
const BOLETO_MINIMUM_CENTS = 500;
const DECLINE_MESSAGE = 'Transação não autorizada. Para mais informações, entre em contato com seu banco.';
const ANY_DECLINE = '*';
const ORDER_TITLES: Record<number, string> = {
  1: 'Pendente',
  2: 'Aprovado',
  3: 'Falhado',
  4: 'Cancelado',
  5: 'Parcialmente pago',
  6: 'Estornado',
  7: 'Em processamento',
  8: 'Pré-autorizado',
};
const PAYMENT_TITLES: Record<number, string> = {
  1: 'Pendente',
  2: 'Pago',
  3: 'Cancelado',
  4: 'Estornado',
  5: 'Pré-autorizado',
};
const TYPE_TITLES: Record<number, string> = { 1: 'Boleto', 2: 'Cartão de Débito', 3: 'Cartão de Crédito' };
const SUBSCRIPTION_TITLES: Record<number, string> = {
  1: 'Aguardando',
  2: 'Cancelado',
  3: 'Pago',
  4: 'Atrasado',
  5: 'Suspenso',
};
const TRANSFER_TITLES: Record<number, string> = { 1: 'Nova', 2: 'Pendente', 3: 'Sucesso', 4: 'Falha' };

interface Client {
  id: number;
  nome: string;
  email: string;
  documento: string;
  created: string;
}
interface Card {
  id: number;
  clienteId: number;
  titular: string;
  bandeira: string;
  ultimos: string;
  mes: string;
  ano: string;
}
interface Sale {
  id: number;
  paymentId: number;
  clienteId: number;
  cartaoId?: number;
  tipoPagamentoId: 1 | 3;
  valorCents: number;
  status: number;
  paymentStatus: number;
  descricao?: string;
  dataVencimento?: string;
  boletoUrl?: string;
  created: string;
  modified: string;
}
interface Plan {
  id: number;
  name: string;
  description: string;
  frequency: string;
  interval: number;
  amount: number;
  setup_amount: number;
  grace_period: string;
  tolerance_period: number;
  created: string;
  modified: string;
}
interface Subscription {
  id: number;
  planoId: number;
  clienteId: number;
  status: number;
  ativo: number;
  dueDate: string;
  suspendedAt: string | null;
  created: string;
  modified: string;
}
interface Invoice {
  id: number;
  assinaturaId: number;
  pedidoId: number | null;
  amount: number;
  /** pending (being collected), paid, failed (retries exhausted), void (refunded). */
  status: string;
  /** Failed collections so far (the document's `retries`; absent in states saved before: 0). */
  retries?: number;
  paidAt: string | null;
  voidedAt: string | null;
  dateInvoice: string;
  created: string;
}
interface Transfer {
  id: number;
  tipo: 1 | 2;
  valorCents: number;
  toEstabelecimentoId: number | null;
  contaBancariaId: number | null;
  descricao: string;
  agendadoPara: string | null;
  status: number;
  executed: boolean;
  created: string;
}
interface BankAccount {
  id: number;
  tipo: number;
  nomeTitular: string;
  bancoId: number;
  agencia: string;
  conta: string;
  ativo: boolean;
  created: string;
}
interface Balance {
  currentCents: number;
  futureCents: number;
}

type FieldIssue = { field: string; message: string };

// Request shapes as the sandbox checks them: numbers or numeric strings for ids, `valor` in reais.
const id = z.union([z.int().positive(), z.string().regex(/^\d+$/)]).transform(Number);
const valor = z.union([z.number().positive(), z.string().regex(/^\d+(\.\d+)?$/)]).transform((v, c) => {
  const cents = centsOf(v);
  // Zspay takes reais with two decimals: "10.001" and "10.000" alike are refused.
  if (cents !== undefined && !/\.\d{3}/.test(String(v))) return cents;
  c.addIssue({ code: 'custom', message: 'valor deve ter no máximo duas casas decimais' });
  return z.NEVER;
});
const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);
const clientBody = z.object({
  nome: z.string().min(1),
  documento: z.string().min(11),
  email: z.string().min(3),
  endereco: z.object({}).loose(),
});
const cardBody = z.object({
  numero: z.string().regex(/^\d{13,19}$/),
  titular: z.string().min(1),
  codigoSeguranca: z.string().regex(/^\d{3,4}$/),
  validade: z.string().regex(/^\d{2}\/\d{2,4}$/),
});
const saleBody = z.object({
  tipoPagamentoId: z.union([z.literal(1), z.literal(2), z.literal(3)]),
  valor,
  clienteId: id,
});
const cardSaleBody = z.object({ cartaoId: id, parcelas: z.int().min(1).max(12).optional() });
const boletoSaleBody = z.object({ dataVencimento: date, descricao: z.string().min(1) });
const preCaptureBody = z.object({ valor, cartaoId: id, clienteId: id });
const captureBody = z.object({ pedidoId: id });
const planBody = z.object({
  name: z.string().min(1),
  description: z.string().min(1),
  amount: z.int().positive(),
  setup_amount: z.int().min(0),
  frequency: z.enum(['daily', 'weekly', 'monthly', 'annualy']),
  interval: z.int().min(1),
  grace_period: z.union([z.int(), z.string()]).optional(),
  tolerance_period: z.int().min(0).optional(),
});
const subscribeBody = z.object({
  planoId: id,
  expiration_date: date.optional(),
  cliente: z.object({ nome: z.string().min(1), email: z.string().min(3) }).loose(),
});
const transferBody = z.object({
  tipoTransferencia: z.union([z.literal(1), z.literal(2)]),
  valor,
  toEstabelecimentoId: id.nullable().optional(),
  contaBancariaId: id.nullable().optional(),
  descricao: z.string().min(1),
  agendadoPara: z.string().optional(),
});
const bankAccountBody = z.object({
  tipoContaBancaria: z.union([z.literal(1), z.literal(2)]),
  nomeTitular: z.string().min(1),
  bancoId: z.int().positive(),
  agencia: z.string().min(1),
  conta: z.string().min(1),
});

// Id ranges far apart, so a scripted rule's `match` (which tries every key of a request: client,
// card, order...) names one object; plans and subscriptions never collide (see DELETE /planos/:id).
const FIRST_IDS = {
  client: 18638,
  card: 518628,
  sale: 20212,
  payment: 1020562,
  plan: 42,
  subscription: 9000,
  invoice: 842,
  transfer: 1,
  bank: 27,
  hook: 100,
};

/** What Zspay holds, and the ids it hands out next. */
function zspayData() {
  return {
    clients: new Map<number, Client>(),
    cards: new Map<number, Card>(),
    sales: new Map<number, Sale>(),
    plans: new Map<number, Plan>(),
    subscriptions: new Map<number, Subscription>(),
    invoices: new Map<number, Invoice>(),
    transfers: new Map<number, Transfer>(),
    bankAccounts: new Map<number, BankAccount>(),
    balances: new Map<number, Balance>(),
    /** Scripted decline code or category (or ANY_DECLINE) -> the message answered instead of the document's. */
    declineMessages: new Map<string, string>(),
    seq: { ...FIRST_IDS },
  };
}
type ZspayData = ReturnType<typeof zspayData>;

/** What every group of routes works with. */
interface Zspay {
  ctx: SandboxContext;
  data: ZspayData;
  route: Route<number | undefined, true, string>;
  /** The sandbox clock's time, as Zspay writes `created` / `modified`. */
  now: () => string;
  /** A webhook as Zspay sends it, when a URL is configured. */
  notify: (type: string, status: string, payload: unknown) => Promise<void>;
}

export function registerZspay(app: FastifyInstance, ctx: SandboxContext): void {
  const data = zspayData();
  const { seq, balances } = data;
  const initialise = () => {
    for (const collection of Object.values(data)) if (collection instanceof Map) collection.clear();
    Object.assign(seq, FIRST_IDS);
    balances.set(ZSPAY_SANDBOX_ESTABLISHMENT_ID, { currentCents: 0, futureCents: 0 });
  };
  initialise();
  ctx.onReset(initialise);
  const { clients, cards, sales, plans, subscriptions, invoices, transfers, bankAccounts } = data;
  ctx.persist(
    'zspay',
    collectionsSection(
      { clients, cards, sales, plans, subscriptions, invoices, transfers, bankAccounts, balances },
      seq,
    ),
  );

  app.setErrorHandler((error: FastifyError, _request, reply) => {
    const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    return fail(reply, status, status === 500 ? 'api_error' : 'invalid_request_error', 'invalid_body', error.message);
  });

  const route = providerRoutes(app, ctx, {
    provider: 'zspay',
    param: numericId,
    // "authorization Bearer 'Token API'" on every documented route (control routes are the sandbox's
    // own), checked before the body is read and before the rate limit: limits are per API client.
    authorize: async (request, reply) => {
      if (request.headers.authorization === `Bearer ${ctx.options.credentials.zspay.token}`) return true;
      await fail(reply, 401, 'authentication_error', 'invalid_token', 'Token inválido ou ausente');
      return undefined;
    },
    authorizeOnRequest: true,
    invalid: (reply, error) => invalid(reply, issues(error)),
    notFound,
    emptyBody: {},
  });
  const zspay: Zspay = {
    ctx,
    data,
    route,
    now: () => ctx.state.timestamp(),
    notify: async (type, status, payload) => {
      const url = ctx.webhookUrl('zspay');
      if (!url) return;
      await ctx.sendWebhook('zspay', url, { url, type, status, data: payload, hook_id: seq.hook++ });
    },
  };
  clientRoutes(zspay);
  saleRoutes(zspay);
  planRoutes(zspay);
  subscriptionRoutes(zspay);
  transferRoutes(zspay);
  bankAccountRoutes(zspay);
  controlRoutes(app, zspay);
}

// ---- clients and cards ("Clientes") ------------------------------------------------------------
function clientRoutes({ route, data, now }: Zspay): void {
  const { clients, cards, seq } = data;

  route('POST', '/clientes', { operation: 'zspay.client.create', body: clientBody }, async ({ body, reply }) => {
    const client: Client = {
      id: seq.client++,
      nome: body.nome,
      email: body.email,
      documento: body.documento,
      created: now(),
    };
    clients.set(client.id, client);
    const { endereco } = body;
    return afterEffect(() =>
      reply.send({
        success: true,
        cliente: {
          id: client.id,
          nome: client.nome,
          email: client.email,
          senha: '',
          ativo: true,
          created: client.created,
          modified: client.created,
          removed: null,
          endereco: { ...endereco, uf: endereco.estado },
        },
      }),
    );
  });

  route(
    'POST',
    '/clientes/:clienteId/cartoes',
    {
      operation: 'zspay.card.link',
      keys: ({ params }) => [params.clienteId],
      find: { load: ({ params }) => byId(clients, params.clienteId), missing: 'Cliente' },
      body: cardBody,
    },
    async ({ found: client, body, reply }) => {
      const [mes = '', ano = ''] = body.validade.split('/');
      // Only display data is kept: the sandbox, like the engine, never stores a card number.
      const card: Card = {
        id: seq.card++,
        clienteId: client.id,
        titular: body.titular.trim(),
        bandeira: body.numero.startsWith('4') ? 'Visa' : 'Mastercard',
        ultimos: body.numero.slice(-4),
        mes,
        ano: ano.length === 2 ? `20${ano}` : ano,
      };
      cards.set(card.id, card);
      return afterEffect(() => {
        const at = now();
        return reply.send({
          success: true,
          message: 'Operação realizada com sucesso',
          cartaoId: {
            id: card.id,
            cliente_id: client.id,
            nome_titular: card.titular,
            bandeira: card.bandeira,
            ultimos_digitos: card.ultimos,
            ano_expiracao: card.ano,
            mes_expiracao: card.mes,
            modified: at,
            created: at,
          },
        });
      });
    },
  );
}

// ---- sales ("vendas") --------------------------------------------------------------------------
function saleRoutes(zspay: Zspay): void {
  const { route, data, ctx, notify } = zspay;
  const { clients, cards, sales } = data;

  /** The stored card of a stored client, or a 400 naming the field. */
  const storedCard = async (reply: FastifyReply, clienteId: number, cartaoId: number): Promise<boolean> => {
    if (!clients.has(clienteId)) {
      await invalid(reply, [{ field: 'clienteId', message: 'cliente não encontrado' }]);
      return false;
    }
    if (cards.get(cartaoId)?.clienteId !== clienteId) {
      await invalid(reply, [{ field: 'cartaoId', message: 'cartão não encontrado para este cliente' }]);
      return false;
    }
    return true;
  };
  /** A card sale's scripted keys, read before the body is checked: client and card. */
  const cardKeys = ({ fields }: { fields: Readonly<Record<string, unknown>> }) => [
    keyText(fields.clienteId),
    keyText(fields.cartaoId),
  ];
  const saleOf = {
    load: ({ params }: { params: { pedidoId: number | undefined } }) => byId(sales, params.pedidoId),
    missing: 'Pedido',
  };

  route(
    'POST',
    '/vendas',
    {
      operation: ({ fields }) => (fields.tipoPagamentoId === 1 ? 'zspay.sale.boleto' : 'zspay.sale.card'),
      keys: cardKeys,
      body: saleBody,
    },
    async ({ body: base, parse, outcome, reply }) => {
      if (base.tipoPagamentoId === 2)
        return invalid(reply, [{ field: 'tipoPagamentoId', message: 'Débito não implementado' }]);
      if (base.tipoPagamentoId === 1) {
        const boleto = await parse(boletoSaleBody);
        if (!boleto) return reply;
        if (base.valor < BOLETO_MINIMUM_CENTS)
          return invalid(reply, [{ field: 'valor', message: 'O valor mínimo do boleto é R$ 5,00' }]);
        if (!clients.has(base.clienteId))
          return invalid(reply, [{ field: 'clienteId', message: 'cliente não encontrado' }]);
        const sale = newSale(zspay, {
          clienteId: base.clienteId,
          tipoPagamentoId: 1,
          valorCents: base.valor,
          status: 1,
          paymentStatus: 1,
          descricao: boleto.descricao,
          dataVencimento: boleto.dataVencimento,
        });
        sale.boletoUrl = `https://api-boletoproduction.s3.amazonaws.com/sandbox/${sale.id}.html`;
        return afterEffect(() => {
          void notify('transaction', 'created', pedidoDetail(sale));
          return reply.send({ success: true, pedido: pedidoBrief(sale) });
        });
      }
      const card = await parse(cardSaleBody);
      if (!card || !(await storedCard(reply, base.clienteId, card.cartaoId))) return reply;
      const sale = newSale(zspay, {
        clienteId: base.clienteId,
        cartaoId: card.cartaoId,
        tipoPagamentoId: 3,
        valorCents: base.valor,
        status: 2,
        paymentStatus: 1,
      });
      const decline = declineOf(data, outcome);
      if (decline) {
        setSale(zspay, sale, 3, 3);
        void notify('transaction', 'failed', pedidoDetail(sale));
        return sendDecline(reply, decline);
      }
      recordCharge(zspay, sale);
      return afterEffect(() => {
        void notify('transaction', 'succeeded', pedidoDetail(sale));
        return reply.send({ success: true, pedido: pedidoBrief(sale) });
      });
    },
  );

  route(
    'POST',
    '/vendas/pre_captura',
    { operation: 'zspay.sale.precapture', keys: cardKeys, body: preCaptureBody },
    async ({ body, outcome, reply }) => {
      if (!(await storedCard(reply, body.clienteId, body.cartaoId))) return reply;
      const sale = newSale(zspay, {
        clienteId: body.clienteId,
        cartaoId: body.cartaoId,
        tipoPagamentoId: 3,
        valorCents: body.valor,
        status: 8,
        paymentStatus: 5,
      });
      const decline = declineOf(data, outcome);
      if (decline) {
        setSale(zspay, sale, 3, 3);
        return sendDecline(reply, decline);
      }
      return afterEffect(() =>
        reply.send({ success: true, message: 'Operação realizada com sucesso', pedido: pedidoDetail(sale) }),
      );
    },
  );

  route(
    'POST',
    '/vendas/captura',
    { operation: 'zspay.sale.capture', keys: ({ fields }) => [keyText(fields.pedidoId)], body: captureBody },
    async ({ body, outcome, reply }) => {
      const sale = sales.get(body.pedidoId);
      if (!sale) return notFound(reply, 'Pedido');
      if (sale.status !== 8)
        return conflict(
          reply,
          'invalid_status',
          `Pedido ${sale.id} não está pré-autorizado (status ${ORDER_TITLES[sale.status]})`,
        );
      const decline = declineOf(data, outcome);
      if (decline) {
        setSale(zspay, sale, 3, 3);
        return sendDecline(reply, decline);
      }
      setSale(zspay, sale, 2, 1);
      recordCharge(zspay, sale);
      return afterEffect(() => {
        void notify('transaction', 'succeeded', pedidoDetail(sale));
        // As documented: "o array de pagamentos está vazio" in the capture answer.
        return reply.send({
          success: true,
          message: 'Operação efetuada com sucesso',
          pedido: { ...pedidoDetail(sale), pagamentos: [] },
        });
      });
    },
  );

  route(
    'GET',
    '/vendas/:pedidoId',
    { operation: 'zspay.sale.get', keys: ({ params }) => [params.pedidoId], find: saleOf },
    async ({ found: sale, reply }) =>
      afterEffect(() => reply.send({ success: true, message: 'Venda', venda: venda(data, sale) })),
  );

  route(
    'POST',
    '/vendas/:pedidoId/estornar',
    { operation: 'zspay.sale.refund', keys: ({ params }) => [params.pedidoId], find: saleOf },
    async ({ found: sale, reply }) => {
      // "Estornar venda via cartão de crédito": an approved card sale is refunded; a pre-authorized one
      // ("Pré captura", never captured) is released: canceled, nothing to refund, the hold on the card gone.
      if (sale.tipoPagamentoId === 3 && sale.status === 8) {
        setSale(zspay, sale, 4, 3);
        return afterEffect(() => {
          void notify('transaction', 'canceled', pedidoDetail(sale));
          return reply.send({ success: true, message: 'Operação realizada com sucesso.' });
        });
      }
      if (sale.tipoPagamentoId !== 3 || sale.status !== 2) {
        return conflict(
          reply,
          'invalid_status',
          `Pedido ${sale.id} não pode ser estornado (status ${ORDER_TITLES[sale.status]})`,
        );
      }
      setSale(zspay, sale, 6, 4);
      balanceOf(data, ZSPAY_SANDBOX_ESTABLISHMENT_ID).futureCents -= sale.valorCents;
      ctx.state.record({
        provider: 'zspay',
        kind: 'refund',
        amountCents: sale.valorCents,
        providerId: String(sale.id),
        customer: String(sale.clienteId),
      });
      return afterEffect(() => {
        // The document's two refund webhooks: "quando uma transação foi estornada" (transaction,
        // void) and "quando um recebivel é estornado" (receivable, refunded, payment status 4).
        void notify('transaction', 'void', pedidoDetail(sale));
        void notify('receivable', 'refunded', {
          ...payment(sale),
          pedido: {
            id: sale.id,
            status_pedido_id: sale.status,
            status_pedido: { id: sale.status, titulo: ORDER_TITLES[sale.status] },
          },
        });
        return reply.send({ success: true, message: 'Operação realizada com sucesso.' });
      });
    },
  );
}

// ---- plans ("Planos") --------------------------------------------------------------------------
function planRoutes({ route, data, now, notify }: Zspay): void {
  const { plans, subscriptions, seq } = data;
  // A plan route's scripted key is the plan's id only when the plan exists.
  const planOf = {
    keys: ({ params }: { params: { planoId: number | undefined } }) => [byId(plans, params.planoId)?.id],
    find: {
      load: ({ params }: { params: { planoId: number | undefined } }) => byId(plans, params.planoId),
      missing: 'Plano',
    },
  };

  route('POST', '/planos', { operation: 'zspay.plan.create', body: planBody }, async ({ body, reply }) => {
    const at = now();
    const plan: Plan = {
      id: seq.plan++,
      name: body.name,
      description: body.description,
      frequency: body.frequency,
      interval: body.interval,
      amount: body.amount,
      setup_amount: body.setup_amount,
      grace_period: String(body.grace_period ?? 0),
      tolerance_period: body.tolerance_period ?? 0,
      created: at,
      modified: at,
    };
    plans.set(plan.id, plan);
    return afterEffect(() => {
      void notify('plan', 'created', planView(data, plan));
      return reply.send({ success: true, message: 'Operação realizada com sucesso', plano: plan.id });
    });
  });

  route('GET', '/planos', { operation: 'zspay.plan.list' }, async ({ query, reply }) => {
    const page = Math.max(1, Number(query.page ?? 1) || 1);
    const limit = Math.max(1, Number(query.limit ?? 15) || 15);
    const all = [...plans.values()].filter(
      (p) => (!query.id || String(p.id) === query.id) && (!query.nome || p.name.includes(query.nome)),
    );
    return afterEffect(() =>
      reply.send({
        success: true,
        message: 'Operação realizada com sucesso',
        planos: all.slice((page - 1) * limit, page * limit).map((p) => planView(data, p)),
        paginas: Math.max(1, Math.ceil(all.length / limit)),
        quantidade: all.length,
      }),
    );
  });

  route('GET', '/planos/:planoId', { operation: 'zspay.plan.get', ...planOf }, async ({ found: plan, reply }) =>
    reply.send({
      success: true,
      message: 'Operação realizada com sucesso',
      plano: { ...planView(data, plan), duration: null },
    }),
  );

  route(
    'PUT',
    '/planos/:planoId',
    { operation: 'zspay.plan.update', ...planOf, body: planBody.partial() },
    async ({ found: plan, body, reply }) => {
      Object.assign(plan, {
        ...body,
        grace_period: body.grace_period === undefined ? plan.grace_period : String(body.grace_period),
        modified: now(),
      });
      void notify('plan', 'updated', planView(data, plan));
      return reply.send({
        success: true,
        message: 'Operação realizada com sucesso',
        plano: { ...planView(data, plan), estabelecimento_id: ZSPAY_SANDBOX_ESTABLISHMENT_ID },
      });
    },
  );

  // Both "Remover um plano" and "Remover uma assinatura" are documented as DELETE /planos/{id}.
  route(
    'DELETE',
    '/planos/:id',
    { operation: 'zspay.plan.delete', keys: ({ params }) => [params.id ?? -1] },
    async ({ params, reply }) => {
      const target = params.id ?? -1;
      const plan = plans.get(target);
      if (plan) {
        plans.delete(target);
        void notify('plan', 'deleted', { ...planView(data, plan), removed: now() });
        return reply.send({ success: true, message: 'Operação realizada com sucesso', plano: target });
      }
      const subscription = subscriptions.get(target);
      if (!subscription) return notFound(reply, 'Plano');
      Object.assign(subscription, { status: 2, ativo: 0, modified: now() });
      void notify('subscription', 'deleted', subscriptionView(data, subscription));
      return reply.send({ success: true, message: 'Operação realizada com sucesso' });
    },
  );
}

// ---- subscriptions ("Assinaturas") and invoices ------------------------------------------------
function subscriptionRoutes({ route, data, ctx, now, notify }: Zspay): void {
  const { clients, plans, subscriptions, invoices, seq } = data;
  const subscriptionOf = {
    keys: ({ params }: { params: { assinaturaId: number | undefined } }) => [params.assinaturaId],
    find: {
      load: ({ params }: { params: { assinaturaId: number | undefined } }) => byId(subscriptions, params.assinaturaId),
      missing: 'Assinatura',
    },
  };

  route(
    'POST',
    '/planos/assinar',
    { operation: 'zspay.subscription.create', body: subscribeBody },
    async ({ body, reply }) => {
      const plan = plans.get(body.planoId);
      if (!plan) return invalid(reply, [{ field: 'planoId', message: 'plano não encontrado' }]);
      const at = now();
      const client: Client = {
        id: seq.client++,
        nome: body.cliente.nome,
        email: body.cliente.email,
        documento: keyText(body.cliente.cpf ?? body.cliente.cnpj),
        created: at,
      };
      clients.set(client.id, client);
      const dueDate =
        body.expiration_date ??
        new Date(ctx.clock.now() + Number(plan.grace_period) * 86_400_000).toISOString().slice(0, 10);
      const subscription: Subscription = {
        id: seq.subscription++,
        planoId: plan.id,
        clienteId: client.id,
        status: 1,
        ativo: 1,
        dueDate,
        suspendedAt: null,
        created: at,
        modified: at,
      };
      subscriptions.set(subscription.id, subscription);
      return afterEffect(() => {
        void notify('subscription', 'created', subscriptionView(data, subscription));
        const {
          plano: _plano,
          cliente: _cliente,
          status_assinatura: _status,
          ...answer
        } = subscriptionView(data, subscription);
        return reply.send({ success: true, message: 'Operação realizada com sucesso', data: answer });
      });
    },
  );

  route('GET', '/planos/assinaturas', { operation: 'zspay.subscription.list' }, async ({ query, reply }) => {
    const page = Math.max(1, Number(query.page ?? 1) || 1);
    const limit = Math.max(1, Number(query.limit ?? 50) || 50);
    let filters: unknown = null;
    try {
      filters = JSON.parse(query.filters ?? '{}');
    } catch {
      // Not JSON: answered as JSON null is.
    }
    if (filters === null) return invalid(reply, [{ field: 'filters', message: 'filters deve ser um JSON' }]);
    const filterId = typeof filters === 'object' && 'assinaturaId' in filters ? (filters.assinaturaId ?? null) : null;
    const all = [...subscriptions.values()].filter((s) => filterId === null || s.id === Number(filterId));
    return reply.send({
      success: true,
      message: 'Operação realizada com sucesso',
      assinaturas: all.slice((page - 1) * limit, page * limit).map((s) => subscriptionView(data, s)),
      paginas: Math.max(1, Math.ceil(all.length / limit)),
      quantidade: all.length,
    });
  });

  route(
    'GET',
    '/planos/assinatura/:assinaturaId',
    { operation: 'zspay.subscription.get', ...subscriptionOf },
    async ({ found: s, reply }) =>
      reply.send({ success: true, message: 'Operação realizada com sucesso!', data: subscriptionView(data, s) }),
  );

  route(
    'PUT',
    '/planos/assinatura/:assinaturaId',
    { operation: 'zspay.subscription.due_date', ...subscriptionOf, body: z.object({ due_date: date }) },
    async ({ found: s, body, reply }) => {
      Object.assign(s, { dueDate: body.due_date, modified: now() });
      void notify('subscription', 'updated', subscriptionView(data, s));
      return reply.send({ success: true, message: 'Operação realizada com sucesso', data: subscriptionView(data, s) });
    },
  );

  // The subscription is named in the body, read before the scripted outcome.
  for (const [path, suspend] of [
    ['/planos/assinatura/suspender', true],
    ['/planos/assinatura/reativar', false],
  ] as const) {
    route(
      'POST',
      path,
      {
        operation: suspend ? 'zspay.subscription.suspend' : 'zspay.subscription.reactivate',
        body: z.object({ assinatura_id: id }),
        bodyFirst: true,
        keys: ({ body }) => [body?.assinatura_id],
        find: { load: ({ body }) => byId(subscriptions, body?.assinatura_id), missing: 'Assinatura' },
      },
      async ({ found: s, reply }) => {
        if (s.status === 2) return conflict(reply, 'invalid_status', 'Assinatura cancelada');
        Object.assign(
          s,
          suspend ? { status: 5, ativo: 0, suspendedAt: now() } : { status: 1, ativo: 1, suspendedAt: null },
          { modified: now() },
        );
        void notify('subscription', suspend ? 'suspended' : 'active', subscriptionView(data, s));
        return reply.send({ success: true, message: 'Operação realizada com sucesso' });
      },
    );
  }

  route(
    'GET',
    '/planos/assinatura/:assinaturaId/faturas',
    { operation: 'zspay.invoice.list', ...subscriptionOf },
    async ({ found: s, reply }) => {
      const list = [...invoices.values()]
        .filter((i) => i.assinaturaId === s.id)
        .sort((a, b) => b.id - a.id)
        .slice(0, 50);
      return reply.send({ success: true, message: 'Operação realizada com sucesso', faturas: list.map(invoiceView) });
    },
  );

  route(
    'POST',
    '/planos/assinatura/:assinaturaId/faturas',
    { operation: 'zspay.invoice.refund', ...subscriptionOf, body: z.object({ id }) },
    async ({ found: s, body, reply }) => {
      const invoice = invoices.get(body.id);
      if (!invoice || invoice.assinaturaId !== s.id) return notFound(reply, 'Fatura');
      if (invoice.status !== 'paid') return conflict(reply, 'invalid_status', `Fatura ${invoice.id} não está paga`);
      Object.assign(invoice, { status: 'void', voidedAt: now() });
      ctx.state.record({
        provider: 'zspay',
        kind: 'refund',
        amountCents: invoice.amount,
        providerId: `fatura-${invoice.id}`,
        customer: String(s.clienteId),
      });
      void notify('invoice', 'refunded', invoiceWebhookData(data, invoice));
      return reply.send({ success: true, message: 'Operação realizada com sucesso' });
    },
  );
}

// ---- transfers and balance ---------------------------------------------------------------------
function transferRoutes(zspay: Zspay): void {
  const { route, data, now, notify } = zspay;
  const { transfers, bankAccounts, balances, seq } = data;

  route(
    'POST',
    '/transferencias',
    { operation: 'zspay.transfer.create', keys: ({ fields }) => [keyText(fields.descricao)], body: transferBody },
    async ({ body, reply }) => {
      const to = body.toEstabelecimentoId ?? null;
      const account = body.contaBancariaId ?? null;
      if (body.tipoTransferencia === 1 && to === null)
        return invalid(reply, [{ field: 'toEstabelecimentoId', message: 'obrigatório para tipoTransferencia = 1' }]);
      if (body.tipoTransferencia === 2 && (account === null || !bankAccounts.has(account))) {
        return invalid(reply, [{ field: 'contaBancariaId', message: 'conta bancária não encontrada' }]);
      }
      if (body.agendadoPara !== undefined && Number.isNaN(Date.parse(body.agendadoPara)))
        return invalid(reply, [{ field: 'agendadoPara', message: 'data inválida' }]);
      const t: Transfer = {
        id: seq.transfer++,
        tipo: body.tipoTransferencia,
        valorCents: body.valor,
        toEstabelecimentoId: to,
        contaBancariaId: account,
        descricao: body.descricao,
        agendadoPara: body.agendadoPara?.slice(0, 10) ?? null,
        status: 1,
        executed: false,
        created: now(),
      };
      if (t.agendadoPara === null && !execute(zspay, t)) {
        return fail(
          reply,
          422,
          'invalid_request_error',
          'insufficient_balance',
          'Saldo insuficiente para realizar a transferência',
        );
      }
      transfers.set(t.id, t);
      return afterEffect(() => {
        void notify('transfer', 'created', transferWebhookData(t));
        return t.agendadoPara === null
          ? reply.send({
              success: true,
              message: 'Transferência realizada com sucesso!',
              transferencia: transferRecord(t),
            })
          : reply.send({
              success: true,
              message: 'Agendamento realizada com sucesso!',
              agendamento: transferRecord(t),
            });
      });
    },
  );

  route(
    'GET',
    '/transferencias/agendadas/:tipo',
    { operation: 'zspay.transfer.scheduled', keys: ({ params }) => [params.tipo] },
    async ({ params: { tipo }, reply }) => {
      if (tipo !== 1 && tipo !== 2)
        return invalid(reply, [{ field: 'tipoTransferenciaId', message: 'deve ser 1 ou 2' }]);
      const list = [...transfers.values()].filter((t) => t.tipo === tipo && t.agendadoPara !== null && !t.executed);
      return reply.send({
        success: true,
        data: list.map((t) => {
          const account = t.contaBancariaId === null ? undefined : bankAccounts.get(t.contaBancariaId);
          return {
            id: t.id,
            valor: reaisOf(t.valorCents),
            tipoId: t.tipo,
            tipo: t.tipo === 1 ? 'Conta Digital' : 'Conta Bancária',
            descricao: t.descricao,
            agendadoPara: t.agendadoPara,
            contaBancaria: account
              ? { id: account.id, agencia: account.agencia, conta: account.conta, nome_titular: account.nomeTitular }
              : null,
            created: t.created,
          };
        }),
      });
    },
  );

  route(
    'DELETE',
    '/transferencias/:transferId',
    {
      operation: 'zspay.transfer.delete',
      keys: ({ params }) => [byId(transfers, params.transferId)?.id],
      find: { load: ({ params }) => byId(transfers, params.transferId), missing: 'Transferência' },
    },
    async ({ found: t, reply }) => {
      if (t.agendadoPara === null || t.executed)
        return conflict(reply, 'invalid_status', 'Somente transferências agendadas não executadas podem ser removidas');
      transfers.delete(t.id);
      return reply.send({ success: true, message: 'Operação realizada com sucesso.' });
    },
  );

  route(
    'GET',
    '/estabelecimentos/:establishmentId/saldo',
    {
      operation: 'zspay.balance.get',
      keys: ({ params }) => [params.establishmentId],
      find: { load: ({ params }) => byId(balances, params.establishmentId), missing: 'Estabelecimento' },
    },
    async ({ found: balance, reply }) =>
      afterEffect(() =>
        reply.send({
          success: true,
          saldo: { atual: reaisOf(balance.currentCents), futuro: reaisOf(balance.futureCents) },
        }),
      ),
  );
}

// ---- bank accounts -----------------------------------------------------------------------------
function bankAccountRoutes({ route, data, now }: Zspay): void {
  const { bankAccounts, seq } = data;
  const accountKeys = ({ params }: { params: { accountId: number | undefined } }) => [
    byId(bankAccounts, params.accountId)?.id,
  ];

  route(
    'POST',
    '/estabelecimentos/contas_bancarias',
    { operation: 'zspay.bank_account.create', body: bankAccountBody },
    async ({ body, reply }) => {
      const account: BankAccount = {
        id: seq.bank++,
        tipo: body.tipoContaBancaria,
        nomeTitular: body.nomeTitular,
        bancoId: body.bancoId,
        agencia: body.agencia,
        conta: body.conta,
        ativo: bankAccounts.size === 0,
        created: now(),
      };
      bankAccounts.set(account.id, account);
      return reply.send({
        success: true,
        contaBancaria: {
          id: account.id,
          tipo_conta_bancaria_id: account.tipo,
          banco_id: account.bancoId,
          nome_titular: account.nomeTitular,
          agencia: account.agencia,
          conta: account.conta,
          documento: '00000000000',
          modified: account.created,
          created: account.created,
        },
      });
    },
  );

  route('GET', '/estabelecimentos/contas_bancarias', { operation: 'zspay.bank_account.list' }, async ({ reply }) =>
    reply.send({
      success: true,
      contasBancarias: [...bankAccounts.values()].map((a) => ({
        id: a.id,
        tipoContaBancaria: a.tipo,
        nomeTitular: a.nomeTitular,
        agencia: a.agencia,
        conta: a.conta,
        banco: `Banco ${a.bancoId}`,
        ativo: a.ativo,
      })),
    }),
  );

  route(
    'PUT',
    '/estabelecimentos/contas_bancarias/:accountId/ativar',
    {
      operation: 'zspay.bank_account.activate',
      keys: accountKeys,
      find: { load: ({ params }) => byId(bankAccounts, params.accountId), missing: 'Conta bancária' },
    },
    async ({ found: account, reply }) => {
      for (const other of bankAccounts.values()) other.ativo = other.id === account.id;
      return reply.send({ success: true });
    },
  );

  route(
    'DELETE',
    '/estabelecimentos/:establishmentId/contas_bancarias/:accountId/excluir',
    {
      operation: 'zspay.bank_account.delete',
      keys: accountKeys,
      // Only the token's establishment holds accounts.
      find: {
        load: ({ params }) =>
          params.establishmentId === ZSPAY_SANDBOX_ESTABLISHMENT_ID ? byId(bankAccounts, params.accountId) : undefined,
        missing: 'Conta bancária',
      },
    },
    async ({ found: account, reply }) => {
      bankAccounts.delete(account.id);
      return reply.send({ success: true, message: 'Operação realizada com sucesso' });
    },
  );
}

// ---- control: the customer, the bank and the scheduler -----------------------------------------
function controlRoutes(app: FastifyInstance, zspay: Zspay): void {
  const { data, ctx, now, notify } = zspay;
  const { sales, transfers, subscriptions, plans, invoices, declineMessages, seq } = data;

  app.post<{ Params: { pedidoId: string } }>('/__control/boletos/:pedidoId/pay', async (request, reply) => {
    const sale = byId(sales, numericId(request.params.pedidoId));
    if (!sale || sale.tipoPagamentoId !== 1) return reply.code(404).send({ message: 'No such boleto' });
    if (sale.status !== 1)
      return reply.code(409).send({ message: `Boleto ${sale.id} is not pending (status ${sale.status})` });
    setSale(zspay, sale, 2, 2);
    recordCharge(zspay, sale);
    await notify('receivable', 'paid', {
      ...payment(sale),
      pedido: { id: sale.id, status_pedido_id: 2, status_pedido: { id: 2, titulo: 'Aprovado' } },
    });
    await notify('transaction', 'succeeded', pedidoDetail(sale));
    return reply.send({ pedidoId: sale.id, status: sale.status });
  });

  // Zspay no longer knows the sale (purged, or another account's): every read of it answers 404.
  app.delete<{ Params: { pedidoId: string } }>('/__control/sales/:pedidoId', async (request, reply) => {
    const sale = byId(sales, numericId(request.params.pedidoId));
    if (!sale) return reply.code(404).send({ message: 'No such sale' });
    sales.delete(sale.id);
    return reply.code(204).send();
  });

  app.post<{ Params: { pedidoId: string } }>('/__control/sales/:pedidoId/expire', async (request, reply) => {
    const sale = byId(sales, numericId(request.params.pedidoId));
    if (!sale || sale.status !== 8) return reply.code(409).send({ message: 'Only a pre-authorized sale can lapse' });
    setSale(zspay, sale, 4, 3);
    return reply.send({ pedidoId: sale.id, status: sale.status });
  });

  app.post<{ Params: { transferId: string } }>('/__control/transfers/:transferId/status', async (request, reply) => {
    const t = byId(transfers, numericId(request.params.transferId));
    if (!t) return reply.code(404).send({ message: 'No such transfer' });
    const parsed = z.object({ status: z.union([z.literal(2), z.literal(3), z.literal(4)]) }).safeParse(request.body);
    if (!parsed.success) return reply.code(400).send({ message: 'Expected { status: 2 | 3 | 4 }' });
    // A scheduled transfer reaching its date: executed now, or failed for lack of balance.
    if (!t.executed && !execute(zspay, t)) t.status = 4;
    else if (parsed.data.status === 4 && t.status !== 4) {
      // The bank bounced it: the money comes back.
      balanceOf(data, ZSPAY_SANDBOX_ESTABLISHMENT_ID).currentCents += t.valorCents;
      t.status = 4;
    } else t.status = parsed.data.status;
    await notify('transfer', 'updated', transferWebhookData(t));
    return reply.send({ id: t.id, status: t.status });
  });

  app.post<{ Params: { establishmentId: string } }>('/__control/balances/:establishmentId', async (request, reply) => {
    const establishmentId = numericId(request.params.establishmentId);
    const parsed = z
      .object({ currentCents: z.int().min(0), futureCents: z.int().min(0).optional() })
      .safeParse(request.body);
    if (establishmentId === undefined || !parsed.success)
      return reply.code(400).send({ message: 'Expected { currentCents, futureCents? } (integer cents)' });
    const balance = balanceOf(data, establishmentId);
    balance.currentCents = parsed.data.currentCents;
    if (parsed.data.futureCents !== undefined) balance.futureCents = parsed.data.futureCents;
    return reply.send(balance);
  });

  app.post('/__control/decline-messages', async (request, reply) => {
    const parsed = z.object({ code: z.string().min(1).optional(), message: z.string().min(1) }).safeParse(request.body);
    if (!parsed.success)
      return reply
        .code(400)
        .send({ message: 'Expected { code?, message } (code: the scripted decline code or category)' });
    declineMessages.set(parsed.data.code ?? ANY_DECLINE, parsed.data.message);
    return reply.send({ code: parsed.data.code ?? ANY_DECLINE, message: parsed.data.message });
  });

  /**
   * The scheduler Zspay runs and the sandbox does not (it has no clock of its own): collects the
   * subscription's invoice due on or before `date` (default: the sandbox's today) — the open one
   * being retried, else a new one for its due date — with the outcome given (`paid`). Paid: the
   * next due date follows the plan. Failed: `retries` grows; at `max_retries` the invoice is failed
   * and the subscription suspended (5, as the document's overdue example shows). Sends the
   * documented invoice webhooks (created, then paid or overdue). Nothing due: 409.
   */
  app.post<{ Params: { assinaturaId: string } }>(
    '/__control/subscriptions/:assinaturaId/bill',
    async (request, reply) => {
      const s = byId(subscriptions, numericId(request.params.assinaturaId));
      const plan = s ? plans.get(s.planoId) : undefined;
      if (!s || !plan) return reply.code(404).send({ message: 'No such subscription' });
      const parsed = z.object({ paid: z.boolean(), date: date.optional() }).safeParse(request.body ?? {});
      if (!parsed.success) return reply.code(400).send({ message: 'Expected { paid: boolean, date?: YYYY-MM-DD }' });
      if (s.status === 2 || s.status === 5)
        return reply
          .code(409)
          .send({ message: `Subscription ${s.id} is ${s.status === 2 ? 'canceled' : 'suspended'}` });
      const today = parsed.data.date ?? new Date(ctx.clock.now()).toISOString().slice(0, 10);
      const at = now();
      let invoice = [...invoices.values()].find((i) => i.assinaturaId === s.id && i.status === 'pending');
      if (!invoice) {
        if (s.dueDate > today) return reply.code(409).send({ message: `Nothing due before ${s.dueDate}` });
        invoice = {
          id: seq.invoice++,
          assinaturaId: s.id,
          pedidoId: null,
          amount: plan.amount,
          status: 'pending',
          retries: 0,
          paidAt: null,
          voidedAt: null,
          dateInvoice: s.dueDate,
          created: at,
        };
        invoices.set(invoice.id, invoice);
        await notify('invoice', 'created', invoiceWebhookData(data, invoice));
      }
      if (parsed.data.paid) {
        Object.assign(invoice, { status: 'paid', paidAt: at, pedidoId: seq.sale++ });
        Object.assign(s, {
          status: 3,
          dueDate: nextZspayDueDate(invoice.dateInvoice, plan.frequency, plan.interval),
          modified: at,
        });
        ctx.state.record({
          provider: 'zspay',
          kind: 'charge',
          amountCents: invoice.amount,
          providerId: `fatura-${invoice.id}`,
          customer: String(s.clienteId),
          description: `assinatura ${s.id}`,
        });
        await notify('invoice', 'paid', invoiceWebhookData(data, invoice));
      } else {
        invoice.retries = (invoice.retries ?? 0) + 1;
        const exhausted = invoice.retries >= ZSPAY_INVOICE_MAX_RETRIES;
        if (exhausted) invoice.status = 'failed';
        Object.assign(s, exhausted ? { status: 5, ativo: 0, suspendedAt: at } : { status: 4 }, { modified: at });
        await notify('invoice', 'overdue', invoiceWebhookData(data, invoice));
      }
      return reply.send(invoiceView(invoice));
    },
  );

  app.post<{ Params: { assinaturaId: string } }>(
    '/__control/subscriptions/:assinaturaId/invoices',
    async (request, reply) => {
      const s = byId(subscriptions, numericId(request.params.assinaturaId));
      const plan = s ? plans.get(s.planoId) : undefined;
      if (!s || !plan) return reply.code(404).send({ message: 'No such subscription' });
      const parsed = z.object({ paid: z.boolean() }).safeParse(request.body);
      if (!parsed.success) return reply.code(400).send({ message: 'Expected { paid: boolean }' });
      const at = now();
      const invoice: Invoice = {
        id: seq.invoice++,
        assinaturaId: s.id,
        pedidoId: parsed.data.paid ? seq.sale++ : null,
        amount: plan.amount,
        status: parsed.data.paid ? 'paid' : 'failed',
        paidAt: parsed.data.paid ? at : null,
        voidedAt: null,
        dateInvoice: s.dueDate,
        created: at,
      };
      invoices.set(invoice.id, invoice);
      Object.assign(s, { status: parsed.data.paid ? 3 : 4, modified: at });
      if (parsed.data.paid) {
        ctx.state.record({
          provider: 'zspay',
          kind: 'charge',
          amountCents: invoice.amount,
          providerId: `fatura-${invoice.id}`,
          customer: String(s.clienteId),
          description: `assinatura ${s.id}`,
        });
      }
      await notify('invoice', parsed.data.paid ? 'paid' : 'overdue', invoiceWebhookData(data, invoice));
      return reply.send(invoiceView(invoice));
    },
  );
}

// ---- money movements ---------------------------------------------------------------------------
function balanceOf({ balances }: ZspayData, establishmentId: number): Balance {
  const existing = balances.get(establishmentId);
  if (existing) return existing;
  const created = { currentCents: 0, futureCents: 0 };
  balances.set(establishmentId, created);
  return created;
}

function newSale({ data, now }: Zspay, fields: Omit<Sale, 'id' | 'paymentId' | 'created' | 'modified'>): Sale {
  const at = now();
  const sale: Sale = { ...fields, id: data.seq.sale++, paymentId: data.seq.payment++, created: at, modified: at };
  data.sales.set(sale.id, sale);
  return sale;
}

function setSale({ now }: Zspay, sale: Sale, status: number, paymentStatus: number): void {
  Object.assign(sale, { status, paymentStatus, modified: now() });
}

/** Money in: the ledger's charge and the establishment's future balance (receivables). */
function recordCharge({ data, ctx }: Zspay, sale: Sale): void {
  balanceOf(data, ZSPAY_SANDBOX_ESTABLISHMENT_ID).futureCents += sale.valorCents;
  ctx.state.record({
    provider: 'zspay',
    kind: 'charge',
    amountCents: sale.valorCents,
    reference: referenceOf(sale.descricao),
    providerId: String(sale.id),
    customer: String(sale.clienteId),
    description: sale.descricao ?? (sale.tipoPagamentoId === 3 ? 'card sale' : 'boleto'),
  });
}

/** Moves the money out of the establishment's current balance; false when it is short. */
function execute({ data, ctx }: Zspay, t: Transfer): boolean {
  const from = balanceOf(data, ZSPAY_SANDBOX_ESTABLISHMENT_ID);
  if (from.currentCents < t.valorCents) return false;
  from.currentCents -= t.valorCents;
  if (t.toEstabelecimentoId !== null) balanceOf(data, t.toEstabelecimentoId).currentCents += t.valorCents;
  t.executed = true;
  // Digital-account transfers settle at once; bank transfers wait for the bank (control route).
  t.status = t.tipo === 1 ? 3 : 2;
  ctx.state.record({
    provider: 'zspay',
    kind: 'transfer',
    amountCents: t.valorCents,
    reference: referenceOf(t.descricao),
    providerId: String(t.id),
    description: t.descricao,
  });
  return true;
}

// ---- answers -----------------------------------------------------------------------------------
function fail(
  reply: FastifyReply,
  status: number,
  type: string,
  category: string,
  message: string,
  extra: Record<string, unknown> = {},
): FastifyReply {
  return reply.code(status).send({ success: false, error: { type, category, message, ...extra }, message });
}
function invalid(reply: FastifyReply, fields: FieldIssue[]): FastifyReply {
  return fail(
    reply,
    400,
    'invalid_request_error',
    'invalid_parameter',
    fields.map((f) => `${f.field}: ${f.message}`).join('; '),
    { fields },
  );
}
function notFound(reply: FastifyReply, what: string): FastifyReply {
  return fail(reply, 404, 'invalid_request_error', 'not_found', `${what} não encontrado`);
}
function conflict(reply: FastifyReply, category: string, message: string): FastifyReply {
  return fail(reply, 422, 'invalid_request_error', category, message);
}
function issues(error: z.ZodError): FieldIssue[] {
  return error.issues.map((i) => ({ field: i.path.map(String).join('.') || '(root)', message: i.message }));
}

/** soft/hard decline outcomes, in the documented card_error shape (402 as Zoop, Zspay's acquirer, answers). */
function declineOf({ declineMessages }: ZspayData, outcome: ScriptedOutcome) {
  if (outcome.type !== 'soft_decline' && outcome.type !== 'hard_decline') return undefined;
  const code = outcome.code ?? (outcome.type === 'soft_decline' ? '51' : '57');
  const message = declineMessages.get(code) ?? declineMessages.get(ANY_DECLINE) ?? DECLINE_MESSAGE;
  return /^[0-9A-Z]{2}$/.test(code)
    ? { category: 'card_declined', code, message }
    : { category: code, code: undefined, message };
}
function sendDecline(
  reply: FastifyReply,
  { category, code, message }: { category: string; code?: string; message: string },
): FastifyReply {
  return reply
    .code(402)
    .send({ success: false, error: { type: 'card_error', category, ...(code ? { code } : {}), message }, message });
}

// ---- views: the document's answer and webhook shapes -------------------------------------------
function payment(sale: Sale) {
  return {
    id: sale.paymentId,
    tipo_pagamento_id: sale.tipoPagamentoId,
    status_pagamento_id: sale.paymentStatus,
    pedido_id: sale.id,
    valor: reaisOf(sale.valorCents),
    taxa: '0.00',
    data_recebimento: sale.dataVencimento ? `${sale.dataVencimento}T00:00:00.000Z` : sale.created,
    valor_recebido: sale.paymentStatus === 2 ? reaisOf(sale.valorCents) : '0.00',
    data_pagamento: sale.paymentStatus === 2 ? sale.modified : null,
    tipo_pagamento: { id: sale.tipoPagamentoId, titulo: TYPE_TITLES[sale.tipoPagamentoId] },
    status_pagamento: { id: sale.paymentStatus, titulo: PAYMENT_TITLES[sale.paymentStatus] },
  };
}

/** The short `pedido` of "Nova venda" (status as a string, as documented). */
function pedidoBrief(sale: Sale) {
  return {
    tipo_pedido_id: 1,
    status_pedido_id: String(sale.status),
    splitted: false,
    id: sale.id,
    usuario_id: 107,
    cliente_id: sale.clienteId,
    estabelecimento_id: ZSPAY_SANDBOX_ESTABLISHMENT_ID,
    modified: sale.modified,
    created: sale.created,
    ...(sale.tipoPagamentoId === 3 ? { cartaoId: sale.cartaoId } : { urlBoleto: sale.boletoUrl }),
  };
}

/** The full `pedido` of pre-capture / capture and of the transaction webhooks. */
function pedidoDetail(sale: Sale) {
  return {
    id: sale.id,
    parent_id: null,
    tipo_pedido_id: 1,
    cliente_id: sale.clienteId,
    estabelecimento_id: ZSPAY_SANDBOX_ESTABLISHMENT_ID,
    status_pedido_id: sale.status,
    status_pedido: { id: sale.status, titulo: ORDER_TITLES[sale.status] },
    pedidos_produtos: [{ id: sale.id, pedido_id: sale.id, valor_unitario: reaisOf(sale.valorCents), quantidade: 1 }],
    pagamentos: [payment(sale)],
    created: sale.created,
    modified: sale.modified,
  };
}

/** "Consultar venda". */
function venda({ clients }: ZspayData, sale: Sale) {
  const client = clients.get(sale.clienteId);
  const boleto = sale.boletoUrl ? { id: sale.paymentId, url: sale.boletoUrl } : null;
  const paid = reaisOf(sale.valorCents);
  return {
    id: sale.id,
    created: sale.created,
    tipoPagamento: { id: sale.tipoPagamentoId, titulo: TYPE_TITLES[sale.tipoPagamentoId], cartaoCredito: null, boleto },
    valores: { total: Number(paid), taxa: 0, splits: 0, liquido: Number(paid) },
    status: { id: sale.status, titulo: ORDER_TITLES[sale.status] },
    cliente: client
      ? { nome: client.nome, email: client.email, clientes_documentos: [{ documento: client.documento }] }
      : null,
    produtos: [{ valorUnitario: paid, quantidade: 1, nome: 'Venda Via API' }],
    pagamentos: [
      {
        id: sale.paymentId,
        valor: paid,
        taxa: '0.00',
        valorRecebido: paid,
        tipoPagamento: { id: sale.tipoPagamentoId, titulo: TYPE_TITLES[sale.tipoPagamentoId] },
        statusPagamento: { id: sale.paymentStatus, titulo: PAYMENT_TITLES[sale.paymentStatus] },
        dataRecebimento: payment(sale).data_recebimento,
        parcela: 1,
        pagamentoCartao: null,
        pagamentoBoleto: boleto,
      },
    ],
    pedidosFilhos: [],
    splitParcela: '0.00',
  };
}

function planView({ subscriptions }: ZspayData, plan: Plan) {
  return {
    ...plan,
    currency: 'BRL',
    removed: null,
    assinantes: [...subscriptions.values()].filter((s) => s.planoId === plan.id).length,
  };
}

function subscriptionView(data: ZspayData, s: Subscription) {
  const plan = data.plans.get(s.planoId);
  const client = data.clients.get(s.clienteId);
  return {
    id: s.id,
    plano_id: s.planoId,
    cliente_id: s.clienteId,
    ativo: s.ativo,
    status_assinatura_id: s.status,
    payment_method: 'credit',
    due_date: s.dueDate,
    due_since_date: s.created.slice(0, 10),
    expiration_date: null,
    suspended_at: s.suspendedAt,
    amount: plan?.amount ?? 0,
    currency: 'BRL',
    created: s.created,
    modified: s.modified,
    removed: null,
    status_assinatura: { id: s.status, titulo: SUBSCRIPTION_TITLES[s.status] },
    plano: plan ? planView(data, plan) : undefined,
    cliente: client ? { id: client.id, nome: client.nome, email: client.email } : undefined,
  };
}

function invoiceView(i: Invoice) {
  return {
    id: i.id,
    assinatura_id: i.assinaturaId,
    pedido_id: i.pedidoId,
    expiration_date: null,
    amount: String(i.amount),
    currency: 'BRL',
    paid_at: i.paidAt,
    date_invoice: i.dateInvoice,
    voided_at: i.voidedAt,
    retries: i.retries ?? 0,
    max_retries: ZSPAY_INVOICE_MAX_RETRIES,
    status: i.status,
    created: i.created,
    modified: i.created,
    removed: null,
  };
}

function invoiceWebhookData(data: ZspayData, i: Invoice) {
  const s = data.subscriptions.get(i.assinaturaId);
  const plan = s ? data.plans.get(s.planoId) : undefined;
  return {
    ...invoiceView(i),
    assinatura_id: String(i.assinaturaId),
    plano_id: String(s?.planoId ?? ''),
    assinatura: s ? subscriptionView(data, s) : undefined,
    // The "invoice created" example carries the plan too.
    plano: plan ? planView(data, plan) : undefined,
  };
}

function transferRecord(t: Transfer) {
  return {
    id: t.id,
    usuario_id: 107,
    tipo_transferencia_id: t.tipo,
    status_transferencia_id: t.status,
    conta_bancaria_id: t.contaBancariaId,
    descricao: t.descricao,
    valor: reaisOf(t.valorCents),
    agendado_para: t.agendadoPara,
    to_estabelecimento_id: t.toEstabelecimentoId,
    from_estabelecimento_id: ZSPAY_SANDBOX_ESTABLISHMENT_ID,
    executada: t.executed ? 1 : 0,
    modified: t.created,
    created: t.created,
  };
}

function transferWebhookData(t: Transfer) {
  return {
    ...transferRecord(t),
    removed: null,
    status_transferencia: { titulo: TRANSFER_TITLES[t.status] },
    tipo_transferencia: { titulo: t.tipo === 1 ? 'Conta Digital' : 'Conta Bancária' },
  };
}

/** Zspay's ids in a path: digits, else no id (the route answers 404). */
function numericId(raw: string | undefined): number | undefined {
  return raw !== undefined && /^\d+$/.test(raw) ? Number(raw) : undefined;
}

function byId<T>(map: Map<number, T>, id: number | undefined): T | undefined {
  return id === undefined ? undefined : map.get(id);
}
