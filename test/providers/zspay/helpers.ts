/** Shared setup for the Zspay tests (not a test file): a client on the sandbox, a client with a stored card. */
import { SANDBOX_CREDENTIALS } from '../../../common/sandbox-credentials';
import { ZspayClient } from '../../../providers/zspay/client';

export const zspayClient = (url: string, token: string = SANDBOX_CREDENTIALS.zspay.token) =>
  new ZspayClient({ baseUrl: `${url}/zspay`, token, timeoutMs: 500 });

export { customerWithCard } from '../../../sandbox/test-customer';

/** The charges the sandbox's Zspay ledger records: what customers actually paid. */
export const zspayCharges = async (sandbox: {
  control: { ledger(filter: { provider: string }): Promise<Array<{ kind: string }>> };
}) => (await sandbox.control.ledger({ provider: 'zspay' })).filter((e) => e.kind === 'charge');

/** MockActivityEnvironment.run with the activity's own return type. */
export function runIn<P extends unknown[], R>(
  env: { run: (fn: (...args: P) => Promise<R>, ...args: P) => Promise<unknown> },
  fn: (...args: P) => Promise<R>,
  ...args: P
): Promise<R> {
  return env.run(fn, ...args) as Promise<R>;
}
