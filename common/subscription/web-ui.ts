/**
 * What the Temporal Web UI shows for a subscription without a query: the workflow's current
 * details (Markdown, refreshed whenever the memo is) and a one-line summary on each provider call
 * in its event history. Pure and zod-free: workflow code imports this.
 */
import { MAX_ATTEMPTS } from '../billing/teimosinha';
import { formatBRL, formatDate, formatDateTime } from '../money';
import { invoiceLabel, nextStep } from './machine';
import { deliveryStatus } from './outbox';
import { couponView } from './pricing';
import type { SubscriptionState } from './state';

/** The collection attempt a charge of `cycle` is: the due date's charge, then the plan's retries. */
export function attemptOf(state: SubscriptionState, cycle: number): { attempt: number; of: number } {
  const failures = state.dunning?.cycle === cycle ? state.dunning.failures : 0;
  return { attempt: failures + 1, of: 1 + Math.min(state.plan.attempts, MAX_ATTEMPTS) };
}

export type ProviderCall = 'authorize' | 'capture' | 'release' | 'boleto';

const CALL_VERB: Record<ProviderCall, string> = {
  authorize: 'authorize',
  capture: 'capture',
  release: 'release the authorization of',
  boleto: 'issue a boleto of',
};

/** "authorize R$ 49,90 · cycle 3 · attempt 2 of 5": the activity's summary in the event history. */
export function providerCallSummary(state: SubscriptionState, call: ProviderCall, cycle: number, amountCents: number) {
  const { attempt, of } = attemptOf(state, cycle);
  return `${CALL_VERB[call]} ${formatBRL(amountCents)} · ${invoiceLabel(cycle)} · attempt ${attempt} of ${of}`;
}

/** The workflow's current details: status, plan, next step, dunning, holds and failing notifications. */
export function currentDetails(state: SubscriptionState): string {
  const { plan } = state;
  const lines = [
    `**${state.status.replace('_', ' ')}** · ${formatBRL(plan.amountCents)} · plan ${plan.planId} · customer ${state.customerId}`,
  ];
  const step = nextStep(state);
  const hour = `${String(plan.chargeHourLocal).padStart(2, '0')}:00 ${plan.timeZone}`;
  if (step.kind === 'charge')
    lines.push(
      `${step.retry ? 'Retry' : 'Next charge'}: ${formatDate(step.date)} at ${hour} (${invoiceLabel(step.cycle)})`,
    );
  else if (step.kind === 'await_boleto')
    lines.push(`Waiting for the boleto of cycle ${step.cycle}, until ${formatDate(step.deadline)}`);
  else if (step.kind === 'cancel') lines.push(`Cancels on ${formatDate(step.date)}`);
  else if (step.kind === 'complete') lines.push(`Completes on ${formatDate(step.date)}: ${step.reason}`);
  if (state.dunning) {
    const { attempt, of } = attemptOf(state, state.dunning.cycle);
    const next = state.dunning.nextRetryDate ? `, next on ${formatDate(state.dunning.nextRetryDate)}` : ', none left';
    lines.push(`Dunning: cycle ${state.dunning.cycle}, ${attempt - 1} of ${of} attempts failed${next}`);
  }
  const coupon = couponView(state.coupon);
  if (coupon)
    lines.push(
      `Coupon ${coupon.code}: ${coupon.terms}${coupon.cyclesLeft === undefined ? '' : `, ${coupon.cyclesLeft} cycle(s) left`}`,
    );
  for (const line of state.adjustments ?? [])
    lines.push(`Next invoice: ${line.amountCents < 0 ? '' : '+'}${formatBRL(line.amountCents)} ${line.description}`);
  const last = [...state.invoices].reverse().find((i) => i.kind === 'recurring' && i.baseAmountCents !== undefined);
  if (last)
    lines.push(
      `Invoice of cycle ${last.cycle}: ${formatBRL(last.baseAmountCents!)}${last.discount ? ` − ${formatBRL(last.discount.amountCents)} (${last.discount.code})` : ''}${(last.lines ?? []).map((l) => ` ${l.amountCents < 0 ? '−' : '+'} ${formatBRL(Math.abs(l.amountCents))}`).join('')} = ${formatBRL(last.amountCents)} charged`,
    );
  if (state.chargeHold)
    lines.push(
      `Charge held since ${formatDateTime(state.chargeHold.since, plan.timeZone)}: ${state.chargeHold.reason}`,
    );
  if (state.charge) lines.push(`Charge in flight: cycle ${state.charge.cycle} (${state.charge.reference})`);
  const delivery = deliveryStatus(state);
  if (delivery.failing > 0 || delivery.givenUp > 0)
    lines.push(`Notifications: ${delivery.failing} failing, ${delivery.givenUp} given up`);
  return lines.join('\n\n');
}

const CALENDAR_UNIT: Record<string, string> = { daily: 'day', weekly: 'week', monthly: 'month', annualy: 'year' };

/** How often a plan bills, in words: "every month", "every 3 weeks", "Adiq Quarterly". */
export function periodLine(recurrence: SubscriptionState['plan']['recurrence']): string {
  if (recurrence.kind === 'adiq')
    return recurrence.planType === 'Custom' && recurrence.interval
      ? `every ${recurrence.interval} days (Adiq)`
      : `Adiq ${recurrence.planType}`;
  const unit = CALENDAR_UNIT[recurrence.frequency] ?? recurrence.frequency;
  return recurrence.interval === 1 ? `every ${unit}` : `every ${recurrence.interval} ${unit}s`;
}

/**
 * The workflow's static summary, set once at start (the Web UI shows it on the workflow's page and
 * in its list): "customer acme · plan gold · R$ 49,90 every month".
 */
export function staticSummaryOf(subscription: {
  customerId: string;
  plan: Pick<SubscriptionState['plan'], 'planId' | 'amountCents' | 'recurrence'>;
}): string {
  const { plan } = subscription;
  return `customer ${subscription.customerId} · plan ${plan.planId} · ${formatBRL(plan.amountCents)} ${periodLine(plan.recurrence)}`;
}
