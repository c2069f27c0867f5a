/**
 * The worker is killed with SIGKILL while a provider request is held at the sandbox, and
 * restarted; every effect happens exactly once (the sandbox's ledger, its request log or the
 * provider's own list is the witness). The points are in kill-points.ts.
 *
 * - A card charge, one point per kill: its capture activity is retried after its heartbeat timeout
 *   (1 minute), so each takes about a minute.
 * - An immediate transfer, a transfer scheduled at Zspay and a reseller payment completion die
 *   together, in one kill per round: the transfers' send notices a dead worker in 10 seconds, the
 *   completion only after its 1-minute start-to-close timeout, so the round takes about a minute.
 */
import { FAULT_SCALE, startFaultHarness, type FaultHarness, type InFlight } from './harness';
import { CARD_CHARGE_KILL_POINTS, IMMEDIATE_TRANSFER_KILL_POINT, RESELLER_COMPLETION_KILL_POINT, SCHEDULED_TRANSFER_KILL_POINT } from './kill-points';

jest.setTimeout(FAULT_SCALE.testTimeoutMs);

const rounds = Array.from({ length: FAULT_SCALE.killRounds }, (_, round) => round + 1);

describe(`a worker killed mid-call (SIGKILL, ${FAULT_SCALE.name} scale)`, () => {
  let harness: FaultHarness;
  beforeAll(async () => {
    harness = await startFaultHarness({ timeoutHangMs: 4_000 }, { webhooks: true, faultWorkflows: true });
  });
  afterAll(() => harness?.teardown());

  describe('a card charge', () => {
    const cases = CARD_CHARGE_KILL_POINTS.flatMap((point) => rounds.map((round) => ({ point, name: point.name, round })));
    it.each(cases)('charges exactly once when the worker dies $name (round $round)', async ({ point }) => {
      const [charge] = await harness.killDuring([point]);
      expect(await charge.settled()).toBe('paid: succeeded');
      expect(await charge.effects()).toBe(1);
      await harness.killWorker();
    });
  });

  const TOGETHER = [IMMEDIATE_TRANSFER_KILL_POINT, SCHEDULED_TRANSFER_KILL_POINT, RESELLER_COMPLETION_KILL_POINT] as const;
  describe.each(rounds)('transfers and a reseller completion, killed together (round %i)', () => {
    let inFlight: InFlight[];
    const settled = new Map<string, string>();
    beforeAll(async () => {
      inFlight = await harness.killDuring(TOGETHER);
      for (const [index, process] of inFlight.entries()) settled.set(TOGETHER[index].name, await process.settled());
      await harness.killWorker();
    });

    it('sends an immediate transfer once: the retry reconciles instead of sending again, and the webhook settles it', async () => {
      expect(settled.get(IMMEDIATE_TRANSFER_KILL_POINT.name)).toBe('succeeded via scheduled → executing → needs_reconciliation → succeeded');
      expect(await inFlight[0].effects()).toBe(1);
    });

    it('schedules a transfer at Zspay once: the retry finds it by its reference', async () => {
      expect(settled.get(SCHEDULED_TRANSFER_KILL_POINT.name)).toBe('scheduled, then executed');
      expect(await inFlight[1].effects()).toBe(1);
    });

    it('completes a reseller payment once: the retry reads it back after the 422', async () => {
      expect(settled.get(RESELLER_COMPLETION_KILL_POINT.name)).toBe('completed');
      expect(await inFlight[2].effects()).toBe(1);
    });
  });
});
