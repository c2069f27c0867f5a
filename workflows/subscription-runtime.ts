/**
 * What both subscription workflows (engine-billed and Adiq-billed) share: the state, the one way it
 * changes (`dispatch` through the kind's transition table), handlers set before anything can reach
 * them (they decide and return, never await), what operators see (search attributes, memo), the
 * background delivery of side effects, and how a run ends or continues as new.
 */
import {
  allHandlersFinished,
  ApplicationFailure,
  condition,
  continueAsNew,
  log,
  patched,
  setHandler,
  setCurrentDetails,
  upsertMemo,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { SearchAttributeUpdatePair, UpdateDefinition, Workflow } from '@temporalio/common';
import { instantAt, localDateOf, utcOffsetOf } from '../common/billing/calendar';
import { monthlyEquivalentCents } from '../common/billing/schedule';
import {
  BillingAmountCents,
  BillingChargeHeld,
  BillingCustomerId,
  BillingDeliveryFailing,
  BillingDunningAttempt,
  BillingNextChargeAt,
  BillingPaidSaleIds,
  BillingPendingSaleIds,
  BillingPlanId,
  BillingStatus,
} from '../common/search-attributes';
import { operationArgsProblems } from '../common/subscription/checks';
import type { EventContext, OperationEvent, SubscriptionEvent } from '../common/subscription/events';
import type { ParsedSubscriptionInput } from '../common/subscription/input';
import type { SubscriptionView } from '../common/subscription/model';
import type { SubscriptionState } from '../common/subscription/state';
import { reachesPaidInvoice } from '../common/subscription/machine';
import { isSettled, transition, type Decision, type SubscriptionMachine } from '../common/subscription/table';
import { forecastView, subscriptionView } from '../common/subscription/view';
import { currentDetails } from '../common/subscription/web-ui';
import { Alarm } from './alarm';
import { deliverEntry, OutboxPump } from './outbox';
import * as defs from './subscription-definitions';
import { FailureType } from '../common/failure-types';
import { paidSaleIds, refundToSend } from '../common/subscription/refunds';

const CLOSING_REFUND = 'the subscription has ended and its workflow is closing; refund the sale at Zspay';
const refusedFailure = (message: string) =>
  ApplicationFailure.create({ type: FailureType.Refused, message, nonRetryable: true });

/** Runs from this release publish `BillingPaidSaleIds` (refund webhooks find their subscription by it). */
export const PAID_SALE_IDS_PATCH = 'subscription-paid-sale-ids';

/**
 * A plan change with proration `now` charges a proration invoice at once: commands no earlier
 * release sends. Its marker is written when such a change is applied, so only histories that
 * recorded it replay those commands (earlier releases refused `now` in the validator).
 */
export const PRORATION_NOW_PATCH = 'subscription-proration-now';

/**
 * An outcome for an invoice already paid is only recorded (and a second payment told to the
 * merchant); runs recorded before it reopened the invoice. Asked only when such an outcome arrives.
 */
export const PAID_INVOICE_STAYS_PAID_PATCH = 'paid-invoice-stays-paid';

/** Continue-as-new once the history passes this many events, even within a cycle. */
const HISTORY_EVENTS_BEFORE_CONTINUE = 2_000;
/** Before continuing as new, deliveries already on the wire get this long to report. */
const DELIVERIES_SETTLE_MS = 10_000;

/** The workflow's clock in the merchant's zone, and who the subscription's side effects reach. */
export function eventContext(spec: Pick<ParsedSubscriptionInput, 'plan' | 'merchant' | 'partner'>): EventContext {
  const nowMs = Date.now();
  const timeZone = spec.plan.timeZone;
  return {
    today: localDateOf(nowMs, timeZone),
    now: new Date(nowMs).toISOString(),
    nowMs,
    offset: utcOffsetOf(nowMs, timeZone),
    targets: { merchant: spec.merchant !== undefined, partner: spec.partner !== undefined },
  };
}

/** A subscription its first run refused: the fields and why, for the create call's ValidationError. */
function refusal(problems: ReadonlyArray<{ field: string; message: string }>): ApplicationFailure {
  return ApplicationFailure.create({
    type: FailureType.ValidationError,
    message: `Invalid subscription: ${problems.map((p) => `${p.field}: ${p.message}`).join('; ')}`,
    details: [problems],
    nonRetryable: true,
  });
}

export interface RuntimeOptions {
  spec: ParsedSubscriptionInput;
  state: SubscriptionState;
  machine: SubscriptionMachine;
  firstRun: boolean;
  /** The memo line; default: the engine-billed summary. */
  summary?: (state: SubscriptionState) => string;
  /** Extra search attributes (e.g. the provider's subscription id). */
  extraAttributes?: (state: SubscriptionState) => SearchAttributeUpdatePair[];
}

export class SubscriptionRuntime {
  state: SubscriptionState;
  /** Bumped by every applied event: the loop and the outbox pump look again. */
  version = 0;
  /** A recurring cycle was paid in this run: time to continue as new. */
  private paidCycleThisRun = false;
  /** Set once the first run's checks passed, or the reason they failed. */
  private accepted: true | ReadonlyArray<{ field: string; message: string }> | undefined;
  private readonly pump: OutboxPump;
  private pumping?: Promise<void>;
  private published = '';
  /** The state last published: states are replaced, never changed, so the same one needs no work. */
  private publishedState?: SubscriptionState;
  private heldPublished = false;
  private paidSalesShown = false;
  /** Set once an ended run is closing: refunds are refused (nothing would send them). */
  private closing = false;
  private paidSalesPatched?: boolean;
  private paidInvoicePatched?: boolean;
  private failingPublished = false;
  private readonly alarm = new Alarm();

  constructor(private readonly options: RuntimeOptions) {
    this.state = options.state;
    this.accepted = options.firstRun ? undefined : true;
    const { spec } = options;
    this.pump = new OutboxPump(
      () => this.state.outbox,
      () => this.version,
      (event) => {
        this.dispatch(event);
        this.publish();
      },
      (entry) =>
        deliverEntry(entry, {
          merchant: spec.merchant,
          partner: spec.partner,
          externalPayment: (cycle) => this.state.externalPayments[String(cycle)],
        }),
    );
  }

  context(): EventContext {
    return eventContext(this.options.spec);
  }

  decide(event: SubscriptionEvent, paidInvoicesStayPaid = false): Decision {
    const ctx = this.context();
    return transition(
      this.state,
      event,
      paidInvoicesStayPaid ? { ...ctx, paidInvoicesStayPaid } : ctx,
      this.options.machine,
    );
  }

  /** The one way the state changes. */
  dispatch(event: SubscriptionEvent): Decision {
    const decision = this.decide(
      event,
      reachesPaidInvoice(this.state, event) && (this.paidInvoicePatched ??= patched(PAID_INVOICE_STAYS_PAID_PATCH)),
    );
    if (decision.answer === 'applied') {
      this.state = decision.state;
      this.version += 1;
      if (
        decision.effects.some((e) => e.kind === 'notify' && e.type === 'payment.succeeded' && Number(e.data.cycle) > 0)
      )
        this.paidCycleThisRun = true;
    } else if (!event.type.startsWith('effect')) {
      log.info('Event not applied', { event: event.type, answer: decision.answer, reason: decision.reason });
    }
    return decision;
  }

  view(): SubscriptionView {
    return this.options.summary
      ? subscriptionView(this.state, this.options.summary(this.state))
      : subscriptionView(this.state);
  }

  /** Every query, update and signal of a subscription: the table answers each. Call before any await. */
  registerHandlers(): void {
    setHandler(defs.subscriptionQuery, () => this.view());
    setHandler(defs.invoicesQuery, () => ({ invoices: this.state.invoices, summary: this.state.summary }));
    setHandler(defs.forecastQuery, (count = 6) => forecastView(this.state, count));

    this.operation(
      defs.cancelUpdate,
      (args) =>
        args.atPeriodEnd
          ? { type: 'cancelAtPeriodEnd', reason: args.reason }
          : { type: 'cancelNow', reason: args.reason },
      operationArgsProblems.cancel,
    );
    this.operation(defs.suspendUpdate, () => ({ type: 'suspend' }));
    this.operation(defs.reactivateUpdate, () => ({ type: 'reactivate' }));
    this.operation(
      defs.changeNextChargeDateUpdate,
      (args) => ({ type: 'changeNextChargeDate', date: args.date }),
      operationArgsProblems.changeNextChargeDate,
    );
    this.operation(
      defs.changePaymentMethodUpdate,
      (args) => ({ type: 'changePaymentMethod', paymentMethod: args.paymentMethod }),
      operationArgsProblems.changePaymentMethod,
    );
    this.operation(
      defs.changePlanUpdate,
      // `proration` only when given, so a change without it is the event it always was.
      (args) => ({ type: 'changePlan', plan: args.plan, ...(args.proration ? { proration: args.proration } : {}) }),
      operationArgsProblems.changePlan,
    );
    this.operation(
      defs.applyCouponUpdate,
      (args) => ({ type: 'applyCoupon', coupon: args.coupon }),
      operationArgsProblems.applyCoupon,
    );
    this.operation(defs.retryNowUpdate, () => ({ type: 'retryNow' }));
    this.operation(defs.skipNextRetryUpdate, () => ({ type: 'skipNextRetry' }));
    this.operation(
      defs.extendGraceUpdate,
      (args) => ({ type: 'extendGrace', days: args.days }),
      operationArgsProblems.extendGrace,
    );
    this.operation(
      defs.linkExternalPaymentUpdate,
      (args) => ({ type: 'linkExternalPayment', cycle: args.cycle, payment: args.payment }),
      operationArgsProblems.linkExternalPayment,
    );

    this.operation(
      defs.refundUpdate,
      (args) => ({ type: 'refund', cycle: args.cycle, amountCents: args.amountCents, reason: args.reason }),
      operationArgsProblems.refund,
    );
    setHandler(defs.refundReceivedSignal, (notice) => {
      const problems = operationArgsProblems.refundReceived(notice);
      if (problems.length > 0) return log.warn('Ignoring a malformed refund notification', { problems });
      this.dispatch({ type: 'refundNoticed', saleId: notice.saleId });
    });
    setHandler(defs.paymentReceivedSignal, (payment) => {
      const problems = operationArgsProblems.paymentReceived(payment);
      if (problems.length > 0) return log.warn('Ignoring a malformed payment notification', { problems });
      this.dispatch({ type: 'paymentNoticed', payment });
    });
    setHandler(defs.adiqBillingSignal, (update) => {
      if (typeof update?.billingId !== 'string' || (update.outcome !== 'paid' && update.outcome !== 'failed'))
        return log.warn('Ignoring a malformed Adiq billing notification', { update });
      this.dispatch({ type: 'adiqBillingNoticed', update });
    });
    setHandler(defs.zspayInvoiceSignal, (update) => {
      if (typeof update?.invoiceId !== 'string' || !['paid', 'failed', 'refunded'].includes(update.outcome))
        return log.warn('Ignoring a malformed Zspay invoice notification', { update });
      this.dispatch({ type: 'zspayInvoiceNoticed', update });
    });
    // The create call (update-with-start) waits for the first run's checks and hears why they failed.
    setHandler(defs.createdUpdate, async () => {
      await condition(() => this.accepted !== undefined);
      const accepted = this.accepted!;
      if (accepted !== true) throw refusal(accepted);
      return { runId: workflowInfo().firstExecutionRunId, subscription: this.view() };
    });
  }

  /** An operation: refused in the validator (nothing reaches history) or applied at once. */
  private operation<A extends unknown[]>(
    definition: UpdateDefinition<SubscriptionView, A>,
    toEvent: (...args: NoInfer<A>) => OperationEvent,
    argsProblems?: (args: unknown) => string[],
  ): void {
    setHandler(
      definition,
      (...args: A): SubscriptionView => {
        const event = toEvent(...args);
        if (this.closing && event.type === 'refund') throw refusedFailure(CLOSING_REFUND);
        if (event.type === 'changePlan' && event.proration === 'now' && !patched(PRORATION_NOW_PATCH))
          throw refusedFailure('proration now is not available to this run; change with proration next_invoice');
        const decision = this.dispatch(event);
        if (decision.answer !== 'applied')
          throw ApplicationFailure.create({ type: FailureType.Refused, message: decision.reason, nonRetryable: true });
        this.publish();
        return this.view();
      },
      {
        validator: (...args: A): void => {
          const problems = argsProblems?.(args[0]) ?? [];
          if (problems.length > 0) throw new Error(problems.join('; '));
          const event = toEvent(...args);
          if (this.closing && event.type === 'refund') throw new Error(CLOSING_REFUND);
          const decision = this.decide(event);
          if (decision.answer !== 'applied') throw new Error(decision.reason);
        },
      },
    );
  }

  /** The first run's checks are done: the create call gets its answer; a refusal fails the workflow. */
  async accept(problems: ReadonlyArray<{ field: string; message: string }> = []): Promise<void> {
    if (problems.length === 0) {
      this.accepted = true;
      return;
    }
    this.accepted = problems;
    await condition(allHandlersFinished);
    throw refusal(problems);
  }

  /** Search attributes and memo, written only when something operators see changed. */
  publish(): void {
    const state = this.state;
    if (state === this.publishedState) return;
    this.publishedState = state;
    // The Web UI's "current details": no history event, refreshed with the memo.
    setCurrentDetails(currentDetails(state));
    const current = this.view();
    const attributes = {
      held: state.chargeHold !== undefined,
      failing: current.delivery.failing > 0 || current.delivery.givenUp > 0,
      status: current.status,
      next: current.nextChargeDate
        ? instantAt(current.nextChargeDate, state.plan.chargeHourLocal, 0, state.plan.timeZone)
        : null,
      amount: state.plan.amountCents,
      plan: state.plan.planId,
      dunning: state.dunning?.failures ?? 0,
      summary: current.summary,
      pendingSales: state.invoices
        .filter((i) => i.status !== 'paid' && i.status !== 'refunded' && i.boleto?.saleId)
        .map((i) => i.boleto!.saleId!),
      // Behind a patch: runs recorded before refunds upsert exactly what they did.
      paidSales: this.paidSalesPublished() ? paidSaleIds(state) : [],
      extra: this.options.extraAttributes?.(state) ?? [],
    };
    const key = JSON.stringify(attributes);
    if (key === this.published) return;
    this.published = key;
    upsertSearchAttributes([
      { key: BillingStatus, value: attributes.status },
      { key: BillingCustomerId, value: state.customerId },
      { key: BillingPlanId, value: attributes.plan },
      { key: BillingAmountCents, value: attributes.amount },
      { key: BillingDunningAttempt, value: attributes.dunning },
      { key: BillingNextChargeAt, value: attributes.next === null ? null : new Date(attributes.next) },
      { key: BillingPendingSaleIds, value: attributes.pendingSales.length > 0 ? attributes.pendingSales : null },
      ...(attributes.paidSales.length > 0 || this.paidSalesShown
        ? [{ key: BillingPaidSaleIds, value: attributes.paidSales.length > 0 ? attributes.paidSales : null }]
        : []),
      // Only present while true, so filters find exactly the subscriptions that need an operator.
      ...(attributes.held || this.heldPublished
        ? [{ key: BillingChargeHeld, value: attributes.held ? true : null }]
        : []),
      ...(attributes.failing || this.failingPublished
        ? [{ key: BillingDeliveryFailing, value: attributes.failing ? true : null }]
        : []),
      ...attributes.extra,
    ]);
    this.heldPublished = attributes.held;
    this.paidSalesShown = attributes.paidSales.length > 0;
    this.failingPublished = attributes.failing;
    upsertMemo({ summary: attributes.summary, monthlyAmountCents: monthlyEquivalentCents(state.plan) });
  }

  /**
   * Whether this run publishes paid sale ids (how refund webhooks find a subscription): asked once
   * a sale was paid, so histories recorded before refunds replay their upserts unchanged.
   */
  private paidSalesPublished(): boolean {
    if (this.paidSalesPatched === undefined && paidSaleIds(this.state).length > 0)
      this.paidSalesPatched = patched(PAID_SALE_IDS_PATCH);
    return this.paidSalesPatched ?? false;
  }

  startDeliveries(): void {
    this.pumping ??= this.pump.run();
  }

  /** Nothing left to do in this run: ended (and everything delivered), or time to continue as new. */
  shouldStop(): boolean {
    const state = this.state;
    if (isSettled(state))
      return (
        state.outbox.length === 0 &&
        state.pendingPayments.length === 0 &&
        (state.adiqNotices ?? []).length === 0 &&
        (state.zspayNotices ?? []).length === 0 &&
        (state.pendingRefunds ?? []).length === 0 &&
        refundToSend(state) === undefined
      );
    return (
      this.paidCycleThisRun ||
      workflowInfo().continueAsNewSuggested ||
      workflowInfo().historyLength > HISTORY_EVENTS_BEFORE_CONTINUE
    );
  }

  /** Waits for a change, or until `atMs` (true if something changed). */
  async changeSince(seen: number, atMs?: number): Promise<boolean> {
    return this.alarm.until(() => this.version !== seen, atMs);
  }

  /** Ends the run: the workflow's result once settled, otherwise continue-as-new carrying the state. */
  async finish<W extends Workflow>(
    continueWith: (state: SubscriptionState) => Parameters<W>,
  ): Promise<SubscriptionView> {
    this.pump.stop();
    // An ended run that is closing sends nothing more: a refund asked now would never be sent.
    this.closing = isSettled(this.state);
    if (!isSettled(this.state)) {
      // Deliveries on the wire may report first; the rest of the outbox travels with the state.
      await this.alarm.until(() => this.pump.idle, Date.now() + DELIVERIES_SETTLE_MS);
      await condition(allHandlersFinished);
      await continueAsNew<W>(...continueWith(this.state));
    }
    await this.pumping;
    await condition(allHandlersFinished);
    this.publish();
    return this.view();
  }
}
