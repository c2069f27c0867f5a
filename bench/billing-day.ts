/**
 * The billing day (issue 16): N subscriptions falling due in the same local hour on a fresh dev
 * server — a card and boleto mix with a share of soft declines — charged by the engine's workers in
 * one or more processes, paced by the server to the sandbox's Zspay rate limit; then a billing run
 * that repairs the boleto payments whose webhooks never came. Next to it, on the same dev server
 * and before it, the skeleton burst: N skeleton workflows of the same shape (update-with-start, two
 * no-op activity calls), which is what Temporal itself manages on this box.
 *
 * Measured: the burst's wall time (first create to last charge), the provider floor (admitted
 * Zspay requests / rate), the skeleton's wall time, the 429 share, the Zspay pre-authorizations,
 * captures, releases and holds left (sales still pre-authorized at the end, read from the sandbox),
 * workflow-task timeouts (from every run's history, and the worker's log), the ledger (each paying
 * customer charged exactly once, each decliner never), every subscription's status (visibility),
 * the billing run's time and repairs, and the worker processes' memory.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import type { Client } from '@temporalio/client';
import { BillingClient } from '../client';
import { localDateOf } from '../common/billing/calendar';
import type { CreateSubscriptionInput } from '../common/subscription/input';
import { taskQueuePartitions } from '../scripts/dev-server';
import { startBenchDevServer } from './dev-server';
import { skeletonInput, startSkeleton, workflowBundleFile } from './engine';
import { defer, mapAll, notes, progress, sleep, startAll, waitFor, withDeadline } from './harness';
import {
  customerWithCard,
  LedgerCounter,
  ORDER_STATUS,
  payBoleto,
  RequestCounter,
  saleIdMark,
  salesBetween,
  startSandbox,
  zspayClient,
} from './sandbox';
import { startWorkerPool } from './worker-pool';
import type { WorkerStats } from './worker-process';

const TZ = 'America/Sao_Paulo';
const DAY_MS = 86_400_000;
const AMOUNT_CENTS = 5990;

export interface DayPlan {
  n: number;
  /** The sandbox's Zspay limit (requests/s, burst one second's worth) and the engine's Zspay pacing. */
  rps: number;
  processes: number;
  boletoPct: number;
  declinePct: number;
  maxCachedWorkflows?: number;
  /** Creates (and skeleton starts) in flight. */
  lanes: number;
  timeoutMs: number;
  /** Read every run's history for workflow-task timeouts. */
  readHistories: boolean;
  /**
   * The billing run's batch size (its concurrency stays the engine's default, 2). Each batch's Zspay
   * reads run back to back in one activity on the main (unpaced) queue, and a 429 retries the whole
   * batch: a batch larger than the provider's burst never completes under its limit.
   */
  runBatchSize: number;
  /** Time the worker processes poll before the burst starts. */
  warmMs: number;
  /** Task queue partitions of the dev server (`npm start`: 1; the server's own default: 4). */
  partitions: number;
}

type Kind = 'card' | 'decline' | 'boleto';
interface PerWorkflow {
  sampled: number;
  runs: number;
  events: number;
  workflowTasks: number;
  activities: number;
}

export interface SkeletonBurst {
  wallMs: number;
  cpu?: CpuShare;
  done: boolean;
  charges: number;
  workers: WorkerStats[];
}

export interface DayReport {
  plan: DayPlan;
  skeleton: SkeletonBurst;
  counts: Record<Kind, number>;
  /** First create to the last subscription settled at Zspay (charged, declined, or boleto issued). */
  wallMs: number;
  cpu?: CpuShare;
  createMs: number;
  done: boolean;
  zspay: {
    total: number;
    refused: number;
    admitted: number;
    byOperation: Record<string, number>;
    perSecond: Array<[number, number]>;
    head: Array<[number, number | null, string]>;
  };
  floorS: number;
  sales: {
    preAuthorized: number;
    captured: number;
    released: number;
    declined: number;
    holdsLeft: number;
    refunds: number;
    boletosIssued: number;
    boletosPaid: number;
    boletosPending: number;
  };
  ledger: {
    charges: number;
    cents: number;
    payersChargedOnce: number;
    payers: number;
    decliners: number;
    declinersCharged: number;
    overcharged: number;
    perIndex: number[];
  };
  statuses: Record<string, number>;
  notRunning: number;
  billingRun?: {
    ms: number;
    runMs: number;
    /** ms from the trigger until each phase of the run was first seen. */
    phases: Record<string, number>;
    /** The run's own history. */
    events: number;
    workflowTasks: number;
    checked: number;
    repaired: number;
    settled: boolean;
    zspay: { total: number; refused: number; admitted: number };
  };
  workflowTaskTimeouts: {
    fromHistories: number | null;
    runsRead: number;
    byType: Record<string, number>;
    workflowTaskFailures: number;
    logLines: number;
  };
  /** History per subscription (all its runs) and per skeleton (a sample): what each costs Temporal. */
  shape?: { subscriptions: PerWorkflow; skeletons: PerWorkflow };
  workers: WorkerStats[];
}

