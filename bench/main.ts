/**
 * `npm run bench`: throughput, the billing day (burst, skeleton burst, billing run, two worker
 * processes), a time-skipped year, memory and start-up figures for the engine, each next to a
 * skeleton or baseline. Loopback only; every process and temp dir it starts is cleaned up, also on
 * error or Ctrl-C. Prints a table and the closing block, and writes bench/results/latest.json.
 *
 * Profiles (BENCH_PROFILE): `default` (a few minutes on 2 cores) and `large` (the billing day at
 * 10,000 subscriptions, 200 Zspay requests/s, worker cache bounded to 1,000 workflows; the other
 * benchmarks at their defaults). Any setting below overrides the profile:
 *   BENCH_N=30              subscriptions for the dev-server cycle benchmark (and its skeleton)
 *   BENCH_BURST_N=300       subscriptions falling due at once on the billing day (large: 10000)
 *   BENCH_BURST_RPS=25      the sandbox's Zspay limit on the billing day, and the engine's Zspay pacing (large: 200)
 *   BENCH_BOLETO_PCT=20     share of the day's subscriptions paying by boleto (repaired by the billing run)
 *   BENCH_DECLINE_PCT=10    share of the day's subscriptions whose card soft-declines
 *   BENCH_PROCESSES=2       worker processes for the horizontal run (the day again, split)
 *   BENCH_MAX_CACHED=1000   maxCachedWorkflows of each billing-day worker process
 *   BENCH_LANES=20          creates (and skeleton starts) in flight on the billing day
 *   BENCH_WARM_S=5          seconds the billing day's workers poll before the burst starts
 *   BENCH_PARTITIONS=1      task queue partitions of the billing day's dev server (npm start: 1; the server's default: 4)
 *   BENCH_HISTORIES=1       read every run's history for workflow-task timeouts (0: skip)
 *   BENCH_RUN_BATCH         the billing run's batch size (default min(25, rate/4): the engine's 25 never completes under 5/s)
 *   BENCH_YEAR_M=100        subscriptions for the time-skipped year (a tenth soft-decline)
 *   BENCH_MEM_N=200         cached workflows of each kind (subscription, skeleton) for the memory figures
 *   BENCH_TIMEOUT_S=120     deadline for each wait inside a benchmark (large: 3600)
 *   BENCH_ONLY=cycles,burst,horizontal,memory,year,startup   run a subset
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Session } from 'node:inspector/promises';
import { performance } from 'node:perf_hooks';
import v8 from 'node:v8';
import vm from 'node:vm';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { BillingClient } from '../client';
import { localDateOf } from '../common/billing/calendar';
import { freePort } from '../scripts/ports';
import { ensureTemporalBinaries, PROJECT_ROOT } from '../scripts/temporal-binaries';
import { billingDay, type DayPlan, type DayReport } from './billing-day';
import { startBenchDevServer } from './dev-server';
import type { Client } from '@temporalio/client';
import type { SkeletonActivities } from './skeleton-workflows';
import {
  createTimeSkippingEnv,
  providerSkeletonActivities,
  runEngineWorker,
  runSkeletonWorker,
  sandboxActivities,
  skeletonActivities,
  skeletonInput,
  startSkeleton,
  workflowBundle,
} from './engine';
import {
  cleanupMark,
  defer,
  notes,
  record,
  rows,
  runCleanups,
  scoped,
  startAll,
  waitFor,
  withDeadline,
} from './harness';
import { chargeCount, clearSandboxLogs, customerWithCard, startSandbox, zspayClient } from './sandbox';

// ---------------------------------------------------------------------------------------------
// settings
// ---------------------------------------------------------------------------------------------
const PROFILE = process.env.BENCH_PROFILE ?? 'default';
if (PROFILE !== 'default' && PROFILE !== 'large')
  throw new Error(`BENCH_PROFILE must be default or large, got ${PROFILE}`);
const LARGE = PROFILE === 'large';
const intEnv = (name: string, fallback: number, max: number, min = 1): number => {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isFinite(value) || value < min) throw new Error(`${name} must be a number ≥ ${min}`);
  return Math.min(Math.floor(value), max);
};
const N = intEnv('BENCH_N', 30, 2_000);
const BURST_N = intEnv('BENCH_BURST_N', LARGE ? 10_000 : 300, 20_000);
const BURST_RPS = intEnv('BENCH_BURST_RPS', LARGE ? 200 : 25, 10_000);
const BOLETO_PCT = intEnv('BENCH_BOLETO_PCT', 20, 100, 0);
const DECLINE_PCT = intEnv('BENCH_DECLINE_PCT', 10, 100, 0);
const PROCESSES = intEnv('BENCH_PROCESSES', 2, 8);
const MAX_CACHED = intEnv('BENCH_MAX_CACHED', 1_000, 100_000);
const LANES = intEnv('BENCH_LANES', 20, 500);
const HISTORIES = intEnv('BENCH_HISTORIES', 1, 1, 0) === 1;
// The engine's default is 25; a batch's reads go out back to back, unpaced: keep two batches within the burst.
const WARM_S = intEnv('BENCH_WARM_S', 5, 600, 0);
const RUN_BATCH = intEnv('BENCH_RUN_BATCH', Math.min(25, Math.max(1, Math.floor(BURST_RPS / 4))), 200);
const YEAR_M = intEnv('BENCH_YEAR_M', 100, 2_000);
const MEM_N = intEnv('BENCH_MEM_N', 200, 2_000);
const TIMEOUT_MS = intEnv('BENCH_TIMEOUT_S', LARGE ? 3_600 : 120, 4 * 3_600) * 1000;
const ONLY = new Set(
  (process.env.BENCH_ONLY ?? 'cycles,burst,horizontal,memory,year,startup').split(',').map((s) => s.trim()),
);
if (BOLETO_PCT + DECLINE_PCT > 100) throw new Error('BENCH_BOLETO_PCT + BENCH_DECLINE_PCT must be at most 100');
const TZ = 'America/Sao_Paulo';
const DAY_MS = 86_400_000;

/** The closing block's figures, filled in as the benchmarks run. */
const closing: {
  cyclesRatio?: number;
  burstRatio?: number;
  burst429?: number;
  holdsLeft?: number;
  memoryKiB?: number;
  startRatio?: number;
  yearRatio?: number;
} = {};

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;
const heapAfterGc = (): { heap: number; rss: number } => {
  gc();
  gc();
  const usage = process.memoryUsage();
  return { heap: usage.heapUsed, rss: usage.rss };
};

