/**
 * Every operation in every state: each is applied to its own subscription brought to that state,
 * and is either accepted or refused with its reason (refusals change nothing).
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { BillingClient } from '../../client';
import { addDays, localDateOf } from '../../common/billing/calendar';
import { scriptedCharges, type ScriptedResult } from '../helpers/scripted-charges';
import { startWorkflowTestEnv, type WorkflowTestEnv } from '../helpers/workflow-env';
import { stringContaining } from '../helpers/matchers';
import { defined } from '../helpers/defined';

type State = 'trialing' | 'active' | 'past_due' | 'blocked' | 'suspended' | 'canceled';
type Operation = (billing: BillingClient, id: string, today: string) => Promise<unknown>;

const card = { type: 'zspay_card' as const, zspayClientId: 'cli-1', cardId: 'card-2' };
const plan = {
  planId: 'gold',
  amountCents: 5990,
  recurrence: { kind: 'calendar' as const, frequency: 'monthly' as const, interval: 1 },
  chargeHourLocal: 0,
};

const OPERATIONS: Record<string, Operation> = {
  cancelNow: (b, id) => b.subscriptions.cancel(id, { atPeriodEnd: false }),
  cancelAtPeriodEnd: (b, id) => b.subscriptions.cancel(id, { atPeriodEnd: true }),
  suspend: (b, id) => b.subscriptions.suspend(id),
  reactivate: (b, id) => b.subscriptions.reactivate(id),
  changeNextChargeDate: (b, id, today) => b.subscriptions.changeNextChargeDate(id, { date: addDays(today, 10) }),
  changePaymentMethod: (b, id) => b.subscriptions.changePaymentMethod(id, { paymentMethod: card }),
  changePlan: (b, id) => b.subscriptions.changePlan(id, { plan: { ...plan, planId: 'platinum', amountCents: 9990 } }),
  retryNow: (b, id) => b.subscriptions.retryNow(id),
  skipNextRetry: (b, id) => b.subscriptions.skipNextRetry(id),
  extendGrace: (b, id) => b.subscriptions.extendGrace(id, { days: 3 }),
  linkExternalPayment: (b, id) =>
    b.subscriptions.linkExternalPayment(id, {
      cycle: 5,
      payment: { paymentId: 'p-5', trustSeed: 's', trustValue: 'v', altTrustValue: 'a' },
    }),
};

const ENDED = 'has ended';
/** true: accepted; a string: refused with a reason containing it. */
const EXPECTED: Record<State, Record<keyof typeof OPERATIONS, true | string>> = {
  trialing: {
    cancelNow: true,
    cancelAtPeriodEnd: true,
    suspend: true,
    reactivate: 'can be reactivated',
    changeNextChargeDate: true,
    changePaymentMethod: true,
    changePlan: true,
    retryNow: 'no failed invoice',
    skipNextRetry: 'no retry is scheduled',
    extendGrace: true,
    linkExternalPayment: true,
  },
  active: {
    cancelNow: true,
    cancelAtPeriodEnd: true,
    suspend: true,
    reactivate: 'can be reactivated',
    changeNextChargeDate: true,
    changePaymentMethod: true,
    changePlan: true,
    retryNow: 'no failed invoice',
    skipNextRetry: 'no retry is scheduled',
    extendGrace: 'no trial, grace, tolerance or retry period',
    linkExternalPayment: true,
  },
  past_due: {
    cancelNow: true,
    cancelAtPeriodEnd: true,
    suspend: true,
    reactivate: 'can be reactivated',
    changeNextChargeDate: 'still being collected',
    changePaymentMethod: true,
    changePlan: true,
    retryNow: true,
    skipNextRetry: true,
    extendGrace: true,
    linkExternalPayment: true,
  },
  blocked: {
    cancelNow: true,
    cancelAtPeriodEnd: true,
    suspend: true,
    reactivate: 'can be reactivated',
    changeNextChargeDate: 'still being collected',
    changePaymentMethod: true,
    changePlan: true,
    retryNow: true,
    skipNextRetry: 'no retry is scheduled',
    extendGrace: 'no trial, grace, tolerance or retry period',
    linkExternalPayment: true,
  },
  suspended: {
    cancelNow: true,
    cancelAtPeriodEnd: true,
    suspend: 'already suspended',
    reactivate: true,
    changeNextChargeDate: true,
    changePaymentMethod: true,
    changePlan: true,
    retryNow: 'no failed invoice',
    skipNextRetry: 'no retry is scheduled',
    extendGrace: 'no trial, grace, tolerance or retry period',
    linkExternalPayment: true,
  },
  canceled: Object.fromEntries(Object.keys(OPERATIONS).map((name) => [name, ENDED])),
};

