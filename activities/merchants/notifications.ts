/**
 * Sends signed notifications to a merchant's callback. Any failure is retried by Temporal with
 * backoff (the merchant's endpoint being down must not lose a notification); each attempt signs
 * with a fresh timestamp, and the event id stays the same so the merchant can deduplicate.
 */
import axios from 'axios';
import { ApplicationFailure } from '@temporalio/common';
import type { MerchantEndpoint, MerchantNotification } from '../../common/merchant-notification';
import {
  EVENT_ID_HEADER,
  SEQUENCE_HEADER,
  SIGNATURE_HEADER,
  signMerchantPayload,
} from '../../common/merchant-signature';
import { FailureType } from '../../common/failure-types';

export type SecretResolver = (secretRef: string) => Promise<string>;

export interface MerchantNotificationDeps {
  resolveSecret: SecretResolver;
  timeoutMs: number;
  nowSeconds?: () => number;
}

export function createMerchantNotificationActivities({
  resolveSecret,
  timeoutMs,
  nowSeconds,
}: MerchantNotificationDeps) {
  return {
    async notifyMerchant(input: {
      endpoint: MerchantEndpoint;
      notification: MerchantNotification;
    }): Promise<{ status: number }> {
      const secret = await resolveSecret(input.endpoint.secretRef);
      const rawBody = JSON.stringify(input.notification);
      const timestamp = nowSeconds ? nowSeconds() : Math.floor(Date.now() / 1000);
      const response = await axios.post(input.endpoint.callbackUrl, rawBody, {
        timeout: timeoutMs,
        headers: {
          'Content-Type': 'application/json',
          [SIGNATURE_HEADER]: signMerchantPayload(secret, rawBody, timestamp),
          [SEQUENCE_HEADER]: String(input.notification.sequence),
          [EVENT_ID_HEADER]: input.notification.id,
        },
        validateStatus: () => true,
        transformRequest: [(data: unknown) => data],
      });
      if (response.status < 200 || response.status >= 300) {
        throw ApplicationFailure.retryable(
          `Merchant callback answered HTTP ${response.status} for notification ${input.notification.id}`,
          FailureType.MerchantCallbackFailed,
        );
      }
      return { status: response.status };
    },
  };
}

export type MerchantNotificationActivities = ReturnType<typeof createMerchantNotificationActivities>;
