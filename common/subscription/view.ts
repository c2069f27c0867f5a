/** The subscription as queries return it, from its state (no zod: workflow code imports this). */
import { forecast, nextStep, summaryLine } from './machine';
import type { SubscriptionStatus, SubscriptionView } from './model';
import { deliveryStatus } from './outbox';
import { couponView } from './pricing';
import type { SubscriptionState } from './state';

/**
 * Zspay subscription statuses (1 Aguardando, 2 Cancelado, 3 Pago, 4 Atrasado, 5 Suspenso) and Adiq
 * statuses (Active, Blocked, Canceled) for the engine's own.
 */
export function providerStatusOf(status: SubscriptionStatus): SubscriptionView['providerStatus'] {
  switch (status) {
    case 'trialing':
      return { zspay: 1, adiq: 'Active' };
    case 'active':
      return { zspay: 3, adiq: 'Active' };
    case 'past_due':
      return { zspay: 4, adiq: 'Active' };
    case 'blocked':
      return { zspay: 4, adiq: 'Blocked' };
    case 'suspended':
      return { zspay: 5, adiq: 'Blocked' };
    case 'canceled':
    case 'completed':
      return { zspay: 2, adiq: 'Canceled' };
  }
}

export function subscriptionView(state: SubscriptionState, summary = summaryLine(state)): SubscriptionView {
  const step = nextStep(state);
  return {
    subscriptionId: state.subscriptionId,
    customerId: state.customerId,
    planId: state.plan.planId,
    amountCents: state.plan.amountCents,
    status: state.status,
    providerStatus: providerStatusOf(state.status),
    paymentMethod: state.paymentMethod,
    ...(state.zspay
      ? {
          providerSubscription: {
            provider: 'zspay' as const,
            subscriptionId: state.zspay.subscriptionId,
            planId: state.zspay.planId,
          },
        }
      : state.adiq
        ? {
            providerSubscription: {
              provider: 'adiq' as const,
              subscriptionId: state.adiq.subscriptionId,
              planId: state.adiq.planId,
            },
          }
        : {}),
    nextChargeDate: step.kind === 'charge' ? step.date : undefined,
    cancelAtPeriodEnd: state.cancelAtPeriodEnd,
    dunning: state.dunning,
    partnerStatus: state.partnerDelivered,
    partnerStatusPending: state.partnerStatus !== state.partnerDelivered ? state.partnerStatus : undefined,
    pendingPlanId: state.pendingPlan?.planId,
    ...couponFields(state),
    chargeHold: state.chargeHold,
    chargeInFlight: state.charge
      ? { cycle: state.charge.cycle, reference: state.charge.reference, since: state.charge.startedAt }
      : undefined,
    delivery: deliveryStatus(state),
    ignoredPaymentNotices: state.ignoredPaymentNotices,
    summary,
  };
}

/** The coupon in force and the lines waiting for the next invoice, when there are any. */
function couponFields(
  state: SubscriptionState,
): Pick<SubscriptionView, 'coupon' | 'couponRedemptions' | 'nextInvoiceAdjustmentCents'> {
  const coupon = couponView(state.coupon);
  const adjustments = state.adjustments ?? [];
  const redeemed = Object.keys(state.redemptions ?? {});
  return {
    ...(coupon ? { coupon } : {}),
    ...(redeemed.length > 0 ? { couponRedemptions: redeemed } : {}),
    ...(adjustments.length > 0
      ? { nextInvoiceAdjustmentCents: adjustments.reduce((total, line) => total + line.amountCents, 0) }
      : {}),
  };
}

/** The forecast query's answer, its count bounded. */
export function forecastView(state: SubscriptionState, count = 6) {
  return forecast(state, Math.min(Math.max(Math.trunc(Number.isFinite(count) ? count : 6), 1), 36));
}
