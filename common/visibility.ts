/**
 * Listing workflows through visibility, one entry per workflow id.
 *
 * Visibility is updated asynchronously: for a moment after a continue-as-new both the closed run and
 * its successor can match `ExecutionStatus = 'Running'`. Every list in the engine goes through here so
 * a subscription is never listed, reconciled or counted twice.
 */
import type { Client, WorkflowExecutionInfo } from '@temporalio/client';

/**
 * The newest run of each workflow matching the query. Without an ORDER BY, Temporal's visibility
 * stores return newer starts first, so the first run seen for an id is its current one.
 */
export function currentRuns(temporal: Client, query: string): AsyncGenerator<WorkflowExecutionInfo> {
  return firstRunOfEachWorkflow(temporal.workflow.list({ query }));
}

export async function* firstRunOfEachWorkflow<Run extends { workflowId: string }>(
  runs: AsyncIterable<Run>,
): AsyncGenerator<Run> {
  const seen = new Set<string>();
  for await (const run of runs) {
    if (seen.has(run.workflowId)) continue;
    seen.add(run.workflowId);
    yield run;
  }
}