/**
 * The used heap of every worker thread of this process, each garbage-collected first. The SDK runs
 * workflows in a worker thread, whose heap process.memoryUsage() does not include and Node 20 cannot
 * read from outside (no Worker#getHeapStatistics), so this goes through the inspector: NodeWorker
 * attaches to each thread, then HeapProfiler.collectGarbage and Runtime.getHeapUsage run inside it.
 */
async function attachWorkerThreadHeaps(): Promise<{ usedAfterGc(): Promise<number>; close(): void }> {
  const session = new Session();
  session.connect();
  const threadSessions = new Set<string>();
  type Reply = { id?: number; result?: { usedSize?: number }; error?: { message: string } };
  const replies = new Map<number, (reply: Reply) => void>();
  let nextId = 1;
  session.on('NodeWorker.attachedToWorker', ({ params }) => threadSessions.add(params.sessionId));
  session.on('NodeWorker.detachedFromWorker', ({ params }) => threadSessions.delete(params.sessionId));
  session.on('NodeWorker.receivedMessageFromWorker', ({ params }) => {
    const reply = JSON.parse(params.message) as Reply;
    if (reply.id !== undefined) replies.get(reply.id)?.(reply);
  });
  const inThread = async (sessionId: string, method: string): Promise<{ usedSize?: number }> => {
    const id = nextId++;
    const answered = new Promise<Reply>((resolve) => replies.set(id, resolve));
    await session.post('NodeWorker.sendMessageToWorker', { sessionId, message: JSON.stringify({ id, method }) });
    const reply = await withDeadline(answered, 60_000, `${method} in a worker thread`).finally(() =>
      replies.delete(id),
    );
    if (reply.error) throw new Error(`${method} in a worker thread: ${reply.error.message}`);
    return reply.result ?? {};
  };
  await session.post('NodeWorker.enable', { waitForDebuggerOnStart: false });
  return {
    async usedAfterGc() {
      let used = 0;
      for (const sessionId of threadSessions) {
        await inThread(sessionId, 'HeapProfiler.collectGarbage');
        used += (await inThread(sessionId, 'Runtime.getHeapUsage')).usedSize ?? 0;
      }
      return used;
    },
    close: () => session.disconnect(),
  };
}

function subscriptionInput(
  id: string,
  card: { clientId: string; cardId: string },
  startDate: string,
  frequency: 'daily' | 'monthly',
) {
  return {
    subscriptionId: id,
    customerId: `cus-${id}`,
    plan: {
      planId: 'bench',
      amountCents: 5990,
      recurrence: { kind: 'calendar' as const, frequency, interval: 1 },
      chargeHourLocal: 0,
      timeZone: TZ,
    },
    paymentMethod: { type: 'zspay_card' as const, zspayClientId: card.clientId, cardId: card.cardId },
    startDate,
  };
}

