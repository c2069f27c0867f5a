/**
 * The time-skipping test server as the tests, the demo and the benchmarks start it: the installed
 * binary (`npm run setup`), the engine's search attributes, the clock at BILLING_TEST_CLOCK (or a
 * given start), and a client that pings the server no more often than it tolerates.
 */
import type { ConnectionPlugin } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { addSearchAttributes } from '../client/connection';
import { configuredClock, startClockAt, type ClockSpec } from './test-clock';

/**
 * The test server (grpc-java's defaults) answers a client that pings more often than every five
 * minutes, while nothing else is sent to it, with GOAWAY "too_many_pings"; the SDK's client pings
 * every 30 s. `env.sleep` is one call that lasts as long as the server takes to skip the time, so
 * after about 90 s of skipping the connection carrying it was closed, and the server's clock stopped
 * for good (a year of 1,000 subscriptions stalled 98 s in, twice out of two runs). The server is on
 * loopback: no keepalive is needed at all.
 */
export const TEST_SERVER_KEEPALIVE: ConnectionPlugin = {
  name: 'billing-test-server-keepalive',
  configureConnection: (options) => ({
    ...options,
    channelArgs: {
      ...options.channelArgs,
      'grpc.keepalive_time_ms': 10 * 60_000,
      'grpc.keepalive_permit_without_calls': 0,
    },
  }),
};

export async function startTimeSkippingServer(options: {
  testServer: string;
  /** Where the clock starts when BILLING_TEST_CLOCK says nothing (default: the real time). */
  defaultClock?: ClockSpec;
}): Promise<TestWorkflowEnvironment> {
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: options.testServer } },
    plugins: [TEST_SERVER_KEEPALIVE],
  });
  await addSearchAttributes(env.connection, env.namespace ?? 'default');
  const clock = configuredClock() ?? options.defaultClock;
  if (clock) await startClockAt(env, clock);
  return env;
}
