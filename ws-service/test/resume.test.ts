import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encodeMessage } from '../src/protocol.js';
import { resumeEvents } from '../src/chat/chat.service.js';

const message = (seq: number) =>
  encodeMessage({
    seq,
    id: seq + 1000,
    roomId: 7,
    user: { id: 1, username: 'alice' },
    text: 'x'.repeat(100),
    media: [],
    createdAt: new Date(0).toISOString(),
  });

const parse = (json: string) => JSON.parse(json) as { type: string; seq: number; code?: string; message?: string };

describe('resuming after a reconnect', () => {
  it('resends every missed message when they fit the budget', () => {
    const events = resumeEvents(7, [message(1), message(2)], false, 10_000);
    assert.deepEqual(
      events.map((e) => parse(e.json).seq),
      [1, 2],
    );
  });

  it('keeps the newest messages within the budget and says where the gap is, so a resume never trips the slow-consumer bound', () => {
    const missed = Array.from({ length: 50 }, (_, i) => message(i + 101)); // seqs of one width: events of one size
    const oneEventBytes = message(101).bytes;
    const [gap, ...kept] = resumeEvents(7, missed, false, oneEventBytes * 10).map((e) => parse(e.json));
    assert.equal(gap!.type, 'error');
    assert.equal(gap!.code, 'RESUME_GAP');
    assert.match(gap!.message!, /\/ws\/rooms\/7\/messages\?cursor=141/);
    assert.deepEqual(
      kept.map((m) => m.seq),
      [141, 142, 143, 144, 145, 146, 147, 148, 149, 150],
    );
  });

  it('says where the gap is when more were missed than a resume replays, even if the rest fit', () => {
    const [gap, ...kept] = resumeEvents(7, [message(5), message(6)], true, 10_000).map((e) => parse(e.json));
    assert.equal(gap!.code, 'RESUME_GAP');
    assert.match(gap!.message!, /cursor=5/);
    assert.deepEqual(
      kept.map((m) => m.seq),
      [5, 6],
    );
  });
});
