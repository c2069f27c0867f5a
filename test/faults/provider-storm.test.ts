/**
 * A provider storm: while a batch of subscriptions is charged, Zspay answers a shuffled mix of 5xx,
 * 429s, timeouts (before the charge and after it, answer lost), malformed bodies and slow answers,
 * and declines some customers for real. The ledger shows every customer charged exactly as the
 * provider decided, and no outage was ever counted as a decline.
 */
import type { ScenarioRuleInput } from '../../sandbox/server';
import {
  FAULT_SCALE,
  FIRST_CHARGE_STATE,
  inBatches,
  startFaultHarness,
  type ChargeFate,
  type FaultHarness,
} from './harness';
import { at } from '../helpers/defined';

jest.setTimeout(FAULT_SCALE.testTimeoutMs);

type Outcome = ScenarioRuleInput['outcome'];

/** A small seeded generator (mulberry32), so a failing storm can be replayed exactly. */
function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffled<T>(items: T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [at(out, j), at(out, i)];
  }
  return out;
}

// The worker's provider timeout is 5 s (test/helpers/worker-process.ts): 6 s holds time out for real.
const FAULTS: Record<string, Outcome[]> = {
  'zspay.sale.precapture': [
    { type: 'server_error', status: 500 },
    { type: 'server_error', status: 503 },
    { type: 'rate_limit', retryAfterSeconds: 1 },
    { type: 'timeout', phase: 'before', delayMs: 6_000 },
    { type: 'timeout', phase: 'after', delayMs: 6_000 },
    { type: 'malformed' },
    { type: 'latency', delayMs: 2_000 },
  ],
  'zspay.sale.capture': [
    { type: 'server_error', status: 502 },
    { type: 'rate_limit', retryAfterSeconds: 1 },
    { type: 'timeout', phase: 'before', delayMs: 6_000 },
    { type: 'timeout', phase: 'after', delayMs: 6_000 },
    { type: 'timeout', phase: 'after', delayMs: 1_000 },
    { type: 'malformed' },
    { type: 'latency', delayMs: 2_000 },
  ],
  'zspay.sale.get': [
    { type: 'server_error', status: 500 },
    { type: 'rate_limit', retryAfterSeconds: 1 },
    { type: 'malformed' },
  ],
};

describe(`a provider storm (${FAULT_SCALE.name} scale)`, () => {
  let harness: FaultHarness;
  beforeAll(async () => {
    harness = await startFaultHarness();
  });
  afterAll(() => harness?.teardown());

  it(`charges ${FAULT_SCALE.stormSubscriptions} subscriptions exactly as the provider decided through 5xx, 429, timeouts, malformed and slow answers`, async () => {
    const { sandbox } = harness;
    const seed = Number(process.env.FAULTS_SEED ?? 20261123);
    const random = seededRandom(seed);
    const customers = await harness.customers(FAULT_SCALE.stormSubscriptions);
    const expectedOf = (index: number): ChargeFate => (index % 10 === 3 ? 'soft' : index % 10 === 7 ? 'hard' : 'paid');
    // Real declines first: a customer's own rule is older than the storm's, so it answers first.
    for (const [index, customer] of customers.entries()) await harness.decideFirstCharge(customer, expectedOf(index));
    // The storm: per operation, shuffled faults, each followed by a success, so a straggler retrying
    // alone meets no long streak (which would only measure the retry backoff). Fewer successes than
    // the paying customers need: the charge calls' storms are met to the end.
    const paying = customers.filter((_, index) => expectedOf(index) === 'paid').length;
    for (const [operation, kinds] of Object.entries(FAULTS)) {
      const perKind = Math.max(1, Math.floor(paying / 2 / kinds.length));
      const faults = shuffled(
        kinds.flatMap((outcome) => Array<Outcome>(perKind).fill(outcome)),
        random,
      );
      for (const outcome of faults.flatMap((fault): Outcome[] => [fault, { type: 'approve' }])) {
        await sandbox.control.script({ provider: 'zspay', operation, outcome, times: 1 });
      }
    }

    await harness.startWorker();
    const subscriptions = await inBatches(customers, 10, (customer) => harness.subscribe(customer, 'storm'));
    const states = await harness.firstChargeStates(subscriptions, ` (storm seed ${seed})`);
    const ledger = await inBatches(customers, 10, (customer) => harness.chargesOf(customer));

    // The charge calls' storms were met to the end (reads are only made on retries, so theirs may not be).
    const left = (await sandbox.control.scenarios()).filter(
      (rule) => rule.operation === 'zspay.sale.precapture' || rule.operation === 'zspay.sale.capture',
    );
    expect(left.filter((rule) => rule.match === undefined)).toEqual([]);
    expect(states).toEqual(customers.map((_, index) => FIRST_CHARGE_STATE[expectedOf(index)]));
    expect(ledger).toEqual(customers.map((_, index) => (expectedOf(index) === 'paid' ? 1 : 0)));
  });
});