/** Spread evenly: index i is a decliner, a boleto or a paying card (10 % / 20 % → 1 in 10 / 2 in 10). */
export function kindOf(i: number, plan: Pick<DayPlan, 'declinePct' | 'boletoPct'>): Kind {
  const d = plan.declinePct / 100;
  const b = plan.boletoPct / 100;
  if (Math.floor((i + 1) * d) > Math.floor(i * d)) return 'decline';
  if (Math.floor((i + 1) * b + 0.5) > Math.floor(i * b + 0.5)) return 'boleto';
  return 'card';
}

function subscriptionInput(
  id: string,
  kind: Kind,
  customer: { clientId: string; cardId: string },
  startDate: string,
): CreateSubscriptionInput {
  return {
    subscriptionId: id,
    customerId: `cus-${id}`,
    plan: {
      planId: 'bench',
      amountCents: AMOUNT_CENTS,
      recurrence: { kind: 'calendar', frequency: 'monthly', interval: 1 },
      chargeHourLocal: 0,
      timeZone: TZ,
      tolerancePeriodDays: 3,
    },
    paymentMethod:
      kind === 'boleto'
        ? { type: 'zspay_boleto', zspayClientId: customer.clientId }
        : { type: 'zspay_card', zspayClientId: customer.clientId, cardId: customer.cardId },
    startDate,
  };
}

/** CPU seconds (user + system) a process has used so far, from /proc (Linux; undefined elsewhere). */
function cpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
  } catch {
    return undefined;
  }
}
export interface CpuShare {
  /** Core-seconds each part used during the phase. */
  server: number;
  workers: number;
  bench: number;
  /** Core-seconds the machine had: cores × wall. */
  available: number;
}
/** Starts counting the CPU of the dev server, the worker processes and this process (sandbox, client). */
function cpuMeter(serverPid: number | undefined, workerPids: number[]): () => CpuShare | undefined {
  const pids = { server: serverPid === undefined ? [] : [serverPid], workers: workerPids, bench: [process.pid] };
  const read = () =>
    Object.fromEntries(Object.entries(pids).map(([part, list]) => [part, list.map(cpuSeconds)])) as Record<
      keyof typeof pids,
      Array<number | undefined>
    >;
  const start = read();
  const t0 = performance.now();
  return () => {
    const end = read();
    const used = (part: keyof typeof pids) =>
      end[part].reduce<number>((sum, v, i) => sum + ((v ?? NaN) - (start[part][i] ?? NaN)), 0);
    const share = {
      server: used('server'),
      workers: used('workers'),
      bench: used('bench'),
      available: (os.cpus().length * (performance.now() - t0)) / 1000,
    };
    return Object.values(share).every(Number.isFinite) ? share : undefined;
  };
}

const count = async (client: Client, query: string) => (await client.workflow.count(query)).count;
const RUNNING_SUBSCRIPTIONS = `WorkflowType = 'subscriptionWorkflow' AND ExecutionStatus = 'Running'`;

/** Counts WorkflowTaskTimedOut (by timeout type) and WorkflowTaskFailed events in every run of the query. */
async function workflowTaskProblems(
  client: Client,
  query: string,
  limit = Infinity,
): Promise<{
  runs: number;
  timedOut: number;
  byType: Record<string, number>;
  failed: number;
  events: number;
  workflowTasks: number;
  activities: number;
}> {
  const runs: Array<{ workflowId: string; runId: string }> = [];
  for await (const run of client.workflow.list({ query })) {
    if (runs.length >= limit) break;
    runs.push({ workflowId: run.workflowId, runId: run.runId });
  }
  const byType: Record<string, number> = {};
  let timedOut = 0;
  let failed = 0;
  let events = 0;
  let workflowTasks = 0;
  let activities = 0;
  await startAll(
    runs.length,
    async (i) => {
      const history = await client.workflow.getHandle(runs[i]!.workflowId, runs[i]!.runId).fetchHistory();
      events += history.events?.length ?? 0;
      for (const event of history.events ?? []) {
        if (event.workflowTaskCompletedEventAttributes) workflowTasks += 1;
        if (event.activityTaskScheduledEventAttributes) activities += 1;
        if (event.workflowTaskTimedOutEventAttributes) {
          timedOut += 1;
          const type = String(event.workflowTaskTimedOutEventAttributes.timeoutType ?? '?');
          byType[type] = (byType[type] ?? 0) + 1;
        }
        if (event.workflowTaskFailedEventAttributes) failed += 1;
      }
    },
    8,
  );
  return { runs: runs.length, timedOut, byType, failed, events, workflowTasks, activities };
}

