import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GroupBatcher } from '../src/group-batcher.js';

/** A batcher that records the batches it ran; each batch is in flight until `inFlight` settles. */
function recordingBatcher(lingerMs: number, inFlight: Promise<void> = Promise.resolve(), lingerOnlyWhenBusy = false) {
  const batches: number[][] = [];
  const batcher = new GroupBatcher<number, number>({
    run: async (inputs) => {
      batches.push(inputs);
      await inFlight;
      return inputs.map((n) => n * 10);
    },
    maxBatch: 100,
    lingerMs,
    lingerOnlyWhenBusy,
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

  it('lingering only when busy, an input after a quiet spell runs at once and alone; a batch that follows a batch of several waits for company', async () => {
    const batches: number[][] = [];
    /** Each batch stays in flight until its gate opens. */
    const gates: Array<() => void> = [];
    const batcher = new GroupBatcher<number, number>({
      run: async (inputs) => {
        batches.push(inputs);
        await new Promise<void>((open) => gates.push(open));
        return inputs.map((n) => n * 10);
      },
      maxBatch: 100,
      lingerMs: 50,
      lingerOnlyWhenBusy: true,
    });
    const turn = () => new Promise((resolve) => setImmediate(resolve));
    // Quiet: 1 runs at once, without the linger.
    const results = [batcher.submit(1)];
    assert.deepEqual(batches, [[1]]);
    // 2 and 3 arrive while 1 is in flight; a batch of one came before, so they run as soon as it is done.
    results.push(batcher.submit(2), batcher.submit(3));
    gates.shift()!();
    await turn();
    assert.deepEqual(batches, [[1], [2, 3]]);
    // 4 arrives while [2, 3] is in flight; a batch of several came before, so it lingers, and 5
    // and 6, a turn later, join it.
    results.push(batcher.submit(4));
    gates.shift()!();
    await turn();
    results.push(batcher.submit(5), batcher.submit(6));
    while (batches.length < 3) await turn();
    gates.shift()!();
    assert.deepEqual(await Promise.all(results), [10, 20, 30, 40, 50, 60]);
    assert.deepEqual(batches, [[1], [2, 3], [4, 5, 6]]);
  });
});
