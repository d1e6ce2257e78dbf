/** The bounded window of a room's messages: what stays in the DOM as history grows. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ChatMessage } from '../src/protocol/events.js';
import {
  appendLive,
  applyDeletion,
  applyEdit,
  fromHistory,
  prependOlder,
  readersByMessage,
  replaceWithLatest,
  WINDOW_MAX_MESSAGES,
  WINDOW_MESSAGES,
} from '../src/room/timeline-window.js';

const message = (seq: number): ChatMessage => ({ seq, id: seq, roomId: 1, user: { id: 1, username: 'alice' }, text: `m${seq}`, media: [], createdAt: '2026-01-01T00:00:00.000Z' });
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => message(from + i));
/** REST pages are newest first. */
const page = (from: number, to: number) => range(from, to).reverse();

describe('the timeline window', () => {
  it('starts from the history and knows whether older messages exist', () => {
    assert.equal(fromHistory(range(1, 50)).hasOlder, false);
    assert.equal(fromHistory(range(951, 1000)).hasOlder, true);
  });

  it('appends live messages once each, and drops the oldest past its size while the reader is at the bottom', () => {
    let w = fromHistory(range(1, 50));
    for (let seq = 51; seq <= 10_000; seq += 1) w = appendLive(w, message(seq), true);
    w = appendLive(w, message(10_000), true);
    assert.equal(w.messages.length, WINDOW_MESSAGES);
    assert.equal(w.messages.at(-1)?.seq, 10_000);
    assert.equal(w.hasOlder, true);
  });

  it('stops appending past its bound while the reader is scrolled up, and counts what it did not show', () => {
    let w = fromHistory(range(1, 50));
    for (let seq = 51; seq <= 1_000; seq += 1) w = appendLive(w, message(seq), false);
    assert.equal(w.messages.length, WINDOW_MAX_MESSAGES);
    assert.equal(w.atLatest, false);
    assert.equal(w.unseen, 1_000 - WINDOW_MAX_MESSAGES);
  });

  it('pages back through 10,000 messages holding at most its bound, and jumps back to the newest', () => {
    let w = fromHistory(range(9_951, 10_000));
    for (let cursor = 9_951; cursor > 1; cursor -= 50) w = prependOlder(w, page(Math.max(1, cursor - 50), cursor - 1), cursor - 50 > 1);
    assert.equal(w.messages.length, WINDOW_MAX_MESSAGES);
    assert.equal(w.messages[0]?.seq, 1);
    assert.equal(w.hasOlder, false);
    assert.equal(w.atLatest, false);
    w = replaceWithLatest(w, page(9_951, 10_000), true);
    assert.deepEqual([w.messages[0]?.seq, w.messages.at(-1)?.seq, w.atLatest], [9_951, 10_000, true]);
  });

  it('applies edits and deletions to the messages it holds', () => {
    let w = fromHistory(range(1, 3));
    w = applyEdit(w, { seq: 4, roomId: 1, target: 2, text: 'fixed', editedAt: '2026-01-01T00:01:00.000Z', user: { id: 1, username: 'alice' } });
    w = applyDeletion(w, { seq: 5, roomId: 1, target: 3, user: { id: 1, username: 'alice' } });
    assert.deepEqual(
      w.messages.map((m) => [m.text, m.deleted ?? false]),
      [
        ['m1', false],
        ['fixed', false],
        [null, true],
      ],
    );
  });

  it('keeps a hidden message (its author blocked) in its place and without text, edited or not', () => {
    const hidden: ChatMessage = { ...message(2), text: null, hidden: true };
    let w = fromHistory([message(1), hidden, message(3)]);
    const edit = { seq: 4, roomId: 1, target: 2, text: 'visible?', editedAt: '2026-01-01T00:01:00.000Z', user: { id: 1, username: 'alice' } };
    w = applyEdit(w, edit);
    w = applyEdit(w, { ...edit, seq: 5, target: 3, text: null, hidden: true });
    assert.deepEqual(
      w.messages.map((m) => [m.seq, m.text, m.hidden ?? false, m.editedAt !== undefined]),
      [
        [1, 'm1', false, false],
        [2, null, true, true],
        [3, 'm3', false, true],
      ],
    );
  });

  it('places each reader at the newest message at or below their marker', () => {
    const readers = readersByMessage(range(1, 5), [
      { username: 'bob', seq: 3 },
      { username: 'carol', seq: 3 },
      { username: 'dave', seq: 99 },
    ]);
    assert.deepEqual([...readers], [
      [3, ['bob', 'carol']],
      [5, ['dave']],
    ]);
  });
});