/** Waits until no Zspay request arrived for `quietMs` (a retry still under way would show). */
async function quiet(counter: RequestCounter, quietMs: number, maxMs: number): Promise<void> {
  let last = -1;
  await waitFor(
    () => {
      const now = counter.update().requests.length;
      const unchanged = now === last;
      last = now;
      return unchanged;
    },
    maxMs,
    quietMs,
  );
}

const zspaySummary = (counter: RequestCounter) => {
  const requests = counter.update().requests;
  const refused = requests.filter((r) => r.status === 429).length;
  const byOperation: Record<string, number> = {};
  for (const r of requests)
    if (r.status !== 429) byOperation[r.operation ?? '?'] = (byOperation[r.operation ?? '?'] ?? 0) + 1;
  // Requests answered in each second from the first one: [admitted, refused].
  const perSecond: Array<[number, number]> = [];
  const first = requests.length ? Date.parse(requests[0]!.at) : 0;
  for (const r of requests) {
    const second = Math.floor((Date.parse(r.at) - first) / 1000);
    while (perSecond.length <= second) perSecond.push([0, 0]);
    perSecond[second]![r.status === 429 ? 1 : 0] += 1;
  }
  // The first requests, as [ms from the first, status, operation]: where the 429s fall.
  const head = requests
    .slice(0, 40)
    .map((r): [number, number | null, string] => [Date.parse(r.at) - first, r.status ?? null, r.operation ?? '?']);
  return { total: requests.length, refused, admitted: requests.length - refused, byOperation, perSecond, head };
};

