/**
 * Where the fault suite kills the worker (SIGKILL), each with the witness of its effect. A point
 * holds one provider request at the sandbox (`latency`: the provider acts after the hold, whoever
 * is still listening; `timeout` phase after: it acted, and the answer is lost) and the worker dies
 * while it is held, so the effect happens with no worker to hear of it.
 *
 * Adding a point: the sandbox operation to hold (the sandbox's route names, e.g. 'zspay.sale.boleto'
 * for a boleto issue, 'adiq.subscription.create' for an Adiq subscription create), a `start` that
 * begins the business process through the typed client, `settled` (its final state) and `effects`
 * (how many times the provider did it: the sandbox's ledger, its request log, or the provider's own
 * list). Then add it to the list its test runs.
 */
import { randomUUID } from 'node:crypto';
import { adiqOrderNumber } from '../../providers/adiq/reference';
import { BillingProviderSubscriptionId } from '../../common/search-attributes';
import { referenceOf } from '../../providers/zspay/reference';
import { ZSPAY_SANDBOX_ESTABLISHMENT_ID } from '../../sandbox/providers/zspay';
import { control } from '../providers/expect-error';
import { zspayClient } from '../providers/zspay/helpers';
import { until, type FaultHarness, type InFlight, type KillPoint } from './harness';
import { at, defined } from '../helpers/defined';

const FOUR_SECONDS = 4_000;

/** A card charge's points: before the provider call, while it captures, after it captured. */
export const CARD_CHARGE_KILL_POINTS: readonly KillPoint[] = [
  {
    name: 'before the provider call (pre-authorization still waiting)',
    provider: 'zspay',
    operation: 'zspay.sale.precapture',
    hold: { type: 'latency', delayMs: FOUR_SECONDS },
  },
  {
    name: 'while the provider processes the capture',
    provider: 'zspay',
    operation: 'zspay.sale.capture',
    hold: { type: 'latency', delayMs: FOUR_SECONDS },
  },
  {
    name: 'after the provider captured, before the activity completed',
    provider: 'zspay',
    operation: 'zspay.sale.capture',
    hold: { type: 'timeout', phase: 'after', delayMs: FOUR_SECONDS },
  },
].map((point) => ({ ...point, start: startCardCharge }) as KillPoint);

/** A monthly card subscription whose first charge is due now; its effect is the customer's charges. */
async function startCardCharge(harness: FaultHarness): Promise<InFlight> {
  const customer = at(await harness.customers(1), 0, 'customers');
  const subscriptionId = await harness.subscribe(customer, 'kill');
  const firstInvoice = async () => (await harness.billing.subscriptions.invoices(subscriptionId)).invoices[0];
  return {
    settled: async () => {
      await until(
        `${subscriptionId}'s first invoice to be paid`,
        async () => (await firstInvoice())?.status === 'paid',
      );
      const invoice = defined(await firstInvoice(), `${subscriptionId}'s first invoice`);
      return `${invoice.status}: ${invoice.attempts.map((a) => a.outcome ?? 'in flight').join(', ')}`;
    },
    effects: () => harness.chargesOf(customer),
  };
}

const fundSource = (harness: FaultHarness) =>
  control(harness.sandbox.url, 'POST', `/zspay/__control/balances/${ZSPAY_SANDBOX_ESTABLISHMENT_ID}`, {
    currentCents: 100_000_000,
  });
const transfersInLedger = async (harness: FaultHarness, reference: string) =>
  (await harness.sandbox.control.ledger({ provider: 'zspay', reference })).filter((e) => e.kind === 'transfer');

/**
 * An immediate Zspay transfer, sent by a transfer workflow due now. The retry after the kill cannot
 * ask Zspay, so it must not send again: the workflow reconciles and the transfer webhook (through
 * the engine's ingress: the harness needs `webhooks`) settles it. Witness: the ledger.
 */
