/**
 * Zspay charge activities (implements ChargeActivities).
 *
 * Exactly-once card charging. Zspay has no reference/metadata field on sales and no sale search
 * (only GET /vendas/{pedidoId}), so "ask the provider by our reference" is impossible. Instead a
 * charge is two activities, "Nova pré captura" then "Executar venda da pré captura":
 * 1. `authorizeCard` only authorizes (no money moves); its pedidoId becomes the activity's result,
 *    recorded in the workflow's history. A lost answer leaves at worst an uncaptured authorization,
 *    which expires and never charges; the retry authorizes again.
 * 2. `captureCard` moves the money. A retried attempt reads the sale (GET /vendas/{pedidoId})
 *    first: approved = already charged, return it; still pre-authorized = capture it; failed or
 *    canceled = `AuthorizationLost`, and the workflow authorizes again. Only when the attempt just
 *    before was answered 429 (nothing done) does the retry capture without reading, which halves
 *    the requests of a rate-limited billing day.
 * The order id is durable before any money moves, whatever happens to the worker or its link to
 * Temporal. (`chargeStoredCard`, both steps in one activity with the order id in its heartbeat, is
 * kept for workflows started before the split: a heartbeat lost together with the completion, in a
 * long outage between worker and server, could let its retry authorize and capture again.)
 *
 * Boletos: the reference travels in `descricao` ([ref:...]); with no search a lost answer cannot
 * be resolved, and a retry issues a new boleto. An unpaid boleto moves no money; the rare case of
 * a customer paying two is seen in the receivable webhooks.
 */
import { Context, log } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { AUTHORIZATION_LOST, type PaymentOutcome } from '../../common/payment-outcome';
import {
  HardDeclineError,
  InvalidStateError,
  isProviderError,
  RateLimitedError,
  SoftDeclineError,
  TransientProviderError,
} from '../../providers/errors';
import type { ZspayClient, ZspaySale } from '../../providers/zspay/client';
import { withReference } from '../../providers/zspay/reference';
import { orderSettlement } from '../../providers/zspay/status';
import { withProviderFailures } from '../provider-failure';
import { heartbeating } from '../heartbeat';
import type {
  CaptureCardInput,
  CardAuthorization,
  ChargeActivities,
  ChargeStoredCardInput,
  IssueBoletoInput,
  RefundCardSaleInput,
  RefundCardSaleResult,
} from './types';

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

/** What a capture attempt refused with a 429 leaves for the next attempt (heartbeat details). */
interface CaptureRefusal {
  saleId: string;
  refusedAtAttempt: number;
}

/**
 * True only when the attempt just before this one was refused before the provider did anything.
 * Details from any older attempt (the previous one's may have been lost) do not count: read first.
 */
function refusedByPreviousAttempt(saleId: string, attempt: number): boolean {
  const details = Context.current().info.heartbeatDetails as Partial<CaptureRefusal> | undefined;
  return details?.saleId === saleId && details.refusedAtAttempt === attempt - 1;
}

/**
 * `billing_charges_total{provider, method, outcome}` (README: Metrics and logs): one per charge
 * activity that settled a charge (succeeded, soft_declined, hard_declined; pending: a boleto issued
 * or a capture Zspay has not settled yet) and one per attempt that failed (error). An authorization
 * that leaves an order to capture counts when the capture settles.
 */
function countCharge(method: 'card' | 'boleto', outcome: PaymentOutcome['status'] | 'error'): void {
  try {
    Context.current()
      .metricMeter.createCounter('billing_charges_total', undefined, 'Charges by provider, method and outcome')
      .add(1, { provider: 'zspay', method, outcome });
  } catch {
    // Metrics never fail a charge.
  }
}

/** Runs a charge activity's body and counts what it settled (see countCharge). */
async function counted<T>(
  method: 'card' | 'boleto',
  outcomeOf: (result: T) => PaymentOutcome | undefined,
  body: () => Promise<T>,
): Promise<T> {
  let result: T;
  try {
    result = await body();
  } catch (error) {
    // A lost authorization is the workflow's cue to authorize again, not a failed charge.
    if (!(error instanceof ApplicationFailure && error.type === AUTHORIZATION_LOST)) countCharge(method, 'error');
    throw error;
  }
  const outcome = outcomeOf(result);
  if (outcome) countCharge(method, outcome.status);
  return result;
}

const itself = (outcome: PaymentOutcome): PaymentOutcome => outcome;

