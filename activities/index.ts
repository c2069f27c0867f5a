/**
 * Every activity of the engine, built from injected provider clients (the worker passes real
 * clients, tests pass ones pointed at the sandbox). Workflows import only the type.
 */
import type { ActivePlatformClient } from '../providers/activeplatform/client';
import type { PaymentStatusClient } from '../providers/payment-status/client';
import type { ZapSignPartnerClient } from '../providers/zapsign/client';
import { createMerchantNotificationActivities, type SecretResolver } from './merchants/notifications';
import type { ChargeActivities, ChargeStoredCardInput, IssueBoletoInput } from './payments/types';
import { createPaymentStatusActivities } from './merchants/payment-status';
import { createPartnerActivities, type ClientTokenResolver } from './partners/zapsign';
import { createResellerActivities } from './resellers/activeplatform';

export interface EngineDependencies {
  /** Card charges and boletos (Zspay). */
  charges: ChargeActivities;
  activePlatform: ActivePlatformClient;
  zapsign: ZapSignPartnerClient;
  paymentStatus: PaymentStatusClient;
  resolveZapSignClientToken: ClientTokenResolver;
  /** Merchant callback signing secrets, by reference. */
  resolveMerchantSecret: SecretResolver;
  merchantTimeoutMs: number;
}

export function createActivities(deps: EngineDependencies) {
  return {
    chargeStoredCard: (input: ChargeStoredCardInput) => deps.charges.chargeStoredCard(input),
    issueBoleto: (input: IssueBoletoInput) => deps.charges.issueBoleto(input),
    ...createResellerActivities({ activePlatform: deps.activePlatform }),
    ...createPartnerActivities({ zapsign: deps.zapsign, resolveClientToken: deps.resolveZapSignClientToken }),
    ...createPaymentStatusActivities({ paymentStatus: deps.paymentStatus }),
    ...createMerchantNotificationActivities({ resolveSecret: deps.resolveMerchantSecret, timeoutMs: deps.merchantTimeoutMs }),
  };
}

export type EngineActivities = ReturnType<typeof createActivities>;
