/**
 * Recorded workflow histories: the replay test runs every file in test/histories against the
 * current workflow code, so a change that would break running workflows fails `npm test`.
 * Record (or refresh) them with `RECORD_HISTORIES=1 npx jest --selectProjects workflows e2e`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';

export const HISTORIES_DIR = path.join(__dirname, '..', 'histories');

/** Saves the handle's current run history as test/histories/<name>.json when recording. */
export async function recordHistory(handle: WorkflowHandle, name: string): Promise<void> {
  if (process.env.RECORD_HISTORIES !== '1') return;
  const history = await handle.fetchHistory();
  mkdirSync(HISTORIES_DIR, { recursive: true });
  writeFileSync(path.join(HISTORIES_DIR, `${name}.json`), `${historyToJSON(history)}\n`);
}
