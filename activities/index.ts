/**
 * Every activity of the engine, built from injected provider clients (the worker passes real
 * clients, tests pass ones pointed at the sandbox). Workflows import only the type.
 */
import type { ActivePlatformClient } from '../providers/activeplatform/client';
import type { PaymentStatusClient } from '../providers/payment-status/client';
import type { ZapSignPartnerClient } from '../providers/zapsign/client';
import { createMerchantNotificationActivities, type SecretResolver } from './merchants/notifications';
import type { Client } from '@temporalio/client';
import type { ProviderQueue } from '../common/task-queue';
import type { AdiqClient } from '../providers/adiq/client';
import type { ZspayClient } from '../providers/zspay/client';
import { createAdiqActivities } from './adiq/recurrence';
import { createZspayBilledActivities } from './zspay-billed/subscriptions';
import { createBillingRunActivities } from './billing-runs';
import type { ChargeActivities } from './payments/types';
import { createZspayPaymentActivities } from './payments/zspay';
import { createZspayTransferActivities } from './transfers/zspay';
import { createTransfersSincePaymentActivities } from './transfers/since-payment';
import { createPaymentStatusActivities } from './merchants/payment-status';
import { createPartnerActivities, type ClientTokenResolver } from './partners/zapsign';
import { createResellerActivities } from './resellers/activeplatform';
import { createConfigurationActivities } from './configuration';

export interface EngineDependencies {
  /** For billing runs, which read the engine's own state from visibility. */
  temporal: Client;
  /** Card charges, boletos and transfers. */
  zspay: ZspayClient;
  /** Adiq Recurrence: plans, subscriptions, billings and notifications. */
  adiq: AdiqClient;
  activePlatform: ActivePlatformClient;
  zapsign: ZapSignPartnerClient;
  paymentStatus: PaymentStatusClient;
  resolveZapSignClientToken: ClientTokenResolver;
  /** Merchant callback signing secrets, by reference. */
  resolveMerchantSecret: SecretResolver;
  merchantTimeoutMs: number;
  /** Where Adiq must send its notifications (the engine's public webhook URL), when known. */
  adiqNotification?: { merchantId: string; callbackUrl: string };
}

export function createActivities(deps: EngineDependencies) {
  return {
    ...(createZspayPaymentActivities({ zspay: deps.zspay }) satisfies ChargeActivities),
    ...createZspayTransferActivities({ zspay: deps.zspay }),
    ...createBillingRunActivities({ temporal: deps.temporal, zspay: deps.zspay }),
    ...createTransfersSincePaymentActivities({ temporal: deps.temporal }),
    ...createAdiqActivities({ adiq: deps.adiq, notification: deps.adiqNotification }),
    ...createZspayBilledActivities({ zspay: deps.zspay }),
    ...createResellerActivities({ activePlatform: deps.activePlatform }),
    ...createPartnerActivities({ zapsign: deps.zapsign, resolveClientToken: deps.resolveZapSignClientToken }),
    ...createPaymentStatusActivities({ paymentStatus: deps.paymentStatus }),
    ...createMerchantNotificationActivities({
      resolveSecret: deps.resolveMerchantSecret,
      timeoutMs: deps.merchantTimeoutMs,
    }),
    ...createConfigurationActivities({
      resolveMerchantSecret: deps.resolveMerchantSecret,
      resolveZapSignClientToken: deps.resolveZapSignClientToken,
    }),
  };
}

export type EngineActivities = ReturnType<typeof createActivities>;

/**
 * Which task queue each activity runs on: a provider's own (paced by the server, see
 * common/task-queue.ts), or the engine's main queue. Workflows schedule on the same queues.
 */
export const ACTIVITY_QUEUE: { readonly [A in keyof EngineActivities]: ProviderQueue | 'main' } = {
  authorizeCard: 'zspay',
  captureCard: 'zspay',
  // Called by released v1 subscription workflows only (workflows/legacy): kept while any may run.
  chargeStoredCard: 'zspay',
  issueBoleto: 'zspay',
  saleSettlement: 'zspay',
  releaseCardAuthorization: 'zspay',
  refundCardSale: 'zspay',
  getBalance: 'zspay',
  executeTransfer: 'zspay',
  createAdiqPlan: 'adiq',
  createAdiqSubscription: 'adiq',
  getAdiqSubscription: 'adiq',
  changeAdiqSubscriptionStatus: 'adiq',
  changeAdiqSubscriptionVault: 'adiq',
  searchAdiqBillings: 'adiq',
  ensureAdiqNotification: 'adiq',
  createZspayPlan: 'zspay',
  createZspaySubscription: 'zspay',
  listZspayInvoices: 'zspay',
  getZspaySubscriptionStatus: 'zspay',
  changeZspaySubscription: 'zspay',
  refundZspayInvoice: 'zspay',
  completeResellerPayment: 'activeplatform',
  updatePartnerPaymentStatus: 'zapsign',
  pushPaymentStatus: 'payment-status',
  // Reads of the engine's own state, and Zspay reads batched by the billing run's own concurrency.
  listSubscriptionsAwaitingPayment: 'main',
  paidSales: 'main',
  readSales: 'main',
  listZspayBilledSubscriptions: 'main',
  readZspayInvoices: 'main',
  listRunningSubscriptions: 'main',
  listSubscriptionsToTally: 'main',
  tallySubscriptions: 'main',
  summarizeEngine: 'main',
  transfersSincePayment: 'main',
  // Merchant callbacks go to each merchant's own host.
  notifyMerchant: 'main',
  checkSubscriptionReferences: 'main',
};
