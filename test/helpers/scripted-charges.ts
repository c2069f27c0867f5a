/**
 * Charge activities with scripted outcomes, for workflow tests that exercise the subscription's
 * decisions. (Temporal itself is never mocked; provider-level behaviour is covered against the
 * sandbox by the provider and end-to-end tests.)
 */
import { ApplicationFailure } from '@temporalio/common';
import { AUTHORIZATION_LOST, type PaymentOutcome } from '../../common/payment-outcome';
import type { CardAuthorization } from '../../activities/payments/types';
import { defined } from './defined';

/**
 * 'lapsed': the card is authorized, but the authorization lapses before its capture.
 * 'refused': the provider refuses the call for a reason no retry fixes (here: rejected credentials).
 */
export type ScriptedResult = 'paid' | 'soft' | 'hard' | 'boleto' | 'lapsed' | 'refused';

export interface ChargeCall {
  reference: string;
  amountCents: number;
  kind: 'card' | 'boleto';
  dueDate?: string;
}

export function scriptedCharges(script: ScriptedResult[] = []) {
  const calls: ChargeCall[] = [];
  /** Sales the provider says are paid (a boleto paid at the bank): what a payment notice is checked against. */
  const paidSales = new Set<string>();
  /** Authorizations released without capture. */
  const released: string[] = [];
  const queue = [...script];
  /** Outcomes for one subscription's charges (references start with its id), before the shared queue. */
  const bySubscription = new Map<string, ScriptedResult[]>();
  const scriptedFor = (reference: string) =>
    [...bySubscription.entries()].find(([id]) => reference.startsWith(`${id}-`))?.[1];
  const outcomeFor = (call: ChargeCall): PaymentOutcome => {
    const own = scriptedFor(call.reference);
    const next = (own && own.length > 0 ? own.shift() : queue.shift()) ?? (call.kind === 'boleto' ? 'boleto' : 'paid');
    const base = {
      amountCents: call.amountCents,
      reference: call.reference,
      provider: 'zspay' as const,
      providerIds: { saleId: `sale-${call.reference}` },
    };
    switch (next) {
      case 'paid':
        return { ...base, status: 'succeeded', providerStatus: '2' };
      case 'refused':
        throw ApplicationFailure.create({
          type: 'ProviderAuth',
          message: 'Zspay rejected the API token (401): check ZSPAY_TOKEN',
          nonRetryable: true,
        });
      case 'lapsed':
        return { ...base, status: 'pending', providerIds: { saleId: `lapsed-${call.reference}` } };
      case 'soft':
        return { ...base, status: 'soft_declined', declineCode: '51', message: 'Saldo insuficiente' };
      case 'hard':
        return { ...base, status: 'hard_declined', declineCode: '14', message: 'Cartão inválido' };
      case 'boleto':
        return {
          ...base,
          status: 'pending',
          boleto: { url: `https://boleto.example/${call.reference}`, barcode: '23790', dueDate: call.dueDate! },
        };
    }
  };
  return {
    calls,
    released,
    push: (...more: ScriptedResult[]) => queue.push(...more),
    /** The customer paid this sale at the provider. */
    markPaid: (saleId: string) => paidSales.add(saleId),
    scriptFor: (subscriptionId: string, ...results: ScriptedResult[]) => bySubscription.set(subscriptionId, results),
    activities: {
      // The scripted outcome is decided at authorization; a paid one is then captured.
      async authorizeCard(input: { reference: string; amountCents: number }): Promise<CardAuthorization> {
        const call: ChargeCall = { reference: input.reference, amountCents: input.amountCents, kind: 'card' };
        calls.push(call);
        const outcome = outcomeFor(call);
        return outcome.status === 'succeeded' || outcome.status === 'pending'
          ? { kind: 'to_capture', saleId: defined(outcome.providerIds.saleId, `a saleId for ${call.reference}`) }
          : { kind: 'settled', outcome };
      },
      async captureCard(input: { reference: string; amountCents: number; saleId: string }): Promise<PaymentOutcome> {
        if (input.saleId.startsWith('lapsed-'))
          throw ApplicationFailure.create({
            type: AUTHORIZATION_LOST,
            message: `order ${input.saleId} lapsed`,
            nonRetryable: true,
          });
        return {
          amountCents: input.amountCents,
          reference: input.reference,
          provider: 'zspay',
          providerIds: { saleId: input.saleId },
          status: 'succeeded',
          providerStatus: '2',
        };
      },
      async releaseCardAuthorization(input: { saleId: string }): Promise<{ released: true }> {
        released.push(input.saleId);
        return { released: true };
      },
      async saleSettlement(input: {
        saleId: string;
      }): Promise<{ saleId: string; status: 'approved' | 'pending'; settlement: 'succeeded' | 'pending' }> {
        const paid = paidSales.has(input.saleId);
        return {
          saleId: input.saleId,
          status: paid ? 'approved' : 'pending',
          settlement: paid ? 'succeeded' : 'pending',
        };
      },
      async issueBoleto(input: { reference: string; amountCents: number; dueDate: string }): Promise<PaymentOutcome> {
        const call: ChargeCall = {
          reference: input.reference,
          amountCents: input.amountCents,
          kind: 'boleto',
          dueDate: input.dueDate,
        };
        calls.push(call);
        return outcomeFor(call);
      },
    },
  };
}
