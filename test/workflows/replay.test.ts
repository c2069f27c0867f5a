/**
 * Replay safety: every recorded history in test/histories replays against the current workflow
 * code. A failure here means the change would break workflows already running in production:
 * use `patched()` (see the README) instead of changing the code in place.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { Worker } from '@temporalio/worker';
import { HISTORIES_DIR } from '../helpers/histories';
import { workflowBundle } from '../helpers/temporal';

const files = readdirSync(HISTORIES_DIR)
  .filter((f) => f.endsWith('.json'))
  .sort();

describe('recorded histories replay against the current workflow code', () => {
  it('has histories of every workflow type', () => {
    const types = new Set(
      files.map((file) => {
        const history = JSON.parse(readFileSync(path.join(HISTORIES_DIR, file), 'utf8')) as {
          events: Array<{ workflowExecutionStartedEventAttributes?: { workflowType?: { name?: string } } }>;
        };
        return history.events[0]?.workflowExecutionStartedEventAttributes?.workflowType?.name;
      }),
    );
    expect([...types].sort()).toEqual([
      'adiqSubscriptionWorkflow',
      'billingRunWorkflow',
      'resellerPaymentWorkflow',
      'settleBalanceWorkflow',
      'subscriptionWorkflow',
      'transferWorkflow',
      'zspaySubscriptionWorkflow',
    ]);
  });

  it.each(files)('%s', async (file) => {
    const history = historyFromJSON(JSON.parse(readFileSync(path.join(HISTORIES_DIR, file), 'utf8')));
    await Worker.runReplayHistory(
      { workflowBundle: workflowBundle(), replayName: file },
      history,
      file.replace(/\.json$/, ''),
    );
  });
});
