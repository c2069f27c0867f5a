/** Builds the provider clients from the worker configuration and the activities on top of them. */
import type { Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { createActivities, type EngineActivities } from '../activities';
import type { ClientTokenResolver } from '../activities/partners/zapsign';
import { ActivePlatformClient } from '../providers/activeplatform/client';
import { AdiqClient } from '../providers/adiq/client';
import { PaymentStatusClient } from '../providers/payment-status/client';
import { ZapSignPartnerClient } from '../providers/zapsign/client';
import { ZspayClient } from '../providers/zspay/client';
import type { WorkerConfig } from './config';
import { FailureType } from '../common/failure-types';

/**
 * ZapSign client tokens are held by reference: workflows carry a `clientRef`, the worker resolves
 * it from its own configuration (ZAPSIGN_CLIENT_TOKENS, a JSON object of ref -> token). Against
 * the sandbox an unknown ref is used as the token itself (sandbox tokens are not secrets).
 */
export function zapSignTokenResolver(config: WorkerConfig): ClientTokenResolver {
  return async (clientRef) => {
    const token = config.zapsign.clientTokens[clientRef];
    if (token) return token;
    if (config.zapsign.sandbox) return clientRef;
    throw ApplicationFailure.nonRetryable(
      `No ZapSign client token configured for ${clientRef} (ZAPSIGN_CLIENT_TOKENS)`,
      FailureType.ProviderAuth,
    );
  };
}

/**
 * Merchant callback secrets by reference (MERCHANT_WEBHOOK_SECRETS, a JSON object of ref -> secret):
 * workflow histories carry only the reference. A missing reference is a configuration error.
 */
export function merchantSecretResolver(config: WorkerConfig): (secretRef: string) => Promise<string> {
  return async (secretRef) => {
    const secret = config.merchantSecrets[secretRef];
    if (secret) return secret;
    throw ApplicationFailure.nonRetryable(
      `No merchant webhook secret configured for ${secretRef} (MERCHANT_WEBHOOK_SECRETS)`,
      FailureType.ConfigurationError,
    );
  };
}

export function createEngineActivities(config: WorkerConfig, temporal: Client): EngineActivities {
  return createActivities({
    temporal,
    zspay: new ZspayClient({ baseUrl: config.zspay.baseUrl, token: config.zspay.token, timeoutMs: config.timeoutMs }),
    // One client per worker: its token cache is shared by every activity.
    adiq: new AdiqClient({
      authBaseUrl: config.adiq.authUrl,
      recurrenceBaseUrl: config.adiq.recurrenceUrl,
      clientId: config.adiq.clientId,
      clientSecret: config.adiq.clientSecret,
      timeoutMs: config.timeoutMs,
    }),
    activePlatform: new ActivePlatformClient({ ...config.activePlatform, timeoutMs: config.timeoutMs }),
    zapsign: new ZapSignPartnerClient({ ...config.zapsign, timeoutMs: config.timeoutMs }),
    paymentStatus: new PaymentStatusClient({ ...config.paymentStatus, timeoutMs: config.timeoutMs }),
    resolveZapSignClientToken: zapSignTokenResolver(config),
    resolveMerchantSecret: merchantSecretResolver(config),
    merchantTimeoutMs: config.timeoutMs,
    adiqNotification: config.adiq.notification,
  });
}