export function createZspayPaymentActivities({ zspay }: ZspayPaymentDeps) {
  type ChargeReference = { reference: string; amountCents: number };
  const outcome = (input: ChargeReference, sale: ZspaySale, status: PaymentOutcome['status']): PaymentOutcome => ({
    status,
    amountCents: sale.amountCents ?? input.amountCents,
    reference: input.reference,
    provider: 'zspay',
    providerIds: { saleId: sale.id },
    providerStatus: String(sale.statusCode),
  });
  const declined = (
    input: ChargeReference,
    error: SoftDeclineError | HardDeclineError,
    saleId?: string,
  ): PaymentOutcome => ({
    status: error instanceof HardDeclineError ? 'hard_declined' : 'soft_declined',
    amountCents: input.amountCents,
    reference: input.reference,
    provider: 'zspay',
    providerIds: saleId ? { saleId } : {},
    declineCode: error.code,
    message: error.message,
  });

  /** Captures a pre-authorized order; declines become outcomes. */
  const capture = async (input: ChargeReference, pedidoId: string): Promise<PaymentOutcome> => {
    try {
      const sale = await zspay.capture(pedidoId);
      return outcome(input, sale, orderSettlement(sale.status) === 'succeeded' ? 'succeeded' : 'pending');
    } catch (error) {
      if (error instanceof SoftDeclineError || error instanceof HardDeclineError)
        return declined(input, error, pedidoId);
      throw error;
    }
  };

  /** Reserves the amount: an order to capture, or the charge settled already (declined, or approved at once). */
  const authorize = async (input: ChargeStoredCardInput): Promise<CardAuthorization> => {
    let authorized: ZspaySale;
    try {
      authorized = await zspay.preCapture({
        clienteId: input.clientId,
        cartaoId: input.cardId,
        amountCents: input.amountCents,
      });
    } catch (error) {
      if (error instanceof SoftDeclineError || error instanceof HardDeclineError)
        return { kind: 'settled', outcome: declined(input, error) };
      throw error;
    }
    if (authorized.status === 'pre_authorized') return { kind: 'to_capture', saleId: authorized.id };
    return {
      kind: 'settled',
      outcome:
        orderSettlement(authorized.status) === 'succeeded'
          ? outcome(input, authorized, 'succeeded')
          : declined(
              input,
              new SoftDeclineError(`zspay order ${authorized.id} was not authorized (${authorized.status})`, {
                provider: 'zspay',
                code: String(authorized.statusCode),
              }),
              authorized.id,
            ),
    };
  };

  /**
   * What an earlier attempt left behind on this order: the charge's outcome if it was captured,
   * 'capture' if it still waits, 'lost' if it can no longer be captured.
   */
  const earlierAttempt = async (
    input: ChargeReference,
    pedidoId: string,
  ): Promise<PaymentOutcome | 'capture' | 'lost'> => {
    const sale = await zspay.getSale(pedidoId);
    const settlement = orderSettlement(sale.status);
    log.info("Zspay charge retried: found the earlier attempt's order", {
      reference: input.reference,
      pedidoId: sale.id,
      status: sale.status,
    });
    if (settlement === 'succeeded' || settlement === 'reversed') return outcome(input, sale, 'succeeded');
    if (sale.status === 'pre_authorized') return 'capture';
    if (settlement === 'pending') {
      throw new TransientProviderError(`zspay order ${sale.id} is still ${sale.status}; checking again later`, {
        provider: 'zspay',
      });
    }
    return 'lost';
  };

  // A live attempt heartbeats while it waits on Zspay, so a killed worker's attempt is retried in
  // seconds; what it heartbeats is never mistaken for a refusal note (see CaptureRefusal).
  const live = <T>(reference: string, call: () => Promise<T>) =>
    heartbeating({ reference, liveAtAttempt: Context.current().info.attempt }, call);

  const authorizeCard = (input: ChargeStoredCardInput): Promise<CardAuthorization> =>
    counted(
      'card',
      (authorization) => (authorization.kind === 'settled' ? authorization.outcome : undefined),
      () => withProviderFailures(() => live(input.reference, () => authorize(input))),
    );

  const captureCard = (input: CaptureCardInput): Promise<PaymentOutcome> =>
    counted('card', itself, () => captureOnce(input));

  const captureOnce = (input: CaptureCardInput): Promise<PaymentOutcome> =>
    withProviderFailures(async () => {
      const { attempt } = Context.current().info;
      if (attempt > 1 && !refusedByPreviousAttempt(input.saleId, attempt)) {
        const found = await live(input.reference, () => earlierAttempt(input, input.saleId));
        if (found === 'lost') {
          throw ApplicationFailure.create({
            type: AUTHORIZATION_LOST,
            message: `zspay order ${input.saleId} can no longer be captured; authorize again`,
            nonRetryable: true,
          });
        }
        if (found !== 'capture') return found;
      }
      try {
        return await live(input.reference, () => capture(input, input.saleId));
      } catch (error) {
        // A 429 means Zspay did nothing: say so to the next attempt, which can then skip the read.
        if (error instanceof RateLimitedError)
          Context.current().heartbeat({ saleId: input.saleId, refusedAtAttempt: attempt } satisfies CaptureRefusal);
        throw error;
      }
    });

  const chargeStoredCard = (input: ChargeStoredCardInput): Promise<PaymentOutcome> =>
    counted('card', itself, () => chargeInOneActivity(input));

  const chargeInOneActivity = (input: ChargeStoredCardInput): Promise<PaymentOutcome> =>
    withProviderFailures(async () => {
      const checkpoint = checkpointFor(input.reference);
      if (checkpoint) {
        // A previous attempt authorized (and maybe captured): ask before doing anything.
        const found = await earlierAttempt(input, checkpoint.pedidoId);
        if (found === 'capture') return capture(input, checkpoint.pedidoId);
        if (found !== 'lost') return found;
        // Lost: nothing was charged; authorize again below.
      }
      const authorization = await authorize(input);
      if (authorization.kind === 'settled') return authorization.outcome;
      Context.current().heartbeat({
        reference: input.reference,
        pedidoId: authorization.saleId,
      } satisfies ZspayChargeCheckpoint);
      return capture(input, authorization.saleId);
    });

  const issueBoleto = (input: IssueBoletoInput): Promise<PaymentOutcome> =>
    counted('boleto', itself, () => issueOnce(input));

  const issueOnce = (input: IssueBoletoInput): Promise<PaymentOutcome> =>
    withProviderFailures(async () => {
      const sale = await live(input.reference, () =>
        zspay.createBoletoSale({
          clienteId: input.clientId,
          amountCents: input.amountCents,
          dueDate: input.dueDate,
          descricao: withReference(input.description, input.reference),
        }),
      );
      return { ...outcome(input, sale, 'pending'), boleto: { url: sale.boletoUrl, dueDate: input.dueDate } };
    });

  /**
   * Refunds a paid card sale in full ("Estornar venda via cartão de crédito": the document takes no
   * amount). Zspay has no idempotency key, but a sale is refunded once and shows it (status 6
   * Estornado), so every retry reads the sale before sending anything (unless the attempt just
   * before was answered 429: nothing was done): refunded = done, nothing sent; approved = send;
   * anything else cannot be refunded (InvalidState, not retried). A first attempt Zspay refuses is
   * checked the same way: a sale refunded outside the engine is a refund done, not a failure.
   */
  const refundCardSale = (input: RefundCardSaleInput): Promise<RefundCardSaleResult> =>
    withProviderFailures(async () => {
      const { attempt } = Context.current().info;
      const read = async (): Promise<RefundCardSaleResult | 'send'> => {
        const sale = await zspay.getSale(input.saleId);
        log.info('Zspay refund: read the sale before sending', {
          reference: input.reference,
          saleId: sale.id,
          status: sale.status,
        });
        if (sale.status === 'refunded')
          return { saleId: sale.id, providerStatus: sale.statusCode, alreadyRefunded: true };
        if (sale.status === 'approved') return 'send';
        throw new InvalidStateError(
          `zspay sale ${sale.id} is ${sale.status} (${sale.statusCode}): it cannot be refunded`,
          {
            provider: 'zspay',
            code: String(sale.statusCode),
          },
        );
      };
      if (attempt > 1 && !refusedByPreviousAttempt(input.saleId, attempt)) {
        const found = await live(input.reference, read);
        if (found !== 'send') return found;
      }
      try {
        await live(input.reference, () => zspay.refundSale(input.saleId));
      } catch (error) {
        if (error instanceof RateLimitedError)
          Context.current().heartbeat({ saleId: input.saleId, refusedAtAttempt: attempt } satisfies CaptureRefusal);
        // Refused for good: maybe because it is refunded already (outside the engine, or by a lost answer).
        if (isProviderError(error) && !error.retryable) {
          const found = await live(input.reference, read).catch(() => undefined);
          if (found !== undefined && found !== 'send') return found;
        }
        throw error;
      }
      return { saleId: input.saleId, providerStatus: 6, alreadyRefunded: false };
    });

  return {
    authorizeCard,
    captureCard,
    chargeStoredCard,
    issueBoleto,

    /**
     * What a sale's own status says of its payment (webhooks are hints: this is the check). An
     * unknown sale fails non-retryably (the provider answers 404).
     */
    saleSettlement: (input: { saleId: string }) =>
      withProviderFailures(async () => {
        const sale = await zspay.getSale(input.saleId);
        return { saleId: sale.id, status: sale.status, settlement: orderSettlement(sale.status) };
      }),

    /**
     * Releases an authorization that will not be captured ("Estornar venda"), so no hold is left on
     * the customer's card limit. Safe to retry: an order already released counts as done; one that was
     * captured after all (by an earlier attempt of something else) is reported as the charge it is.
     */
    releaseCardAuthorization: (input: { reference: string; amountCents: number; saleId: string }) =>
      withProviderFailures(() =>
        live(input.reference, async (): Promise<{ released: true } | { released: false; outcome: PaymentOutcome }> => {
          const sale = await zspay.getSale(input.saleId);
          const settlement = orderSettlement(sale.status);
          if (settlement === 'succeeded') return { released: false, outcome: outcome(input, sale, 'succeeded') };
          if (sale.status === 'pre_authorized') await zspay.refundSale(input.saleId);
          return { released: true };
        }),
      ),

    refundCardSale,
  } satisfies ChargeActivities & Record<string, unknown>;
}

export type ZspayPaymentActivities = ReturnType<typeof createZspayPaymentActivities>;
