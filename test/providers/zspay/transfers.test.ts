/**
 * Zspay transfer activities in a mock activity context, against the sandbox: an immediate transfer
 * is sent again only when the attempt before provably did nothing; a scheduled one is found by its
 * reference instead of being scheduled twice.
 */
import type { Info } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { MockActivityEnvironment } from '@temporalio/testing';
import { NOT_SENT_FAILURE, type PreviousFailureReader } from '../../../activities/transfers/previous-attempt';
import { createZspayTransferActivities, type ExecuteTransferInput } from '../../../activities/transfers/zspay';
import { ZSPAY_SANDBOX_ESTABLISHMENT_ID } from '../../../sandbox/providers/zspay';
import { useSandbox, type RunningSandbox } from '../../helpers/sandbox';
import { control, quietActivityEnvironment } from '../expect-error';
import { runIn, zspayClient } from './helpers';

let sandbox: RunningSandbox;
useSandbox((started) => (sandbox = started));

const SOURCE = ZSPAY_SANDBOX_ESTABLISHMENT_ID;
const setBalance = (currentCents: number) =>
  control(sandbox.url, 'POST', `/zspay/__control/balances/${SOURCE}`, { currentCents });
const transfersInLedger = async (reference: string) =>
  (await sandbox.control.ledger({ provider: 'zspay', reference })).filter((e) => e.kind === 'transfer');
/** Transfer requests that reached Zspay, answered or not (the sandbox is reset before each test). */
const transferPosts = () => sandbox.control.arrivals('zspay.transfer.create');

let n = 0;
const immediate = (): ExecuteTransferInput => ({
  reference: `transfer-t${++n}`,
  amountCents: 400,
  destination: { type: 'digital_account', establishmentId: '200' },
  description: 'Repasse',
});

/** Runs one attempt; returns its result or failure and the last heartbeat details it left. */
async function attempt(
  activities: ReturnType<typeof createZspayTransferActivities>,
  input: ExecuteTransferInput,
  info: Partial<Info>,
) {
  const env: MockActivityEnvironment = quietActivityEnvironment(info);
  let details: unknown;
  env.on('heartbeat', (d: unknown) => {
    details = d;
  });
  const outcome = await runIn(env, activities.executeTransfer, input).then(
    (result) => ({ result, failure: undefined }),
    (failure: unknown) => ({ result: undefined, failure: failure as ApplicationFailure }),
  );
  return { ...outcome, details };
}

/** Temporal's record of the previous attempt, as a test decides it. */
const recorded =
  (type?: string): PreviousFailureReader =>
  async () =>
    type ? { type, message: `${type} (recorded)` } : undefined;

