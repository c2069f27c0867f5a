/**
 * Zspay request and response shapes (zspay-api.pt-BR.txt, sections named on each schema).
 * Answers are loose objects (Zspay returns many fields we do not use) and codes are open: any
 * number or string is accepted and read through status.ts, so a new status never fails a parse.
 */
import { z } from 'zod';
import { BOLETO_MINIMUM_CENTS } from './money';

// ---- shared pieces --------------------------------------------------------------------------

/** Ids: numbers in the document; the engine may hold them as numeric strings. Sent as numbers. */
export const idParam = (field: string) =>
  z
    .union([
      z.int({ error: `${field} must be an integer` }).positive({ error: `${field} must be positive` }),
      z.string().regex(/^\d+$/, { error: `${field} must be a numeric id` }),
    ])
    .transform((value) => Number(value));

/** Integer cents (engine input). */
const centsField = (field: string, min = 1) =>
  z
    .int({ error: `${field} must be an integer number of cents` })
    .min(min, { error: `${field} must be at least ${min} cent(s)` });

const isoDate = (field: string) =>
  z.string().regex(/^\d{4}-\d{2}-\d{2}$/, { error: `${field} must be a date YYYY-MM-DD` });

/** A code as Zspay writes it: 8 or "1". */
export const codeSchema = z.union([z.number(), z.string()]);
/** Reais as Zspay writes them: 5, 0.1, "5.00". */
export const valorSchema = z.union([z.number(), z.string().regex(/^-?\d+(\.\d+)?$/)]);
/** Cents as Zspay writes them on plans/subscriptions/invoices: 125, 125.00, "1". */
export const centsAmountSchema = z.union([z.number(), z.string().regex(/^\d+(\.\d+)?$/)]);
const nullableString = z.string().nullable().optional();
const idValue = z.union([z.number(), z.string()]);

/** "Exemplo de erro" of the sales: success false with error.type/category/message. */
export const errorEnvelopeSchema = z.looseObject({
  success: z.literal(false),
  message: z.string().optional(),
  error: z
    .looseObject({
      type: z.string().optional(),
      category: z.string().optional(),
      /** Not in the document's example; read when present (acquirer return code). */
      code: z.union([z.string(), z.number()]).optional(),
      message: z.string().optional(),
      /** Not in the document; read when present (see test/fixtures/providers/zspay/NOTES.md: validation errors). */
      fields: z.array(z.looseObject({ field: z.string(), message: z.string().optional() })).optional(),
    })
    .optional(),
});
export type ErrorEnvelope = z.infer<typeof errorEnvelopeSchema>;

const okEnvelope = { success: z.literal(true), message: z.string().optional() };
export const okResponseSchema = z.looseObject(okEnvelope);

// ---- clients and cards ("Clientes") ---------------------------------------------------------

const addressRequest = z.object({
  logradouro: z.string().min(1, { error: 'endereco.logradouro is required' }),
  numero: z.string().min(1, { error: 'endereco.numero is required' }),
  cep: z.string().min(8, { error: 'endereco.cep must have 8 digits' }),
  cidade: z.string().min(1, { error: 'endereco.cidade is required' }),
  estado: z.string().length(2, { error: 'endereco.estado must be the 2-letter UF' }),
  complemento: z.string().optional(),
  bairro: z.string().optional(),
});

/** "Criar um novo cliente". */
export const createClientRequestSchema = z.object({
  nome: z.string().min(1, { error: 'nome is required' }),
  documento: z.string().regex(/^\d{11}(\d{3})?$/, { error: 'documento must be a CPF (11) or CNPJ (14) digits' }),
  dataNascimento: isoDate('dataNascimento').optional(),
  email: z.email({ error: 'email must be an e-mail address' }),
  celular: z.string().optional(),
  sexo: z.enum(['M', 'F'], { error: 'sexo must be M or F' }).optional(),
  endereco: addressRequest,
});
export type CreateClientRequest = z.infer<typeof createClientRequestSchema>;

