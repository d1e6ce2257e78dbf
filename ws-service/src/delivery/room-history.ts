/**
 * The recent history of every room that has clients on this instance, in memory, and the one
 * place that decides what those clients are delivered: each room's messages exactly once, in seq
 * order (compare centrifuge's stream position and its recovery).
 *
 * A room's messages arrive from this instance's own writes and from other instances through the
 * broker, in any order. One that arrives ahead of a missing seq is held; if the missing ones have
 * not arrived within `gapWaitMs` they are read from the database (they are committed: a seq is
 * only ever announced after its commit). `catchUp` does the same for every room after the broker
 * was cut off, since messages published meanwhile never arrive.
 *
 * A room's log lives while someone holds it (`acquire` / `release`: a client joining or joined);
 * it is loaded from the database once, rooms acquired together in one query.
 */
import type { Db } from '@murmur/shared/db';
import { GroupBatcher } from '@murmur/shared/group-batcher';
import type { Logger } from '@murmur/shared/logger';
import { encodeDeletion, encodeEdit, encodeHistory, encodeMessage, NO_MEDIA, type ChatMessage, type EncodedEvent, type MessageDeletion, type MessageEdit, type PublicUser, type SequencedEvent } from '../protocol.js';
import { messagesAfter, recentMessages, type MessageRecord } from '../store/messages.repo.js';
import { lastSeqs } from '../store/rooms.repo.js';
import type { BlockList } from './block-list.js';
import { byBlocked, hideMessage, storedAsSeenBy } from './hidden-events.js';

/** Messages read from the database per gap-filling query. */
const FILL_PAGE_MESSAGES = 500;
/** Rooms loaded by one query when many are joined at once. */
const MAX_LOAD_BATCH = 500;
/**
 * Events (messages, edits, deletions) kept in memory per room, at most, for each message kept:
 * a room whose members edit a lot keeps fewer messages rather than ever more memory.
 */
export const MAX_EVENTS_PER_MESSAGE = 4;
/** Held messages per room beyond which the newest are dropped: they are read back when the gap is filled. */
const MAX_HELD_MESSAGES = 10_000;

export interface RoomHistoryOptions {
  db: Db;
  /**
   * Newest messages kept per room, with the edits and deletions among them (at most
   * MAX_EVENTS_PER_MESSAGE times as many events in all); joins and most resumes are served from them.
   */
  recentMessages: number;
  /** How long a message that arrived ahead of a missing seq waits before the gap is read from the database. */
  gapWaitMs: number;
  /** Hands a room's next message to its local clients; called in seq order, once per seq. */
  deliver(roomId: number, message: SequencedEvent): void;
  logger: Logger;
}

const authorOf = (row: MessageRecord): PublicUser | null =>
  row.userId === null || row.username === null ? null : { id: row.userId, username: row.username };

/**
 * The record as it is shown: while its author is suspended, as the deletion of their account
 * would leave it (a tombstone; an edit or deletion without its author, an edit without its
 * text). Nothing is deleted: the record read after they are unsuspended shows it all again.
 */
const shownRecord = (row: MessageRecord): MessageRecord =>
  row.authorSuspended ? { ...row, userId: null, username: null, text: null, media: null, authorSuspended: false } : row;

/**
 * A stored message as clients see it, with its current text and its pictures; marked `hidden`
 * (with neither) when the statement read it for a reader who blocks its author.
 */
export function toChatMessage(record: MessageRecord): ChatMessage {
  const message = visibleChatMessage(shownRecord(record));
  return record.hidden === true ? hideMessage(message) : message;
}

function visibleChatMessage(row: MessageRecord): ChatMessage {
  const message: ChatMessage = {
    seq: row.seq,
    id: row.id,
    roomId: row.roomId,
    user: authorOf(row),
    text: row.text,
    media: row.media ?? NO_MEDIA,
    createdAt: row.createdAt.toISOString(),
  };
  if (message.user === null || row.deletedAt !== null) {
    message.user = null;
    message.media = NO_MEDIA;
    message.deleted = true;
    return message;
  }
  if (row.editedAt !== null) message.editedAt = row.editedAt.toISOString();
  if (row.clientMsgId !== null) message.clientMsgId = row.clientMsgId;
  return message;
}

/** Any stored event as it is delivered to everyone: a message, an edit or a deletion. */
export function encodeRecord(record: MessageRecord): SequencedEvent {
  const row = shownRecord(record);
  const event = encodeShownRecord(row);
  if (record.authorSuspended && record.userId !== null) event.withheldAuthor = record.userId;
  return event;
}

