/**
 * The `billing` CLI end to end: the real launcher (`node bin/billing.js`) as a child process
 * against a dev server, the sandbox and a worker, checking what scripts rely on: output and exit codes.
 * The stack encrypts its payloads, and the CLI, pointed at the dev server's (non-default) address,
 * finds the key where `npm start` keeps it (BILLING_DATA_DIR/encryption-keys.json), as operators do.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from '@temporalio/client';
import { EncryptionCodec, ENCRYPTED_ENCODING } from '../../client/encryption';
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
  let noKeyDir: string;
  const keyBytes = Buffer.alloc(32, 11);
  const codec = new EncryptionCodec(new Map([['cli-1', keyBytes]]), 'cli-1');
  let card: { clientId: string; cardId: string };
  const customerId = 'cli-acme';
  const plan = {
    planId: 'gold',
    amountCents: 5990,
    recurrence: { kind: 'calendar', frequency: 'monthly', interval: 1 },
    chargeHourLocal: 0,
  };

  // Asynchronous on purpose: the worker runs in this process and must keep polling while the CLI waits.
  const billing = (args: string[], stdin?: string, dataDir = dir): Promise<CliRun> =>
    new Promise((resolve, reject) => {
      const global = [
        '--address',
        stack.temporal.server.address,
        '--namespace',
        stack.temporal.server.namespace,
        '--task-queue',
        stack.taskQueue,
      ];
      // The key comes only from the data folder: none in the environment, whatever the parent has.
      const env: NodeJS.ProcessEnv = { ...process.env, BILLING_DATA_DIR: dataDir };
      delete env.BILLING_ENCRYPTION_KEYS;
      delete env.BILLING_ENCRYPTION_KEYS_FILE;
      delete env.BILLING_ENCRYPTION;
      const child = spawn(process.execPath, ['bin/billing.js', ...global, ...args], {
        cwd: repoRoot,
        stdio: 'pipe',
        env,
      });
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
    stack = await startTestStack({ codec });
    dir = mkdtempSync(path.join(os.tmpdir(), 'billing-cli-'));
    noKeyDir = mkdtempSync(path.join(os.tmpdir(), 'billing-cli-no-key-'));
    writeFileSync(path.join(dir, 'encryption-keys.json'), JSON.stringify({ 'cli-1': keyBytes.toString('base64') }));
    card = await customerWithCard(zspayClient(stack.sandbox.url));
  });
  afterAll(async () => {
    await stack?.teardown();
    if (dir) rmSync(dir, { recursive: true, force: true });
    if (noKeyDir) rmSync(noKeyDir, { recursive: true, force: true });
  });

  it('creates a card subscription from a JSON file; the same file again answers it, another input for the id exits 4', async () => {
    const file = writeJson('subscription.json', {
      subscriptionId: 'cli-card-1',
      customerId,
      plan,
      paymentMethod: { type: 'zspay_card', zspayClientId: card.clientId, cardId: card.cardId },
    });

    const created = await billing(['subscriptions', 'create', '--file', file]);
    expect(created).toMatchObject({ code: 0, stderr: '' });
    expect(created.stdout).toMatch(/^Created subscription-cli-card-1 \(run [\w-]+\)\n$/);

    // A retry (the connection dropped after the create): the same input answers the same subscription.
    const retried = await billing(['subscriptions', 'create', '--file', file]);
    expect(retried).toMatchObject({ code: 0, stderr: '' });
    expect(retried.stdout).toMatch(/^Already exists with this input: subscription-cli-card-1 \(run [\w-]+\)\n$/);

    const other = writeJson('other.json', {
      subscriptionId: 'cli-card-1',
      customerId: 'someone-else',
      plan,
      paymentMethod: { type: 'zspay_card', zspayClientId: card.clientId, cardId: card.cardId },
    });
    const duplicate = await billing(['--json', 'subscriptions', 'create', '--file', other]);
    expect(duplicate.code).toBe(4);
    expect(duplicate.stderr).toContain('already exists with a different input');
    expect(JSON.parse(duplicate.stdout)).toEqual({
      error: {
        type: 'conflict',
        message:
          'Subscription cli-card-1 already exists with a different input (customerId differ); send the same input to get it, or choose another subscriptionId',
      },
    });
  });

  it('wrote the input encrypted with the key from the data folder (the address is not the default)', async () => {
    expect(stack.temporal.server.address).not.toBe('127.0.0.1:7233');
    const raw = new Client({ connection: stack.temporal.env.connection, namespace: stack.temporal.server.namespace });
    const history = await raw.workflow.getHandle('subscription-cli-card-1').fetchHistory();
    const input = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
    expect(Buffer.from(input?.metadata?.encoding ?? []).toString()).toBe(ENCRYPTED_ENCODING);
    expect(Buffer.from(input?.data ?? []).toString('latin1')).not.toContain(card.clientId);
  });

  it('without a key, refuses to create (nothing written in clear) and names the setting when reading', async () => {
    const file = writeJson('no-key.json', {
      subscriptionId: 'cli-no-key',
      customerId,
      plan,
      paymentMethod: { type: 'zspay_card', zspayClientId: card.clientId, cardId: card.cardId },
    });
    const refused = await billing(['subscriptions', 'create', '--file', file], undefined, noKeyDir);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('Refusing to write payloads in clear');
    expect(refused.stderr).toContain('BILLING_ENCRYPTION_KEYS');
    await expect(stack.client.subscriptions.get('cli-no-key')).rejects.toThrow();

    const unreadable = await billing(['subscriptions', 'get', 'cli-card-1'], undefined, noKeyDir);
    expect(unreadable.code).not.toBe(0);
    expect(unreadable.stderr).toContain('BILLING_ENCRYPTION_KEYS');
    expect(unreadable.stderr).not.toContain('Unknown encoding');
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

  it('applies a coupon, refuses a second one (exit 5) and a malformed one (exit 2), and prorates a plan change', async () => {
    const applied = await billing([
      'subscriptions',
      'apply-coupon',
      'cli-card-1',
      '--code',
      'WELCOME10',
      '--percent-off',
      '10',
      '--cycles',
      '2',
    ]);
    expect(applied.code).toBe(0);
    expect(applied.stdout).toContain('Coupon WELCOME10 applied.');
    expect(applied.stdout).toMatch(/Coupon +WELCOME10: 10% off for 2 cycles, 2 cycle\(s\) left/);
    const again = await billing([
      'subscriptions',
      'apply-coupon',
      'cli-card-1',
      '--code',
      'MORE',
      '--percent-off',
      '5',
    ]);
    expect(again.code).toBe(5);
    expect(again.stderr).toContain('a coupon is already in force');
    const both = await billing([
      'subscriptions',
      'apply-coupon',
      'cli-card-1',
      '--code',
      'BOTH',
      '--percent-off',
      '5',
      '--amount-off-cents',
      '100',
    ]);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('coupon takes exactly one of percentOff and amountOffCents');

    const changed = await billing(
      ['--json', 'subscriptions', 'change-plan', 'cli-card-1', '--file', '-', '--proration', 'next_invoice'],
      JSON.stringify({ ...plan, planId: 'platinum', amountCents: 9990 }),
    );
    expect(changed.code).toBe(0);
    const view = JSON.parse(changed.stdout) as { planId: string; nextInvoiceAdjustmentCents?: number };
    expect(view.planId).toBe('platinum');
    // Today is inside the cycle paid at creation: the unused days' difference waits for the next invoice.
    expect(view.nextInvoiceAdjustmentCents).toBeGreaterThan(0);
    // `now` is a choice too; this cycle was already prorated: refused with the reason.
    const nowAgain = await billing(
      ['subscriptions', 'change-plan', 'cli-card-1', '--file', '-', '--proration', 'now'],
      JSON.stringify({ ...plan, planId: 'diamond', amountCents: 12990 }),
    );
    expect(nowAgain.code).toBe(5);
    expect(nowAgain.stderr).toContain('already changed with proration in this cycle');
    const unknownMode = await billing(
      ['subscriptions', 'change-plan', 'cli-card-1', '--file', '-', '--proration', 'later'],
      JSON.stringify(plan),
    );
    expect(unknownMode.code).toBe(2);
    expect(unknownMode.stderr).toContain('none, next_invoice, now');
  });

  it('schedules, shows, lists and refuses transfers; creates, shows and deletes payouts', async () => {
    await fetch(`${stack.sandbox.url}/zspay/__control/balances/131`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ currentCents: 100_000 }),
    });
    const transfer = {
      transferId: 'cli-transfer-1',
      sourceEstablishmentId: '131',
      destination: { type: 'digital_account', establishmentId: '900' },
      amountCents: 12_345,
      description: 'CLI payout',
    };
    const past = await billing(
      ['transfers', 'create', '--file', '-'],
      JSON.stringify({ ...transfer, executeOn: '2026-01-01' }),
    );
    expect(past.code).toBe(2);
    expect(past.stderr).toMatch(
      /^ {2}executeOn: executeOn 2026-01-01 is in the past \(today is \d{4}-\d{2}-\d{2} in America\/Sao_Paulo\)/m,
    );

    const file = writeJson('transfer.json', transfer);
    const created = await billing(['transfers', 'create', '--run-now', '--file', file]);
    expect(created).toMatchObject({ code: 0, stderr: '' });
    expect(created.stdout).toMatch(/^Scheduled transfer-cli-transfer-1 for \d{2}\/\d{2}\/\d{4} \(run [\w-]+\)\n$/);
    const again = await billing(['--json', 'transfers', 'create', '--file', file]);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ workflowId: 'transfer-cli-transfer-1', created: false });

    await eventually(
      () => stack.client.transfers.get('cli-transfer-1'),
      (view) => view.state === 'succeeded',
    );
    const shown = await billing(['transfers', 'show', 'cli-transfer-1']);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(/^Amount +R\$ 123,45$/m);
    expect(shown.stdout).toMatch(/^State +succeeded$/m);
    expect(shown.stdout).toMatch(/^Scheduled at +\d{2}\/\d{2}\/\d{4} \d{2}:\d{2} BRT$/m);
    const json = await billing(['--json', 'transfers', 'get', 'cli-transfer-1']);
    expect(JSON.parse(json.stdout)).toMatchObject({
      transferId: 'cli-transfer-1',
      state: 'succeeded',
      amountCents: 12_345,
    });

    const refused = await billing(['transfers', 'cancel', 'cli-transfer-1']);
    expect(refused.code).toBe(5);
    expect((await billing(['transfers', 'get', 'cli-nobody'])).code).toBe(3);
    expect((await billing(['transfers', 'list', '--from', 'garbage'])).code).toBe(2);
    expect((await billing(['transfers', 'list', '--state', 'bogus'])).code).toBe(2);
    await eventually(
      () => stack.client.transfers.list({ establishmentId: '900' }),
      (items) => items.length > 0,
    );
    const listed = await billing(['transfers', 'list', '--establishment', '900']);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(/^cli-transfer-1 +succeeded +900 +\d{2}\/\d{2}\/\d{4} \d{2}:\d{2} BRT$/m);

    const payout = writeJson('payout.json', {
      payoutId: 'cli-store-9',
      sourceEstablishmentId: '131',
      destination: { type: 'digital_account', establishmentId: '9' },
      weekday: 'FRIDAY',
      at: '18:00',
      keepCents: 10_000,
    });
    expect((await billing(['payouts', 'create', '--file', payout])).stdout).toBe('Created payout-cli-store-9\n');
    expect((await billing(['payouts', 'create', '--file', payout])).stdout).toBe(
      'Already exists with this input: payout-cli-store-9\n',
    );
    const payoutShown = await billing(['payouts', 'get', 'cli-store-9']);
    expect(payoutShown.code).toBe(0);
    expect(payoutShown.stdout).toMatch(/^When +every friday at 18:00 \(America\/Sao_Paulo\)$/m);
    expect(payoutShown.stdout).toMatch(/^Keeps +R\$ 100,00$/m);
    expect(payoutShown.stdout).toMatch(/^Next runs +\d{2}\/\d{2}\/\d{4} 18:00 BRT/m);
    expect((await billing(['payouts', 'cancel', 'cli-store-9'])).code).toBe(0);
    expect((await billing(['payouts', 'get', 'cli-store-9'])).code).toBe(3);
  });
});