const addressResponse = z.looseObject({
  id: idValue.optional(),
  logradouro: nullableString,
  numero: nullableString,
  complemento: nullableString,
  cep: nullableString,
  cidade: nullableString,
  uf: nullableString,
});

export const clienteSchema = z.looseObject({
  id: idValue,
  nome: z.string(),
  email: nullableString,
  sexo: nullableString,
  ativo: z.union([z.boolean(), z.number()]).optional(),
  data_nascimento: nullableString,
  created: z.string().optional(),
  endereco: addressResponse.optional(),
});
export const createClientResponseSchema = z.looseObject({ ...okEnvelope, cliente: clienteSchema });
export type Cliente = z.infer<typeof clienteSchema>;

/**
 * "Vincular cartão a um cliente": the document's endpoint takes the raw card (numero, CVV). The
 * engine never does: cards are linked from the customer's browser with the public key (see the
 * introduction on CORS and public keys) and the engine keeps only the returned card id. This
 * schema exists for that flow's tests and the sandbox.
 */
export const linkCardRequestSchema = z.object({
  numero: z.string().regex(/^\d{13,19}$/, { error: 'numero must have 13 to 19 digits' }),
  titular: z.string().min(1, { error: 'titular is required' }),
  codigoSeguranca: z.string().regex(/^\d{3,4}$/, { error: 'codigoSeguranca must have 3 or 4 digits' }),
  validade: z.string().regex(/^(0[1-9]|1[0-2])\/\d{2}(\d{2})?$/, { error: 'validade must be MM/YYYY' }),
});
export type LinkCardRequest = z.infer<typeof linkCardRequestSchema>;

export const cartaoSchema = z.looseObject({
  id: idValue,
  cliente_id: idValue.optional(),
  nome_titular: nullableString,
  bandeira: nullableString,
  ultimos_digitos: z.union([z.string(), z.number()]).optional(),
  ano_expiracao: z.union([z.string(), z.number()]).optional(),
  mes_expiracao: z.union([z.string(), z.number()]).optional(),
});
/** The card comes back under `cartaoId` (sic: an object, not an id). */
export const linkCardResponseSchema = z.looseObject({ ...okEnvelope, cartaoId: cartaoSchema });

// ---- sales ("vendas") -----------------------------------------------------------------------

/** "Nova venda via cartão de crédito e cliente já definidos": stored client + stored card. */
export const cardSaleRequestSchema = z.object({
  tipoPagamentoId: z.literal(3),
  valor: z.number().positive({ error: 'valor must be positive' }),
  parcelas: z.int().min(1, { error: 'parcelas must be at least 1' }).max(12, { error: 'parcelas must be at most 12' }),
  clienteId: z.int().positive({ error: 'clienteId is required' }),
  cartaoId: z.int().positive({ error: 'cartaoId is required' }),
});
export type CardSaleRequest = z.infer<typeof cardSaleRequestSchema>;

/** Engine input for a boleto: cents, min R$ 5.00 (checked here, before sending). */
export const boletoInputSchema = z.object({
  clienteId: idParam('clienteId'),
  amountCents: z
    .int({ error: 'amountCents must be an integer number of cents' })
    .min(BOLETO_MINIMUM_CENTS, { error: 'amountCents: the boleto minimum is R$ 5.00 (500 cents)' }),
  dueDate: isoDate('dueDate'),
  descricao: z.string().min(1, { error: 'descricao is required' }),
});

/** "Nova venda via boleto com cliente já definido". */
export const boletoSaleRequestSchema = z.object({
  tipoPagamentoId: z.literal(1),
  valor: z.number().min(5, { error: 'valor: the boleto minimum is R$ 5.00' }),
  dataVencimento: isoDate('dataVencimento'),
  descricao: z.string().min(1, { error: 'descricao is required' }),
  clienteId: z.int().positive({ error: 'clienteId is required' }),
});
export type BoletoSaleRequest = z.infer<typeof boletoSaleRequestSchema>;