export const IMMEDIATE_TRANSFER_KILL_POINT: KillPoint = {
  name: 'at the send of an immediate transfer',
  provider: 'zspay',
  operation: 'zspay.transfer.create',
  hold: { type: 'latency', delayMs: FOUR_SECONDS },
  start: async (harness) => {
    await fundSource(harness);
    const transferId = `kill-${randomUUID().slice(0, 8)}`;
    await harness.billing.transfers.schedule({
      transferId,
      sourceEstablishmentId: String(ZSPAY_SANDBOX_ESTABLISHMENT_ID),
      destination: { type: 'digital_account', establishmentId: '900' },
      amountCents: 12_345,
      description: 'Kill point payout',
      // Already due: the transfer runs at once.
      executeOn: '2026-01-01',
      executeAt: '00:00',
      runNow: true,
    });
    return {
      settled: async () => {
        let view = await harness.billing.transfers.get(transferId);
        await until(`transfer ${transferId} to settle`, async () =>
          ['succeeded', 'failed'].includes((view = await harness.billing.transfers.get(transferId)).state),
        );
        return `${view.state} via ${view.history.map((h) => h.state).join(' → ')}`;
      },
      effects: async () => (await transfersInLedger(harness, `transfer-${transferId}`)).length,
    };
  },
};

/**
 * A transfer scheduled at Zspay (`agendadoPara`), sent by the fault suite's driver workflow (the
 * harness needs `faultWorkflows`). The retry finds it in Zspay's scheduled list by its reference.
 * Witness: the scheduled list; after Zspay executes it on its date, the ledger.
 */
export const SCHEDULED_TRANSFER_KILL_POINT: KillPoint = {
  name: 'at the send of a transfer scheduled at Zspay',
  provider: 'zspay',
  operation: 'zspay.transfer.create',
  hold: { type: 'latency', delayMs: FOUR_SECONDS },
  start: async (harness) => {
    await fundSource(harness);
    const reference = `scheduled-kill-${randomUUID().slice(0, 8)}`;
    const handle = await harness.billing.temporal.workflow.start('zspayScheduledTransferWorkflow', {
      workflowId: reference,
      taskQueue: harness.billing.taskQueue,
      args: [
        {
          reference,
          amountCents: 23_456,
          destination: { type: 'digital_account', establishmentId: '901' },
          description: 'Kill point scheduled payout',
          scheduledFor: '2030-06-03T12:00:00.000Z',
        },
      ],
    });
    const scheduled = async () =>
      (await zspayClient(harness.sandbox.url).listScheduledTransfers(1)).filter(
        (t) => referenceOf(t.descricao) === reference,
      );
    return {
      settled: async () => {
        const result = (await handle.result()) as { transferId: string; scheduled: boolean };
        // Zspay reaches the date and executes it: money moves once.
        await control(harness.sandbox.url, 'POST', `/zspay/__control/transfers/${result.transferId}/status`, {
          status: 3,
        });
        return result.scheduled ? 'scheduled, then executed' : 'not scheduled';
      },
      effects: async () => (await scheduled()).length + (await transfersInLedger(harness, reference)).length,
    };
  },
};

/** A reseller payment completed at ActivePlatform (PATCH). Witness: ActivePlatform's completions in the ledger. */
export const RESELLER_COMPLETION_KILL_POINT: KillPoint = {
  name: 'at the completion of a reseller payment (ActivePlatform PATCH)',
  provider: 'activeplatform',
  operation: 'activeplatform.payment.complete',
  hold: { type: 'latency', delayMs: FOUR_SECONDS },
  start: async (harness) => {
    const resellerId = 77;
    const paymentId = 100_000 + Math.floor(Math.random() * 800_000);
    const seeded = await control(harness.sandbox.url, 'POST', '/activeplatform/__control/payments', {
      resellerId,
      paymentId,
      status: 'waiting_for_payment',
      total: '360.0',
    });
    if (seeded.status !== 201) throw new Error(`could not seed payment ${paymentId}: HTTP ${seeded.status}`);
    await harness.billing.resellerPayments.complete({
      resellerId,
      paymentId,
      paymentMethodId: 2,
      confirmation: { mode: 'confirmed', providerReference: `kill-${paymentId}` },
    });
    return {
      settled: async () => {
        let state = '';
        await until(`payment ${paymentId} to be completed`, async () =>
          ['completed', 'rejected'].includes(
            (state = (await harness.billing.resellerPayments.get(resellerId, paymentId)).state),
          ),
        );
        return state;
      },
      effects: async () =>
        (await harness.sandbox.control.ledger({ provider: 'activeplatform', reference: String(paymentId) })).filter(
          (e) => e.kind === 'completion',
        ).length,
    };
  },
};

