/**
 * The workflow bundle's weight is paid again by every cached workflow (each gets its own instance
 * of the bundle's modules): zod and the schemas cost over a MiB per workflow, so workflow code
 * must never import them (common/checks.ts does the cheap checks instead).
 */
import { workflowBundle } from '../helpers/temporal';
import { group } from '../helpers/defined';

describe('the workflow bundle', () => {
  const { code } = workflowBundle();
  const packages = [
    ...new Set([...code.matchAll(/node_modules\/((?:@[^/]+\/)?[^/"]+)\//g)].map((m) => group(m, 1))),
  ].sort();

  it('holds only the Temporal SDK and its own dependencies: no zod, axios or provider clients', () => {
    expect(
      packages.filter((name) => !name.startsWith('@temporalio/') && !['nexus-rpc', 'ms', 'long'].includes(name)),
    ).toEqual([]);
    expect(code).not.toMatch(/\/providers\/[a-z-]+\/client\.ts/);
  });
});
