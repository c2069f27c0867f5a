/**
 * One payment outcome shape for every provider. Charge activities return it instead of throwing
 * for declines, so the workflow decides dunning from data; outages and unknown outcomes never
 * become an outcome (they are retried by Temporal, after asking the provider what happened).
 */
import { FailureType } from './failure-types';
export type PaymentOutcomeStatus = 'succeeded' | 'pending' | 'soft_declined' | 'hard_declined';

export interface PaymentOutcome {
  status: PaymentOutcomeStatus;
  amountCents: number;
  /** Our reference for this attempt (subscription, cycle, attempt): the reconciliation key. */
  reference: string;
  provider: 'zspay' | 'adiq';
  /** The provider's ids for what it created (sale id, boleto id, billing id...). */
  providerIds: Record<string, string>;
  /** The provider's own status and decline code, kept as they came. */
  providerStatus?: string;
  declineCode?: string;
  message?: string;
  /** For boletos: where the customer pays. */
  boleto?: { url?: string; barcode?: string; dueDate: string };
}

/** The failure type of a card capture whose authorization can no longer be captured: authorize again. */
export const AUTHORIZATION_LOST = FailureType.AuthorizationLost;
