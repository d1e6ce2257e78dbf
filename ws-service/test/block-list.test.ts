/**
 * A connection's block list: what a read of the database finds, with the changes heard while it
 * ran applied on top, whichever order they come in; only the newest read counts.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BlockList } from '../src/delivery/block-list.js';

const idsOf = (list: BlockList, candidates: number[]) => candidates.filter((id) => list.has(id));

describe('a block list', () => {
  it('is empty until read, and finds any id of what the read found', async () => {
    const list = new BlockList();
    assert.equal(list.neverRead, true);
    assert.equal(list.size, 0);
    const read = list.beginRead();
    list.finishRead(read, [9, 3, 1_000_000, 7]);
    await list.loaded;
    assert.equal(list.size, 4);
    assert.deepEqual(idsOf(list, [1, 3, 4, 7, 8, 9, 1_000_000]), [3, 7, 9, 1_000_000]);
  });

  it('applies the changes heard during a read on top of what it found, in the order heard', () => {
    const list = new BlockList();
    const read = list.beginRead();
    list.change(5, true);
    list.change(6, true);
    list.change(5, false);
    // The read saw the first change, not the others.
    list.finishRead(read, [5, 8]);
    assert.deepEqual(idsOf(list, [5, 6, 8]), [6, 8]);
    list.change(8, false);
    assert.deepEqual(idsOf(list, [5, 6, 8]), [6]);
  });

  it('counts the newest read only, and keeps its list and the changes heard when a read fails', () => {
    const list = new BlockList();
    list.finishRead(list.beginRead(), [1]);
    const older = list.beginRead();
    const newer = list.beginRead();
    list.change(2, true);
    list.finishRead(older, [1, 3]);
    assert.deepEqual(idsOf(list, [1, 2, 3]), [1]);
    list.finishRead(newer, undefined);
    assert.deepEqual(idsOf(list, [1, 2, 3]), [1, 2]);
  });

  it('lets whoever waits for its first read go on when its connection closes first', async () => {
    const list = new BlockList();
    list.beginRead();
    list.abandon();
    await list.loaded;
    assert.equal(list.size, 0);
  });
});
