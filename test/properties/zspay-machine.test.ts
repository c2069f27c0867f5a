/**
 * Model-based properties of the Zspay-billed machine (the Zspay table, common/subscription/zspay-managed.ts):
 * a fake Zspay bills its invoices (paid, or failed up to `max_retries`) and reports them — each
 * outcome any number of times, from webhooks and from the daily read of its invoice list, in any
 * order after it happened — while operations (cancel, suspend, reactivate, refunds) and refunds
 * made at Zspay interleave; after every step the invariants below must hold.
 *
 * PROPERTY_RUNS raises the number of runs (CI: 150); FC_SEED replays a failure's seed.
 */
import fc from 'fast-check';
import type { SubscriptionEvent } from '../../common/subscription/events';
import type { Effect } from '../../common/subscription/outbox';
import { refundToSend } from '../../common/subscription/refunds';
import type { SubscriptionState } from '../../common/subscription/state';
import { ZSPAY_BILLED } from '../../common/subscription/table';
import {
  zspayRefundOf,
  zspayReportOf,
  type ZspayInvoiceSummary,
  type ZspayInvoiceUpdate,
} from '../../common/subscription/zspay-managed';
import { ctx, MachineDriver, subscription } from '../helpers/machine';

const RUNS = Number(process.env.PROPERTY_RUNS ?? 150);
const SEED = process.env.FC_SEED === undefined ? undefined : Number(process.env.FC_SEED);
const MAX_RETRIES = 3;
const TODAY = '2026-03-10';

/** Zspay's side: its invoices as its list shows them. */
class FakeZspay {
  readonly invoices: ZspayInvoiceSummary[] = [];
  private nextId = 840;

  /** Collects the invoice due (a new one when none is pending): paid, or failed once more. */
  bill(paid: boolean): void {
    let invoice = this.invoices.find((i) => i.status === 'pending');
    if (!invoice) {
      invoice = { invoiceId: String(this.nextId++), status: 'pending', amountCents: 5990, retries: 0, maxRetries: 3 };
      this.invoices.push(invoice);
    }
    if (paid) Object.assign(invoice, { status: 'paid', saleId: `pedido-${invoice.invoiceId}`, paidAt: TODAY });
    else {
      invoice.retries = (invoice.retries ?? 0) + 1;
      if (invoice.retries >= MAX_RETRIES) invoice.status = 'failed';
    }
  }

  /** What its list reports for an invoice now: an outcome, a refund, or nothing yet. */
  reportOf(invoice: ZspayInvoiceSummary, source: 'list' | 'webhook'): ZspayInvoiceUpdate | undefined {
    const update = zspayRefundOf(invoice) ?? zspayReportOf(invoice);
    return update && { ...update, source };
  }
}

/** The pure machine, driven as the workflow drives it (reports reach it once the list confirms them). */
class Driver extends MachineDriver {
  readonly zspay = new FakeZspay();

  constructor() {
    super(
      subscription(
        {},
        {
          paymentMethod: {
            type: 'zspay_subscription',
            customer: { name: 'João', email: 'joao@example.com', document: '41372222222' },
            address: { street: 'Rua A', number: '1', zipCode: '03380235', city: 'São Paulo', state: 'SP' },
          },
        },
        TODAY,
      ),
      ZSPAY_BILLED,
    );
    this.send({ type: 'zspaySubscribed', planId: '42', subscriptionId: '90', startDate: TODAY });
  }

  context() {
    return ctx(TODAY);
  }
}

/** What was acknowledged and what Zspay did, for the invariants. */
class Model {
  canceled = false;
  suspended = false;
  /** Refunds acknowledged by the refund operation, and those Zspay carried out (by invoice id). */
  refundsAsked = new Set<number>();
  /** Faturas the machine was told were paid. */
  reportedPaid = new Set<string>();

  observe(event: SubscriptionEvent, before: SubscriptionState): void {
    if (event.type === 'cancelNow' || event.type === 'zspaySubscriptionCanceled') this.canceled = true;
    if (event.type === 'suspend') this.suspended = true;
    if (event.type === 'reactivate' && before.status === 'suspended') this.suspended = false;
    if (event.type === 'zspayInvoiceReported' && event.update.outcome === 'paid')
      this.reportedPaid.add(event.update.invoiceId);
    if (event.type === 'refund') {
      expect(before.invoices.find((i) => i.cycle === event.cycle)).toMatchObject({ status: 'paid' });
      this.refundsAsked.add(event.cycle);
    }
  }
}

type Cmd = fc.Command<Model, Driver>;

const invoiceIdOf = (state: SubscriptionState, cycle: number) =>
  state.invoices.find((i) => i.cycle === cycle)?.attempts.find((a) => a.providerIds?.invoiceId)?.providerIds?.invoiceId;

