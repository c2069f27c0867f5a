/** The sandbox records every provider request, also one whose caller hung up during a scripted hold. */
import { SANDBOX_CREDENTIALS } from '../../common/sandbox-credentials';
import { eventually } from '../helpers/eventually';
import { startSandbox, type RunningSandbox } from '../helpers/sandbox';

describe('sandbox request log', () => {
  let sandbox: RunningSandbox;
  beforeAll(async () => {
    sandbox = await startSandbox();
  });
  afterAll(() => sandbox.close());

  it('logs a request whose caller gave up before the scripted timeout answered, with no status', async () => {
    await sandbox.control.script({ provider: 'zspay', operation: 'zspay.sale.get', outcome: { type: 'timeout', delayMs: 600 }, times: 1 });
    const call = fetch(`${sandbox.url}/zspay/vendas/1`, { headers: { Authorization: `Bearer ${SANDBOX_CREDENTIALS.zspay.token}` }, signal: AbortSignal.timeout(100) });
    await expect(call).rejects.toThrow();
    const logged = await eventually(() => sandbox.control.requests({ operation: 'zspay.sale.get' }), (requests) => requests.length > 0, 5_000);
    expect(logged).toEqual([expect.objectContaining({ method: 'GET', path: '/zspay/vendas/1', outcome: 'timeout' })]);
    expect(logged[0].status).toBeUndefined();
    // Answered later into the closed connection: still one entry.
    await new Promise((resolve) => setTimeout(resolve, 800));
    expect(await sandbox.control.requests({ operation: 'zspay.sale.get' })).toHaveLength(1);
  });
});
