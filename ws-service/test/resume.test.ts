import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resumeEvents } from '../src/ws-server.js';

const message = (id: number) => ({
  id,
  roomId: 7,
  user: { id: 1, username: 'alice' },
  text: 'x'.repeat(100),
  createdAt: new Date(0).toISOString(),
});

describe('resuming after a reconnect', () => {
  it('resends every missed message when they fit the budget', () => {
    const events = resumeEvents(7, [message(1), message(2)], 10_000);
    assert.deepEqual(
      events.map((e) => JSON.parse(e.json).id),
      [1, 2],
    );
  });

  it('keeps the newest messages within the budget and says where the gap is, so a resume never trips the slow-consumer bound', () => {
    const missed = Array.from({ length: 50 }, (_, i) => message(i + 101)); // ids of one width: events of one size
    const oneEventBytes = resumeEvents(7, [message(101)], 10_000)[0]!.bytes;
    const events = resumeEvents(7, missed, oneEventBytes * 10);
    const [gap, ...kept] = events.map((e) => JSON.parse(e.json));
    assert.equal(gap.type, 'error');
    assert.equal(gap.code, 'RESUME_GAP');
    assert.match(gap.message, /\/ws\/rooms\/7\/messages\?before=141/);
    assert.deepEqual(
      kept.map((m) => m.id),
      [141, 142, 143, 144, 145, 146, 147, 148, 149, 150],
    );
  });
});