// ---------------------------------------------------------------------------------------------
// 1 + 4a: dev server — cycles/s vs skeleton, memory per cached workflow (workers in this process)
// ---------------------------------------------------------------------------------------------
async function devServerBenchmarks(): Promise<void> {
  const stack = await startBenchDevServer();
  record(
    'dev server start (headless, empty temp db)',
    stack.startMs / 1000,
    's',
    'DevServer.start until describeNamespace answers',
  );
  const { client } = stack;
  const namespace = stack.server.namespace;
  const sandbox = await startSandbox();
  defer(() => sandbox.close());
  const card = await customerWithCard(zspayClient(sandbox.url));
  let skeletonCalls = 0;
  const activities = { ...sandboxActivities(sandbox.url, client), ...skeletonActivities(() => (skeletonCalls += 1)) };
  const today = localDateOf(Date.now(), TZ);

  if (ONLY.has('cycles')) {
    const mark = cleanupMark();
    const taskQueue = `bench-${randomUUID()}`;
    const billing = new BillingClient({ client, taskQueue });
    await runEngineWorker({ connection: stack.nativeConnection, namespace, taskQueue, activities });
    // Warm-up: one subscription and one skeleton, so the first measured workflow does not pay for VM start-up.
    await billing.subscriptions.create(subscriptionInput(`warm-${randomUUID().slice(0, 8)}`, card, today, 'daily'));
    await startSkeleton(
      client,
      taskQueue,
      `skel-warm-${randomUUID()}`,
      skeletonInput('warm', Date.now() - 1000, DAY_MS, 1),
    );
    if (!(await waitFor(() => chargeCount(sandbox) >= 1 && skeletonCalls >= 1, TIMEOUT_MS)))
      throw new Error('warm-up did not charge');

    clearSandboxLogs(sandbox);
    const run = randomUUID().slice(0, 8);
    const t0 = performance.now();
    await startAll(N, (i) => billing.subscriptions.create(subscriptionInput(`cyc-${run}-${i}`, card, today, 'daily')));
    const done = await waitFor(() => chargeCount(sandbox) >= N, TIMEOUT_MS);
    const realMs = performance.now() - t0;
    if (!done) notes.push(`cycles: only ${chargeCount(sandbox)}/${N} charges before the deadline`);

    const skeletonBase = skeletonCalls;
    const t1 = performance.now();
    await startAll(N, (i) =>
      startSkeleton(
        client,
        taskQueue,
        `skel-${run}-${i}`,
        skeletonInput(`skel-${run}-${i}`, Date.now() - 1000, DAY_MS, 1),
      ),
    );
    const skelDone = await waitFor(() => skeletonCalls - skeletonBase >= N, TIMEOUT_MS);
    const skelMs = performance.now() - t1;
    if (!skelDone) notes.push(`cycles: only ${skeletonCalls - skeletonBase}/${N} skeleton charges before the deadline`);
    const realRate = (chargeCount(sandbox) / realMs) * 1000;
    const skelRate = ((skeletonCalls - skeletonBase) / skelMs) * 1000;
    if (done && skelDone) closing.cyclesRatio = realMs / skelMs;
    record(
      `subscription cycles/s (dev server, N=${N})`,
      realRate,
      'cycles/s',
      `${(realMs / 1000).toFixed(2)} s wall; ${(realMs / skelMs).toFixed(2)}× the skeleton's wall time`,
    );
    record(
      `skeleton cycles/s (dev server, N=${N})`,
      skelRate,
      'cycles/s',
      `${(skelMs / 1000).toFixed(2)} s wall; update-with-start, two no-op activities, same worker`,
    );
    const requests = sandbox.state.requests.filter((r) => r.provider === 'zspay').length;
    notes.push(`cycles: ${requests} Zspay requests for ${N} real charges (pre-capture + capture each)`);
    await runCleanups(mark); // stops the throughput worker
  }

  if (ONLY.has('memory')) {
    // What is measured: the heap a cached workflow keeps alive, after GC, in the worker production
    // runs (workflows in a worker thread, reuseV8Context), as the sum of the workflow thread's heap
    // (the workflow's sandbox: its own instances of the bundle's modules, its state, its timers) and
    // the main thread's (the SDK's per-run bookkeeping). RSS is shown too: it adds the Rust core's
    // per-run state and V8's reserved pages, but it is noisier and seldom shrinks. A skeleton from the
    // same bundle sits next to it, to tell the cost of the bundle from the cost of the billing state.
    const threadHeaps = await attachWorkerThreadHeaps();
    defer(() => threadHeaps.close());
    const memoryNow = async () => ({ threads: await threadHeaps.usedAfterGc(), ...heapAfterGc() });
    const memQueue = `bench-mem-${randomUUID()}`;
    const memBilling = new BillingClient({ client, taskQueue: memQueue });
    const memWorker = (
      await runEngineWorker({
        connection: stack.nativeConnection,
        namespace,
        taskQueue: memQueue,
        activities,
        workerOptions: { maxCachedWorkflows: 2 * MEM_N + 50 },
      })
    ).worker;
    /** Waits until the cache holds `target` workflows for a second (runs that continued as new leave it). */
    const settle = async (target: number): Promise<number> => {
      let stableSince = 0;
      await waitFor(
        () => {
          if (memWorker.getStatus().numCachedWorkflows !== target) stableSince = 0;
          else stableSince ||= Date.now();
          return stableSince > 0 && Date.now() - stableSince >= 1000;
        },
        30_000,
        50,
      );
      return memWorker.getStatus().numCachedWorkflows;
    };
    const run = randomUUID().slice(0, 8);
    const startSubscription = (id: string) =>
      memBilling.subscriptions.create(subscriptionInput(id, card, today, 'daily'));
    // The skeleton charges once, continues as new and parks on tomorrow's timer, as a paid subscription does.
    const startSkeletonHere = (id: string) =>
      startSkeleton(client, memQueue, id, skeletonInput(id, Date.now() - 1000, DAY_MS, 1));

    // Warm-up: one of each, so the measured ones do not pay for the first compilation.
    clearSandboxLogs(sandbox);
    const skeletonBase = skeletonCalls;
    await startSubscription(`memwarm-${run}`);
    await startSkeletonHere(`memwarm-skel-${run}`);
    await waitFor(() => chargeCount(sandbox) >= 1 && skeletonCalls > skeletonBase, TIMEOUT_MS);
    let cached = await settle(2);
    clearSandboxLogs(sandbox);
    let last = await memoryNow();

    /** Caches MEM_N more workflows of one kind and records the memory each added. */
    const measure = async (kind: string, start: (id: string) => Promise<unknown>, allCharged: () => boolean) => {
      await startAll(MEM_N, (i) => start(`mem-${kind}-${run}-${i}`));
      if (!(await waitFor(allCharged, TIMEOUT_MS)))
        notes.push(`memory: not every ${kind} workflow charged before the deadline`);
      const now = await settle(cached + MEM_N);
      const added = Math.max(now - cached, 1);
      cached = now;
      clearSandboxLogs(sandbox); // the sandbox's logs are this process's heap too
      const reading = await memoryNow();
      const kib = (bytes: number) => bytes / added / 1024;
      const threads = reading.threads - last.threads;
      const main = reading.heap - last.heap;
      if (kind === 'subscription') closing.memoryKiB = kib(threads + main);
      record(
        `heap per cached ${kind} workflow (N=${added}, workflow thread + main thread, after GC)`,
        kib(threads + main),
        'KiB',
        `thread ${kib(threads).toFixed(0)} + main ${kib(main).toFixed(0)} KiB; RSS +${kib(reading.rss - last.rss).toFixed(0)} KiB per workflow`,
      );
      last = reading;
    };
    await measure('subscription', startSubscription, () => chargeCount(sandbox) >= MEM_N);
    const skeletonsBefore = skeletonCalls;
    await measure('skeleton', startSkeletonHere, () => skeletonCalls >= skeletonsBefore + MEM_N);
  }
}