describe('Zspay immediate transfers: exactly once across retries', () => {
  beforeEach(() => setBalance(10_000));

  it('transfers on the first attempt, from the balance', async () => {
    const zspay = zspayClient(sandbox.url);
    const activities = createZspayTransferActivities({ zspay, readPreviousFailure: recorded() });
    const input = immediate();
    const { result } = await attempt(activities, input, { attempt: 1 });
    expect(result).toMatchObject({ scheduled: false, status: 'succeeded', amountCents: 400 });
    expect(
      await quietActivityEnvironment().run(activities.getBalance, { establishmentId: String(SOURCE) }),
    ).toMatchObject({ currentCents: 9_600 });
    expect(await transfersInLedger(input.reference)).toHaveLength(1);
  });

  it.each([
    ['the answer was lost after Zspay transferred (timeout after)', { type: 'timeout', phase: 'after' } as const, 1],
    [
      'Zspay held the request past the client timeout (timeout before)',
      { type: 'timeout', phase: 'before' } as const,
      0,
    ],
    ['Zspay answered 500', { type: 'server_error' } as const, 0],
    ['the answer was unreadable', { type: 'malformed' } as const, 1],
  ])('goes to reconciliation on the retry when %s, and never sends again', async (_name, outcome, moved) => {
    const activities = createZspayTransferActivities({
      zspay: zspayClient(sandbox.url),
      readPreviousFailure: recorded('UnknownOutcome'),
    });
    const input = immediate();
    await sandbox.control.script({ provider: 'zspay', operation: 'zspay.transfer.create', outcome, times: 1 });
    const first = await attempt(activities, input, { attempt: 1 });
    expect(first.failure).toBeInstanceOf(ApplicationFailure);
    expect(first.failure?.nonRetryable).toBe(false);

    const retry = await attempt(activities, input, { attempt: 2, heartbeatDetails: first.details });
    expect(retry.failure).toMatchObject({ type: 'UnknownOutcome', nonRetryable: true });
    expect(retry.failure?.message).toMatch(/not sent again: the transfer webhook with the reference settles it/);
    expect(await transferPosts()).toHaveLength(1);
    expect(await transfersInLedger(input.reference)).toHaveLength(moved);
  });

  it('goes to reconciliation on a retry that knows nothing of the attempt before (worker killed: no note, no recorded failure)', async () => {
    const activities = createZspayTransferActivities({
      zspay: zspayClient(sandbox.url),
      readPreviousFailure: recorded(),
    });
    const input = immediate();
    const retry = await attempt(activities, input, { attempt: 2 });
    expect(retry.failure).toMatchObject({ type: 'UnknownOutcome', nonRetryable: true });
    expect(retry.failure?.message).toContain('attempt 1 left no proof that nothing was sent');
    // Temporal's record says the worker timed out: no proof either.
    const timedOut = createZspayTransferActivities({
      zspay: zspayClient(sandbox.url),
      readPreviousFailure: recorded('Timeout'),
    });
    expect((await attempt(timedOut, input, { attempt: 3 })).failure).toMatchObject({
      type: 'UnknownOutcome',
      nonRetryable: true,
    });
    expect(await transferPosts()).toHaveLength(0);
  });

  it('sends again after a 429 (Zspay did nothing): the refused attempt leaves a note and fails as NotSent with the provider delay', async () => {
    // Temporal's record is not read when the note is there.
    const neverRead: PreviousFailureReader = async () => {
      throw new Error('the note should have been enough');
    };
    const activities = createZspayTransferActivities({
      zspay: zspayClient(sandbox.url),
      readPreviousFailure: neverRead,
    });
    const input = immediate();
    await sandbox.control.script({
      provider: 'zspay',
      operation: 'zspay.transfer.create',
      outcome: { type: 'rate_limit', retryAfterSeconds: 2 },
      times: 1,
    });
    const first = await attempt(activities, input, { attempt: 1 });
    expect(first.failure).toMatchObject({ type: NOT_SENT_FAILURE, nonRetryable: false });
    expect(first.failure?.nextRetryDelay).toBeGreaterThanOrEqual(2_000);
    expect(first.failure?.cause).toMatchObject({ type: 'RateLimited' });
    expect(first.details).toEqual({ reference: input.reference, notSentAtAttempt: 1 });

    const retry = await attempt(activities, input, { attempt: 2, heartbeatDetails: first.details });
    expect(retry.result).toMatchObject({ status: 'succeeded', amountCents: 400 });
    expect(await transfersInLedger(input.reference)).toHaveLength(1);
  });

  it('sends again when Temporal recorded the previous attempt as NotSent, even if its note was lost', async () => {
    const activities = createZspayTransferActivities({
      zspay: zspayClient(sandbox.url),
      readPreviousFailure: recorded(NOT_SENT_FAILURE),
    });
    const input = immediate();
    const retry = await attempt(activities, input, { attempt: 4 });
    expect(retry.result).toMatchObject({ status: 'succeeded' });
    expect(await transfersInLedger(input.reference)).toHaveLength(1);
  });

  it('a note counts only from the attempt just before, and only for this reference', async () => {
    const activities = createZspayTransferActivities({
      zspay: zspayClient(sandbox.url),
      readPreviousFailure: recorded(),
    });
    const input = immediate();
    // Attempt 2 was refused, attempt 3 died without a note (its details are attempt 2's): attempt 4 must not send.
    expect(
      (
        await attempt(activities, input, {
          attempt: 4,
          heartbeatDetails: { reference: input.reference, notSentAtAttempt: 2 },
        })
      ).failure,
    ).toMatchObject({ type: 'UnknownOutcome' });
    expect(
      (
        await attempt(activities, input, {
          attempt: 2,
          heartbeatDetails: { reference: 'transfer-other', notSentAtAttempt: 1 },
        })
      ).failure,
    ).toMatchObject({ type: 'UnknownOutcome' });
    // The previous design's marker is no proof of anything.
    expect(
      (await attempt(activities, input, { attempt: 2, heartbeatDetails: { unknownOutcome: input.reference } })).failure,
    ).toMatchObject({ type: 'UnknownOutcome' });
    expect(await transferPosts()).toHaveLength(0);
  });

  it('a refused connection (nothing sent) is NotSent too; a 422 (insufficient balance) is a failure, not a retry', async () => {
    const refused = createZspayTransferActivities({
      zspay: zspayClient('http://127.0.0.1:9'),
      readPreviousFailure: recorded(),
    });
    const first = await attempt(refused, immediate(), { attempt: 1 });
    expect(first.failure).toMatchObject({ type: NOT_SENT_FAILURE, nonRetryable: false, cause: { type: 'Transient' } });

    await setBalance(100);
    const activities = createZspayTransferActivities({
      zspay: zspayClient(sandbox.url),
      readPreviousFailure: recorded(),
    });
    expect((await attempt(activities, immediate(), { attempt: 1 })).failure).toMatchObject({
      type: 'InvalidState',
      nonRetryable: true,
    });
  });
});

