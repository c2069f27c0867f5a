/**
 * `npm run bench`: throughput, burst, time-skipped year, memory and start-up figures for the engine,
 * each next to a skeleton or baseline. Loopback only; every process and temp dir it starts is
 * cleaned up, also on error or Ctrl-C. Prints a table and writes bench/results/latest.json.
 *
 * Scale with env vars (defaults finish in a few minutes on 2 cores):
 *   BENCH_N=30              subscriptions for the dev-server cycle benchmark (and its skeleton)
 *   BENCH_BURST_N=30        subscriptions due at once in the burst benchmark
 *   BENCH_BURST_RPS=5       the sandbox's Zspay rate limit during the burst (requests/s; burst = one second's worth)
 *   BENCH_YEAR_M=100        subscriptions for the time-skipped year (a tenth soft-decline)
 *   BENCH_MEM_N=200         cached workflows of each kind (subscription, skeleton) for the memory figures
 *   BENCH_TIMEOUT_S=120     deadline for each wait inside a benchmark
 *   BENCH_ONLY=cycles,burst,year,memory,startup   run a subset
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
import { Client, Connection } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Runtime, Worker, type WorkerOptions } from '@temporalio/worker';
import { BillingClient } from '../client';
import { localDateOf } from '../common/billing/calendar';
import { DevServer } from '../scripts/dev-server';
import { freePort } from '../scripts/ports';
import { ensureTemporalBinaries, PROJECT_ROOT } from '../scripts/temporal-binaries';
import { sandboxActivities } from '../test/helpers/engine';
import { startSandbox, type RunningSandbox } from '../test/helpers/sandbox';
import { createTimeSkippingEnv } from '../test/helpers/temporal';
import { customerWithCard, zspayClient } from '../test/providers/zspay/helpers';
import type { SkeletonActivities, SkeletonCycleInput } from './skeleton-workflows';

// ---------------------------------------------------------------------------------------------
// settings, results, cleanup
// ---------------------------------------------------------------------------------------------
const intEnv = (name: string, fallback: number, max: number): number => {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number`);
  return Math.min(Math.floor(value), max);
};
const N = intEnv('BENCH_N', 30, 2_000);
const BURST_N = intEnv('BENCH_BURST_N', 30, 2_000);
const BURST_RPS = intEnv('BENCH_BURST_RPS', 5, 10_000);
const YEAR_M = intEnv('BENCH_YEAR_M', 100, 2_000);
const MEM_N = intEnv('BENCH_MEM_N', 200, 2_000);
const TIMEOUT_MS = intEnv('BENCH_TIMEOUT_S', 120, 3_600) * 1000;
const ONLY = new Set((process.env.BENCH_ONLY ?? 'cycles,burst,memory,year,startup').split(',').map((s) => s.trim()));
const TZ = 'America/Sao_Paulo';
const DAY_MS = 86_400_000;

interface Row {
  name: string;
  value: number | null;
  unit: string;
  comparison: string;
}
const rows: Row[] = [];
const notes: string[] = [];
const record = (name: string, value: number | null, unit: string, comparison = ''): void => {
  rows.push({ name, value: value === null ? null : Math.round(value * 100) / 100, unit, comparison });
};

/** Cleanups run last-in first-out; each runs once. */
const cleanups: Array<() => Promise<void> | void> = [];
const defer = (fn: () => Promise<void> | void): void => {
  cleanups.push(fn);
};
async function runCleanups(downTo = 0): Promise<void> {
  while (cleanups.length > downTo) {
    const fn = cleanups.pop()!;
    try {
      await fn();
    } catch (error) {
      console.error(`cleanup failed: ${(error as Error).message}`);
    }
  }
}
/** Runs one benchmark with its own cleanup scope; a failure is reported, not fatal. */
async function scoped(name: string, fn: () => Promise<void>): Promise<void> {
  const mark = cleanups.length;
  const started = performance.now();
  console.error(`▶ ${name}`);
  try {
    await fn();
  } catch (error) {
    notes.push(`${name} failed: ${(error as Error).message}`);
    console.error(`✘ ${name}: ${(error as Error).stack ?? String(error)}`);
  } finally {
    await runCleanups(mark);
    console.error(`  (${name}: ${((performance.now() - started) / 1000).toFixed(1)} s)`);
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
/** Polls until the predicate holds or the deadline passes; true when it held. */
async function waitFor(predicate: () => boolean | Promise<boolean>, timeoutMs = TIMEOUT_MS, intervalMs = 20): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await predicate()) return true;
    await sleep(intervalMs);
  }
  return predicate();
}
/** Rejects after ms (the timer is cleared when the promise settles first). */
async function withDeadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([promise, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: no result in ${ms} ms`)), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

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
    const reply = await withDeadline(answered, 60_000, `${method} in a worker thread`).finally(() => replies.delete(id));
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

// ---------------------------------------------------------------------------------------------
// shared pieces
// ---------------------------------------------------------------------------------------------
let bundlePromise: Promise<{ code: string }> | undefined;
const workflowBundle = () =>
  (bundlePromise ??= bundleWorkflowCode({ workflowsPath: require.resolve('./workflows'), logger: new DefaultLogger('WARN') }));

/** The no-op skeleton activities, counting the charges (the second step). */
let skeletonCalls = 0;
const skeletonActivities: SkeletonActivities = {
  async skeletonAuthorize(input) {
    return { saleId: `skeleton-${input.reference}` };
  },
  async skeletonCharge(input) {
    skeletonCalls += 1;
    return { status: 'succeeded', reference: input.reference };
  },
};

const chargeCount = (sandbox: RunningSandbox, customer?: string) =>
  sandbox.state.ledger.reduce((n, e) => n + (e.kind === 'charge' && (customer === undefined || e.customer === customer) ? 1 : 0), 0);
/** Forgets the sandbox's logs and ledger (not its stored customers and cards). */
const clearSandboxLogs = (sandbox: RunningSandbox) => {
  sandbox.state.requests.length = 0;
  sandbox.state.ledger.length = 0;
  sandbox.state.arrivals.length = 0;
  sandbox.state.clearRules();
};

function subscriptionInput(id: string, card: { clientId: string; cardId: string }, startDate: string, frequency: 'daily' | 'monthly') {
  return {
    subscriptionId: id,
    customerId: `cus-${id}`,
    plan: { planId: 'bench', amountCents: 5990, recurrence: { kind: 'calendar' as const, frequency, interval: 1 }, chargeHourLocal: 0, timeZone: TZ },
    paymentMethod: { type: 'zspay_card' as const, zspayClientId: card.clientId, cardId: card.cardId },
    startDate,
  };
}

/** Starts `count` workflows with at most 20 start calls in flight. */
async function startAll(count: number, start: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < count) await start(next++);
  };
  await Promise.all(Array.from({ length: Math.min(20, count) }, lane));
}

interface DevStack {
  server: DevServer;
  serverStartMs: number;
  client: Client;
  nativeConnection: NativeConnection;
  sandbox: RunningSandbox;
  card: { clientId: string; cardId: string };
}

async function startDevStack(): Promise<DevStack> {
  const { cli } = ensureTemporalBinaries((line) => console.error(line));
  const dir = mkdtempSync(path.join(os.tmpdir(), 'billing-bench-'));
  defer(() => rmSync(dir, { recursive: true, force: true }));
  const t0 = performance.now();
  const server = await DevServer.start({
    cli,
    port: await freePort(),
    dbFile: path.join(dir, 'temporal.sqlite'),
    sqlitePragmas: { journal_mode: 'WAL', synchronous: 'OFF' },
    readyTimeoutMs: 90_000,
  });
  const serverStartMs = performance.now() - t0;
  defer(() => server.stop());
  const connection = await Connection.connect({ address: server.address });
  defer(() => connection.close());
  const nativeConnection = await NativeConnection.connect({ address: server.address });
  defer(() => nativeConnection.close());
  const sandbox = await startSandbox();
  defer(() => sandbox.close());
  const card = await customerWithCard(zspayClient(sandbox.url));
  return { server, serverStartMs, client: new Client({ connection, namespace: server.namespace }), nativeConnection, sandbox, card };
}

async function runWorker(options: WorkerOptions): Promise<Worker> {
  const worker = await Worker.create(options);
  const running = worker.run();
  defer(async () => {
    if (worker.getState() === 'RUNNING') worker.shutdown();
    await withDeadline(running, 30_000, 'worker shutdown');
  });
  return worker;
}

// ---------------------------------------------------------------------------------------------
// 1 + 2 + 4a: dev server — cycles/s vs skeleton, billing-day burst, memory per cached workflow
// ---------------------------------------------------------------------------------------------
async function devServerBenchmarks(): Promise<void> {
  const stack = await startDevStack();
  record('dev server start (headless, empty temp db)', stack.serverStartMs / 1000, 's', 'DevServer.start until describeNamespace answers');
  const { client, sandbox, card } = stack;
  const namespace = stack.server.namespace;
  const taskQueue = `bench-${randomUUID()}`;
  const billing = new BillingClient({ client, taskQueue });
  const activities = { ...sandboxActivities(sandbox.url, client), ...skeletonActivities };
  await runWorker({ connection: stack.nativeConnection, namespace, taskQueue, activities, workflowBundle: await workflowBundle() });
  const today = localDateOf(Date.now(), TZ);

  // Warm-up: one subscription and one skeleton, so the first measured workflow does not pay for VM start-up.
  await billing.subscriptions.create(subscriptionInput(`warm-${randomUUID().slice(0, 8)}`, card, today, 'daily'));
  await client.workflow.start('skeletonCycleWorkflow', { taskQueue, workflowId: `skel-warm-${randomUUID()}`, args: [skeletonInput('warm', Date.now() - 1000, DAY_MS, 1)] });
  if (!(await waitFor(() => chargeCount(sandbox) >= 1 && skeletonCalls >= 1))) throw new Error('warm-up did not charge');

  if (ONLY.has('cycles')) {
    clearSandboxLogs(sandbox);
    const run = randomUUID().slice(0, 8);
    const t0 = performance.now();
    await startAll(N, (i) => billing.subscriptions.create(subscriptionInput(`cyc-${run}-${i}`, card, today, 'daily')));
    const done = await waitFor(() => chargeCount(sandbox) >= N);
    const realMs = performance.now() - t0;
    if (!done) notes.push(`cycles: only ${chargeCount(sandbox)}/${N} charges before the deadline`);

    const skeletonBase = skeletonCalls;
    const t1 = performance.now();
    await startAll(N, (i) =>
      client.workflow.start('skeletonCycleWorkflow', { taskQueue, workflowId: `skel-${run}-${i}`, args: [skeletonInput(`skel-${run}-${i}`, Date.now() - 1000, DAY_MS, 1)] }),
    );
    const skelDone = await waitFor(() => skeletonCalls - skeletonBase >= N);
    const skelMs = performance.now() - t1;
    if (!skelDone) notes.push(`cycles: only ${skeletonCalls - skeletonBase}/${N} skeleton charges before the deadline`);
    const realRate = (chargeCount(sandbox) / realMs) * 1000;
    const skelRate = ((skeletonCalls - skeletonBase) / skelMs) * 1000;
    record(`subscription cycles/s (dev server, N=${N})`, realRate, 'cycles/s', `${(realMs / 1000).toFixed(2)} s wall; ${(realRate / skelRate).toFixed(2)}× the skeleton`);
    record(`skeleton cycles/s (dev server, N=${N})`, skelRate, 'cycles/s', `${(skelMs / 1000).toFixed(2)} s wall; no-op activities, same worker`);
    const requests = sandbox.state.requests.filter((r) => r.provider === 'zspay').length;
    notes.push(`cycles: ${requests} Zspay requests for ${N} real charges (pre-capture + capture each)`);
  }

  if (ONLY.has('burst')) {
    // One card per subscription, so the ledger shows each subscription's charges apart.
    const zspay = zspayClient(sandbox.url);
    const cards: Array<{ clientId: string; cardId: string }> = [];
    await startAll(BURST_N, async () => cards.push(await customerWithCard(zspay)));
    clearSandboxLogs(sandbox);
    const limit = { requestsPerSecond: BURST_RPS, burst: BURST_RPS };
    sandbox.state.rateLimits.set('zspay', limit);
    const zspayRequests = () => sandbox.state.requests.filter((r) => r.direction === 'incoming' && r.provider === 'zspay');
    const run = randomUUID().slice(0, 8);
    let wallMs: number;
    try {
      const t0 = performance.now();
      await startAll(BURST_N, (i) => billing.subscriptions.create(subscriptionInput(`burst-${run}-${i}`, cards[i]!, today, 'daily')));
      const done = await waitFor(() => cards.every((card) => chargeCount(sandbox, card.clientId) >= 1));
      wallMs = performance.now() - t0;
      if (!done) notes.push(`burst: only ${cards.filter((card) => chargeCount(sandbox, card.clientId) >= 1).length}/${BURST_N} subscriptions charged before the deadline`);
      // A second charge would come from a retry still under way: wait for 2 s without a Zspay request.
      let lastCount = -1;
      const quiet = () => {
        const count = zspayRequests().length;
        const unchanged = count === lastCount;
        lastCount = count;
        return unchanged;
      };
      await waitFor(quiet, 30_000, 2_000);
    } finally {
      sandbox.state.rateLimits.remove('zspay');
    }
    const requests = zspayRequests();
    const refused = requests.filter((r) => r.status === 429).length;
    const admitted = requests.length - refused;
    const charges = chargeCount(sandbox);
    // The limiter's floor: every admitted request needs a token; the bucket starts with `burst` of them.
    const floorS = Math.max(0, admitted - limit.burst) / limit.requestsPerSecond;
    const onceEach = cards.every((card) => chargeCount(sandbox, card.clientId) === 1);
    record(
      `billing-day burst wall time (N=${BURST_N} due at once, Zspay limited to ${limit.requestsPerSecond}/s, burst ${limit.burst})`,
      wallMs / 1000,
      's',
      `floor ${floorS.toFixed(1)} s: ${(admitted / Math.max(charges, 1)).toFixed(2)} Zspay requests per charge (from the log; N/R alone = ${(BURST_N / limit.requestsPerSecond).toFixed(1)} s); every subscription charged exactly once: ${onceEach} (${charges} charges)`,
    );
    const byOperation = new Map<string, number>();
    for (const r of requests) if (r.status !== 429) byOperation.set(r.operation ?? '?', (byOperation.get(r.operation ?? '?') ?? 0) + 1);
    notes.push(`burst: admitted Zspay requests by operation: ${[...byOperation].map(([operation, n]) => `${operation} ${n}`).join(', ')}`);
    record('burst: share of Zspay requests answered 429', requests.length ? (refused / requests.length) * 100 : null, '%', `${refused} of ${requests.length} Zspay requests`);
  }

  if (ONLY.has('memory')) {
    // What is measured: the heap a cached workflow keeps alive, after GC, in the worker production
    // runs (workflows in a worker thread, reuseV8Context), as the sum of the workflow thread's heap
    // (the workflow's sandbox: its own instances of the bundle's modules, its state, its timers) and
    // the main thread's (the SDK's per-run bookkeeping). RSS is shown too: it adds the Rust core's
    // per-run state and V8's reserved pages, but it is noisier and seldom shrinks. A skeleton from the
    // same bundle sits next to it, to tell the cost of the bundle from the cost of the billing state.
    // (The former debugMode measure, main isolate only, gave the same total within 1% at N=300; the
    // skeleton in a bundle of its own keeps ~75 KiB: the cost is each workflow's own module instances.)
    await runCleanups(cleanups.length - 1); // stops the throughput worker (the last thing deferred)
    const threadHeaps = await attachWorkerThreadHeaps();
    defer(() => threadHeaps.close());
    const memoryNow = async () => ({ threads: await threadHeaps.usedAfterGc(), ...heapAfterGc() });
    const memQueue = `bench-mem-${randomUUID()}`;
    const memBilling = new BillingClient({ client, taskQueue: memQueue });
    const memWorker = await runWorker({
      connection: stack.nativeConnection,
      namespace,
      taskQueue: memQueue,
      activities,
      workflowBundle: await workflowBundle(),
      maxCachedWorkflows: 2 * MEM_N + 50,
    });
    /** Waits until the cache holds `target` workflows for a second (runs that continued as new leave it). */
    const settle = async (target: number): Promise<number> => {
      let stableSince = 0;
      await waitFor(() => {
        if (memWorker.getStatus().numCachedWorkflows !== target) stableSince = 0;
        else stableSince ||= Date.now();
        return stableSince > 0 && Date.now() - stableSince >= 1000;
      }, 30_000, 50);
      return memWorker.getStatus().numCachedWorkflows;
    };
    const run = randomUUID().slice(0, 8);
    const startSubscription = (id: string) => memBilling.subscriptions.create(subscriptionInput(id, card, today, 'daily'));
    // The skeleton charges once, continues as new and parks on tomorrow's timer, as a paid subscription does.
    const startSkeleton = (id: string) => client.workflow.start('skeletonCycleWorkflow', { taskQueue: memQueue, workflowId: id, args: [skeletonInput(id, Date.now() - 1000, DAY_MS, 1)] });

    // Warm-up: one of each, so the measured ones do not pay for the first compilation.
    clearSandboxLogs(sandbox);
    const skeletonBase = skeletonCalls;
    await startSubscription(`memwarm-${run}`);
    await startSkeleton(`memwarm-skel-${run}`);
    await waitFor(() => chargeCount(sandbox) >= 1 && skeletonCalls > skeletonBase);
    let cached = await settle(2);
    clearSandboxLogs(sandbox);
    let last = await memoryNow();

    /** Caches MEM_N more workflows of one kind and records the memory each added. */
    const measure = async (kind: string, start: (id: string) => Promise<unknown>, allCharged: () => boolean) => {
      await startAll(MEM_N, (i) => start(`mem-${kind}-${run}-${i}`));
      if (!(await waitFor(allCharged))) notes.push(`memory: not every ${kind} workflow charged before the deadline`);
      const now = await settle(cached + MEM_N);
      const added = Math.max(now - cached, 1);
      cached = now;
      clearSandboxLogs(sandbox); // the sandbox's logs are this process's heap too
      const reading = await memoryNow();
      const kib = (bytes: number) => bytes / added / 1024;
      const threads = reading.threads - last.threads;
      const main = reading.heap - last.heap;
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
    await measure('skeleton', startSkeleton, () => skeletonCalls >= skeletonsBefore + MEM_N);
  }
}

function skeletonInput(id: string, dueAt: number, intervalMs: number, cyclesLeft: number): SkeletonCycleInput {
  return { id, dueAt, intervalMs, cyclesLeft };
}

// ---------------------------------------------------------------------------------------------
// 3: a year on the time-skipping server, next to a timers-only skeleton year
// ---------------------------------------------------------------------------------------------
async function timeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  const env = await createTimeSkippingEnv();
  defer(() => env.teardown());
  return env;
}

async function yearBenchmarks(): Promise<void> {
  ensureTemporalBinaries((line) => console.error(line));
  const bundle = await workflowBundle();
  // The engine's year.
  {
    const mark = cleanups.length;
    const env = await timeSkippingEnv();
    const sandbox = await startSandbox();
    defer(() => sandbox.close());
    const zspay = zspayClient(sandbox.url);
    const decliners = Math.floor(YEAR_M / 10);
    const declineCards: Array<{ clientId: string; cardId: string }> = [];
    for (let i = 0; i < decliners; i++) {
      const card = await customerWithCard(zspay);
      // A rule matches any key of the request (client id or card id): numeric ids of both kinds.
      sandbox.state.addRule({ provider: 'zspay', operation: 'zspay.sale.precapture', match: card.cardId, outcome: { type: 'soft_decline', code: '51' } });
      declineCards.push(card);
    }
    // The paying customer must not share an id with a declining card, or its charges would decline too.
    const declineKeys = new Set(declineCards.map((c) => c.cardId));
    let payer = await customerWithCard(zspay);
    for (let tries = 0; tries < decliners + 2 && (declineKeys.has(payer.clientId) || declineKeys.has(payer.cardId)); tries++) payer = await customerWithCard(zspay);
    if (declineKeys.has(payer.clientId) || declineKeys.has(payer.cardId)) throw new Error('could not get a paying card whose ids differ from the declining ones');
    const client = env.client as Client;
    const taskQueue = `bench-year-${randomUUID()}`;
    await runWorker({ connection: env.nativeConnection, namespace: env.namespace ?? 'default', taskQueue, activities: { ...sandboxActivities(sandbox.url, client), ...skeletonActivities }, workflowBundle: bundle });
    const billing = new BillingClient({ client, taskQueue });
    const startDate = localDateOf(await env.currentTimeMs(), TZ);
    const t0 = performance.now();
    await startAll(YEAR_M, (i) => billing.subscriptions.create(subscriptionInput(`year-${i}`, i < decliners ? declineCards[i]! : payer, startDate, 'monthly')));
    const completed = await withDeadline(env.sleep(365 * DAY_MS).then(() => true), TIMEOUT_MS * 2, 'time-skipped year').catch((error: unknown) => {
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
    yearWallMs = wallMs;
    await runCleanups(mark);
  }
  // The skeleton's year: same count of workflows, two no-op activities per 1/12 year, continue-as-new each cycle.
  {
    const env = await timeSkippingEnv();
    const client = env.client as Client;
    const taskQueue = `bench-year-skel-${randomUUID()}`;
    await runWorker({ connection: env.nativeConnection, namespace: env.namespace ?? 'default', taskQueue, activities: skeletonActivities, workflowBundle: bundle });
    const now = await env.currentTimeMs();
    const base = skeletonCalls;
    const t0 = performance.now();
    await startAll(YEAR_M, (i) =>
      client.workflow.start('skeletonCycleWorkflow', { taskQueue, workflowId: `skel-year-${i}`, args: [skeletonInput(`skel-year-${i}`, now, (365 * DAY_MS) / 12, 1000)] }),
    );
    const completed = await withDeadline(env.sleep(365 * DAY_MS).then(() => true), TIMEOUT_MS * 2, 'skeleton year').catch((error: unknown) => {
      notes.push(`skeleton year: ${(error as Error).message}`);
      return false;
    });
    const wallMs = performance.now() - t0;
    record(
      `skeleton year, ${YEAR_M} timers-only workflows, time-skipping`,
      wallMs / 1000,
      's wall',
      `${completed ? '' : 'INCOMPLETE; '}${skeletonCalls - base} no-op charges; engine year is ${yearWallMs ? (yearWallMs / wallMs).toFixed(2) : '?'}× this`,
    );
  }
}
let yearWallMs: number | undefined;

// ---------------------------------------------------------------------------------------------
// 4b: `npm start` ready time next to the dev server's own start
// ---------------------------------------------------------------------------------------------
async function startupBenchmarks(): Promise<void> {
  const { cli } = ensureTemporalBinaries((line) => console.error(line));
  {
    const mark = cleanups.length;
    const dir = mkdtempSync(path.join(os.tmpdir(), 'billing-bench-dev-'));
    defer(() => rmSync(dir, { recursive: true, force: true }));
    const t0 = performance.now();
    const server = await DevServer.start({ cli, port: await freePort(), uiPort: await freePort(), dbFile: path.join(dir, 'temporal.sqlite'), sqlitePragmas: { journal_mode: 'WAL', synchronous: 'NORMAL' }, readyTimeoutMs: 90_000 });
    const ms = performance.now() - t0;
    defer(() => server.stop());
    record('dev server start (with Web UI, as npm start runs it)', ms / 1000, 's', 'DevServer.start alone');
    await runCleanups(mark);
  }

  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'billing-bench-stack-'));
  defer(() => rmSync(dataDir, { recursive: true, force: true }));
  const env: NodeJS.ProcessEnv = { ...process.env, BILLING_DATA_DIR: dataDir, BILLING_RUN_SCHEDULE: process.env.BILLING_RUN_SCHEDULE };
  for (const key of ['TEMPORAL_ADDRESS', 'TEMPORAL_NAMESPACE', 'TEMPORAL_API_KEY', 'TEMPORAL_PROFILE', 'TEMPORAL_CONFIG_FILE', 'TEMPORAL_TLS', 'API_HOST', 'SANDBOX_URL']) delete env[key];
  env.TEMPORAL_DEV_PORT = String(await freePort());
  env.TEMPORAL_UI_PORT = String(await freePort());
  env.SANDBOX_PORT = String(await freePort());
  env.API_PORT = String(await freePort());

  const t0 = performance.now();
  // Its own process group, so that a stuck stack can be killed whole (dev server included).
  const child = spawn('npx', ['tsx', 'scripts/start-stack.ts'], { cwd: PROJECT_ROOT, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
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
  if (!ready || readyMs === undefined) throw new Error(`npm start did not print "Ready in" (exit ${String(exitCode)}):\n${output.slice(-2000)}`);
  record('npm start ready time (own report, "Ready in")', reported ?? null, 's', 'dev server + sandbox + worker (bundles workflows) + API + schedule');
  record('npm start ready time (from spawning npx tsx)', readyMs / 1000, 's', 'includes npx and tsx start-up');
  const stopT0 = performance.now();
  // As Ctrl-C in a terminal: SIGINT to the whole process group (npx, tsx, the stack, the dev server).
  process.kill(-child.pid!, 'SIGINT');
  const code = await withDeadline(exited, 30_000, 'npm start stop').catch(() => undefined);
  record('npm start stop time (SIGINT to exit)', code === undefined ? null : (performance.now() - stopT0) / 1000, 's', code === undefined ? 'did not exit; killed' : `exit code ${String(code)}`);
}

// ---------------------------------------------------------------------------------------------
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
    if (ONLY.has('cycles') || ONLY.has('burst') || ONLY.has('memory')) await scoped('dev server: cycles, burst, memory', devServerBenchmarks);
    if (ONLY.has('year')) await scoped('time-skipping year', yearBenchmarks);
    if (ONLY.has('startup')) await scoped('start-up', startupBenchmarks);
  } finally {
    await runCleanups();
  }
  const nameWidth = Math.max(4, ...rows.map((r) => r.name.length));
  const valueWidth = Math.max(5, ...rows.map((r) => String(r.value ?? '—').length));
  const unitWidth = Math.max(4, ...rows.map((r) => r.unit.length));
  console.log(`\n${'name'.padEnd(nameWidth)}  ${'value'.padStart(valueWidth)}  ${'unit'.padEnd(unitWidth)}  comparison`);
  console.log(`${'-'.repeat(nameWidth)}  ${'-'.repeat(valueWidth)}  ${'-'.repeat(unitWidth)}  ----------`);
  for (const r of rows) console.log(`${r.name.padEnd(nameWidth)}  ${String(r.value ?? '—').padStart(valueWidth)}  ${r.unit.padEnd(unitWidth)}  ${r.comparison}`);
  for (const note of notes) console.log(`note: ${note}`);
  const resultsDir = path.join(__dirname, 'results');
  mkdirSync(resultsDir, { recursive: true });
  const result = {
    at: new Date().toISOString(),
    machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, totalMemMiB: Math.round(os.totalmem() / 1048576), node: process.version, platform: process.platform },
    settings: { N, BURST_N, BURST_RPS, YEAR_M, MEM_N, TIMEOUT_MS, only: [...ONLY] },
    totalSeconds: Math.round((performance.now() - started) / 100) / 10,
    rows,
    notes,
  };
  writeFileSync(path.join(resultsDir, 'latest.json'), `${JSON.stringify(result, null, 2)}\n`);
  console.log(`\nwrote ${path.relative(process.cwd(), path.join(resultsDir, 'latest.json'))} (${result.totalSeconds} s total)`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error((error as Error).stack ?? String(error));
    void runCleanups().finally(() => process.exit(1));
  },
);