function encodeShownRecord(row: MessageRecord): SequencedEvent {
  if (row.kind === 'message' || row.targetSeq === null) return encodeMessage(visibleChatMessage(row));
  const common = { seq: row.seq, roomId: row.roomId, target: row.targetSeq, user: authorOf(row) };
  if (row.kind === 'edit') return encodeEdit({ ...common, text: row.text, editedAt: row.createdAt.toISOString() });
  return encodeDeletion(common);
}

/** One room's log. */
export class RoomLog {
  /**
   * The newest delivered events, oldest first, with contiguous seqs ending at `lastSeq`: the
   * newest `recentMessages` messages and the edits and deletions among them.
   */
  recent: SequencedEvent[] = [];
  /** How many of `recent` are messages. */
  messages = 0;
  /** Seq of the newest message delivered to local clients (0: none yet). */
  lastSeq = 0;
  loaded = false;
  /** Highest seq known to be stored: what delivery must reach. */
  knownSeq = 0;
  /** Messages that arrived ahead of a missing seq, by seq. */
  readonly held = new Map<number, SequencedEvent>();
  holders = 0;
  gapTimer: NodeJS.Timeout | undefined;
  filling = false;
  readonly loading: Promise<RoomLog>;
  /** The last `history` event made, and the state of the log it was made from. */
  private historyMade: { recent: readonly SequencedEvent[]; lastSeq: number; count: number; messages: SequencedEvent[]; event: EncodedEvent } | undefined;

  constructor(
    readonly roomId: number,
    load: (log: RoomLog) => Promise<RoomLog>,
  ) {
    this.loading = load(this);
  }

  /** Seq of the oldest message in memory; older ones are read from the database. */
  get firstSeq(): number {
    return this.recent[0]?.seq ?? this.lastSeq + 1;
  }

  /** The messages in memory with seq above `seq`, oldest first. */
  after(seq: number): SequencedEvent[] {
    return this.recent.slice(Math.max(0, seq - this.firstSeq + 1));
  }

  /**
   * The `history` event a joining client gets: the newest `count` messages, oldest first. Made
   * once per state of the log, so the members of a room who join together (a reconnect storm)
   * share one encoding. Every change to the log either replaces `recent` or moves `lastSeq`. A
   * reader who blocks the author of one of them gets an encoding of their own, with it hidden.
   */
  historyEvent(count: number, blocks: BlockList): EncodedEvent {
    const made = this.sharedHistory(count);
    if (blocks.size === 0 || !made.messages.some((message) => byBlocked(message, blocks))) return made.event;
    return encodeHistory(
      this.roomId,
      made.messages.map((message) => storedAsSeenBy(message, blocks)),
      this.lastSeq,
    );
  }

  private sharedHistory(count: number): { messages: SequencedEvent[]; event: EncodedEvent } {
    const made = this.historyMade;
    if (made?.recent === this.recent && made.lastSeq === this.lastSeq && made.count === count) return made;
    const messages: SequencedEvent[] = [];
    for (let i = this.recent.length - 1; i >= 0 && messages.length < count; i -= 1) if (this.recent[i]!.kind === 'message') messages.push(this.recent[i]!);
    messages.reverse();
    this.historyMade = { recent: this.recent, lastSeq: this.lastSeq, count, messages, event: encodeHistory(this.roomId, messages, this.lastSeq) };
    return this.historyMade;
  }
}

export class RoomHistory {
  private readonly logs = new Map<number, RoomLog>();
  private readonly loader: GroupBatcher<number, MessageRecord[]>;
  private closed = false;

  constructor(private readonly options: RoomHistoryOptions) {
    this.loader = new GroupBatcher({
      run: async (roomIds) => {
        const byRoom = await recentMessages(options.db, roomIds, options.recentMessages, options.recentMessages * MAX_EVENTS_PER_MESSAGE);
        return roomIds.map((id) => byRoom.get(id) ?? []);
      },
      maxBatch: MAX_LOAD_BATCH,
    });
  }

  /** Holds the room's log, loading it if needed; resolves once it is loaded. Every acquire needs one release. */
  acquire(roomId: number): Promise<RoomLog> {
    let log = this.logs.get(roomId);
    if (!log) {
      const fresh = new RoomLog(roomId, (created) => this.load(created));
      this.logs.set(roomId, fresh);
      // A failed load is reported to the acquirer; the log is dropped so the next join retries.
      fresh.loading.catch(() => this.drop(fresh));
      log = fresh;
    }
    log.holders += 1;
    return log.loading;
  }

  /** Lets go of the room's log; the last holder's release forgets it. */
  release(roomId: number): void {
    const log = this.logs.get(roomId);
    if (!log) return;
    log.holders -= 1;
    if (log.holders <= 0) this.drop(log);
  }