/** "Nova pré captura via cartão de credito". */
export const preCaptureRequestSchema = z.object({
  valor: z.number().positive({ error: 'valor must be positive' }),
  cartaoId: z.int().positive({ error: 'cartaoId is required' }),
  clienteId: z.int().positive({ error: 'clienteId is required' }),
});
export type PreCaptureRequest = z.infer<typeof preCaptureRequestSchema>;

/** "Executar venda da pré captura via cartão de credito". */
export const captureRequestSchema = z.object({ pedidoId: z.int().positive({ error: 'pedidoId is required' }) });

/** The `pedido` of "Nova venda" answers (status_pedido_id comes as a string there). */
export const pedidoSchema = z.looseObject({
  id: idValue,
  tipo_pedido_id: codeSchema.optional(),
  status_pedido_id: codeSchema,
  cliente_id: idValue.nullable().optional(),
  estabelecimento_id: idValue.nullable().optional(),
  cartaoId: idValue.nullable().optional(),
  urlBoleto: z.string().optional(),
  created: z.string().optional(),
  modified: z.string().optional(),
});
export const saleResponseSchema = z.looseObject({ ...okEnvelope, pedido: pedidoSchema });
export type Pedido = z.infer<typeof pedidoSchema>;

const namedCode = z.looseObject({ id: codeSchema, titulo: z.string().optional() });

/** A payment inside a pre-capture/capture answer or a transaction webhook. */
export const pagamentoSchema = z.looseObject({
  id: idValue,
  tipo_pagamento_id: codeSchema,
  status_pagamento_id: codeSchema,
  pedido_id: idValue.optional(),
  valor: valorSchema,
  taxa: valorSchema.optional(),
  data_recebimento: nullableString,
  valor_recebido: valorSchema.nullable().optional(),
  data_pagamento: nullableString,
  tipo_pagamento: namedCode.optional(),
  status_pagamento: namedCode.optional(),
});

/** The full order of "Nova pré captura" / "Executar venda da pré captura". */
export const pedidoDetailSchema = z.looseObject({
  id: idValue,
  parent_id: idValue.nullable().optional(),
  tipo_pedido_id: codeSchema.optional(),
  cliente_id: idValue.nullable().optional(),
  estabelecimento_id: idValue.nullable().optional(),
  status_pedido_id: codeSchema,
  status_pedido: namedCode.optional(),
  pedidos_produtos: z.array(z.looseObject({ valor_unitario: valorSchema, quantidade: z.number() })).optional(),
  pagamentos: z.array(pagamentoSchema).optional(),
});
export const captureResponseSchema = z.looseObject({ ...okEnvelope, pedido: pedidoDetailSchema });
export type PedidoDetail = z.infer<typeof pedidoDetailSchema>;

/** "Verificar as informações de uma venda". */
export const vendaSchema = z.looseObject({
  id: idValue,
  created: z.string().optional(),
  tipoPagamento: z.looseObject({
    id: codeSchema,
    titulo: z.string().optional(),
    cartaoCredito: z.unknown().optional(),
    boleto: z.looseObject({ id: idValue.optional(), url: z.string().optional() }).nullable().optional(),
  }),
  valores: z.looseObject({
    total: valorSchema,
    taxa: valorSchema.optional(),
    splits: valorSchema.optional(),
    liquido: valorSchema.optional(),
  }),
  status: namedCode,
  cliente: z.looseObject({ nome: nullableString, email: nullableString }).nullable().optional(),
  pagamentos: z
    .array(
      z.looseObject({
        id: idValue,
        valor: valorSchema,
        statusPagamento: namedCode.optional(),
        tipoPagamento: namedCode.optional(),
        parcela: z.number().optional(),
      }),
    )
    .optional(),
});
export const getSaleResponseSchema = z.looseObject({ ...okEnvelope, venda: vendaSchema });
export type Venda = z.infer<typeof vendaSchema>;