describe('Zspay scheduled transfers: found by reference on a retry', () => {
  beforeEach(() => setBalance(10_000));

  const scheduled = (scheduledFor: string): ExecuteTransferInput => ({
    ...immediate(),
    amountCents: 300,
    description: 'Agendado',
    scheduledFor,
  });

  it('finds the transfer an earlier attempt scheduled (answer lost) instead of scheduling twice', async () => {
    const zspay = zspayClient(sandbox.url);
    const activities = createZspayTransferActivities({ zspay, readPreviousFailure: recorded('UnknownOutcome') });
    const input = scheduled('2030-01-01T12:00:00.000Z');
    await sandbox.control.script({
      provider: 'zspay',
      operation: 'zspay.transfer.create',
      outcome: { type: 'timeout', phase: 'after' },
      times: 1,
    });
    expect((await attempt(activities, input, { attempt: 1 })).failure).toMatchObject({
      type: 'UnknownOutcome',
      nonRetryable: false,
    });
    const retry = await attempt(activities, input, { attempt: 2 });
    expect(retry.result).toMatchObject({ scheduled: true, amountCents: 300 });
    expect(await zspay.listScheduledTransfers(1)).toEqual([expect.objectContaining({ id: retry.result!.transferId })]);
    expect(await transferPosts()).toHaveLength(1);
  });

  it('schedules on a retry when the list shows nothing and its date is far off', async () => {
    const activities = createZspayTransferActivities({
      zspay: zspayClient(sandbox.url),
      readPreviousFailure: recorded('UnknownOutcome'),
    });
    const input = scheduled('2030-01-01T12:00:00.000Z');
    expect((await attempt(activities, input, { attempt: 2 })).result).toMatchObject({ scheduled: true });
    expect(await transferPosts()).toHaveLength(1);
  });

  it('close to its date, "not listed" may mean "already ran": reconciliation unless the attempt before provably did nothing', async () => {
    const soon = new Date(Date.now() + 3_600_000).toISOString();
    const unknown = createZspayTransferActivities({
      zspay: zspayClient(sandbox.url),
      readPreviousFailure: recorded('UnknownOutcome'),
    });
    const input = scheduled(soon);
    expect((await attempt(unknown, input, { attempt: 2 })).failure).toMatchObject({
      type: 'UnknownOutcome',
      nonRetryable: true,
    });
    expect(await transferPosts()).toHaveLength(0);
    const refusedBefore = createZspayTransferActivities({
      zspay: zspayClient(sandbox.url),
      readPreviousFailure: recorded(NOT_SENT_FAILURE),
    });
    expect((await attempt(refusedBefore, input, { attempt: 3 })).result).toMatchObject({ scheduled: true });
    expect(await transferPosts()).toHaveLength(1);
  });
});
