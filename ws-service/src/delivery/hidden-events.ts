/**
 * What a reader who blocks someone is given of a room: the blocked account's messages and edits
 * marked `hidden`, with no text and no pictures, and none of its typing. The server marks them
 * rather than leaving them out, so the reader's seqs stay contiguous and a resume stays exact.
 * Each hidden copy is made once per event, the first time a blocker is given it, and shared by
 * every blocker after; a reader who blocks nobody never reaches this module.
 */
import { encodeEdit, encodeMessage, NO_MEDIA, type ChatMessage, type EncodedEvent, type MessageEdit, type PublicUser, type SequencedEvent } from '../protocol.js';
import type { BlockList } from './block-list.js';

/** Every encoded `typing` event starts with this (encodeEvent keeps the key order it is given). */
const TYPING_EVENT_PREFIX = '{"type":"typing",';

/** `message` as a reader who blocks its author sees it: seq, id, room, author and time alone. */
export function hideMessage(message: ChatMessage): ChatMessage {
  // A tombstone has nothing left to hide.
  if (message.deleted) return message;
  const { seq, id, roomId, user, createdAt } = message;
  return { seq, id, roomId, user, text: null, media: NO_MEDIA, createdAt, hidden: true };
}

/** The stored event as a reader who blocks its author gets it; made once per event. */
function hiddenCopyOf(event: SequencedEvent): SequencedEvent {
  if (event.hiddenCopy) return event.hiddenCopy;
  let copy = event;
  if (event.kind === 'message') {
    copy = encodeMessage(hideMessage(JSON.parse(event.json) as ChatMessage));
  } else if (event.kind === 'edit') {
    const { seq, roomId, target, editedAt, user } = JSON.parse(event.json) as MessageEdit;
    copy = encodeEdit({ seq, roomId, target, text: null, editedAt, user, hidden: true });
  }
  // A deletion says nothing of what the message said: it goes as it is.
  copy.hiddenCopy = copy;
  event.hiddenCopy = copy;
  return copy;
}

/** True when the reader of `blocks` blocks the author of the stored event. */
export const byBlocked = (event: SequencedEvent, blocks: BlockList): boolean => event.userId !== null && blocks.has(event.userId);

/** A stored event as the reader of `blocks` gets it. */
export const storedAsSeenBy = (event: SequencedEvent, blocks: BlockList): SequencedEvent => (byBlocked(event, blocks) ? hiddenCopyOf(event) : event);

/** The typist of a passing event, read from its JSON once; null for any other event. */
function typistOf(event: EncodedEvent): number | null {
  event.typist ??= event.json.startsWith(TYPING_EVENT_PREFIX) ? (JSON.parse(event.json) as { user: PublicUser }).user.id : null;
  return event.typist;
}

/**
 * Any event of the room as the reader of `blocks` gets it (call only when the list is not
 * empty): a stored one hidden when they block its author; undefined for a blocked account's typing.
 */
export function asSeenBy(event: EncodedEvent, blocks: BlockList): EncodedEvent | undefined {
  if (event.seq !== undefined) return storedAsSeenBy(event as SequencedEvent, blocks);
  const typist = typistOf(event);
  return typist !== null && blocks.has(typist) ? undefined : event;
}