// ---------------------------------------------------------------------------------------------
// 2: the billing day (burst + skeleton burst + billing run), in one worker process, then split over several
// ---------------------------------------------------------------------------------------------
const mib = (bytes: number) => bytes / 1_048_576;
const days: Array<{ label: string; report: DayReport }> = [];

function recordDay(label: string, r: DayReport): void {
  const { plan } = r;
  const skeletonS = r.skeleton.wallMs / 1000;
  const wallS = r.wallMs / 1000;
  const bound = Math.max(r.floorS, skeletonS);
  const share429 = r.zspay.total ? (r.zspay.refused / r.zspay.total) * 100 : 0;
  const where = `${label}: N=${plan.n} (${r.counts.card} card, ${r.counts.decline} soft-declining, ${r.counts.boleto} boleto), Zspay ${plan.rps}/s, ${plan.processes} worker process${plan.processes > 1 ? 'es' : ''}`;
  record(
    `${where} — burst wall time`,
    wallS,
    's',
    `${r.done ? '' : 'INCOMPLETE; '}floor ${r.floorS.toFixed(1)} s (${r.zspay.admitted} admitted Zspay requests / ${plan.rps}/s), skeleton ${skeletonS.toFixed(1)} s → ${(wallS / bound).toFixed(2)}× max(floor, skeleton); creates took ${(r.createMs / 1000).toFixed(1)} s`,
  );
  record(
    `${label}: skeleton burst wall time (same server, N=${plan.n}, two no-op activities each)`,
    skeletonS,
    's',
    `${r.skeleton.charges}/${plan.n} charged${r.skeleton.done ? '' : ' (INCOMPLETE)'}`,
  );
  record(
    `${label}: ratio burst wall/max(floor, skeleton)`,
    wallS / bound,
    '×',
    r.floorS >= skeletonS ? 'bound by the provider floor' : "bound by the skeleton (Temporal's own limit on this box)",
  );
  record(
    `${label}: Zspay requests answered 429`,
    share429,
    '%',
    `${r.zspay.refused} of ${r.zspay.total}; admitted by operation: ${Object.entries(r.zspay.byOperation)
      .map(([op, n]) => `${op} ${n}`)
      .join(', ')}`,
  );
  record(
    `${label}: Zspay pre-authorizations / captures / releases / holds left`,
    r.sales.holdsLeft,
    'holds',
    `${r.sales.preAuthorized} pre-authorized, ${r.sales.captured} captured, ${r.sales.released} released, ${r.sales.holdsLeft} still pre-authorized; ${r.sales.declined} declined; boletos ${r.sales.boletosIssued} issued, ${r.sales.boletosPaid} paid, ${r.sales.boletosPending} pending`,
  );
  const w = r.workflowTaskTimeouts;
  record(
    `${label}: workflow-task timeouts`,
    w.fromHistories ?? w.logLines,
    'timeouts',
    `${w.fromHistories === null ? 'histories not read' : `from ${w.runsRead} runs' histories${Object.keys(w.byType).length ? ` (${JSON.stringify(w.byType)})` : ''}`}; ${w.workflowTaskFailures} workflow-task failures; ${w.logLines} worker log lines naming one`,
  );
  const l = r.ledger;
  record(
    `${label}: every customer charged exactly once (ledger)`,
    l.payersChargedOnce,
    'customers',
    `${l.payersChargedOnce}/${l.payers} paying customers charged exactly once, ${l.overcharged} more than once, ${l.declinersCharged}/${l.decliners} decliners charged; ${l.charges} charges, R$ ${(l.cents / 100).toFixed(2)}; statuses ${JSON.stringify(r.statuses)}; ${r.notRunning} runs ended abnormally`,
  );
  if (r.billingRun) {
    const b = r.billingRun;
    record(
      `${label}: billing run repairing ${r.counts.boleto} boletos paid without webhook`,
      b.ms / 1000,
      's',
      `${b.settled ? '' : 'INCOMPLETE; '}run ${(b.runMs / 1000).toFixed(1)} s (checked ${b.checked}, repaired ${b.repaired}; phases seen at ${Object.entries(
        b.phases,
      )
        .map(([phase, ms]) => `${phase} ${(ms / 1000).toFixed(1)} s`)
        .join(
          ', ',
        )}; its history ${b.events} events, ${b.workflowTasks} workflow tasks), then every subscription settled; ${b.zspay.admitted} Zspay requests (floor ${(b.zspay.admitted / plan.rps).toFixed(1)} s), ${b.zspay.refused} answered 429`,
    );
  }
  if (r.cpu) {
    const c = r.cpu;
    const k = r.skeleton.cpu;
    const line = (x: typeof c) =>
      `dev server ${x.server.toFixed(0)}, worker process${plan.processes > 1 ? 'es' : ''} ${x.workers.toFixed(0)}, bench + sandbox ${x.bench.toFixed(0)} of ${x.available.toFixed(0)} core-s`;
    record(
      `${label}: CPU during the burst (core-seconds)`,
      c.server + c.workers + c.bench,
      'core-s',
      `${line(c)}${k ? `; skeleton burst: ${line(k)}` : ''}`,
    );
  }
  if (r.shape) {
    const { subscriptions: e, skeletons: k } = r.shape;
    const f = (x: number) => x.toFixed(1);
    record(
      `${label}: history events per paying card subscription (all its runs)`,
      e.events,
      'events',
      `${f(e.runs)} runs, ${f(e.workflowTasks)} workflow tasks, ${f(e.activities)} activities (sample of ${e.sampled}); skeleton: ${f(k.events)} events, ${f(k.runs)} runs, ${f(k.workflowTasks)} workflow tasks, ${f(k.activities)} activities (sample of ${k.sampled})`,
    );
  }
  const peak = Math.max(...r.workers.map((s) => s?.peakRss ?? 0));
  record(
    `${label}: worker process RSS, peak (maxCachedWorkflows ${plan.maxCachedWorkflows ?? 'SDK default'})`,
    mib(peak),
    'MiB',
    `per process at the end: ${r.workers.map((s) => `${mib(s?.rss ?? 0).toFixed(0)} MiB, ${s?.cachedWorkflows ?? '?'} cached`).join('; ')}; skeleton burst peak ${mib(Math.max(...r.skeleton.workers.map((s) => s?.peakRss ?? 0))).toFixed(0)} MiB`,
  );
}

