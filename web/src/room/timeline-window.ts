/**
 * The slice of a room's history kept in the DOM: a room may hold 10,000 messages or more, so the
 * page holds a bounded window, in seq order, read backwards from REST on demand and forwards from
 * the live connection. Pure functions over plain data, tested in Node.
 */
import type { ChatMessage, MessageDeletion, MessageEdit } from '../protocol/events.js';

/** Messages kept once the reader is at the newest: older ones drop off the top as new ones come. */
export const WINDOW_MESSAGES = 300;
/** The most ever kept, while the reader scrolls back (nothing is dropped under their eyes until then). */
export const WINDOW_MAX_MESSAGES = 600;

export interface TimelineWindow {
  /** Oldest first, unique by seq. */
  messages: ChatMessage[];
  /** Older messages exist above the window. */
  hasOlder: boolean;
  /** The window reaches the newest message: live ones are appended. */
  atLatest: boolean;
  /** Live messages that arrived while the window did not reach the newest. */
  unseen: number;
}

export const EMPTY_WINDOW: TimelineWindow = { messages: [], hasOlder: false, atLatest: true, unseen: 0 };

/** Seq order, one entry per seq; on a clash the later list's copy wins (it is fresher). */
function merge(a: readonly ChatMessage[], b: readonly ChatMessage[]): ChatMessage[] {
  const bySeq = new Map<number, ChatMessage>();
  for (const message of a) bySeq.set(message.seq, message);
  for (const message of b) bySeq.set(message.seq, message);
  return [...bySeq.values()].sort((x, y) => x.seq - y.seq);
}

/** The join's history: the newest messages, oldest first. The first event of a room is a message, so seq 1 means nothing is older. */
export function fromHistory(messages: readonly ChatMessage[]): TimelineWindow {
  const sorted = merge([], messages);
  return { messages: sorted, hasOlder: (sorted[0]?.seq ?? 1) > 1, atLatest: true, unseen: 0 };
}

/** A live message. `trim` when the reader is at the bottom: the oldest then drop off unseen. */
export function appendLive(window: TimelineWindow, message: ChatMessage, trim: boolean): TimelineWindow {
  if (!window.atLatest) return { ...window, unseen: window.unseen + 1 };
  const messages = merge(window.messages, [message]);
  if (trim && messages.length > WINDOW_MESSAGES) {
    return { ...window, messages: messages.slice(messages.length - WINDOW_MESSAGES), hasOlder: true };
  }
  if (messages.length > WINDOW_MAX_MESSAGES) return { ...window, unseen: window.unseen + 1, atLatest: false };
  return { ...window, messages };
}

/** A page of older messages (newest first, as REST answers) above the window; the newest drop off past the bound. */
export function prependOlder(window: TimelineWindow, page: readonly ChatMessage[], hasMore: boolean): TimelineWindow {
  const messages = merge(page, window.messages);
  if (messages.length <= WINDOW_MAX_MESSAGES) return { ...window, messages, hasOlder: hasMore };
  return { ...window, messages: messages.slice(0, WINDOW_MAX_MESSAGES), hasOlder: hasMore, atLatest: false };
}

/** The newest page (newest first), for "jump to latest": live messages newer than it are kept. */
export function replaceWithLatest(window: TimelineWindow, page: readonly ChatMessage[], hasMore: boolean): TimelineWindow {
  const newestOfPage = page[0]?.seq ?? 0;
  const newer = window.atLatest ? window.messages.filter((m) => m.seq > newestOfPage) : [];
  return { messages: merge(page, newer), hasOlder: hasMore, atLatest: true, unseen: 0 };
}

/** An edit changes the text shown; a hidden message (its author blocked) stays without one. */
export function applyEdit(window: TimelineWindow, edit: MessageEdit): TimelineWindow {
  return mapTarget(window, edit.target, (m) => (m.hidden || edit.hidden ? { ...m, editedAt: edit.editedAt } : { ...m, text: edit.text, editedAt: edit.editedAt }));
}

export function applyDeletion(window: TimelineWindow, deletion: MessageDeletion): TimelineWindow {
  return mapTarget(window, deletion.target, (m) => ({ ...m, text: null, user: null, deleted: true }));
}

function mapTarget(window: TimelineWindow, seq: number, change: (m: ChatMessage) => ChatMessage): TimelineWindow {
  const index = window.messages.findIndex((m) => m.seq === seq);
  if (index < 0) return window;
  const messages = window.messages.slice();
  messages[index] = change(messages[index]!);
  return { ...window, messages };
}

/**
 * Where each reader is: the newest message at or below their read marker (a marker may name an
 * edit's seq). Answers, per message seq, the readers who read up to it.
 */
export function readersByMessage(messages: readonly ChatMessage[], reads: Iterable<{ username: string; seq: number }>): Map<number, string[]> {
  const result = new Map<number, string[]>();
  for (const read of reads) {
    let low = 0;
    let high = messages.length - 1;
    let found = -1;
    while (low <= high) {
      const mid = (low + high) >> 1;
      if (messages[mid]!.seq <= read.seq) {
        found = mid;
        low = mid + 1;
      } else high = mid - 1;
    }
    if (found < 0) continue;
    const seq = messages[found]!.seq;
    result.set(seq, [...(result.get(seq) ?? []), read.username]);
  }
  return result;
}
