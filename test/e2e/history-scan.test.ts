/** The history scan reaches every run on a dev server too (advanced visibility, SQLite), open and closed. */
import { Client } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import { eventually, until } from '../helpers/eventually';
import { assertHistoriesHoldNoSecrets } from '../helpers/history-secrets';
import { createDevServerEnv, type DevServerEnv } from '../helpers/temporal';

describe('history scan on the dev server', () => {
  let temporal: DevServerEnv;
  beforeAll(async () => {
    temporal = await createDevServerEnv();
  });
  afterAll(() => temporal?.teardown());

  it('counts open and closed runs', async () => {
    const client = temporal.env.client;
    await client.workflow.start('subscriptionWorkflow', {
      taskQueue: 'nobody-polls',
      workflowId: 'open',
      args: [{ customerId: 'acme' }],
    });
    const closed = await client.workflow.start('subscriptionWorkflow', {
      taskQueue: 'nobody-polls',
      workflowId: 'closed',
      args: [{ customerId: 'acme' }],
    });
    await closed.terminate();
    // Visibility lists a run a moment after it starts (SQLite, asynchronously): read until both show.
    const scanned = await eventually(
      () => assertHistoriesHoldNoSecrets(client, temporal.server.namespace),
      (count) => count === 2,
    );
    expect(scanned).toBe(2);
  });

  it('names a leak (in a namespace of its own, which the teardown does not scan)', async () => {
    const namespace = 'history-scan-leaks';
    await temporal.env.client.workflowService.registerNamespace({
      namespace,
      workflowExecutionRetentionPeriod: msToTs('1 day'),
    });
    const client = new Client({ connection: temporal.env.connection, namespace });
    // A new namespace takes a moment to reach every service of the server.
    await until(
      'the new namespace to accept workflows',
      async () => {
        await client.workflow.start('subscriptionWorkflow', {
          taskQueue: 'nobody-polls',
          workflowId: 'leaky',
          args: [{ card: { number: '4111111111111111' } }],
        });
        return true;
      },
      20_000,
    );
    // Read until visibility lists the run (a scan of nothing finds nothing).
    const scan = await eventually(
      () => assertHistoriesHoldNoSecrets(client, namespace).then(String, (error: Error) => error),
      (result) => result instanceof Error,
    );
    expect(scan).toBeInstanceOf(Error);
    expect((scan as Error).message).toMatch(/leaky .*card number 411111…1111/);
  });
});
