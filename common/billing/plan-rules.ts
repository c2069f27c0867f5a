/**
 * The plan rules both providers impose, as plain constants (no zod: workflow code reads them).
 * plan.ts validates plans against them.
 */
export const ADIQ_PLAN_TYPES = ['Monthly', 'Bimonthly', 'Quarterly', 'Semesterly', 'Yearly', 'Custom'] as const;
export type AdiqPlanType = (typeof ADIQ_PLAN_TYPES)[number];
/** Installments of Adiq's fixed plan types; Monthly runs until canceled. */
export const ADIQ_FIXED_INSTALLMENTS: Record<Exclude<AdiqPlanType, 'Custom'>, number | undefined> = {
  Monthly: undefined,
  Bimonthly: 2,
  Quarterly: 3,
  Semesterly: 6,
  Yearly: 12,
};
export const ADIQ_FIXED_INTERVAL_DAYS = 30;
export const ADIQ_MIN_CUSTOM_INTERVAL_DAYS = 20;

/** R$ 100 million: any amount up to it converts to reais exactly (see providers/money.ts). */
export const MAX_AMOUNT_CENTS = 100_000_000_00;
/** A hundred years. */
export const MAX_DURATION_MONTHS = 1200;

export const ZSPAY_FREQUENCIES = ['daily', 'weekly', 'monthly', 'annualy'] as const;

/** Boleto minimum: "O valor mínimo do boleto é R$ 5,00" (Zspay, Nova venda via boleto). */
export const BOLETO_MINIMUM_CENTS = 500;