/** One billing day on a fresh dev server and sandbox: the skeleton burst first, then the engine's day. */
export async function billingDay(plan: DayPlan, label: string): Promise<DayReport> {
  const { server, client } = await startBenchDevServer({
    dynamicConfig: taskQueuePartitions(plan.partitions),
  });
  const sandbox = await startSandbox({ logLimit: Math.max(10_000, 20 * plan.n) });
  defer(() => sandbox.close());
  sandbox.state.webhooksEnabled = false;
  const bundleFile = await workflowBundleFile();
  const workersOn = (taskQueue: string) =>
    startWorkerPool({
      processes: plan.processes,
      address: server.address,
      taskQueue,
      sandboxUrl: sandbox.url,
      bundleFile,
      pacing: { zspay: plan.rps },
      maxCachedWorkflows: plan.maxCachedWorkflows,
    });
  const pollMs = plan.n <= 200 ? 25 : 250;
  const run = randomUUID().slice(0, 8);

  // ---- the skeleton burst (same server, same worker processes' shape, no provider) ----
  let skeleton: SkeletonBurst;
  {
    const taskQueue = `bench-skel-${run}`;
    const pool = await workersOn(taskQueue);
    const report = progress(`${label} skeleton`);
    const cpu = cpuMeter(server.process.pid, pool.pids());
    const t0 = performance.now();
    const starting = startAll(
      plan.n,
      (i) =>
        startSkeleton(
          client,
          taskQueue,
          `skel-${run}-${i}`,
          skeletonInput(`skel-${run}-${i}`, Date.now() - 1000, DAY_MS, 1),
        ),
      plan.lanes,
    );
    let startError: Error | undefined;
    starting.catch((error: unknown) => (startError = error as Error));
    const done = await waitFor(
      () => {
        if (startError) throw startError;
        report(() => `${pool.skeletonCharges()}/${plan.n} charged`);
        return pool.skeletonCharges() >= plan.n;
      },
      plan.timeoutMs,
      pollMs,
    );
    const wallMs = performance.now() - t0;
    const cpuShare = cpu();
    await starting;
    if (!done) notes.push(`${label}: only ${pool.skeletonCharges()}/${plan.n} skeleton charges before the deadline`);
    const charges = pool.skeletonCharges();
    // Let every skeleton finish its cycle (continue as new and park) before its workers stop (not timed).
    const parked = await waitFor(
      async () =>
        (await count(client, `WorkflowType = 'skeletonCycleWorkflow' AND ExecutionStatus = 'ContinuedAsNew'`)) >=
        plan.n,
      120_000,
      500,
    );
    if (!parked) notes.push(`${label}: not every skeleton continued as new within 2 minutes of its charge`);
    skeleton = { wallMs, done, charges, cpu: cpuShare, workers: await pool.stop() };
  }

  // ---- customers: one per subscription, so the ledger shows each one apart ----
  const zspay = zspayClient(sandbox.url);
  const customers = await mapAll(plan.n, () => customerWithCard(zspay), 20);
  const kinds = customers.map((_, i) => kindOf(i, plan));
  const counts: Record<Kind, number> = { card: 0, decline: 0, boleto: 0 };
  for (const kind of kinds) counts[kind] += 1;
  // A rule matches any key of a request: the card id names one card (client and card ids never collide).
  customers.forEach(
    (c, i) =>
      kinds[i] === 'decline' &&
      sandbox.state.addRule({
        provider: 'zspay',
        operation: 'zspay.sale.precapture',
        match: c.cardId,
        outcome: { type: 'soft_decline', code: '51' },
      }),
  );

  // ---- the engine's day ----
  const taskQueue = `bench-day-${run}`;
  const billing = new BillingClient({ client, taskQueue });
  const pool = await workersOn(taskQueue);
  // Sale ids are sequential: marks (unpaid boletos of the bench's own) bound the day's sales.
  const marks = new Set<number>();
  const mark = async () => {
    const id = await saleIdMark(sandbox, customers[0]!.clientId);
    marks.add(id);
    return id;
  };
  const daySales = async () => (await salesBetween(sandbox, firstMark, await mark())).filter((s) => !marks.has(s.id));
  const firstMark = await mark();
  // As on a real billing day, the workers have been polling for a while: every partition of the
  // paced queue has seen the worker's rate (a partition nobody polled yet dispatches unpaced).
  await sleep(plan.warmMs);
  const ledger = new LedgerCounter(sandbox.state.ledger);
  const dayRequests = new RequestCounter(sandbox.state, 'zspay');
  const limit = { requestsPerSecond: plan.rps, burst: plan.rps };
  sandbox.state.rateLimits.set('zspay', limit);
  const today = localDateOf(Date.now(), TZ);
  const payers = customers.filter((_, i) => kinds[i] !== 'decline');
  const cardPayers = customers.filter((_, i) => kinds[i] === 'card');
  const declinerIds = new Set(customers.filter((_, i) => kinds[i] === 'decline').map((c) => c.clientId));
  const boletoIds = new Set(customers.filter((_, i) => kinds[i] === 'boleto').map((c) => c.clientId));
  const settledAtZspay = () => {
    ledger.update();
    dayRequests.update();
    const declined = new Set<string>();
    const issued = new Set<string>();
    for (const r of dayRequests.requests) {
      const raw = (r.body as { clienteId?: string | number } | undefined)?.clienteId;
      const clientId = raw === undefined ? '' : String(raw);
      if (r.operation === 'zspay.sale.precapture' && r.status === 402 && declinerIds.has(clientId))
        declined.add(clientId);
      if (r.operation === 'zspay.sale.boleto' && r.status === 200 && boletoIds.has(clientId)) issued.add(clientId);
    }
    const charged = cardPayers.reduce((n, c) => n + (ledger.of(c.clientId) >= 1 ? 1 : 0), 0);
    return { charged, declined: declined.size, issued: issued.size };
  };

  const report = progress(`${label} engine`);
  const cpu = cpuMeter(server.process.pid, pool.pids());
  const t0 = performance.now();
  let createMs = 0;
  const creating = startAll(
    plan.n,
    (i) => billing.subscriptions.create(subscriptionInput(`day-${run}-${i}`, kinds[i]!, customers[i]!, today)),
    plan.lanes,
  ).then(() => void (createMs = performance.now() - t0));
  let createError: Error | undefined;
  creating.catch((error: unknown) => (createError = error as Error));
  const done = await waitFor(
    () => {
      if (createError) throw createError;
      const s = settledAtZspay();
      report(
        () =>
          `${s.charged}/${counts.card} charged, ${s.declined}/${counts.decline} declined, ${s.issued}/${counts.boleto} boletos issued; ${dayRequests.requests.length} Zspay requests`,
      );
      return s.charged >= counts.card && s.declined >= counts.decline && s.issued >= counts.boleto;
    },
    plan.timeoutMs,
    pollMs,
  );
  const wallMs = performance.now() - t0;
  const cpuShare = cpu();
  await creating;
  if (!done) {
    const s = settledAtZspay();
    notes.push(
      `${label}: before the deadline ${s.charged}/${counts.card} charged, ${s.declined}/${counts.decline} declined, ${s.issued}/${counts.boleto} boletos issued`,
    );
  }
  await quiet(dayRequests, 2_000, 60_000);
  const zspayDay = zspaySummary(dayRequests);
  const floorS = zspayDay.admitted / limit.requestsPerSecond;

  // ---- the billing run: boletos paid with webhooks off, repaired by the run ----
  let billingRun: DayReport['billingRun'];
  if (counts.boleto > 0) {
    sandbox.state.rateLimits.remove('zspay');
    const pendingBoletos = (await daySales()).filter((s) => s.type === 1 && s.status === ORDER_STATUS.pending);
    for (const sale of pendingBoletos) await payBoleto(sandbox, sale.id);
    sandbox.state.rateLimits.set('zspay', limit);
    // The run reads visibility: wait until it shows every boleto awaited.
    const awaitingQuery = `${RUNNING_SUBSCRIPTIONS} AND BillingPendingSaleIds IS NOT NULL`;
    if (!(await waitFor(async () => (await count(client, awaitingQuery)) >= counts.boleto, 60_000, 500))) {
      notes.push(
        `${label}: visibility showed ${await count(client, awaitingQuery)}/${counts.boleto} subscriptions awaiting a boleto before the billing run`,
      );
    }
    const runRequests = new RequestCounter(sandbox.state, 'zspay');
    await billing.billingRuns.ensureSchedule({ input: { batchSize: plan.runBatchSize } });
    const t1 = performance.now();
    const runId = await billing.billingRuns.trigger();
    // When each phase was first seen (the progress query, polled): where the run's time goes.
    const phases: Record<string, number> = {};
    let finished = false;
    const watching = (async () => {
      while (!finished) {
        const seen = await billing.billingRuns.progress(runId).catch(() => undefined);
        if (seen && phases[seen.phase] === undefined) phases[seen.phase] = Math.round(performance.now() - t1);
        await sleep(plan.n <= 200 ? 100 : 1000);
      }
    })();
    const summary = await withDeadline(billing.billingRuns.result(runId), plan.timeoutMs, 'billing run')
      .catch(async (error: unknown) => {
        // Say what the run was waiting on: its pending activities and their attempts.
        const described = await client.workflow.getHandle(runId).describe();
        const pending = (described.raw.pendingActivities ?? []).map(
          (a) =>
            `${a.activityType?.name} attempt ${a.attempt}${a.lastFailure?.message ? ` (last failure: ${a.lastFailure.message.slice(0, 160)})` : ''}`,
        );
        throw new Error(
          `${(error as Error).message}; progress ${JSON.stringify(await billing.billingRuns.progress(runId))}; pending: ${pending.join('; ') || 'none'}`,
        );
      })
      .finally(() => (finished = true));
    const runMs = performance.now() - t1;
    await watching;
    const runHistory = await client.workflow.getHandle(runId).fetchHistory();
    const runEvents = runHistory.events?.length ?? 0;
    const runWorkflowTasks = (runHistory.events ?? []).filter((e) => e.workflowTaskCompletedEventAttributes).length;
    const settled = await waitFor(
      async () => {
        ledger.update();
        return (await count(client, awaitingQuery)) === 0;
      },
      plan.timeoutMs,
      500,
    );
    const ms = performance.now() - t1;
    await quiet(runRequests, 2_000, 60_000);
    const z = zspaySummary(runRequests);
    billingRun = {
      ms,
      runMs,
      phases,
      events: runEvents,
      workflowTasks: runWorkflowTasks,
      checked: summary.subscriptionsChecked,
      repaired: summary.repairedPayments.length,
      settled,
      zspay: { total: z.total, refused: z.refused, admitted: z.admitted },
    };
    if (!settled)
      notes.push(
        `${label}: ${await count(client, awaitingQuery)} subscriptions still awaiting a boleto after the billing run`,
      );
  }

  // ---- what the sandbox and Temporal hold at the end ----
  sandbox.state.rateLimits.remove('zspay');
  const workers = await pool.stop();
  const sales = await daySales();
  const cardSales = sales.filter((s) => s.type === 3);
  const boletoSales = sales.filter((s) => s.type === 1);
  const salesReport = {
    preAuthorized: cardSales.filter((s) => s.status !== ORDER_STATUS.failed).length,
    captured: cardSales.filter((s) => s.status === ORDER_STATUS.approved || s.status === ORDER_STATUS.refunded).length,
    released: cardSales.filter((s) => s.status === ORDER_STATUS.canceled).length,
    declined: cardSales.filter((s) => s.status === ORDER_STATUS.failed).length,
    holdsLeft: cardSales.filter((s) => s.status === ORDER_STATUS.preAuthorized).length,
    refunds: cardSales.filter((s) => s.status === ORDER_STATUS.refunded).length,
    boletosIssued: boletoSales.length,
    boletosPaid: boletoSales.filter((s) => s.status === ORDER_STATUS.approved).length,
    boletosPending: boletoSales.filter((s) => s.status === ORDER_STATUS.pending).length,
  };
  ledger.update();
  const perIndex = customers.map((c) => ledger.of(c.clientId));
  const ledgerReport = {
    charges: ledger.total,
    cents: [...ledger.cents.values()].reduce((a, b) => a + b, 0),
    payers: payers.length,
    payersChargedOnce: payers.filter((c) => ledger.of(c.clientId) === 1).length,
    decliners: declinerIds.size,
    declinersCharged: [...declinerIds].filter((id) => ledger.of(id) > 0).length,
    overcharged: customers.filter((c) => ledger.of(c.clientId) > 1).length,
    perIndex,
  };
  const statuses: Record<string, number> = {};
  for (const status of ['active', 'past_due', 'blocked', 'trialing', 'suspended', 'canceled', 'completed']) {
    const n = await count(client, `${RUNNING_SUBSCRIPTIONS} AND BillingStatus = '${status}'`);
    if (n > 0) statuses[status] = n;
  }
  const notRunning = await count(
    client,
    `WorkflowType = 'subscriptionWorkflow' AND ExecutionStatus IN ('Failed', 'Terminated', 'TimedOut', 'Canceled', 'Completed')`,
  );
  let shape: DayReport['shape'];
  let wft: DayReport['workflowTaskTimeouts'] = {
    fromHistories: null,
    runsRead: 0,
    byType: {},
    workflowTaskFailures: 0,
    logLines: workers.reduce((n, w) => n + (w?.workflowTaskTimeoutLines ?? 0), 0),
  };
  if (plan.readHistories) {
    const t = performance.now();
    const problems = await workflowTaskProblems(
      client,
      `WorkflowType IN ('subscriptionWorkflow', 'billingRunWorkflow')`,
    );
    wft = {
      ...wft,
      fromHistories: problems.timedOut,
      runsRead: problems.runs,
      byType: problems.byType,
      workflowTaskFailures: problems.failed,
    };
    // Per workflow id, every run: paying card subscriptions next to skeletons (both charge once, continue as new and park).
    const sample = (ids: string[]) => {
      const query = `WorkflowId IN (${ids.map((id) => `'${id}'`).join(', ')})`;
      return workflowTaskProblems(client, query).then((p): PerWorkflow => ({
        sampled: ids.length,
        runs: p.runs / ids.length,
        events: p.events / ids.length,
        workflowTasks: p.workflowTasks / ids.length,
        activities: p.activities / ids.length,
      }));
    };
    const cardIndexes = kinds.flatMap((kind, i) => (kind === 'card' ? [i] : [])).slice(0, 50);
    shape = {
      subscriptions: await sample(cardIndexes.map((i) => `subscription-day-${run}-${i}`)),
      skeletons: await sample(Array.from({ length: Math.min(50, plan.n) }, (_, i) => `skel-${run}-${i}`)),
    };
    console.error(`  (${label}: read ${problems.runs} histories in ${((performance.now() - t) / 1000).toFixed(1)} s)`);
  }
  for (const w of workers) for (const sample of w?.samples ?? []) notes.push(`${label} worker log: ${sample}`);
  return {
    plan,
    skeleton,
    counts,
    wallMs,
    cpu: cpuShare,
    createMs,
    done,
    zspay: zspayDay,
    floorS,
    sales: salesReport,
    ledger: ledgerReport,
    statuses,
    notRunning,
    billingRun,
    workflowTaskTimeouts: wft,
    shape,
    workers,
  };
}
