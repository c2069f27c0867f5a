import { WorkflowFailedError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { BillingClient, ConflictError, RejectedError } from '../../client';
import { addDays, localDateOf } from '../../common/billing/calendar';
import { isBusinessDay } from '../../common/billing/holidays';
import { ZSPAY_SANDBOX_ESTABLISHMENT_ID } from '../../sandbox/providers/zspay';
import { eventually } from '../helpers/eventually';
import { recordHistory } from '../helpers/histories';
import type { RunningSandbox } from '../helpers/sandbox';
import { startWorkflowTestEnv, type WorkflowTestEnv } from '../helpers/workflow-env';
import { zspayClient } from '../providers/zspay/helpers';
import type { transferWorkflow } from '../../workflows/transfer';
import { at } from '../helpers/defined';
import { sandboxActivities } from '../helpers/engine';
import { gates } from '../helpers/gates';

const SOURCE = String(ZSPAY_SANDBOX_ESTABLISHMENT_ID);

describe('scheduled transfer workflow (time-skipping server)', () => {
  let env: TestWorkflowEnvironment;
  let sandbox: RunningSandbox;
  let billing: BillingClient;
  let bankAccountId: string;
  let n = 0;

  const setBalance = (currentCents: number) =>
    fetch(`${sandbox.url}/zspay/__control/balances/${SOURCE}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ currentCents }),
    });
  const transfersInLedger = async (transferId: string) =>
    (await sandbox.control.ledger({ provider: 'zspay' })).filter(
      (e) => e.kind === 'transfer' && e.reference === `transfer-${transferId}`,
    );
  /** Transfer requests that reached Zspay, answered or not. */
  const transferSends = async () => (await sandbox.control.arrivals('zspay.transfer.create')).length;
  const result = (transferId: string) =>
    env.client.workflow.getHandle<typeof transferWorkflow>(`transfer-${transferId}`).result();
  const schedule = async (extra: Record<string, unknown> = {}) => {
    const transferId = `t-${++n}`;
    await billing.transfers.schedule({
      transferId,
      sourceEstablishmentId: SOURCE,
      destination: { type: 'digital_account', establishmentId: '900' },
      amountCents: 10_000,
      description: 'Weekly payout',
      executeOn: addDays(localDateOf(await env.currentTimeMs(), 'America/Sao_Paulo'), 2),
      executeAt: '10:00',
      ...extra,
    });
    return transferId;
  };

  // The balance check can be held in flight, to land an operation while it runs.
  const held = gates();
  let real: ReturnType<typeof sandboxActivities> | undefined;
  let testEnv: WorkflowTestEnv;
  beforeAll(async () => {
    testEnv = await startWorkflowTestEnv({
      getBalance: async (input) => {
        await held.pass('balance');
        return real!.getBalance(input);
      },
    });
    ({ env, sandbox, billing } = testEnv);
    real = sandboxActivities(sandbox.url, env.client);
    const account = await zspayClient(sandbox.url).createBankAccount({
      tipoContaBancaria: 1,
      nomeTitular: 'Loja',
      bancoId: 2,
      agencia: '0001',
      conta: '12345',
    });
    bankAccountId = String(account.id);
  });
  afterAll(() => testEnv?.teardown());
  beforeEach(() => setBalance(1_000_000));

  it('waits until its local date and time, then transfers once and settles', async () => {
    const transferId = await schedule();
    expect(await billing.transfers.get(transferId)).toMatchObject({ state: 'scheduled', executeAt: '10:00' });
    expect(await transfersInLedger(transferId)).toHaveLength(0);
    const view = await result(transferId);
    expect(view).toMatchObject({ state: 'succeeded', amountCents: 10_000 });
    expect(Date.parse(view.history.find((h: { state: string }) => h.state === 'executing')!.at)).toBeGreaterThanOrEqual(
      Date.parse(view.scheduledAt),
    );
    expect(await transfersInLedger(transferId)).toHaveLength(1);
    await recordHistory(env.client.workflow.getHandle(`transfer-${transferId}`), 'transfer-succeeded');
  });

  it('moves a bank transfer due on a holiday to the next business day', async () => {
    // Christmas 2037 is a Friday: the bank transfer runs on Monday the 28th.
    const transferId = await schedule({
      destination: { type: 'bank_account', bankAccountId },
      executeOn: '2037-12-25',
    });
    const view = await billing.transfers.get(transferId);
    expect(view).toMatchObject({ executeOn: '2037-12-28', scheduledAt: '2037-12-28T13:00:00.000Z' });
    expect(view.history[0]?.note).toBe('moved from 2037-12-25 to the next business day');
    await billing.transfers.cancel(transferId);
  });

  it('follows the status webhooks of a bank transfer to a failure, with the reason', async () => {
    const transferId = await schedule({ destination: { type: 'bank_account', bankAccountId } });
    await env.sleep('8 days');
    const pending = await billing.transfers.get(transferId);
    expect(pending.state).toBe('pending');
    await billing.transfers.statusUpdate(transferId, {
      providerTransferId: pending.providerTransferId!,
      status: 4,
      reason: 'conta encerrada',
    });
    const failure = await result(transferId).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(WorkflowFailedError);
    expect((failure as WorkflowFailedError).cause?.message).toContain('conta encerrada');
    expect(await billing.transfers.get(transferId)).toMatchObject({ state: 'failed', reason: 'conta encerrada' });
    await recordHistory(env.client.workflow.getHandle(`transfer-${transferId}`), 'transfer-failed-by-webhook');
  });

  it('can be canceled before it runs, and refuses once it was sent', async () => {
    const early = await schedule();
    expect((await billing.transfers.cancel(early, 'wrong amount')).state).toBe('canceled');
    expect((await result(early)).state).toBe('canceled');
    expect(await transfersInLedger(early)).toHaveLength(0);
    await recordHistory(env.client.workflow.getHandle(`transfer-${early}`), 'transfer-canceled');

    const late = await schedule({ destination: { type: 'bank_account', bankAccountId } });
    // Past its date, even if a weekend or holiday moved it.
    await env.sleep('8 days');
    await expect(billing.transfers.cancel(late)).rejects.toThrow(
      new RejectedError('the transfer was already sent to Zspay; it can no longer be canceled'),
    );
  });

  it('a cancel acknowledged while the balance check is in flight is never undone: nothing is sent', async () => {
    const balance = held.hold('balance');
    const sendsBefore = await transferSends();
    const transferId = await schedule();
    // Past its date: the balance check starts and waits at the gate (the server's clock stops
    // while an activity runs, so the skip itself is not awaited).
    const skipped = env.sleep('3 days');
    await balance.reached;
    expect((await billing.transfers.cancel(transferId, 'duplicate payout')).state).toBe('canceled');
    balance.open();
    await skipped;
    // Read without result(): the test client's result() lets the server skip time while it waits.
    const handle = env.client.workflow.getHandle(`transfer-${transferId}`);
    await eventually(
      async () => (await handle.describe()).status.name,
      (status) => status !== 'RUNNING',
    );
    expect((await handle.describe()).status.name).toBe('COMPLETED');
    expect(await billing.transfers.get(transferId)).toMatchObject({ state: 'canceled', reason: 'duplicate payout' });
    expect(await transferSends()).toBe(sendsBefore);
    expect(await transfersInLedger(transferId)).toHaveLength(0);
    await recordHistory(handle, 'transfer-canceled-during-balance-check');
  });

  it('waits for the balance instead of overdrawing, then gives up with the shortfall', async () => {
    await setBalance(2_500);
    const transferId = await schedule({ insufficientBalance: { recheckMinutes: 60, giveUpAfterHours: 5 } });
    const failure = await result(transferId).catch((e: unknown) => e);
    expect((failure as WorkflowFailedError).cause?.message).toMatch(
      /insufficient balance: R\$ 25.00 available, R\$ 75.00 short/,
    );
    expect(await transfersInLedger(transferId)).toHaveLength(0);
    const attempts = (await sandbox.control.requests({ provider: 'zspay' })).filter(
      (r) => r.method === 'POST' && r.path === '/zspay/transferencias',
    );
    expect(attempts.filter((r) => JSON.stringify(r.body).includes(`transfer-${transferId}`))).toHaveLength(0);
    await recordHistory(env.client.workflow.getHandle(`transfer-${transferId}`), 'transfer-insufficient-balance');
  });

  // These tests read the state with queries rather than result(): every result() call lets the
  // time-skipping server jump years ahead, and bank transfers need the holiday table (to 2060).
  /** A transfer due already (on the last business day before today, so a bank transfer is not moved ahead): it runs at once. */
  const scheduleNow = async (extra: Record<string, unknown> = {}) => {
    let executeOn = addDays(localDateOf(await env.currentTimeMs(), 'America/Sao_Paulo'), -1);
    while (!isBusinessDay(executeOn)) executeOn = addDays(executeOn, -1);
    // The client judges "in the past" by the real clock, the workflow by the test server's (often
    // years ahead after earlier tests): a date before the real today must ask to run now.
    const pastForTheClient = executeOn < localDateOf(Date.now(), 'America/Sao_Paulo');
    return schedule({ executeOn, executeAt: '00:00', ...(pastForTheClient ? { runNow: true } : {}), ...extra });
  };
  const stateOf = (transferId: string, states: string[]) =>
    eventually(
      () => billing.transfers.get(transferId),
      (view) => states.includes(view.state),
    );

  it('never sends an immediate transfer twice: a lost answer goes to reconciliation, settled by the webhook with the reference', async () => {
    await sandbox.control.script({
      provider: 'zspay',
      operation: 'zspay.transfer.create',
      outcome: { type: 'timeout', phase: 'after' },
      times: 1,
    });
    const sendsBefore = await transferSends();
    const transferId = await scheduleNow();
    const reconciling = await stateOf(transferId, ['needs_reconciliation', 'succeeded', 'failed']);
    expect(reconciling.state).toBe('needs_reconciliation');
    expect(reconciling.reason).toMatch(/not sent again: the transfer webhook with the reference settles it/);
    const moved = at(await transfersInLedger(transferId), 0, 'transfers in the ledger');
    expect(moved).toBeDefined();
    // The transfer webhook (routed by the reference in its description) settles it.
    await billing.transfers.statusUpdate(transferId, {
      providerTransferId: moved.providerId,
      status: 3,
      amountCents: 10_000,
      fromEstablishmentId: SOURCE,
      toEstablishmentId: '900',
    });
    const view = await stateOf(transferId, ['succeeded', 'failed']);
    expect(view).toMatchObject({ state: 'succeeded', providerTransferId: moved.providerId, contradictedWebhooks: 0 });
    expect(view.history.map((h: { state: string }) => h.state)).toEqual([
      'scheduled',
      'executing',
      'needs_reconciliation',
      'succeeded',
    ]);
    expect(await transfersInLedger(transferId)).toHaveLength(1);
    expect((await transferSends()) - sendsBefore).toBe(1);
    await recordHistory(env.client.workflow.getHandle(`transfer-${transferId}`), 'transfer-reconciled-by-webhook');
  });

  it('sends again after Zspay refused the transfer with a 429 (nothing was done), once', async () => {
    await sandbox.control.script({
      provider: 'zspay',
      operation: 'zspay.transfer.create',
      outcome: { type: 'rate_limit', retryAfterSeconds: 1 },
      times: 1,
    });
    const sendsBefore = await transferSends();
    const transferId = await scheduleNow();
    expect((await stateOf(transferId, ['succeeded', 'failed', 'needs_reconciliation'])).state).toBe('succeeded');
    expect(await transfersInLedger(transferId)).toHaveLength(1);
    expect((await transferSends()) - sendsBefore).toBe(2);
  });

  it('ignores, logs and counts a status webhook Zspay contradicts (another transfer id, another amount or account)', async () => {
    const transferId = await scheduleNow({ destination: { type: 'bank_account', bankAccountId } });
    const pending = await stateOf(transferId, ['pending', 'succeeded', 'failed']);
    expect(pending.state).toBe('pending');
    const id = pending.providerTransferId!;
    await billing.transfers.statusUpdate(transferId, { providerTransferId: String(Number(id) + 1000), status: 4 });
    await billing.transfers.statusUpdate(transferId, { providerTransferId: id, status: 4, amountCents: 1 });
    await billing.transfers.statusUpdate(transferId, {
      providerTransferId: id,
      status: 3,
      bankAccountId: String(Number(bankAccountId) + 1),
    });
    const ignored = await eventually(
      () => billing.transfers.get(transferId),
      (view) => view.contradictedWebhooks === 3,
    );
    expect(ignored).toMatchObject({
      state: 'pending',
      contradictedWebhooks: 3,
      lastContradictedWebhook: {
        providerTransferId: id,
        status: 3,
        reason: `the webhook's bank account ${Number(bankAccountId) + 1} is not ${bankAccountId}`,
      },
    });
    await billing.transfers.statusUpdate(transferId, {
      providerTransferId: id,
      status: 3,
      amountCents: 10_000,
      bankAccountId,
    });
    expect(await stateOf(transferId, ['succeeded', 'failed'])).toMatchObject({
      state: 'succeeded',
      contradictedWebhooks: 3,
    });
    await recordHistory(env.client.workflow.getHandle(`transfer-${transferId}`), 'transfer-webhook-contradicted');
  });

  it('refuses a second transfer with the same id', async () => {
    const transferId = await schedule();
    await expect(
      billing.transfers.schedule({
        transferId,
        sourceEstablishmentId: SOURCE,
        destination: { type: 'digital_account', establishmentId: '1' },
        amountCents: 1,
        description: 'x',
        executeOn: '2030-01-01',
      }),
    ).rejects.toBeInstanceOf(ConflictError);
    await billing.transfers.cancel(transferId);
  });
});
