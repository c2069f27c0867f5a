/**
 * FROZEN for the replay of workflows released before the state machine (workflows/legacy/*-v1.ts).
 *
 * What a billing decision sets off, the same for engine-billed and Adiq-billed subscriptions: the
 * merchant's signed notification (delivered in the background, retried for days, never holding
 * up billing), the partner's payment status (ZapSign), and the payment status API push.
 */
import { log, proxyActivities } from '@temporalio/workflow';
import type { EngineActivities } from '../../activities';
import type { MerchantEndpoint } from '../../common/merchant-notification';
import { providerReadRetry } from '../../common/retry-policies';
import type { Effect, SubscriptionState } from './machine-v1';
import type { ExternalPayment } from '../../common/subscription/model';

const consequences = proxyActivities<EngineActivities>({ startToCloseTimeout: '1 minute', retry: providerReadRetry });
/** Merchant callbacks are retried with backoff for up to three days. */
const merchantNotifier = proxyActivities<EngineActivities>({
  startToCloseTimeout: '30 seconds',
  scheduleToCloseTimeout: '3 days',
  retry: { initialInterval: '10 seconds', backoffCoefficient: 2, maximumInterval: '1 hour' },
});

export interface ConsequenceTargets {
  subscriptionId: string;
  merchant?: MerchantEndpoint;
  partner?: { zapsignClientRef: string };
  /** The next notification sequence number (the caller keeps it in its state). */
  nextSequence(): number;
  externalPayment(cycle: number): ExternalPayment | undefined;
}

export class Consequences {
  private readonly deliveries: Array<Promise<unknown>> = [];

  constructor(private readonly targets: ConsequenceTargets) {}

  async run(effects: Effect[]): Promise<void> {
    const { merchant, partner } = this.targets;
    for (const effect of effects) {
      if (effect.kind === 'notify') {
        if (!merchant) continue;
        const sequence = this.targets.nextSequence();
        const notification = {
          id: `${this.targets.subscriptionId}-${sequence}`,
          type: effect.type,
          sequence,
          subscriptionId: this.targets.subscriptionId,
          occurredAt: new Date().toISOString(),
          data: effect.data,
        };
        this.deliveries.push(
          merchantNotifier.notifyMerchant({ endpoint: merchant, notification }).catch((error: unknown) => {
            log.error('Merchant notification given up', { id: notification.id, error: (error as Error).message });
          }),
        );
      } else if (effect.kind === 'partner') {
        if (!partner) continue;
        await consequences
          .updatePartnerPaymentStatus({ clientRef: partner.zapsignClientRef, paymentStatus: effect.status })
          .catch((error: unknown) => {
            log.error('Partner payment status not updated', { status: effect.status, error: (error as Error).message });
          });
      } else {
        const payment = this.targets.externalPayment(effect.cycle);
        if (!payment) continue;
        await consequences
          .pushPaymentStatus({
            paymentId: payment.paymentId,
            status: effect.status,
            trustSeed: payment.trustSeed,
            trustValue: payment.trustValue,
            altTrustValue: payment.altTrustValue,
          })
          .catch((error: unknown) =>
            log.error('Payment status not pushed', { paymentId: payment.paymentId, error: (error as Error).message }),
          );
      }
    }
  }

  /** Waits for every merchant notification to be delivered or given up (before the run ends). */
  async drain(): Promise<void> {
    await Promise.all(this.deliveries);
  }
}

/**
 * The consequences of a subscription whose state the caller keeps: notification sequence numbers
 * and linked external payments are read from, and written to, that state.
 */
export function subscriptionConsequences(
  spec: Pick<ConsequenceTargets, 'merchant' | 'partner'>,
  state: { get(): SubscriptionState; set(next: SubscriptionState): void },
): Consequences {
  return new Consequences({
    subscriptionId: state.get().subscriptionId,
    merchant: spec.merchant,
    partner: spec.partner,
    nextSequence: () => {
      const next = { ...state.get(), notificationSequence: state.get().notificationSequence + 1 };
      state.set(next);
      return next.notificationSequence;
    },
    externalPayment: (cycle) => state.get().externalPayments[String(cycle)],
  });
}
