import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GroupBatcher } from '../src/group-batcher.js';

/** A batcher that records the batches it ran; each batch is in flight until `inFlight` settles. */
function recordingBatcher(lingerMs: number, inFlight: Promise<void> = Promise.resolve()) {
  const batches: number[][] = [];
  const batcher = new GroupBatcher<number, number>({
    run: async (inputs) => {
      batches.push(inputs);
      await inFlight;
      return inputs.map((n) => n * 10);
    },
    maxBatch: 100,
    lingerMs,
  });
  return { batches, batcher };
}

/** Submits 1, then 2 and 3 one event-loop turn later, as separate senders would. */
async function submitAcrossTurns(batcher: GroupBatcher<number, number>): Promise<number[]> {
  const first = batcher.submit(1);
  await new Promise((resolve) => setImmediate(resolve));
  return Promise.all([first, batcher.submit(2), batcher.submit(3)]);
}

describe('GroupBatcher', () => {
  it('without linger, the first input runs at once and those arriving meanwhile share the next batch', async () => {
    let finishFirst!: () => void;
    const { batches, batcher } = recordingBatcher(0, new Promise((resolve) => (finishFirst = resolve)));
    const results = Promise.all([batcher.submit(1), batcher.submit(2), batcher.submit(3)]);
    assert.deepEqual(batches, [[1]]);
    finishFirst();
    assert.deepEqual(await results, [10, 20, 30]);
    assert.deepEqual(batches, [[1], [2, 3]]);
  });

  it('with linger, inputs arriving within it share one batch, in arrival order', async () => {
    const { batches, batcher } = recordingBatcher(50);
    assert.deepEqual(await submitAcrossTurns(batcher), [10, 20, 30]);
    assert.deepEqual(batches, [[1, 2, 3]]);
  });
});