function checkInvariants(model: Model, real: Driver): void {
  const { state } = real;
  // An acknowledged cancel is never undone; a suspension lasts until a reactivation or a cancel.
  if (model.canceled) expect(state.status).toBe('canceled');
  else if (model.suspended) expect(state.status).toBe('suspended');
  // Each fatura is one invoice of the engine, counted paid at most once.
  const faturas = state.invoices.map((i) => invoiceIdOf(state, i.cycle));
  expect(new Set(faturas).size).toBe(faturas.length);
  const paidFaturas = real.zspay.invoices.filter((i) => i.paidAt !== undefined).length;
  expect(state.summary.paidCount).toBeLessThanOrEqual(paidFaturas);
  // Every payment reported is counted, once, whatever the status and however often it was reported.
  expect(state.summary.paidCount).toBe(model.reportedPaid.size);
  expect(real.effects.filter((e) => e.kind === 'notify' && e.type === 'payment.succeeded').length).toBe(
    state.summary.paidCount,
  );
  // The engine never says paid what Zspay has not paid, nor refunded what Zspay has not refunded.
  for (const invoice of state.invoices) {
    const fatura = real.zspay.invoices.find((f) => f.invoiceId === invoiceIdOf(state, invoice.cycle));
    if (invoice.status === 'paid') expect(fatura?.paidAt).toBeDefined();
    if (invoice.status === 'refunded') expect(fatura?.status).toBe('void');
  }
  // Blocked only while the latest failure exhausted Zspay's retries and nothing paid since.
  if (state.status === 'blocked') expect(real.zspay.invoices.some((i) => i.status === 'failed')).toBe(true);
  // Partner calls strictly alternate, starting with inadimplente.
  const partner = real.effects
    .filter((e): e is Extract<Effect, { kind: 'partner' }> => e.kind === 'partner')
    .map((e) => e.status);
  partner.forEach((status, i) => expect(status).toBe(i % 2 === 0 ? 'inadimplente' : 'adimplente'));
  // An acknowledged refund stays on its invoice; outbox ids are unique.
  for (const cycle of model.refundsAsked) {
    const invoice = state.invoices.find((i) => i.cycle === cycle);
    if (invoice) expect(['requested', 'refunded', 'failed']).toContain(invoice.refund?.status);
  }
  const ids = state.outbox.map((e) => e.id);
  expect(new Set(ids).size).toBe(ids.length);
}

const command = (name: string, run: (real: Driver) => void): Cmd => ({
  check: () => true,
  run: (model, real) => {
    run(real);
    checkInvariants(model, real);
  },
  toString: () => name,
});

const commands = [
  fc.oneof(
    { weight: 6, arbitrary: fc.boolean().map((paid) => command(`zspayBills(${paid})`, (r) => r.zspay.bill(paid))) },
    {
      // Zspay reports one of its invoices (again, or late): a webhook or the daily read of the list.
      weight: 10,
      arbitrary: fc.tuple(fc.nat(), fc.constantFrom('list' as const, 'webhook' as const)).map(([pick, source]) =>
        command(`report(${pick}, ${source})`, (r) => {
          const invoice = r.zspay.invoices[pick % Math.max(1, r.zspay.invoices.length)];
          const update = invoice && r.zspay.reportOf(invoice, source);
          if (update) r.send({ type: 'zspayInvoiceReported', update });
        }),
      ),
    },
    {
      // The merchant refunds a paid invoice at Zspay itself.
      weight: 2,
      arbitrary: fc.nat().map((pick) =>
        command(`refundAtZspay(${pick})`, (r) => {
          const paid = r.zspay.invoices.filter((i) => i.status === 'paid');
          const invoice = paid[pick % Math.max(1, paid.length)];
          if (invoice) invoice.status = 'void';
        }),
      ),
    },
    {
      weight: 3,
      arbitrary: fc.nat().map((pick) =>
        command(`refund(${pick})`, (r) => {
          const paid = r.state.invoices.filter((i) => i.status === 'paid');
          const invoice = paid[pick % Math.max(1, paid.length)];
          r.send({ type: 'refund', cycle: invoice?.cycle ?? 1 });
        }),
      ),
    },
    {
      // The workflow sends the refund: Zspay voids the invoice (refunded), or refuses it.
      weight: 3,
      arbitrary: fc.boolean().map((accepted) =>
        command(`refundSent(${accepted})`, (r) => {
          const pending = refundToSend(r.state);
          if (!pending) return;
          const fatura = r.zspay.invoices.find((f) => f.invoiceId === invoiceIdOf(r.state, pending.invoice.cycle));
          if (accepted && fatura) fatura.status = 'void';
          r.send({
            type: 'refundSettled',
            cycle: pending.invoice.cycle,
            result: accepted && fatura ? 'refunded' : 'failed',
            ...(accepted && fatura ? {} : { error: 'refused' }),
          });
        }),
      ),
    },
    { weight: 1, arbitrary: fc.constant(command('cancelNow', (r) => void r.send({ type: 'cancelNow' }))) },
    { weight: 2, arbitrary: fc.constant(command('suspend', (r) => void r.send({ type: 'suspend' }))) },
    { weight: 2, arbitrary: fc.constant(command('reactivate', (r) => void r.send({ type: 'reactivate' }))) },
    {
      weight: 3,
      arbitrary: fc.boolean().map((fail) =>
        command(fail ? 'deliveryFails' : 'delivered', (r) => {
          const entry = r.state.outbox[0];
          if (entry)
            r.send(
              fail
                ? { type: 'effectFailed', id: entry.id, error: 'HTTP 503' }
                : { type: 'effectDelivered', id: entry.id },
            );
        }),
      ),
    },
  ),
];

describe('the Zspay-billed machine under random interleavings (fast-check commands)', () => {
  it('keeps every invariant after every event, however often and late Zspay reports', () => {
    fc.assert(
      fc.property(fc.commands(commands, { maxCommands: 80, size: 'max' }), (cmds) => {
        const real = new Driver();
        const model = new Model();
        real.observer = (event, before) => model.observe(event, before);
        checkInvariants(model, real);
        fc.modelRun(() => ({ model, real }), cmds);
      }),
      { numRuns: RUNS, ...(SEED === undefined ? {} : { seed: SEED }) },
    );
  });
});
