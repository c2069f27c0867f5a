/**
 * Runs once per `jest` run for the Temporal projects: installs/locates the Temporal binaries and
 * bundles the workflow code once (each Worker.create would otherwise spend seconds bundling).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { ensureTemporalBinaries } from '../../scripts/temporal-binaries';

export default async function globalSetup(): Promise<void> {
  const binaries = ensureTemporalBinaries();
  process.env.TEMPORAL_CLI_PATH ??= binaries.cli;
  process.env.TEMPORAL_TEST_SERVER_PATH ??= binaries.testServer;
  if (process.env.BILLING_TEST_WORKFLOW_BUNDLE) return;
  const { code } = await bundleWorkflowCode({
    workflowsPath: require.resolve('../../workflows'),
    logger: { trace() {}, debug() {}, info() {}, warn: console.warn, error: console.error, log() {} },
  });
  const dir = path.join(os.tmpdir(), `billing-engine-bundle-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'workflow-bundle.js');
  writeFileSync(file, code);
  process.env.BILLING_TEST_WORKFLOW_BUNDLE = file;
}
