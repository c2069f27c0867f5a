/**
 * Zspay-billed subscriptions ("Planos" / "Assinaturas"): Zspay charges the invoices itself; the
 * engine creates the plan and the subscription, reads the invoices, and forwards a cancel, a
 * suspension or a reactivation.
 *
 * Retry safety. Zspay has no idempotency key and no reference field on plans or subscriptions, so
 * the engine gives every subscription a Zspay plan of its own, named from business ids
 * (`zspayPlanName`): the plan is looked up by that name before it is created, and the subscription
 * is looked up on that plan (its `assinantes` count, then the subscription list) before it is
 * created. A create whose answer was lost (timeout => UnknownOutcome, retried by Temporal) is thus
 * found on the retry, never made twice. The look-ups run on every attempt, not only on retries.
 * A refund ("Estornar uma fatura") likewise reads the invoice list before it sends anything.
 */
import { ApplicationFailure } from '@temporalio/common';
import type { ZspayClient } from '../../providers/zspay/client';
import { zspayCentsToCents } from '../../providers/zspay/money';
import type { CreatePlanRequest, Fatura } from '../../providers/zspay/schemas';
import { statusOf, SUBSCRIPTION_STATUS } from '../../providers/zspay/status';
import { InvalidStateError, isProviderError } from '../../providers/errors';
import { heartbeating } from '../heartbeat';
import { withProviderFailures } from '../provider-failure';
import { zspayRefundOf, type ZspayInvoiceSummary } from '../../common/subscription/zspay-managed';

export type { ZspayInvoiceSummary };

export interface ZspayBilledActivityDeps {
  zspay: Pick<
    ZspayClient,
    | 'createPlan'
    | 'listPlans'
    | 'getPlan'
    | 'subscribe'
    | 'listSubscriptions'
    | 'getSubscription'
    | 'suspendSubscription'
    | 'reactivateSubscription'
    | 'removeSubscription'
    | 'listInvoices'
    | 'refundInvoice'
  >;
}

/** The Zspay plan of one engine subscription: the look-up key of the plan and of the subscription. */
export function zspayPlanName(subscriptionId: string, planId: string): string {
  return `${planId} [sub:${subscriptionId}]`.slice(0, 255);
}

export interface CreateZspayPlanInput {
  subscriptionId: string;
  planId: string;
  amountCents: number;
  setupAmountCents?: number;
  frequency: CreatePlanRequest['frequency'];
  interval: number;
  trialDays: number;
}

export interface CreateZspaySubscriptionInput {
  /** The Zspay plan of this subscription (createZspayPlan). */
  planId: string;
  /** The first charge date, YYYY-MM-DD (unused by Zspay's subscribe, kept for the record). */
  customer: { name: string; email: string; document: string };
  address: { street: string; number: string; zipCode: string; city: string; state: string; complement?: string };
}

export interface RefundZspayInvoiceInput {
  /** `<subscription>-<cycle>-refund`: named by business ids, for the logs and heartbeats. */
  reference: string;
  /** Zspay's subscription, whose invoice list is read and whose invoice is refunded. */
  zspaySubscriptionId: string;
  invoiceId: string;
}

export function invoiceSummary(
  fatura: Pick<
    Fatura,
    'id' | 'status' | 'amount' | 'date_invoice' | 'retries' | 'max_retries' | 'pedido_id' | 'paid_at'
  >,
): ZspayInvoiceSummary {
  return {
    invoiceId: String(fatura.id),
    status: fatura.status,
    amountCents: zspayCentsToCents(fatura.amount),
    dueDate: fatura.date_invoice ?? undefined,
    retries: fatura.retries,
    maxRetries: fatura.max_retries,
    saleId: fatura.pedido_id === null || fatura.pedido_id === undefined ? undefined : String(fatura.pedido_id),
    ...(fatura.paid_at ? { paidAt: fatura.paid_at } : {}),
  };
}

const PAGE = 50;

