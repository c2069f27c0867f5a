/**
 * The worker is killed with SIGKILL while a provider request is held at the sandbox, and
 * restarted; every effect happens exactly once (the sandbox's ledger, its request log or the
 * provider's own list is the witness). The points are in kill-points.ts.
 *
 * - A card charge, one point per kill: its activities heartbeat, so the killed attempt is retried
 *   after the 10-second heartbeat timeout.
 * - An immediate transfer, a transfer scheduled at Zspay, a reseller payment completion, a boleto
 *   issue and a subscription created at Adiq die together, in one kill per round: each activity
 *   heartbeats, so every one is retried about 10 seconds after the kill.
 */
import { FAULT_SCALE, startFaultHarness, type FaultHarness, type InFlight } from './harness';
import {
  ADIQ_CREATE_KILL_POINT,
  BOLETO_ISSUE_KILL_POINT,
  CARD_CHARGE_KILL_POINTS,
  IMMEDIATE_TRANSFER_KILL_POINT,
  RESELLER_COMPLETION_KILL_POINT,
  SCHEDULED_TRANSFER_KILL_POINT,
} from './kill-points';
import { at } from '../helpers/defined';

jest.setTimeout(FAULT_SCALE.testTimeoutMs);

const rounds = Array.from({ length: FAULT_SCALE.killRounds }, (_, round) => round + 1);

describe(`a worker killed mid-call (SIGKILL, ${FAULT_SCALE.name} scale)`, () => {
  let harness: FaultHarness;
  beforeAll(async () => {
    harness = await startFaultHarness({ timeoutHangMs: 4_000 }, { webhooks: true, faultWorkflows: true });
  });
  afterAll(() => harness?.teardown());

  describe('a card charge', () => {
    const cases = CARD_CHARGE_KILL_POINTS.flatMap((point) =>
      rounds.map((round) => ({ point, name: point.name, round })),
    );
    it.each(cases)('charges exactly once when the worker dies $name (round $round)', async ({ point }) => {
      const charge = at(await harness.killDuring([point]), 0, 'in-flight charges');
      expect(await charge.settled()).toBe('paid: succeeded');
      expect(await charge.effects()).toBe(1);
      await harness.killWorker();
    });
  });

  const TOGETHER = [
    IMMEDIATE_TRANSFER_KILL_POINT,
    SCHEDULED_TRANSFER_KILL_POINT,
    RESELLER_COMPLETION_KILL_POINT,
    BOLETO_ISSUE_KILL_POINT,
    ADIQ_CREATE_KILL_POINT,
  ] as const;
  describe.each(rounds)(
    'transfers, a reseller completion, a boleto and an Adiq subscription, killed together (round %i)',
    () => {
      let inFlight: InFlight[];
      const settled = new Map<string, string>();
      beforeAll(async () => {
        inFlight = await harness.killDuring(TOGETHER);
        for (const [index, process] of inFlight.entries())
          settled.set(at(TOGETHER, index, 'kill points').name, await process.settled());
        await harness.killWorker();
      });

      it('sends an immediate transfer once: the retry reconciles instead of sending again, and the webhook settles it', async () => {
        expect(settled.get(IMMEDIATE_TRANSFER_KILL_POINT.name)).toBe(
          'succeeded via scheduled → executing → needs_reconciliation → succeeded',
        );
        expect(await at(inFlight, 0, 'in-flight processes').effects()).toBe(1);
      });

      it('schedules a transfer at Zspay once: the retry finds it by its reference', async () => {
        expect(settled.get(SCHEDULED_TRANSFER_KILL_POINT.name)).toBe('scheduled, then executed');
        expect(await at(inFlight, 1, 'in-flight processes').effects()).toBe(1);
      });

      it('completes a reseller payment once: the retry reads it back after the 422', async () => {
        expect(settled.get(RESELLER_COMPLETION_KILL_POINT.name)).toBe('completed');
        expect(await at(inFlight, 2, 'in-flight processes').effects()).toBe(1);
      });

      it('takes the money of a boleto once: the invoice is settled by the boleto the engine knows', async () => {
        expect(settled.get(BOLETO_ISSUE_KILL_POINT.name)).toBe('paid');
        expect(await at(inFlight, 3, 'in-flight processes').effects()).toBe(1);
      });

      it('creates the subscription at Adiq once: the retry finds it by its orderNumber', async () => {
        expect(settled.get(ADIQ_CREATE_KILL_POINT.name)).toBe('active');
        expect(await at(inFlight, 4, 'in-flight processes').effects()).toBe(1);
      });
    },
  );
});
