/**
 * What a person's stream knows of one room it watches for `room_activity`: the newest seq, the
 * read marker and the unread count, kept from the stream's start onwards by the room's events
 * as they pass (every instance sees every room's events). Unread counts messages after the
 * marker, as getRooms does: those counted when the stream started, and the ones seen since.
 */
import { encodeEvent, type EncodedEvent, type ChatMessage, type SequencedEvent } from '../protocol.js';
import type { WatchedRoom } from '../store/streams.repo.js';

/** Messages seen since the start kept per room to count unread ones; a room further behind shows at least this many. */
const MAX_COUNTED_MESSAGES = 1_000;

export class RoomActivity {
  lastSeq: number;
  private readSeq: number;
  /** Unread messages at or before `startSeq`, as counted when the stream started. */
  private unreadAtStart: number;
  private readonly startSeq: number;
  /** Seqs of the messages seen since the start, after the read marker. */
  private unreadSince: number[] = [];

  constructor(
    readonly roomId: number,
    start: WatchedRoom,
  ) {
    this.lastSeq = start.lastSeq;
    this.readSeq = start.readSeq;
    this.unreadAtStart = start.unread;
    this.startSeq = start.lastSeq;
  }

  get unread(): number {
    return this.unreadAtStart + this.unreadSince.length;
  }

  /**
   * A stored event of the room passed: returns the `room_activity` event to send when it is a
   * new message, undefined otherwise (an edit, a deletion, or one already seen).
   * @param lastMessage the message as `room_activity` shows it, read once for every watcher
   */
  stored(event: SequencedEvent, lastMessage: () => ChatMessage): EncodedEvent | undefined {
    if (event.seq <= this.lastSeq) return undefined;
    this.lastSeq = event.seq;
    if (event.kind !== 'message') return undefined;
    if (event.seq > this.readSeq && this.unreadSince.length < MAX_COUNTED_MESSAGES) this.unreadSince.push(event.seq);
    return encodeEvent({ type: 'room_activity', roomId: this.roomId, lastSeq: this.lastSeq, unread: this.unread, lastMessage: lastMessage() });
  }

  /** The person's read marker moved to `seq` (on any of their connections). */
  read(seq: number): void {
    if (seq <= this.readSeq) return;
    this.readSeq = seq;
    if (seq >= this.startSeq) this.unreadAtStart = 0;
    this.unreadSince = this.unreadSince.filter((unread) => unread > seq);
  }
}
