/**
 * Delivers a subscription's outbox in the background: each due entry is sent once per attempt
 * (one activity attempt; the backoff between attempts is the outbox's own, so every failure is
 * recorded and visible), and each result is fed back to the state machine as an event. Billing
 * never waits for it; continue-as-new waits at most a few seconds for attempts already on the wire
 * and carries the rest.
 */
import { ActivityFailure, ApplicationFailure, proxyActivities, type ActivityOptions } from '@temporalio/workflow';
import type { EngineActivities } from '../activities';
import type { MerchantEndpoint } from '../common/merchant-notification';
import type { DeliveryEvent } from '../common/subscription/events';
import type { ExternalPayment } from '../common/subscription/model';
import { deliverable, nextRetryAt, type OutboxEntry } from '../common/subscription/outbox';
import { Alarm } from './alarm';
import { countDeliveryFailure } from './metrics';
import { providerActivities } from './provider-activities';

/** One attempt per delivery: the outbox decides when to try again. */
const ONE_ATTEMPT: ActivityOptions = { startToCloseTimeout: '30 seconds', retry: { maximumAttempts: 1 } };

export interface DeliveryTargets {
  merchant?: MerchantEndpoint;
  partner?: { zapsignClientRef: string };
  externalPayment(cycle: number): ExternalPayment | undefined;
}

/** Sends one entry; throws what the attempt failed with. */
export async function deliverEntry(entry: OutboxEntry, targets: DeliveryTargets): Promise<void> {
  const effect = entry.effect;
  switch (effect.kind) {
    case 'notify':
      if (targets.merchant && entry.notification)
        await proxyActivities<EngineActivities>(ONE_ATTEMPT).notifyMerchant({
          endpoint: targets.merchant,
          notification: entry.notification,
        });
      return;
    case 'partner':
      if (targets.partner)
        await providerActivities('zapsign', ONE_ATTEMPT).updatePartnerPaymentStatus({
          clientRef: targets.partner.zapsignClientRef,
          paymentStatus: effect.status,
        });
      return;
    case 'push_payment_status': {
      const payment = targets.externalPayment(effect.cycle);
      if (payment) {
        await providerActivities('payment-status', ONE_ATTEMPT).pushPaymentStatus({
          paymentId: payment.paymentId,
          status: effect.status,
          trustSeed: payment.trustSeed,
          trustValue: payment.trustValue,
          altTrustValue: payment.altTrustValue,
        });
      }
      return;
    }
    case 'adiq_cancel':
      await providerActivities('adiq', ONE_ATTEMPT).changeAdiqSubscriptionStatus({
        subscriptionId: effect.adiqSubscriptionId,
        status: 'canceled',
      });
      return;
    case 'adiq_change_vault':
      await providerActivities('adiq', ONE_ATTEMPT).changeAdiqSubscriptionVault({
        subscriptionId: effect.adiqSubscriptionId,
        vaultId: effect.vaultId,
      });
      return;
    case 'zspay_subscription':
      await providerActivities('zspay', ONE_ATTEMPT).changeZspaySubscription({
        subscriptionId: effect.zspaySubscriptionId,
        action: effect.action,
      });
      return;
  }
}

/** "ConfigurationError: No merchant webhook secret configured for x" from a failed attempt. */
export function failureText(error: unknown): string {
  if (error instanceof ActivityFailure) {
    const cause = error.cause;
    if (cause instanceof ApplicationFailure) return `${cause.type ?? 'Error'}: ${cause.message}`;
    return cause?.message ?? error.message;
  }
  return error instanceof Error ? error.message : String(error);
}

export class OutboxPump {
  private readonly inFlight = new Set<string>();
  private stopped = false;
  private finished = 0;
  private readonly alarm = new Alarm();

  constructor(
    private readonly outbox: () => readonly OutboxEntry[],
    /** Bumped by every state change: the pump looks again. */
    private readonly version: () => number,
    private readonly record: (event: DeliveryEvent) => void,
    private readonly send: (entry: OutboxEntry) => Promise<void>,
  ) {}

  /** Runs until stopped: sends what is due, sleeps until the next retry or the next change. */
  async run(): Promise<void> {
    while (!this.stopped) {
      for (const entry of deliverable(this.outbox(), Date.now(), this.inFlight)) this.launch(entry);
      const seenVersion = this.version();
      const seenFinished = this.finished;
      const retryAt = nextRetryAt(this.outbox(), Date.now(), this.inFlight);
      await this.alarm.until(
        () => this.stopped || this.version() !== seenVersion || this.finished !== seenFinished,
        retryAt,
      );
    }
  }

  /** Sends nothing new; attempts already on the wire still report. */
  stop(): void {
    this.stopped = true;
  }

  get idle(): boolean {
    return this.inFlight.size === 0;
  }

  private launch(entry: OutboxEntry): void {
    this.inFlight.add(entry.id);
    this.send(entry)
      .then(
        () => this.record({ type: 'effectDelivered', id: entry.id }),
        (error: unknown) => {
          countDeliveryFailure(entry.effect.kind);
          this.record({ type: 'effectFailed', id: entry.id, error: failureText(error) });
        },
      )
      .finally(() => {
        this.inFlight.delete(entry.id);
        this.finished += 1;
      });
  }
}
