import { firstRunOfEachWorkflow } from '../../../common/visibility';

async function* runs(...items: Array<{ workflowId: string; runId: string }>) {
  yield* items;
}

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

describe('listing through visibility', () => {
  it('keeps only the first (newest) run of a workflow listed twice while visibility catches up with a continue-as-new', async () => {
    const listed = await collect(
      firstRunOfEachWorkflow(
        runs(
          { workflowId: 'subscription-a', runId: 'new' },
          { workflowId: 'subscription-b', runId: 'b1' },
          { workflowId: 'subscription-a', runId: 'old' },
        ),
      ),
    );
    expect(listed).toEqual([
      { workflowId: 'subscription-a', runId: 'new' },
      { workflowId: 'subscription-b', runId: 'b1' },
    ]);
  });
});