  /** A message of the room was stored (here or on another instance): deliver it in order. */
  accept(roomId: number, message: SequencedEvent): void {
    const log = this.logs.get(roomId);
    if (!log || message.seq <= log.lastSeq) return;
    log.knownSeq = Math.max(log.knownSeq, message.seq);
    if (log.loaded && message.seq === log.lastSeq + 1) {
      this.append(log, message);
      this.releaseHeld(log);
    } else if (log.held.size < MAX_HELD_MESSAGES) {
      log.held.set(message.seq, message);
    }
    this.watchForGap(log);
  }

  /**
   * Reads what every room (or room `roomId` alone) missed while the broker was cut off or its
   * subscription was not yet in place: each room's newest seq, and the messages up to it.
   */
  async catchUp(roomId?: number): Promise<void> {
    const logs = roomId === undefined ? [...this.logs.values()] : [this.logs.get(roomId)].flatMap((log) => (log ? [log] : []));
    const loaded = logs.filter((log) => log.loaded);
    if (loaded.length === 0) return;
    const newest = await lastSeqs(
      this.options.db,
      loaded.map((log) => log.roomId),
    );
    for (const log of loaded) {
      const seq = newest.get(log.roomId) ?? 0;
      if (seq > log.knownSeq) log.knownSeq = seq;
      if (log.knownSeq > log.lastSeq) void this.fill(log);
    }
  }

  /**
   * Takes the author out of their events in memory, as the database did when their account was
   * deleted: their messages become tombstones, their edits lose their text.
   */
  tombstoneAuthor(userId: number): void {
    this.replaceEventsOf(userId, withoutAuthor);
  }

  /**
   * Shows the author's events in memory as their suspension does (as `tombstoneAuthor` would),
   * marked as theirs so that `restoreAuthor` finds them again.
   */
  withholdAuthor(userId: number): void {
    this.replaceEventsOf(userId, (event) => ({ ...withoutAuthor(event), withheldAuthor: userId }));
  }

  /** The author was unsuspended: the rooms in memory holding their events read them again. */
  async restoreAuthor(userId: number): Promise<void> {
    await this.reload([...this.logs.values()].filter((log) => log.loaded && log.recent.some((event) => event.withheldAuthor === userId)));
  }

  private replaceEventsOf(userId: number, replace: (event: SequencedEvent) => SequencedEvent): void {
    for (const log of this.logs.values()) {
      if (log.recent.some((event) => event.userId === userId)) log.recent = log.recent.map((event) => (event.userId === userId ? replace(event) : event));
      for (const [seq, event] of log.held) if (event.userId === userId) log.held.set(seq, replace(event));
    }
  }

  /**
   * Reloads every room's messages in memory from the database, for when auth events (and so
   * account deletions and suspensions) may have been missed.
   */
  async reloadAll(): Promise<void> {
    await this.reload([...this.logs.values()].filter((log) => log.loaded));
  }

  /** Reads the events in memory of `loaded` logs again from the database. */
  private async reload(loaded: RoomLog[]): Promise<void> {
    if (loaded.length === 0) return;
    // What each log had delivered when its reload was asked for: edits and deletions delivered
    // after that may be missing from the rows read, and are applied again on top of them.
    const deliveredUpTo = loaded.map((log) => log.lastSeq);
    const records = await Promise.all(loaded.map((log) => this.loader.submit(log.roomId)));
    loaded.forEach((log, i) => {
      const fresh = new Map(records[i]!.map((row) => [row.seq, row]));
      log.recent = log.recent.map((message) => {
        const row = fresh.get(message.seq);
        return row ? encodeRecord(row) : message;
      });
      for (const event of log.recent) if (event.seq > deliveredUpTo[i]!) applyChange(log, event);
    });
  }

  close(): void {
    this.closed = true;
    for (const log of [...this.logs.values()]) this.drop(log);
  }

  private async load(log: RoomLog): Promise<RoomLog> {
    const rows = await this.loader.submit(log.roomId);
    log.recent = rows.map(encodeRecord);
    log.messages = log.recent.filter((event) => event.kind === 'message').length;
    log.lastSeq = rows.at(-1)?.seq ?? 0;
    log.knownSeq = Math.max(log.knownSeq, log.lastSeq);
    log.loaded = true;
    for (const seq of log.held.keys()) if (seq <= log.lastSeq) log.held.delete(seq);
    this.releaseHeld(log);
    this.watchForGap(log);
    return log;
  }

  private append(log: RoomLog, message: SequencedEvent): void {
    applyChange(log, message);
    log.lastSeq = message.seq;
    log.recent.push(message);
    if (message.kind === 'message') log.messages += 1;
    const { recentMessages } = this.options;
    while (log.messages > recentMessages || log.recent.length > recentMessages * MAX_EVENTS_PER_MESSAGE) {
      if (log.recent.shift()?.kind === 'message') log.messages -= 1;
    }
    this.options.deliver(log.roomId, message);
  }

