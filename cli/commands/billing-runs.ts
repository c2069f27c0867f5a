/** `billing billing-runs ...`: trigger and follow billing runs, read and pause their daily schedule. */
import { Argument, type Command } from 'commander';
import type { ScheduleDescription } from '@temporalio/client';
import type { BillingRunsApi } from '../../client/billing-runs';
import type { BillingRunProgress, BillingRunView } from '../../common/billing-run';
import { formatCents, renderDetails, renderTable } from '../format';
import type { CliContext } from './context';

/** How often a waiting `trigger --wait` reads the run. */
const POLL_MS = 1_000;
/** Off a terminal, a progress line at most this often (and only when it changed). */
const QUIET_LINE_MS = 5_000;

export interface ScheduleView {
  scheduleId: string;
  paused: boolean;
  note?: string;
  timezone?: string;
  nextRuns: string[];
  recentRuns: Array<{ workflowId: string; startedAt: string }>;
}

export function registerBillingRunCommands(program: Command, context: CliContext): void {
  const runs = program
    .command('billing-runs')
    .description('The daily billing run: trigger and follow runs, read and pause the schedule');
  const api = async (): Promise<BillingRunsApi> => (await context.client()).billingRuns;

  runs
    .command('trigger')
    .description('Start a billing run now (outside the daily time); --wait follows it to its end')
    .option('--wait', 'wait until the run ends, with its progress on stderr, then show it')
    .action(async (options: { wait?: boolean }) => {
      const billingRuns = await api();
      const workflowId = await billingRuns.trigger();
      if (!options.wait) {
        context.print({ workflowId }, (r) => `Started billing run ${r.workflowId}`);
        return;
      }
      context.print(await waitForRun(context, billingRuns, workflowId), formatBillingRun);
    });

  runs
    .command('show')
    .description('Show a run: its status (running, completed, failed, terminated...), progress and summary')
    .argument('<id>', "the run's workflow id")
    .action(async (id: string) => {
      context.print(await (await api()).get(id), formatBillingRun);
    });

  runs
    .command('schedule')
    .description('Show, pause or resume the daily billing-run schedule')
    .addArgument(new Argument('[action]', 'what to do').choices(['show', 'pause', 'unpause']).default('show'))
    .option('--note <text>', 'with pause or unpause: why (kept on the schedule)')
    .action(async (action: 'show' | 'pause' | 'unpause', options: { note?: string }) => {
      const billingRuns = await api();
      if (action === 'pause') await billingRuns.pause(options.note);
      if (action === 'unpause') await billingRuns.unpause(options.note);
      context.print(scheduleView(await billingRuns.describe()), formatSchedule);
    });
}

/** Polls the run until it is no longer running; progress goes to stderr, never stdout. */
async function waitForRun(
  context: CliContext,
  billingRuns: BillingRunsApi,
  workflowId: string,
): Promise<BillingRunView> {
  const stderr = context.io.stderr;
  const started = Date.now();
  let lastLine = '';
  let lastLineAt = 0;
  for (;;) {
    const view = await billingRuns.get(workflowId);
    if (view.status !== 'running') {
      if (stderr.isTTY && lastLine) stderr.write('\r\x1b[2K');
      return view;
    }
    const line = `Billing run ${workflowId}: ${progressLine(view.progress)} (${Math.floor((Date.now() - started) / 1000)}s)`;
    if (stderr.isTTY) {
      stderr.write(`\r\x1b[2K${line}`);
      lastLine = line;
    } else {
      const text = progressLine(view.progress);
      if (text !== lastLine && Date.now() - lastLineAt >= QUIET_LINE_MS) {
        stderr.write(`${line}\n`);
        lastLine = text;
        lastLineAt = Date.now();
      }
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

export function progressLine(progress: BillingRunProgress | undefined): string {
  if (!progress) return 'starting';
  const parts = [
    progress.phase,
    progress.batches > 0 ? `batch ${progress.batchesDone}/${progress.batches}` : '',
    `${progress.subscriptions} awaiting a boleto`,
    `${progress.repaired} repaired`,
    (progress.itemsFailed ?? 0) > 0 ? `${progress.itemsFailed} item(s) failed` : '',
  ];
  return parts.filter(Boolean).join(', ');
}

function scheduleView(description: ScheduleDescription): ScheduleView {
  return {
    scheduleId: description.scheduleId,
    paused: description.state.paused,
    ...(description.state.note ? { note: description.state.note } : {}),
    ...(description.spec.timezone ? { timezone: description.spec.timezone } : {}),
    nextRuns: description.info.nextActionTimes.map((at) => at.toISOString()),
    recentRuns: description.info.recentActions.map((a) => ({
      workflowId: a.action.workflow.workflowId,
      startedAt: a.takenAt.toISOString(),
    })),
  };
}

export function formatSchedule(view: ScheduleView): string {
  return renderDetails([
    ['Schedule', view.scheduleId],
    ['State', view.paused ? 'paused' : 'active'],
    ['Note', view.note],
    ['Time zone', view.timezone],
    ['Next runs', view.nextRuns.slice(0, 3).join(', ') || undefined],
    [
      'Last run',
      view.recentRuns.at(-1) && `${view.recentRuns.at(-1)?.workflowId} at ${view.recentRuns.at(-1)?.startedAt}`,
    ],
  ]);
}

export function formatBillingRun(view: BillingRunView): string {
  const { progress, summary } = view;
  const activity = summary?.activity;
  const itemFailures = summary?.itemFailures ?? progress?.itemFailures ?? [];
  const itemsFailed = summary?.itemsFailed ?? progress?.itemsFailed ?? 0;
  const details = renderDetails([
    ['Billing run', view.workflowId],
    ['Status', view.status],
    ['Started', view.startedAt],
    ['Closed', view.closedAt],
    ['Failure', view.failure],
    ['Progress', progress && progressLine(progress)],
    ['Window', summary && `${summary.window.from} → ${summary.window.to}`],
    [
      'Charges',
      activity &&
        `${activity.charged} charged (${activity.chargedBRL}), ${activity.failed} failed, ${activity.retried} retried, ${activity.recovered} recovered`,
    ],
    ['Repaired', summary ? summary.repairedPayments.length : undefined],
    ['Items failed', itemsFailed > 0 ? itemsFailed : undefined],
    [
      'By status',
      summary &&
        (Object.entries(summary.byStatus)
          .map(([status, count]) => `${status} ${count}`)
          .join(', ') ||
          'none'),
    ],
    ['MRR', summary && formatCents(summary.mrrCents)],
  ]);
  const sections = [details];
  if (summary && summary.repairedPayments.length > 0)
    sections.push(
      `Repaired payments:\n${renderTable(
        [
          { header: 'Subscription', value: (r: { subscriptionId: string; saleId: string }) => r.subscriptionId },
          { header: 'Sale', value: (r: { subscriptionId: string; saleId: string }) => r.saleId },
        ],
        summary.repairedPayments,
      )}`,
    );
  if (itemFailures.length > 0)
    sections.push(
      `Items that could not be checked:\n${renderTable<(typeof itemFailures)[number]>(
        [
          { header: 'Subscription', value: (f) => f.subscriptionId },
          { header: 'Sale', value: (f) => f.saleId },
          { header: 'Reason', value: (f) => f.reason },
        ],
        itemFailures,
      )}`,
    );
  return sections.join('\n\n');
}