export function createZspayBilledActivities({ zspay }: ZspayBilledActivityDeps) {
  return {
    /** The subscription's own Zspay plan: looked up by its name, created only when absent. */
    async createZspayPlan(input: CreateZspayPlanInput): Promise<{ planId: string; created: boolean }> {
      return withProviderFailures(() =>
        heartbeating({ subscriptionId: input.subscriptionId }, async () => {
          const name = zspayPlanName(input.subscriptionId, input.planId);
          const { plans } = await zspay.listPlans({ nome: name, limit: PAGE });
          const existing = plans.find((p) => p.name === name && !p.removed);
          if (existing) return { planId: String(existing.id), created: false };
          const planId = await zspay.createPlan({
            name,
            description: `${input.planId} for subscription ${input.subscriptionId}`,
            setup_amount: input.setupAmountCents ?? 0,
            amount: input.amountCents,
            grace_period: input.trialDays,
            tolerance_period: 0,
            frequency: input.frequency,
            interval: input.interval,
            currency: 'BRL',
            payment_methods: 'credito',
          });
          return { planId, created: true };
        }),
      );
    },

    /** The subscription on that plan: looked up first (the plan is this subscription's alone), created only when absent. */
    async createZspaySubscription(
      input: CreateZspaySubscriptionInput,
    ): Promise<{ subscriptionId: string; created: boolean }> {
      return withProviderFailures(() =>
        heartbeating({ planId: input.planId }, async () => {
          const plan = await zspay.getPlan(input.planId);
          if ((plan.assinantes ?? 1) > 0) {
            for (let page = 1; ; page++) {
              const { subscriptions, pages } = await zspay.listSubscriptions({ page, limit: PAGE });
              const found = subscriptions.find((s) => String(s.plano_id) === input.planId);
              if (found) return { subscriptionId: String(found.id), created: false };
              if (subscriptions.length < PAGE || (pages !== undefined && page >= pages)) break;
            }
            if ((plan.assinantes ?? 0) > 0)
              // Zspay counts a subscriber the list does not show yet: never subscribe twice.
              throw ApplicationFailure.retryable(
                `Zspay plan ${input.planId} has a subscriber its subscription list does not show yet`,
                'TransientProviderError',
              );
          }
          const document = input.customer.document;
          const created = await zspay.subscribe({
            planoId: Number(input.planId),
            cliente: {
              nome: input.customer.name,
              email: input.customer.email,
              ...(document.length === 11 ? { cpf: document } : { cnpj: document }),
            },
            endereco: {
              logradouro: input.address.street,
              numero: input.address.number,
              cep: input.address.zipCode,
              cidade: input.address.city,
              estado: input.address.state,
              ...(input.address.complement ? { complemento: input.address.complement } : {}),
            },
          });
          return { subscriptionId: String(created.id), created: true };
        }),
      );
    },

    /** The subscription's invoices as Zspay lists them (its last 50). */
    async listZspayInvoices(subscriptionId: string): Promise<ZspayInvoiceSummary[]> {
      return withProviderFailures(async () => (await zspay.listInvoices(subscriptionId)).map(invoiceSummary));
    },

    /**
     * Refunds a paid invoice in full ("Estornar uma fatura": the document takes no amount). Zspay has
     * no idempotency key, but a refunded invoice is listed `void` with its `paid_at` kept, so every
     * attempt reads the invoice list before sending: refunded = done, nothing sent; paid = send;
     * anything else cannot be refunded (InvalidState, not retried). A send Zspay refuses for good is
     * read again: an invoice refunded meanwhile (outside the engine) is a refund done.
     */
    async refundZspayInvoice(input: RefundZspayInvoiceInput): Promise<{ alreadyRefunded: boolean }> {
      const read = async (): Promise<{ alreadyRefunded: true } | 'send'> => {
        const listed = (await zspay.listInvoices(input.zspaySubscriptionId)).map(invoiceSummary);
        const invoice = listed.find((i) => i.invoiceId === input.invoiceId);
        if (invoice && zspayRefundOf(invoice)) return { alreadyRefunded: true };
        if (invoice?.status === 'paid') return 'send';
        throw new InvalidStateError(
          invoice
            ? `zspay invoice ${input.invoiceId} is ${invoice.status}: it cannot be refunded`
            : `zspay invoice ${input.invoiceId} is not among subscription ${input.zspaySubscriptionId}'s last invoices`,
          { provider: 'zspay', code: invoice?.status ?? 'not_listed' },
        );
      };
      return withProviderFailures(() =>
        heartbeating({ reference: input.reference }, async () => {
          const found = await read();
          if (found !== 'send') return found;
          try {
            await zspay.refundInvoice(input.zspaySubscriptionId, input.invoiceId);
          } catch (error) {
            if (!isProviderError(error) || error.retryable) throw error;
            const again = await read().catch(() => 'send' as const);
            if (again !== 'send') return again;
            throw error;
          }
          return { alreadyRefunded: false };
        }),
      );
    },

    /** The subscription's status at Zspay ("Status da assinatura"). */
    async getZspaySubscriptionStatus(subscriptionId: string): Promise<{ status: string }> {
      return withProviderFailures(async () => ({
        status: statusOf(SUBSCRIPTION_STATUS, (await zspay.getSubscription(subscriptionId)).status_assinatura_id),
      }));
    },

    /**
     * Suspends, reactivates or removes the subscription at Zspay. Suspend and reactivate set a
     * state (repeating them is harmless); a repeated removal finds the subscription already
     * canceled or gone, which is done.
     */
    async changeZspaySubscription(input: {
      subscriptionId: string;
      action: 'cancel' | 'suspend' | 'reactivate';
    }): Promise<void> {
      return withProviderFailures(async () => {
        if (input.action === 'suspend') return zspay.suspendSubscription(input.subscriptionId);
        if (input.action === 'reactivate') return zspay.reactivateSubscription(input.subscriptionId);
        const status = await zspay
          .getSubscription(input.subscriptionId)
          .then((s) => statusOf(SUBSCRIPTION_STATUS, s.status_assinatura_id))
          .catch((error: unknown) => {
            if ((error as { statusCode?: number }).statusCode === 404) return 'canceled' as const;
            throw error;
          });
        if (status === 'canceled') return;
        await zspay.removeSubscription(input.subscriptionId);
      });
    },
  };
}
