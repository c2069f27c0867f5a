/**
 * What the subscription workflow needs from a payment provider: charge a stored card, issue a
 * boleto. Every call carries our reference (subscription, cycle, attempt); an implementation must
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

export interface IssueBoletoInput {
  reference: string;
  amountCents: number;
  clientId: string;
  /** Already moved to a business day. */
  dueDate: string;
  description: string;
}

export interface ChargeActivities {
  chargeStoredCard(input: ChargeStoredCardInput): Promise<PaymentOutcome>;
  issueBoleto(input: IssueBoletoInput): Promise<PaymentOutcome>;
}
