/**
 * What the subscription workflow needs from a payment provider: charge a stored card (authorize,
 * then capture), issue a boleto. Every call carries our reference (subscription, cycle, attempt); an implementation must
 * look the reference up at the provider before charging again after an unknown outcome, so a
 * retried activity never charges twice.
 */
import type { PaymentOutcome } from '../../common/payment-outcome';

export interface ChargeStoredCardInput {
  reference: string;
  amountCents: number;
  clientId: string;
  cardId: string;
  description: string;
}

/** An authorized card sale to capture: the provider's order id, recorded in the workflow's history. */
export interface CaptureCardInput {
  reference: string;
  amountCents: number;
  saleId: string;
}

/** Authorizing either leaves an order to capture, or settles the charge (a decline, or approved at once). */
export type CardAuthorization = { kind: 'to_capture'; saleId: string } | { kind: 'settled'; outcome: PaymentOutcome };

export interface IssueBoletoInput {
  reference: string;
  amountCents: number;
  clientId: string;
  /** Already moved to a business day. */
  dueDate: string;
  description: string;
}

/** A paid card sale to refund in full; the reference (`<subscription>-<cycle>-refund`) names it in logs. */
export interface RefundCardSaleInput {
  reference: string;
  saleId: string;
  amountCents: number;
}

/** The sale is refunded at the provider (`alreadyRefunded`: found so by a read, nothing was sent). */
export interface RefundCardSaleResult {
  saleId: string;
  providerStatus: number;
  alreadyRefunded: boolean;
}

export interface ChargeActivities {
  /** Reserves the amount on the stored card; moves no money. */
  authorizeCard(input: ChargeStoredCardInput): Promise<CardAuthorization>;
  /**
   * Captures an authorized order; a retried attempt reads the order first and never captures twice.
   * Fails with `AuthorizationLost` when the order can no longer be captured (authorize again).
   */
  captureCard(input: CaptureCardInput): Promise<PaymentOutcome>;
  /** Both steps in one activity, checkpointed in its heartbeat: for workflows started before the two-step charge. */
  chargeStoredCard(input: ChargeStoredCardInput): Promise<PaymentOutcome>;
  issueBoleto(input: IssueBoletoInput): Promise<PaymentOutcome>;
}