const sameLedger = (a: DayReport, b: DayReport) =>
  a.ledger.perIndex.length === b.ledger.perIndex.length &&
  a.ledger.perIndex.every((n, i) => n === b.ledger.perIndex[i]) &&
  a.ledger.cents === b.ledger.cents;

async function billingDayBenchmarks(): Promise<void> {
  const plan: DayPlan = {
    n: BURST_N,
    rps: BURST_RPS,
    processes: 1,
    boletoPct: BOLETO_PCT,
    declinePct: DECLINE_PCT,
    maxCachedWorkflows: MAX_CACHED,
    lanes: LANES,
    timeoutMs: TIMEOUT_MS,
    readHistories: HISTORIES,
    runBatchSize: RUN_BATCH,
    warmMs: WARM_S * 1000,
    partitions: intEnv('BENCH_PARTITIONS', 1, 64),
  };
  let one: DayReport | undefined;
  await scoped('billing day, one worker process', async () => {
    one = await billingDay(plan, 'day ×1');
    days.push({ label: 'one worker process', report: one });
    recordDay('day ×1', one);
    closing.burstRatio = one.wallMs / 1000 / Math.max(one.floorS, one.skeleton.wallMs / 1000);
    closing.burst429 = one.zspay.total ? (one.zspay.refused / one.zspay.total) * 100 : 0;
    closing.holdsLeft = one.sales.holdsLeft;
  });
  if (!ONLY.has('horizontal')) return;
  await scoped(`billing day, ${PROCESSES} worker processes`, async () => {
    const split = await billingDay({ ...plan, processes: PROCESSES }, `day ×${PROCESSES}`);
    days.push({ label: `${PROCESSES} worker processes`, report: split });
    recordDay(`day ×${PROCESSES}`, split);
    closing.holdsLeft = (closing.holdsLeft ?? 0) + split.sales.holdsLeft;
    if (one) {
      record(
        `horizontal: day wall time, ${PROCESSES} processes / 1 process`,
        split.wallMs / one.wallMs,
        '×',
        `${(one.wallMs / 1000).toFixed(1)} s → ${(split.wallMs / 1000).toFixed(1)} s; skeleton ${(one.skeleton.wallMs / 1000).toFixed(1)} s → ${(split.skeleton.wallMs / 1000).toFixed(1)} s; same ledger (charges per customer, amounts): ${sameLedger(one, split)}`,
      );
    }
  });
}

