/**
 * When each cycle of a plan is due. Adiq's plan types step in days (every 30 days, or the Custom
 * interval), as Adiq bills them; Zspay's calendar frequencies step in calendar units, monthly and
 * yearly ones keeping the anchor day (clamped to short months).
 */
import { addDays, addMonths, type CalendarDate } from './calendar';
import { ADIQ_FIXED_INSTALLMENTS, ADIQ_FIXED_INTERVAL_DAYS } from './plan-rules';
import type { Plan } from './plan';

type Schedulable = Pick<Plan, 'recurrence' | 'trialDays'>;

/** The first recurring charge: after the trial/grace days. */
export function firstChargeDate(startDate: CalendarDate, plan: Pick<Plan, 'trialDays'>): CalendarDate {
  return addDays(startDate, plan.trialDays);
}

/** The due date `steps` cycles after the anchor (steps 0 = the anchor itself). */
export function chargeDateForCycle(
  anchor: CalendarDate,
  plan: Pick<Schedulable, 'recurrence'>,
  steps: number,
): CalendarDate {
  const r = plan.recurrence;
  if (r.kind === 'adiq') {
    const interval = r.planType === 'Custom' ? (r.interval ?? ADIQ_FIXED_INTERVAL_DAYS) : ADIQ_FIXED_INTERVAL_DAYS;
    return addDays(anchor, interval * steps);
  }
  switch (r.frequency) {
    case 'daily':
      return addDays(anchor, r.interval * steps);
    case 'weekly':
      return addDays(anchor, 7 * r.interval * steps);
    case 'monthly':
      return addMonths(anchor, r.interval * steps);
    case 'annualy':
      return addMonths(anchor, 12 * r.interval * steps);
  }
}

/** How many recurring charges the plan makes; undefined runs until canceled. */
export function totalCycles(plan: Pick<Plan, 'recurrence'>): number | undefined {
  const r = plan.recurrence;
  if (r.kind !== 'adiq') return undefined;
  return r.planType === 'Custom' ? r.installments : ADIQ_FIXED_INSTALLMENTS[r.planType];
}

/** The plan's amount as a monthly equivalent in whole cents, for MRR. */
export function monthlyEquivalentCents(plan: Pick<Plan, 'recurrence' | 'amountCents'>): number {
  const r = plan.recurrence;
  const daysPerMonth = 365 / 12;
  if (r.kind === 'adiq') {
    const interval = r.planType === 'Custom' ? (r.interval ?? ADIQ_FIXED_INTERVAL_DAYS) : ADIQ_FIXED_INTERVAL_DAYS;
    return Math.round((plan.amountCents * daysPerMonth) / interval);
  }
  switch (r.frequency) {
    case 'daily':
      return Math.round((plan.amountCents * daysPerMonth) / r.interval);
    case 'weekly':
      return Math.round((plan.amountCents * daysPerMonth) / (7 * r.interval));
    case 'monthly':
      return Math.round(plan.amountCents / r.interval);
    case 'annualy':
      return Math.round(plan.amountCents / (12 * r.interval));
  }
}
