/**
 * `npm run test:clocks` (part of `npm test`): the workflow suite again with the time-skipping
 * server's clock started at the wall times where date arithmetic breaks — just before and just after
 * midnight in São Paulo, and late on a month's last day. A test whose expectations depend on the hour
 * it runs fails here on every run, not one night in twenty-four.
 */
import { spawnSync } from 'node:child_process';
import { TEST_CLOCK_VARIABLE } from './test-clock';

const CLOCKS = (process.env.BILLING_TEST_CLOCKS ?? '23:30,00:30,month-end@23:30')
  .split(',')
  .map((c) => c.trim())
  .filter(Boolean);

const failed: string[] = [];
for (const clock of CLOCKS) {
  console.log(`\n== workflow tests with the clock started at ${clock} (America/Sao_Paulo)`);
  const run = spawnSync('npx', ['jest', '--selectProjects', 'workflows', '--testPathIgnorePatterns', 'replay'], {
    stdio: 'inherit',
    env: { ...process.env, [TEST_CLOCK_VARIABLE]: clock },
  });
  if (run.status !== 0) failed.push(clock);
}
if (failed.length > 0) {
  console.error(`\nWorkflow tests failed with the clock started at: ${failed.join(', ')}`);
  process.exit(1);
}
console.log(`\nWorkflow tests passed with the clock started at ${CLOCKS.join(', ')}`);