// ---------------------------------------------------------------------------------------------
// 3: a year on the time-skipping server, next to a timers-only skeleton year and one making the provider calls
// ---------------------------------------------------------------------------------------------
async function timeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  const env = await createTimeSkippingEnv();
  defer(() => env.teardown());
  return env;
}

/** Skips the server's clock a year ahead, saying every 10 s how far it got (a stalled clock shows). */
async function sleepAYear(env: TestWorkflowEnvironment, label: string, done: () => string): Promise<true> {
  const from = await env.currentTimeMs();
  const ticker = setInterval(() => {
    void env.currentTimeMs().then(
      (now) => console.error(`  … ${label}: day ${Math.floor((now - from) / DAY_MS)} of 365, ${done()}`),
      () => undefined,
    );
  }, 10_000);
  try {
    await env.sleep(365 * DAY_MS);
    return true;
  } finally {
    clearInterval(ticker);
  }
}

/** A skeleton's activities, told of each charge. */
type SkeletonActivitiesOf = (onCharge: () => void) => SkeletonActivities;

async function yearBenchmarks(): Promise<void> {
  ensureTemporalBinaries((line) => console.error(line));
  let yearWallMs: number | undefined;
  // The engine's year.
  {
    const mark = cleanupMark();
    const env = await timeSkippingEnv();
    // Large enough that no request of the year leaves the log (the sandbox keeps its last logLimit).
    const sandbox = await startSandbox({ logLimit: 60 * YEAR_M + 10_000 });
    defer(() => sandbox.close());
    const zspay = zspayClient(sandbox.url);
    const decliners = Math.floor(YEAR_M / 10);
    const declineCards: Array<{ clientId: string; cardId: string }> = [];
    for (let i = 0; i < decliners; i++) {
      const card = await customerWithCard(zspay);
      // A rule matches any key of the request (client id or card id): numeric ids of both kinds.
      sandbox.state.addRule({
        provider: 'zspay',
        operation: 'zspay.sale.precapture',
        match: card.cardId,
        outcome: { type: 'soft_decline', code: '51' },
      });
      declineCards.push(card);
    }
    // The paying customer must not share an id with a declining card, or its charges would decline too.
    const declineKeys = new Set(declineCards.map((c) => c.cardId));
    let payer = await customerWithCard(zspay);
    for (
      let tries = 0;
      tries < decliners + 2 && (declineKeys.has(payer.clientId) || declineKeys.has(payer.cardId));
      tries++
    )
      payer = await customerWithCard(zspay);
    if (declineKeys.has(payer.clientId) || declineKeys.has(payer.cardId))
      throw new Error('could not get a paying card whose ids differ from the declining ones');
    const client = env.client;
    const taskQueue = `bench-year-${randomUUID()}`;
    await runEngineWorker({
      connection: env.nativeConnection,
      namespace: env.namespace ?? 'default',
      taskQueue,
      activities: { ...sandboxActivities(sandbox.url, client), ...skeletonActivities(() => undefined) },
    });
    const billing = new BillingClient({ client, taskQueue });
    const startDate = localDateOf(await env.currentTimeMs(), TZ);
    const t0 = performance.now();
    await startAll(YEAR_M, (i) =>
      billing.subscriptions.create(
        subscriptionInput(`year-${i}`, i < decliners ? declineCards[i]! : payer, startDate, 'monthly'),
      ),
    );
    const completed = await withDeadline(
      sleepAYear(env, 'engine year', () => `${chargeCount(sandbox)} charges`),
      TIMEOUT_MS * 2,
      'time-skipped year',
    ).catch((error: unknown) => {
      notes.push(`year: ${(error as Error).message}`);
      return false;
    });
    const wallMs = performance.now() - t0;
    const attempts = sandbox.state.requests.filter((r) => r.operation === 'zspay.sale.precapture');
    const softDeclined = attempts.filter((r) => r.outcome === 'soft_decline').length;
    record(
      `year of billing, M=${YEAR_M} monthly subs (${decliners} soft-declining), time-skipping`,
      wallMs / 1000,
      's wall',
      `${completed ? '' : 'INCOMPLETE; '}${chargeCount(sandbox)} charges, ${attempts.length} card attempts (${softDeclined} soft-declined)`,
    );
    if (completed) yearWallMs = wallMs;
    await runCleanups(mark);
  }
  // The skeleton's year: same count of workflows, two no-op activities per 1/12 year, continue-as-new each cycle.
  const skeletonWallMs = await skeletonYear('timers-only', 'no-op', () => skeletonActivities);
  if (skeletonWallMs !== undefined && yearWallMs !== undefined) closing.yearRatio = yearWallMs / skeletonWallMs;
  // The same skeleton making the engine's two provider calls per charge: the provider I/O alone.
  await skeletonYear('provider-calls', 'sandbox', async (client) => {
    const sandbox = await startSandbox({ logLimit: 10_000 });
    defer(() => sandbox.close());
    const card = await customerWithCard(zspayClient(sandbox.url));
    return (onCharge) => providerSkeletonActivities(sandboxActivities(sandbox.url, client), card, onCharge);
  });

  /** A skeleton year of YEAR_M workflows; its wall time (undefined when it did not finish), recorded next to the engine's. */
  async function skeletonYear(
    kind: string,
    charges: string,
    activitiesFor: (client: Client) => SkeletonActivitiesOf | Promise<SkeletonActivitiesOf>,
  ): Promise<number | undefined> {
    const mark = cleanupMark();
    const env = await timeSkippingEnv();
    const client = env.client;
    const taskQueue = `bench-year-skel-${randomUUID()}`;
    let calls = 0;
    const activities = await activitiesFor(client);
    await runSkeletonWorker({
      connection: env.nativeConnection,
      namespace: env.namespace ?? 'default',
      taskQueue,
      activities: activities(() => (calls += 1)),
    });
    const now = await env.currentTimeMs();
    const t0 = performance.now();
    await startAll(YEAR_M, (i) =>
      client.workflow.start('skeletonCycleWorkflow', {
        taskQueue,
        workflowId: `skel-year-${i}`,
        args: [skeletonInput(`skel-year-${i}`, now, (365 * DAY_MS) / 12, 1000)],
      }),
    );
    const completed = await withDeadline(
      sleepAYear(env, `${kind} skeleton year`, () => `${calls} ${charges} charges`),
      TIMEOUT_MS * 2,
      `${kind} skeleton year`,
    ).catch((error: unknown) => {
      notes.push(`${kind} skeleton year: ${(error as Error).message}`);
      return false;
    });
    const wallMs = performance.now() - t0;
    record(
      `skeleton year (${kind}), ${YEAR_M} workflows, time-skipping`,
      wallMs / 1000,
      's wall',
      `${completed ? '' : 'INCOMPLETE; '}${calls} ${charges} charges; engine year is ${yearWallMs ? (yearWallMs / wallMs).toFixed(2) : '?'}× this`,
    );
    await runCleanups(mark);
    return completed ? wallMs : undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// 5: `npm start` ready time next to the dev server's own start
// ---------------------------------------------------------------------------------------------
async function startupBenchmarks(): Promise<void> {
  ensureTemporalBinaries((line) => console.error(line));
  let serverMs: number;
  {
    const mark = cleanupMark();
    serverMs = (await startBenchDevServer({ asNpmStart: true })).startMs;
    record(
      'dev server start (with Web UI, as npm start runs it)',
      serverMs / 1000,
      's',
      'spawn until describeNamespace answers',
    );
    await runCleanups(mark);
  }

  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'billing-bench-stack-'));
  defer(() => rmSync(dataDir, { recursive: true, force: true }));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    BILLING_DATA_DIR: dataDir,
    BILLING_RUN_SCHEDULE: process.env.BILLING_RUN_SCHEDULE,
  };
  for (const key of [
    'TEMPORAL_ADDRESS',
    'TEMPORAL_NAMESPACE',
    'TEMPORAL_API_KEY',
    'TEMPORAL_PROFILE',
    'TEMPORAL_CONFIG_FILE',
    'TEMPORAL_TLS',
    'API_HOST',
    'SANDBOX_URL',
  ])
    delete env[key];
  env.TEMPORAL_DEV_PORT = String(await freePort());
  env.TEMPORAL_UI_PORT = String(await freePort());
  env.SANDBOX_PORT = String(await freePort());
  env.API_PORT = String(await freePort());

  const t0 = performance.now();
  // `npm start` itself, in its own process group, so that a stuck stack can be killed whole (dev server included).
  const child = spawn('npm', ['start'], { cwd: PROJECT_ROOT, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  defer(async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      /* already gone */
    }
    await withDeadline(exited, 10_000, 'stack kill');
  });
  let output = '';
  let reported: number | undefined;
  let readyMs: number | undefined;
  const onData = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-8000);
    const match = /Ready in ([\d.]+) s/.exec(output);
    if (match && readyMs === undefined) {
      readyMs = performance.now() - t0;
      reported = Number(match[1]);
    }
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  let exitCode: number | null | undefined;
  void exited.then((code) => (exitCode = code));
  const ready = await waitFor(() => readyMs !== undefined || exitCode !== undefined, TIMEOUT_MS, 100);
  if (!ready || readyMs === undefined)
    throw new Error(`npm start did not print "Ready in" (exit ${String(exitCode)}):\n${output.slice(-2000)}`);
  closing.startRatio = readyMs / serverMs;
  record(
    'npm start ready time (spawning `npm start` until "Ready in")',
    readyMs / 1000,
    's',
    `${(readyMs / serverMs).toFixed(2)}× the dev server alone; npm and tsx start-up included`,
  );
  record(
    'npm start ready time (own report, "Ready in")',
    reported ?? null,
    's',
    'dev server + sandbox + worker (bundles workflows) + API + schedule',
  );
  const stopT0 = performance.now();
  // As Ctrl-C in a terminal: SIGINT to the whole process group (npm, tsx, the stack, the dev server).
  process.kill(-child.pid!, 'SIGINT');
  const code = await withDeadline(exited, 30_000, 'npm start stop').catch(() => undefined);
  record(
    'npm start stop time (SIGINT to exit)',
    code === undefined ? null : (performance.now() - stopT0) / 1000,
    's',
    code === undefined ? 'did not exit; killed' : `exit code ${String(code)}`,
  );
}