// ---- plans and subscriptions ("Planos", "Assinaturas") ---------------------------------------

export const PLAN_FREQUENCIES = ['daily', 'weekly', 'monthly', 'annualy'] as const;

/** "Criar um novo plano": amount and setup_amount in cents. */
export const createPlanRequestSchema = z.object({
  name: z.string().min(1, { error: 'name is required' }),
  description: z.string().min(1, { error: 'description is required' }),
  setup_amount: centsField('setup_amount', 0),
  amount: centsField('amount'),
  grace_period: z.int().min(0, { error: 'grace_period must be >= 0' }),
  tolerance_period: z.int().min(0, { error: 'tolerance_period must be >= 0' }),
  frequency: z.enum(PLAN_FREQUENCIES, { error: `frequency must be one of ${PLAN_FREQUENCIES.join(', ')}` }),
  interval: z.int().min(1, { error: 'interval must be at least 1' }),
  currency: z.literal('BRL', { error: 'currency must be BRL' }),
  payment_methods: z.string().min(1, { error: 'payment_methods is required' }),
  zoop_plano_id: z.string().nullable().optional(),
  logo: z.boolean().optional(),
  plan_expiration_date: z.string().optional(),
  has_expiration: z.boolean().optional(),
  expire_subscriptions: z.boolean().optional(),
  subscription_duration: z.string().optional(),
});
export type CreatePlanRequest = z.infer<typeof createPlanRequestSchema>;

/** "Editar um plano". */
export const updatePlanRequestSchema = createPlanRequestSchema
  .pick({
    name: true,
    description: true,
    setup_amount: true,
    amount: true,
    tolerance_period: true,
    frequency: true,
    interval: true,
  })
  .extend({ grace_period: z.union([z.int().min(0), z.string().regex(/^\d+$/)]) })
  .partial();
export type UpdatePlanRequest = z.infer<typeof updatePlanRequestSchema>;

export const planoSchema = z.looseObject({
  id: idValue,
  name: z.string(),
  description: nullableString,
  frequency: z.string(),
  interval: z.union([z.number(), z.string()]),
  amount: centsAmountSchema,
  setup_amount: centsAmountSchema.nullable().optional(),
  currency: z.string().optional(),
  grace_period: z.union([z.number(), z.string()]).optional(),
  tolerance_period: z.union([z.number(), z.string()]).optional(),
  assinantes: z.number().optional(),
  created: z.string().optional(),
  removed: nullableString,
});
export type Plano = z.infer<typeof planoSchema>;
/** Create and delete answer the plan's id only ("plano": 42). */
export const planIdResponseSchema = z.looseObject({ ...okEnvelope, plano: idValue });
export const planResponseSchema = z.looseObject({ ...okEnvelope, plano: planoSchema });
export const planListResponseSchema = z.looseObject({
  ...okEnvelope,
  planos: z.array(planoSchema),
  paginas: z.number().optional(),
  quantidade: z.number().optional(),
});
/** "Filtrar listagem de planos" (sent as query parameters of the GET). */
export const planFilterSchema = z.object({
  page: z.int().min(1).optional(),
  limit: z.int().min(1).optional(),
  id: z.int().optional(),
  nome: z.string().optional(),
  valor: z.number().optional(),
});
export type PlanFilter = z.infer<typeof planFilterSchema>;