/** How each state is reached: scripted charge outcomes, a trial, or an operation. */
const SETUP: Record<
  State,
  { script: ScriptedResult[]; trialDays?: number; then?: (b: BillingClient, id: string) => Promise<unknown> }
> = {
  trialing: { script: [], trialDays: 30 },
  active: { script: ['paid'] },
  past_due: { script: ['soft'] },
  blocked: { script: ['hard'] },
  suspended: { script: ['paid'], then: (b, id) => b.subscriptions.suspend(id) },
  canceled: { script: ['paid'], then: (b, id) => b.subscriptions.cancel(id, { atPeriodEnd: false }) },
};

describe('every subscription operation in every state (time-skipping server)', () => {
  const charges = scriptedCharges();
  let testEnv: WorkflowTestEnv;
  let env: TestWorkflowEnvironment;
  let billing: BillingClient;
  const results = new Map<string, true | string>();

  beforeAll(async () => {
    testEnv = await startWorkflowTestEnv(charges.activities);
    ({ env, billing } = testEnv);
    const startDate = localDateOf(await env.currentTimeMs(), 'America/Sao_Paulo');
    const ids: Array<[State, string]> = [];
    for (const state of Object.keys(SETUP) as State[]) {
      for (const operation of Object.keys(OPERATIONS)) {
        const id = `${state}-${operation}`;
        charges.scriptFor(id, ...SETUP[state].script);
        await billing.subscriptions.create({
          subscriptionId: id,
          customerId: 'ops',
          plan: {
            ...plan,
            trialDays: SETUP[state].trialDays ?? 0,
            setupAmountCents: state === 'trialing' ? 990 : undefined,
          },
          paymentMethod: { ...card, cardId: 'card-1' },
          startDate,
        });
        ids.push([state, id]);
      }
    }
    await env.sleep('2 hours');
    for (const [state, id] of ids) await SETUP[state].then?.(billing, id);
    // The trialing ones were charged their setup fee and stay in the trial.
    await env.sleep('1 hour');
    const today = localDateOf(await env.currentTimeMs(), 'America/Sao_Paulo');
    for (const [state, id] of ids) {
      const operation = id.slice(state.length + 1);
      const expectedStatus = state === 'trialing' ? 'trialing' : state;
      const before = await billing.subscriptions.get(id);
      expect(before.status).toBe(expectedStatus);
      const result = await defined(OPERATIONS[operation], `the operation ${operation}`)(billing, id, today).then(
        () => true as const,
        (error: Error) => error.message,
      );
      results.set(id, result);
      // A refusal changes nothing.
      if (result !== true && state !== 'canceled') expect(await billing.subscriptions.get(id)).toEqual(before);
    }
  });
  afterAll(() => testEnv?.teardown());

  for (const state of Object.keys(EXPECTED) as State[]) {
    it(`${state}`, () => {
      for (const [operation, expected] of Object.entries(EXPECTED[state])) {
        const actual = results.get(`${state}-${operation}`);
        if (expected === true) expect({ operation, actual }).toEqual({ operation, actual: true });
        else expect({ operation, actual }).toEqual({ operation, actual: stringContaining(expected) });
      }
    });
  }
});