// ---------------------------------------------------------------------------------------------
function closingLines(): string[] {
  const ratio = (v: number | undefined) => (v === undefined ? 'n/a' : v.toFixed(2));
  return [
    `ratio cycles engine/skeleton ${ratio(closing.cyclesRatio)}`,
    `ratio burst wall/floor ${ratio(closing.burstRatio)}`,
    `share burst 429 ${closing.burst429 === undefined ? 'n/a' : `${closing.burst429.toFixed(1)}%`}`,
    `holds left ${closing.holdsLeft ?? 'n/a'}`,
    `memory KiB/workflow ${closing.memoryKiB === undefined ? 'n/a' : Math.round(closing.memoryKiB)}`,
    `ratio start stack/server ${ratio(closing.startRatio)}`,
    `ratio year engine/skeleton ${ratio(closing.yearRatio)}`,
  ];
}

async function main(): Promise<void> {
  // ERROR: the SDK logs every retried activity failure (e.g. the sandbox's 429s) at WARN.
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const onSignal = () => {
    void runCleanups().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const started = performance.now();
  try {
    const bundleT0 = performance.now();
    const { code } = await workflowBundle();
    record(
      'workflow bundle (webpack, engine workflows + skeleton)',
      (performance.now() - bundleT0) / 1000,
      's',
      `${(code.length / 1024).toFixed(0)} KiB of code; \`npm start\` and every worker process without a prebuilt bundle pay this at start`,
    );
    if (ONLY.has('cycles') || ONLY.has('memory')) await scoped('dev server: cycles, memory', devServerBenchmarks);
    if (ONLY.has('burst') || ONLY.has('horizontal')) await billingDayBenchmarks();
    if (ONLY.has('year')) await scoped('time-skipping year', yearBenchmarks);
    if (ONLY.has('startup')) await scoped('start-up', startupBenchmarks);
  } finally {
    await runCleanups();
  }
  const nameWidth = Math.max(4, ...rows.map((r) => r.name.length));
  const valueWidth = Math.max(5, ...rows.map((r) => String(r.value ?? '—').length));
  const unitWidth = Math.max(4, ...rows.map((r) => r.unit.length));
  console.log(
    `\n${'name'.padEnd(nameWidth)}  ${'value'.padStart(valueWidth)}  ${'unit'.padEnd(unitWidth)}  comparison`,
  );
  console.log(`${'-'.repeat(nameWidth)}  ${'-'.repeat(valueWidth)}  ${'-'.repeat(unitWidth)}  ----------`);
  for (const r of rows)
    console.log(
      `${r.name.padEnd(nameWidth)}  ${String(r.value ?? '—').padStart(valueWidth)}  ${r.unit.padEnd(unitWidth)}  ${r.comparison}`,
    );
  for (const note of notes) console.log(`note: ${note}`);
  const lines = closingLines();
  console.log(`\n${lines.join('\n')}`);
  const resultsDir = path.join(__dirname, 'results');
  mkdirSync(resultsDir, { recursive: true });
  const result = {
    at: new Date().toISOString(),
    profile: PROFILE,
    machine: {
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model,
      totalMemMiB: Math.round(os.totalmem() / 1048576),
      node: process.version,
      platform: process.platform,
      loadAverage: os.loadavg(),
    },
    settings: {
      N,
      BURST_N,
      BURST_RPS,
      BOLETO_PCT,
      DECLINE_PCT,
      PROCESSES,
      MAX_CACHED,
      LANES,
      WARM_S,
      HISTORIES,
      RUN_BATCH,
      YEAR_M,
      MEM_N,
      TIMEOUT_MS,
      only: [...ONLY],
    },
    totalSeconds: Math.round((performance.now() - started) / 100) / 10,
    closing: lines,
    rows,
    days: days.map(({ label, report }) => ({ label, ...report, ledger: { ...report.ledger, perIndex: undefined } })),
    notes,
  };
  writeFileSync(path.join(resultsDir, 'latest.json'), `${JSON.stringify(result, null, 2)}\n`);
  console.log(
    `\nwrote ${path.relative(process.cwd(), path.join(resultsDir, 'latest.json'))} (${result.totalSeconds} s total)`,
  );
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error((error as Error).stack ?? String(error));
    void runCleanups().finally(() => process.exit(1));
  },
);