/**
 * A boleto issued for a subscription due now. Zspay offers no way to find a boleto whose answer was
 * lost (no reference field, no sale listing; its "created" webhook carries no description), so the
 * retry may issue a second boleto document; neither moves money until paid, and the engine settles
 * the invoice with the one it knows. Witness: money — the customer pays once (the ledger).
 */
export const BOLETO_ISSUE_KILL_POINT: KillPoint = {
  name: 'at the issue of a boleto',
  provider: 'zspay',
  operation: 'zspay.sale.boleto',
  hold: { type: 'latency', delayMs: FOUR_SECONDS },
  start: async (harness) => {
    const customer = at(await harness.customers(1), 0, 'customers');
    const subscriptionId = await harness.subscribe(customer, 'kill-boleto', 'boleto');
    const firstInvoice = async () => (await harness.billing.subscriptions.invoices(subscriptionId)).invoices[0];
    return {
      settled: async () => {
        await until(
          `${subscriptionId}'s boleto to be issued`,
          async () => (await firstInvoice())?.boleto?.saleId !== undefined,
        );
        // The customer pays the boleto they were given; Zspay's webhook reaches the engine.
        await control(
          harness.sandbox.url,
          'POST',
          `/zspay/__control/boletos/${defined((await firstInvoice())?.boleto?.saleId, `${subscriptionId}'s boleto`)}/pay`,
        );
        await until(
          `${subscriptionId}'s first invoice to be paid`,
          async () => (await firstInvoice())?.status === 'paid',
        );
        return defined(await firstInvoice(), `${subscriptionId}'s first invoice`).status;
      },
      effects: () => harness.chargesOf(customer),
    };
  },
};

/**
 * An Adiq-billed subscription registered at Adiq (in UTC, so the registration date is the same
 * calendar date in both zones whatever the hour: it is created at once). The retry looks the
 * subscription up by its orderNumber first. Witness: Adiq's subscriptions with that orderNumber.
 */
export const ADIQ_CREATE_KILL_POINT: KillPoint = {
  name: 'at the creation of a subscription at Adiq',
  provider: 'adiq',
  operation: 'adiq.subscription.create',
  hold: { type: 'latency', delayMs: FOUR_SECONDS },
  start: async (harness) => {
    const subscriptionId = `ka${randomUUID().slice(0, 6)}`;
    await harness.billing.subscriptions.create({
      subscriptionId,
      customerId: 'kill',
      plan: {
        planId: `kill-${subscriptionId}`,
        amountCents: 599,
        recurrence: { kind: 'adiq', planType: 'Monthly' },
        timeZone: 'UTC',
      },
      paymentMethod: { type: 'adiq_vault', vaultId: 'e7fa5a01-90a9-4abc-9bac-d9dbfa7db587' },
    });
    const atAdiq = async () => {
      const response = await control(
        harness.sandbox.url,
        'GET',
        `/adiq/__control/subscriptions?orderNumber=${adiqOrderNumber(subscriptionId)}`,
      );
      return (response.body as unknown[]).length;
    };
    return {
      settled: async () => {
        // The workflow heard of the subscription it created (after the retry that followed the kill).
        const registered = async () =>
          (
            await harness.billing.temporal.workflow.getHandle(`subscription-${subscriptionId}`).describe()
          ).typedSearchAttributes.get(BillingProviderSubscriptionId);
        await until(`${subscriptionId} to be registered at Adiq`, async () => (await registered()) !== undefined);
        return (await harness.billing.subscriptions.get(subscriptionId)).status;
      },
      effects: atAdiq,
    };
  },
};
