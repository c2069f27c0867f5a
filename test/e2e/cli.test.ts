/**
 * The `billing` CLI end to end: the real launcher (`node bin/billing.js`) as a child process
 * against a dev server, the sandbox and a worker, checking what scripts rely on: output and exit codes.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { customerWithCard, zspayClient } from '../providers/zspay/helpers';
import { startTestStack, type TestStack } from '../helpers/stack';
import { eventually } from '../helpers/eventually';

const repoRoot = path.resolve(__dirname, '../..');

interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

describe('billing CLI (child process against dev server, sandbox, worker)', () => {
  let stack: TestStack;
  let dir: string;
  let card: { clientId: string; cardId: string };
  const customerId = 'cli-acme';
  const plan = {
    planId: 'gold',
    amountCents: 5990,
    recurrence: { kind: 'calendar', frequency: 'monthly', interval: 1 },
    chargeHourLocal: 0,
  };

  // Asynchronous on purpose: the worker runs in this process and must keep polling while the CLI waits.
  const billing = (args: string[], stdin?: string): Promise<CliRun> =>
    new Promise((resolve, reject) => {
      const global = [
        '--address',
        stack.temporal.server.address,
        '--namespace',
        stack.temporal.server.namespace,
        '--task-queue',
        stack.taskQueue,
      ];
      const child = spawn(process.execPath, ['bin/billing.js', ...global, ...args], { cwd: repoRoot, stdio: 'pipe' });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout, stderr }));
      child.stdin.end(stdin);
    });

  const writeJson = (name: string, value: unknown) => {
    const file = path.join(dir, name);
    writeFileSync(file, JSON.stringify(value));
    return file;
  };

  beforeAll(async () => {
    stack = await startTestStack();
    dir = mkdtempSync(path.join(os.tmpdir(), 'billing-cli-'));
    card = await customerWithCard(zspayClient(stack.sandbox.url));
  });
  afterAll(async () => {
    await stack?.teardown();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('creates a card subscription from a JSON file, then refuses the same id with exit code 4', async () => {
    const file = writeJson('subscription.json', {
      subscriptionId: 'cli-card-1',
      customerId,
      plan,
      paymentMethod: { type: 'zspay_card', zspayClientId: card.clientId, cardId: card.cardId },
    });

    const created = await billing(['subscriptions', 'create', '--file', file]);
    expect(created).toMatchObject({ code: 0, stderr: '' });
    expect(created.stdout).toMatch(/^Created subscription-cli-card-1 \(run [\w-]+\)\n$/);

    const duplicate = await billing(['--json', 'subscriptions', 'create', '--file', file]);
    expect(duplicate.code).toBe(4);
    expect(duplicate.stderr).toContain('already exists');
    expect(JSON.parse(duplicate.stdout)).toEqual({
      error: { type: 'conflict', message: 'Subscription cli-card-1 already exists' },
    });
  });

  it('shows the subscription as one JSON document with --json, and in a table in `list`', async () => {
    await eventually(
      () => stack.client.subscriptions.get('cli-card-1'),
      (view) => view.status === 'active',
    );
    const got = await billing(['subscriptions', 'get', 'cli-card-1', '--json']);
    expect(got.code).toBe(0);
    expect(JSON.parse(got.stdout)).toMatchObject({
      subscriptionId: 'cli-card-1',
      customerId,
      status: 'active',
      amountCents: 5990,
    });

    // Visibility is eventually consistent: wait until the client lists it, then ask the CLI.
    await eventually(
      () => stack.client.subscriptions.list({ customerId }),
      (items) => items.length > 0,
    );
    const listed = await billing(['subscriptions', 'list', '--customer', customerId]);
    expect(listed.code).toBe(0);
    const [header, ...rows] = listed.stdout.trimEnd().split('\n');
    expect(header).toMatch(/^SUBSCRIPTION +STATUS +CUSTOMER +PLAN +AMOUNT$/);
    expect(rows).toEqual([expect.stringMatching(/^cli-card-1 +\w+ +cli-acme +gold +R\$ 59,90$/)]);
  });

  it('exits 3 for an unknown subscription', async () => {
    const missing = await billing(['--json', 'subscriptions', 'get', 'cli-nobody']);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toContain('No subscription cli-nobody');
    expect(JSON.parse(missing.stdout)).toEqual({ error: { type: 'not_found', message: 'No subscription cli-nobody' } });
  });

  it('exits 2 for invalid input (from stdin), naming each field', async () => {
    const invalid = {
      subscriptionId: 'cli-bad',
      plan: { ...plan, amountCents: -1 },
      paymentMethod: { type: 'zspay_card', zspayClientId: card.clientId, cardId: card.cardId },
    };
    const run = await billing(['subscriptions', 'create', '--file', '-'], JSON.stringify(invalid));
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^ {2}customerId: customerId is required$/m);
    expect(run.stderr).toMatch(/^ {2}plan\.amountCents: amountCents must be greater than zero$/m);
  });

  it('exits 5 when the subscription refuses the operation in its state (retry-now with nothing to retry)', async () => {
    const run = await billing(['subscriptions', 'retry-now', 'cli-card-1']);
    expect(run.code).toBe(5);
    expect(run.stderr).toContain('there is no failed invoice to retry');
  });
});
