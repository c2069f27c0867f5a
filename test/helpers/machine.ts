/**
 * Driving the pure subscription machine in unit and property tests: a subscription, a clock, and
 * events applied through the transition table exactly as the workflow applies them.
 */
import { createSubscriptionInputSchema } from '../../common/subscription/input';
import type { ChargeOutcome, EventContext, SubscriptionEvent } from '../../common/subscription/events';
import { nextStep } from '../../common/subscription/machine';
import type { Effect } from '../../common/subscription/outbox';
import { initialState, type SubscriptionState } from '../../common/subscription/state';
import { ENGINE_BILLED, transition, type Decision, type SubscriptionMachine } from '../../common/subscription/table';

export function subscription(
  plan: Record<string, unknown> = {},
  extra: Record<string, unknown> = {},
  today = '2026-01-01',
): SubscriptionState {
  return initialState(
    createSubscriptionInputSchema.parse({
      subscriptionId: 'sub-1',
      customerId: 'cus-1',
      plan: {
        planId: 'gold',
        amountCents: 5990,
        recurrence: { kind: 'calendar', frequency: 'monthly', interval: 1 },
        attempts: 4,
        ...plan,
      },
      paymentMethod: { type: 'zspay_card', zspayClientId: 'cli-1', cardId: 'card-1' },
      startDate: '2026-01-01',
      partner: { zapsignClientRef: 'zs-1' },
      merchant: { callbackUrl: 'https://merchant.example/hooks', secretRef: 'm-1' },
      ...extra,
    }),
    today,
  );
}

export function ctx(today: string, time = '12:00:00'): EventContext {
  const now = `${today}T${time}.000Z`;
  return { today, now, nowMs: Date.parse(now), offset: '-03:00', targets: { merchant: true, partner: true } };
}

export const soft = (reference: string, code = '51'): ChargeOutcome => ({
  status: 'soft_declined',
  reference,
  declineCode: code,
  providerIds: { saleId: `sale-${reference}` },
});
export const hard = (reference: string): ChargeOutcome => ({
  status: 'hard_declined',
  reference,
  declineCode: '14',
  providerIds: {},
});
export const paid = (reference: string): ChargeOutcome => ({
  status: 'succeeded',
  reference,
  providerIds: { saleId: `sale-${reference}` },
});

export const kinds = (effects: Effect[]) =>
  effects.map((e) =>
    e.kind === 'notify'
      ? `notify:${e.type}`
      : e.kind === 'partner'
        ? `partner:${e.status}`
        : e.kind === 'push_payment_status'
          ? `push:${e.status}`
          : e.kind,
  );

/** Applies an event on a date; throws if the table does not apply it. */
export function apply(
  state: SubscriptionState,
  event: SubscriptionEvent,
  today: string,
  machine: SubscriptionMachine = ENGINE_BILLED,
): { state: SubscriptionState; effects: Effect[] } {
  const decision = transition(state, event, ctx(today), machine);
  if (decision.answer !== 'applied') throw new Error(`${event.type} was ${decision.answer}: ${decision.reason}`);
  return { state: decision.state, effects: decision.effects };
}

export function decide(state: SubscriptionState, event: SubscriptionEvent, today: string): Decision {
  return transition(state, event, ctx(today));
}

/** Runs the collection the machine asks for, on its date, with the given outcomes. */
export function collect(start: SubscriptionState, outcomes: Array<'soft' | 'hard' | 'paid'>) {
  let state = start;
  const log: Array<{ date: string; effects: string[] }> = [];
  for (const outcome of outcomes) {
    const step = nextStep(state);
    if (step.kind !== 'charge') throw new Error(`expected a charge, got ${step.kind}`);
    state = apply(state, { type: 'chargeStarted', cycle: step.cycle }, step.date).state;
    const reference = state.charge!.reference;
    const result = apply(
      state,
      {
        type: 'chargeSettled',
        cycle: step.cycle,
        outcome: outcome === 'soft' ? soft(reference) : outcome === 'hard' ? hard(reference) : paid(reference),
      },
      step.date,
    );
    state = result.state;
    log.push({ date: step.date, effects: kinds(result.effects) });
  }
  return { state, log };
}

/**
 * A model-based test's system under test: a machine driven as the workflow drives it. A refused
 * event must leave the state exactly as it was; an applied one replaces it and its effects are kept.
 */
export abstract class MachineDriver {
  readonly effects: Effect[] = [];
  /** Told of every applied event, with the state before it. */
  observer: (event: SubscriptionEvent, before: SubscriptionState) => void = () => undefined;

  constructor(
    public state: SubscriptionState,
    private readonly machine: SubscriptionMachine = ENGINE_BILLED,
  ) {}

  abstract context(): EventContext;

  /** Each decision, for a test's own log. */
  protected decided(_event: SubscriptionEvent, _decision: Decision): void {}

  send(event: SubscriptionEvent): boolean {
    const before = JSON.stringify(this.state);
    const decision = transition(this.state, event, this.context(), this.machine);
    this.decided(event, decision);
    if (decision.answer !== 'applied') {
      expect(JSON.stringify(this.state)).toBe(before);
      return false;
    }
    const previous = this.state;
    this.state = decision.state;
    this.effects.push(...decision.effects);
    this.observer(event, previous);
    return true;
  }
}