  /** Delivers the held messages that now follow on. */
  private releaseHeld(log: RoomLog): void {
    for (let next = log.held.get(log.lastSeq + 1); next; next = log.held.get(log.lastSeq + 1)) {
      log.held.delete(next.seq);
      this.append(log, next);
    }
  }

  /** Starts the gap timer while delivery is behind what is known to be stored; stops it when caught up. */
  private watchForGap(log: RoomLog): void {
    if (!log.loaded || this.closed) return;
    if (log.knownSeq <= log.lastSeq) {
      clearTimeout(log.gapTimer);
      log.gapTimer = undefined;
      return;
    }
    if (log.gapTimer || log.filling) return;
    log.gapTimer = setTimeout(() => {
      log.gapTimer = undefined;
      void this.fill(log);
    }, this.options.gapWaitMs);
    log.gapTimer.unref();
  }

  /** Reads the missing messages from the database, in order, until delivery reaches `knownSeq`. */
  private async fill(log: RoomLog): Promise<void> {
    if (log.filling || !log.loaded) return;
    log.filling = true;
    clearTimeout(log.gapTimer);
    log.gapTimer = undefined;
    try {
      while (log.lastSeq < log.knownSeq && this.logs.get(log.roomId) === log) {
        const rows = await messagesAfter(this.options.db, log.roomId, log.lastSeq, FILL_PAGE_MESSAGES);
        if (rows.length === 0) break;
        // The stored row, not a held live copy: it already shows later edits and deletions.
        for (const row of rows) if (row.seq === log.lastSeq + 1) this.append(log, encodeRecord(row));
        for (const seq of log.held.keys()) if (seq <= log.lastSeq) log.held.delete(seq);
        this.releaseHeld(log);
      }
    } catch (err) {
      this.options.logger.warn({ err, roomId: log.roomId }, 'filling a gap in a room failed; retrying');
    } finally {
      log.filling = false;
      // Still behind (the read failed, or more arrived): try again after the wait.
      this.watchForGap(log);
    }
  }

  private drop(log: RoomLog): void {
    clearTimeout(log.gapTimer);
    log.gapTimer = undefined;
    if (this.logs.get(log.roomId) === log) this.logs.delete(log.roomId);
  }
}

/**
 * Brings the messages in memory up to date with an edit or deletion about to be delivered, so that
 * a later join's history shows each message as it is now (the database did the same when it
 * stored the change).
 */
function applyChange(log: RoomLog, change: SequencedEvent): void {
  if (change.kind === 'message' || change.target === undefined) return;
  const at = change.target - log.firstSeq;
  const target = log.recent[at];
  if (change.kind === 'edit') {
    const edit = JSON.parse(change.json) as MessageEdit;
    if (target?.kind === 'message') log.recent[at] = editedMessage(target, edit);
    return;
  }
  if (target?.kind === 'message') log.recent[at] = tombstone(target);
  // What the message said before it was deleted is gone from its edits too, delivered or held.
  const erased = (event: SequencedEvent) => (event.kind === 'edit' && event.target === change.target ? erasedEdit(event, true) : event);
  log.recent = log.recent.map(erased);
  for (const [seq, event] of log.held) log.held.set(seq, erased(event));
}

function editedMessage(message: SequencedEvent, edit: MessageEdit): SequencedEvent {
  const kept = JSON.parse(message.json) as ChatMessage & { type?: string };
  if (kept.deleted || edit.text === null) return message;
  delete kept.type;
  return encodeMessage({ ...kept, text: edit.text, editedAt: edit.editedAt });
}

/** The same message as a tombstone: seq, id, room and time kept; author, text and pictures gone. */
function tombstone(message: SequencedEvent): SequencedEvent {
  const kept = JSON.parse(message.json) as ChatMessage;
  return encodeMessage({ seq: kept.seq, id: kept.id, roomId: kept.roomId, user: null, text: null, media: NO_MEDIA, createdAt: kept.createdAt, deleted: true });
}

/** The same edit without its text (its message was deleted), and without its author unless `keepAuthor`. */
function erasedEdit(event: SequencedEvent, keepAuthor: boolean): SequencedEvent {
  const { seq, roomId, target, editedAt, user } = JSON.parse(event.json) as MessageEdit;
  return encodeEdit({ seq, roomId, target, text: null, editedAt, user: keepAuthor ? user : null });
}

/** The event with its author's account gone, as the database keeps it. */
function withoutAuthor(event: SequencedEvent): SequencedEvent {
  if (event.kind === 'message') return tombstone(event);
  if (event.kind === 'edit') return erasedEdit(event, false);
  const { seq, roomId, target } = JSON.parse(event.json) as MessageDeletion;
  return encodeDeletion({ seq, roomId, target, user: null });
}