/** "Nova assinatura". The document sends the raw card (cartao); the engine never does (see test/fixtures/providers/zspay/NOTES.md). */
export const subscribeRequestSchema = z.object({
  planoId: z.int().positive({ error: 'planoId is required' }),
  expiration_date: isoDate('expiration_date').optional(),
  cliente: z.object({
    nome: z.string().min(1, { error: 'cliente.nome is required' }),
    email: z.email({ error: 'cliente.email must be an e-mail address' }),
    dataNascimento: isoDate('cliente.dataNascimento').optional(),
    cpf: z
      .string()
      .regex(/^\d{11}$/, { error: 'cliente.cpf must have 11 digits' })
      .optional(),
    cnpj: z
      .string()
      .regex(/^\d{14}$/, { error: 'cliente.cnpj must have 14 digits' })
      .optional(),
    telefone: z.string().optional(),
    celular: z.string().optional(),
  }),
  endereco: addressRequest,
  cartao: z
    .object({ titular: z.string(), validade: z.string(), numero: z.string(), codigoSeguranca: z.string() })
    .optional(),
});
export type SubscribeRequest = z.infer<typeof subscribeRequestSchema>;

export const assinaturaSchema = z.looseObject({
  id: idValue,
  plano_id: idValue,
  cliente_id: idValue.optional(),
  ativo: z.union([z.number(), z.boolean()]).optional(),
  status_assinatura_id: codeSchema,
  payment_method: nullableString,
  due_date: nullableString,
  due_since_date: nullableString,
  expiration_date: nullableString,
  suspended_at: nullableString,
  amount: centsAmountSchema,
  currency: z.string().optional(),
  subscription_id: z.string().optional(),
  plano: z.looseObject({ id: idValue, name: z.string().optional() }).optional(),
  cliente: z.looseObject({ id: idValue.optional(), nome: nullableString }).optional(),
});
export type Assinatura = z.infer<typeof assinaturaSchema>;
export const subscriptionResponseSchema = z.looseObject({ ...okEnvelope, data: assinaturaSchema });
export const subscriptionListResponseSchema = z.looseObject({
  ...okEnvelope,
  assinaturas: z.array(assinaturaSchema),
  paginas: z.number().optional(),
  quantidade: z.number().optional(),
});
/** "Alterar data da próxima recorrência". */
export const changeDueDateRequestSchema = z.object({ due_date: isoDate('due_date') });
/** "Suspender" / "Reativar uma assinatura". */
export const subscriptionActionRequestSchema = z.object({
  assinatura_id: z.int().positive({ error: 'assinatura_id is required' }),
});

/** "Recuperar pagamentos de uma assinatura": amount in cents as a string ("1"). */
export const faturaSchema = z.looseObject({
  id: idValue,
  assinatura_id: idValue,
  pedido_id: idValue.nullable().optional(),
  amount: centsAmountSchema,
  currency: z.string().optional(),
  paid_at: nullableString,
  date_invoice: nullableString,
  voided_at: nullableString,
  retries: z.number().optional(),
  max_retries: z.number().optional(),
  status: z.string(),
});
export type Fatura = z.infer<typeof faturaSchema>;
export const invoiceListResponseSchema = z.looseObject({ ...okEnvelope, faturas: z.array(faturaSchema) });
/** "Estornar uma fatura". */
export const refundInvoiceRequestSchema = z.object({ id: z.int().positive({ error: 'id (invoice) is required' }) });

// ---- transfers, balance, bank accounts -------------------------------------------------------

/** "Transferir ou Agendar Transferência". */
export const transferRequestSchema = z
  .object({
    tipoTransferencia: z.union([z.literal(1), z.literal(2)], {
      error: 'tipoTransferencia must be 1 (digital account) or 2 (bank account)',
    }),
    valor: z.number().positive({ error: 'valor must be positive' }),
    toEstabelecimentoId: z.int().positive().nullable(),
    contaBancariaId: z.int().positive().nullable(),
    senha: z.string().optional(),
    descricao: z.string().min(1, { error: 'descricao is required' }),
    agendadoPara: z.iso.datetime({ error: 'agendadoPara must be an ISO date-time' }).optional(),
  })
  .superRefine((value, ctx) => {
    if (value.tipoTransferencia === 1 && value.toEstabelecimentoId === null) {
      ctx.addIssue({
        code: 'custom',
        path: ['toEstabelecimentoId'],
        message: 'toEstabelecimentoId is required when tipoTransferencia = 1',
      });
    }
    if (value.tipoTransferencia === 2 && value.contaBancariaId === null) {
      ctx.addIssue({
        code: 'custom',
        path: ['contaBancariaId'],
        message: 'contaBancariaId is required when tipoTransferencia = 2',
      });
    }
  });
