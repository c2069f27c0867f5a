/**
 * Zspay charge activities (implements ChargeActivities).
 *
 * Exactly-once card charging. Zspay has no reference/metadata field on sales and no sale search
 * (only GET /vendas/{pedidoId}), so "ask the provider by our reference" is impossible. Instead a
 * charge is two calls, "Nova pré captura" then "Executar venda da pré captura":
 * 1. pre-capture only authorizes (no money moves); its pedidoId is checkpointed at once in the
 *    activity's heartbeat details, which Temporal hands to the next attempt;
 * 2. capture moves the money. A retried attempt that finds a checkpoint reads the sale
 *    (GET /vendas/{pedidoId}) first: approved = already charged, return it; still pre-authorized =
 *    capture it; failed/canceled = start again.
 * A lost pre-capture answer leaves at worst an uncaptured authorization, which expires and never
 * charges (also if the worker dies before the heartbeat is recorded). Capture is never repeated
 * for an order that is already approved.
 *
 * Boletos: the reference travels in `descricao` ([ref:...]); with no search a lost answer cannot
 * be resolved, and a retry issues a new boleto. An unpaid boleto moves no money; the rare case of
 * a customer paying two is seen in the receivable webhooks.
 */
import { Context, log } from '@temporalio/activity';
import type { PaymentOutcome } from '../../common/payment-outcome';
import { HardDeclineError, SoftDeclineError, TransientProviderError } from '../../providers/errors';
import type { ZspayClient, ZspaySale } from '../../providers/zspay/client';
import { withReference } from '../../providers/zspay/reference';
import { orderSettlement } from '../../providers/zspay/status';
import { withProviderFailures } from '../provider-failure';
import type { ChargeActivities, ChargeStoredCardInput, IssueBoletoInput } from './types';

export interface ZspayPaymentDeps {
  zspay: Pick<ZspayClient, 'preCapture' | 'capture' | 'getSale' | 'createBoletoSale' | 'refundSale'>;
}

/** What a charge attempt leaves for the next attempt (heartbeat details). */
export interface ZspayChargeCheckpoint {
  reference: string;
  pedidoId: string;
}

function checkpointFor(reference: string): ZspayChargeCheckpoint | undefined {
  const details: unknown = Context.current().info.heartbeatDetails;
  if (typeof details !== 'object' || details === null) return undefined;
  const { reference: saved, pedidoId } = details as Partial<ZspayChargeCheckpoint>;
  return saved === reference && typeof pedidoId === 'string' ? { reference, pedidoId } : undefined;
}

export function createZspayPaymentActivities({ zspay }: ZspayPaymentDeps) {
  const outcome = (input: { reference: string; amountCents: number }, sale: ZspaySale, status: PaymentOutcome['status']): PaymentOutcome => ({
    status,
    amountCents: sale.amountCents ?? input.amountCents,
    reference: input.reference,
    provider: 'zspay',
    providerIds: { saleId: sale.id },
    providerStatus: String(sale.statusCode),
  });
  const declined = (input: ChargeStoredCardInput, error: SoftDeclineError | HardDeclineError, saleId?: string): PaymentOutcome => ({
    status: error instanceof HardDeclineError ? 'hard_declined' : 'soft_declined',
    amountCents: input.amountCents,
    reference: input.reference,
    provider: 'zspay',
    providerIds: saleId ? { saleId } : {},
    declineCode: error.code,
    message: error.message,
  });

  /** Captures a pre-authorized order; declines become outcomes. */
  const capture = async (input: ChargeStoredCardInput, pedidoId: string): Promise<PaymentOutcome> => {
    try {
      const sale = await zspay.capture(pedidoId);
      return outcome(input, sale, orderSettlement(sale.status) === 'succeeded' ? 'succeeded' : 'pending');
    } catch (error) {
      if (error instanceof SoftDeclineError || error instanceof HardDeclineError) return declined(input, error, pedidoId);
      throw error;
    }
  };

  const chargeStoredCard = (input: ChargeStoredCardInput): Promise<PaymentOutcome> =>
    withProviderFailures(async () => {
      const checkpoint = checkpointFor(input.reference);
      if (checkpoint) {
        // A previous attempt authorized (and maybe captured): ask before doing anything.
        const sale = await zspay.getSale(checkpoint.pedidoId);
        const settlement = orderSettlement(sale.status);
        log.info('Zspay charge retried: found the previous attempt\'s order', { reference: input.reference, pedidoId: sale.id, status: sale.status });
        if (settlement === 'succeeded' || settlement === 'reversed') return outcome(input, sale, 'succeeded');
        if (sale.status === 'pre_authorized') return capture(input, sale.id);
        if (settlement === 'pending') {
          throw new TransientProviderError(`zspay order ${sale.id} is still ${sale.status}; checking again later`, { provider: 'zspay' });
        }
        // failed / canceled: nothing was charged; authorize again below.
      }
      let authorized: ZspaySale;
      try {
        authorized = await zspay.preCapture({ clienteId: input.clientId, cartaoId: input.cardId, amountCents: input.amountCents });
      } catch (error) {
        if (error instanceof SoftDeclineError || error instanceof HardDeclineError) return declined(input, error);
        throw error;
      }
      Context.current().heartbeat({ reference: input.reference, pedidoId: authorized.id } satisfies ZspayChargeCheckpoint);
      if (authorized.status !== 'pre_authorized') {
        return orderSettlement(authorized.status) === 'succeeded'
          ? outcome(input, authorized, 'succeeded')
          : declined(input, new SoftDeclineError(`zspay order ${authorized.id} was not authorized (${authorized.status})`, { provider: 'zspay', code: String(authorized.statusCode) }), authorized.id);
      }
      return capture(input, authorized.id);
    });

  const issueBoleto = (input: IssueBoletoInput): Promise<PaymentOutcome> =>
    withProviderFailures(async () => {
      const sale = await zspay.createBoletoSale({
        clienteId: input.clientId,
        amountCents: input.amountCents,
        dueDate: input.dueDate,
        descricao: withReference(input.description, input.reference),
      });
      return { ...outcome(input, sale, 'pending'), boleto: { url: sale.boletoUrl, dueDate: input.dueDate } };
    });

  return {
    chargeStoredCard,
    issueBoleto,

    /** Reads a sale (reconciliation, webhooks). */
    getSale: (input: { saleId: string }) =>
      withProviderFailures(async () => {
        const sale = await zspay.getSale(input.saleId);
        return { saleId: sale.id, status: sale.status, statusCode: sale.statusCode, amountCents: sale.amountCents, paymentType: sale.paymentType };
      }),

    /** Full refund of a card sale; a sale already refunded counts as done (safe to retry). */
    refundSale: (input: { saleId: string }) =>
      withProviderFailures(async () => {
        const before = await zspay.getSale(input.saleId);
        if (before.status !== 'refunded') await zspay.refundSale(input.saleId);
        return { saleId: input.saleId, refunded: true };
      }),
  } satisfies ChargeActivities & Record<string, unknown>;
}

export type ZspayPaymentActivities = ReturnType<typeof createZspayPaymentActivities>;
