/** The sandbox records every provider request, also one whose caller hung up during a scripted hold. */
import { SANDBOX_CREDENTIALS } from '../../common/sandbox-credentials';
import { ManualClock } from '../../sandbox/clock';
import { eventually } from '../helpers/eventually';
import { startSandbox, type RunningSandbox } from '../helpers/sandbox';

describe('sandbox request log', () => {
  // The scripted hold lasts until the test moves this clock: nothing here waits for real time.
  const clock = new ManualClock(Date.parse('2025-03-10T12:00:00.000Z'));
  let sandbox: RunningSandbox;
  beforeAll(async () => {
    sandbox = await startSandbox({ clock });
  });
  afterAll(() => sandbox.close());

  it('logs a request whose caller gave up before the scripted timeout answered, with no status', async () => {
    await sandbox.control.script({
      provider: 'zspay',
      operation: 'zspay.sale.get',
      outcome: { type: 'timeout', delayMs: 600 },
      times: 1,
    });
    const caller = new AbortController();
    const call = fetch(`${sandbox.url}/zspay/vendas/1`, {
      headers: { Authorization: `Bearer ${SANDBOX_CREDENTIALS.zspay.token}` },
      signal: caller.signal,
    });
    // Held: it has arrived, and nothing is logged until it is answered or its caller hangs up.
    await eventually(
      () => sandbox.control.arrivals('zspay.sale.get'),
      (arrivals) => arrivals.length > 0,
      5_000,
    );
    expect(clock.pendingTimers).toBe(1);
    expect(await sandbox.control.requests({ operation: 'zspay.sale.get' })).toEqual([]);
    caller.abort();
    await expect(call).rejects.toThrow();

    const logged = await eventually(
      () => sandbox.control.requests({ operation: 'zspay.sale.get' }),
      (requests) => requests.length > 0,
      5_000,
    );
    expect(logged).toEqual([
      expect.objectContaining({
        method: 'GET',
        path: '/zspay/vendas/1',
        outcome: 'timeout',
        at: '2025-03-10T12:00:00.000Z',
      }),
    ]);
    expect(logged[0]!.status).toBeUndefined();
    // The hold ends and answers into the closed connection: still one entry.
    clock.advance(600);
    expect(clock.pendingTimers).toBe(0);
    expect(await sandbox.control.requests({ operation: 'zspay.sale.get' })).toHaveLength(1);
  });
});