export type TransferRequest = z.infer<typeof transferRequestSchema>;

export const transferRecordSchema = z.looseObject({
  id: idValue,
  tipo_transferencia_id: codeSchema.optional(),
  status_transferencia_id: codeSchema.optional(),
  conta_bancaria_id: idValue.nullable().optional(),
  to_estabelecimento_id: idValue.nullable().optional(),
  from_estabelecimento_id: idValue.nullable().optional(),
  descricao: nullableString,
  valor: valorSchema,
  agendado_para: nullableString,
  executada: z.union([z.number(), z.boolean()]).optional(),
  created: z.string().optional(),
});
export type TransferRecord = z.infer<typeof transferRecordSchema>;
/**
 * The document shows the scheduled answer (`agendamento`). An immediate transfer's answer is not
 * shown; we read `transferencia` with the same fields (see test/fixtures/providers/zspay/NOTES.md).
 */
export const transferResponseSchema = z.looseObject({
  ...okEnvelope,
  agendamento: transferRecordSchema.optional(),
  transferencia: transferRecordSchema.optional(),
});

/** "Visualizar transferências agendadas". */
export const scheduledTransferSchema = z.looseObject({
  id: idValue,
  valor: valorSchema,
  tipoId: codeSchema,
  tipo: z.string().optional(),
  descricao: nullableString,
  agendadoPara: z.string(),
  contaBancaria: z.looseObject({ id: idValue }).nullable().optional(),
  created: z.string().optional(),
});
export type ScheduledTransfer = z.infer<typeof scheduledTransferSchema>;
export const scheduledTransferListResponseSchema = z.looseObject({
  ...okEnvelope,
  data: z.array(scheduledTransferSchema),
});

/** "Consultar Saldo": reais as decimal strings. */
export const balanceResponseSchema = z.looseObject({
  ...okEnvelope,
  saldo: z.looseObject({ atual: valorSchema, futuro: valorSchema }),
});

/** "Cadastrar conta bancária". */
export const createBankAccountRequestSchema = z.object({
  tipoContaBancaria: z.union([z.literal(1), z.literal(2)], {
    error: 'tipoContaBancaria must be 1 (corrente) or 2 (poupança)',
  }),
  nomeTitular: z.string().min(1, { error: 'nomeTitular is required' }),
  bancoId: z.int().positive({ error: 'bancoId is required' }),
  agencia: z.string().regex(/^\d{1,5}(-\w)?$/, { error: 'agencia must be digits' }),
  conta: z.string().regex(/^[\d-]{1,20}$/, { error: 'conta must be digits (and dash)' }),
});
export type CreateBankAccountRequest = z.infer<typeof createBankAccountRequestSchema>;
export const bankAccountCreatedSchema = z.looseObject({
  id: idValue,
  tipo_conta_bancaria_id: codeSchema,
  banco_id: idValue,
  nome_titular: z.string(),
  agencia: z.string(),
  conta: z.string(),
});
export const createBankAccountResponseSchema = z.looseObject({
  ...okEnvelope,
  contaBancaria: bankAccountCreatedSchema,
});
export const bankAccountListItemSchema = z.looseObject({
  id: idValue,
  tipoContaBancaria: codeSchema,
  nomeTitular: z.string(),
  agencia: z.string(),
  conta: z.string(),
  banco: z.string().nullable().optional(),
  ativo: z.boolean(),
});
export const bankAccountListResponseSchema = z.looseObject({
  ...okEnvelope,
  contasBancarias: z.array(bankAccountListItemSchema),
});
