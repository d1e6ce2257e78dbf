/**
 * Queries on the messages table, with each message's author. These run on every chat message
 * and join, so they are written in SQL and sent as named (prepared) statements: PostgreSQL
 * parses and plans each once per connection.
 */
import type { Db } from '@murmur/shared/db';
import type { MediaAttachment } from '@murmur/shared/media';
import type { SequencedKind } from '../protocol.js';
import { refuseIfBlockedSql } from './safety-sql.js';

/**
 * A stored event of a room's history: a message, or an edit or deletion of the message at
 * `targetSeq`. A message is a tombstone when `deletedAt` is set or `userId` is null (the
 * author's account is gone), its `text` null then; and, as it is shown, while its author is
 * suspended (`authorSuspended`), whose text is kept for when they are not.
 */
export interface MessageRecord {
  id: number;
  roomId: number;
  seq: number;
  kind: SequencedKind;
  userId: number | null;
  username: string | null;
  text: string | null;
  clientMsgId: string | null;
  createdAt: Date;
  targetSeq: number | null;
  editedAt: Date | null;
  /** Set when the message was deleted: a tombstone, whatever `userId` still says. */
  deletedAt: Date | null;
  /** A message's pictures, as they were when it was stored; null when none (and for a tombstone, an edit or a deletion). */
  media: MediaAttachment[] | null;
  /** The author's account is suspended: the event is shown as its author's deletion would leave it. */
  authorSuspended: boolean;
  /** The reader blocks the author (only where the statement reads it for one reader). */
  hidden?: boolean;
}

export interface NewMessage {
  roomId: number;
  userId: number;
  text: string;
  clientMsgId: string | null;
  /** Its pictures, already claimed for it (chat/picture-claims.ts); absent or null when none. */
  media?: MediaAttachment[] | null;
  /**
   * In a direct room, the other person: the message is refused (SQLSTATE MU403) when a block
   * stands between the two. Absent or null in any other room.
   */
  peer?: number | null;
}

export interface StoredMessage {
  id: number;
  seq: number;
  createdAt: Date;
  /** The text stored: the first copy's, for a resend; null when that copy was deleted since. */
  text: string | null;
  /** True when the author had already sent this clientMsgId to the room: nothing new was stored. */
  resent: boolean;
  /** For a resend: when the stored message was last edited (its text is no longer the first); null if never. */
  editedAt: Date | null;
  /** Its pictures: those sent, or for a resend the stored copy's; null when none. */
  media: MediaAttachment[] | null;
}

/** A row of MESSAGE_COLUMNS. */
export interface MessageRow {
  id: number;
  room_id: number;
  seq: number;
  kind: SequencedKind;
  user_id: number | null;
  username: string | null;
  text: string | null;
  client_msg_id: string | null;
  created_at: Date;
  target_seq: number | null;
  edited_at: Date | null;
  deleted_at: Date | null;
  media: MediaAttachment[] | null;
  author_suspended: boolean;
  hidden?: boolean;
}

export const toRecord = (row: MessageRow): MessageRecord => ({
  id: row.id,
  roomId: row.room_id,
  seq: row.seq,
  kind: row.kind,
  userId: row.user_id,
  username: row.username,
  text: row.text,
  clientMsgId: row.client_msg_id,
  createdAt: row.created_at,
  targetSeq: row.target_seq,
  editedAt: row.edited_at,
  deletedAt: row.deleted_at,
  media: row.media,
  authorSuspended: row.author_suspended,
  ...(row.hidden !== undefined ? { hidden: row.hidden } : {}),
});

/**
 * The columns of a MessageRecord, from `messages m LEFT JOIN users u ON u.id = m.user_id`. The
 * author's suspension comes with the author's row, which every statement joins anyway: no page
 * more is read, only one more column of the row (measured: a 200-event resume 0.28 → 0.31 ms,
 * 500 rooms' recent history 54.8 → 55.6 ms).
 */
export const MESSAGE_COLUMNS =
  'm.id, m.room_id, m.seq, m.kind, m.user_id, u.username, m.text, m.client_msg_id, m.created_at, m.target_seq, m.edited_at, m.deleted_at, m.media, u.suspended_at IS NOT NULL AS author_suspended';

/** The `hidden` column of a statement read for one reader ($n): true when they block the author. */
export const hiddenFor = (reader: string): string => `EXISTS (SELECT 1 FROM blocks hb WHERE hb.blocker_id = ${reader} AND hb.blocked_id = m.user_id) AS hidden`;

/** How long a clientMsgId names its message: a resend within it is answered with the stored one. */
export const RESEND_WINDOW_SECONDS = 24 * 60 * 60;

/**
 * Messages are stored by one statement and one commit per batch, sent as one of two named
 * statements: a message alone in its batch (what nearly every batch holds at a few hundred
 * messages per second) takes STORE_MESSAGE, with scalar parameters; several take STORE_MESSAGES,
 * with arrays. Both are written so that PostgreSQL's generic plan, made once per connection, is
 * the right plan whatever the batch: a custom plan costs more to make (~300 µs for the batch
 * statement) than a message alone costs to store.
 *
 * Each room's `last_seq` is raised by its number of new messages under the row's lock, and the
 * messages take the seqs in between, in input order; a transaction that fails takes its seqs back
 * with it, so no gap is ever left. FOR NO KEY UPDATE (which the UPDATE takes) does not block the
 * foreign-key checks of messages inserted meanwhile.
 *
 * A message whose author already sent its clientMsgId to the room within the resend window
 * (found through the partial index messages_resend_idx) is not stored: the stored copy is
 * returned instead (the oldest copy, should a race have stored two). The lookup reads the
 * statement's snapshot, taken before the room lock is waited for: a resend stored by one instance
 * while another instance's batch holding the first copy is still uncommitted is stored twice.
 *
 * A message's pictures, claimed before it was queued, are one more parameter: their snapshot as
 * jsonb (null when none, which is nearly always), stored in the row; the trigger
 * messages_link_media links their media rows to it in the same statement.
 *
 * A message in a direct room names the room's other person (null in any other room): before the
 * room is locked, `refused` takes the pair's lock, which a block takes too, and fails the
 * statement with SQLSTATE MU403 when a block stands between the two, so no message of the pair is
 * stored after a block commits. A message of any other room skips it: a null parameter.
 */
const STORE_MESSAGE = `
WITH resent AS (
  SELECT id, seq, text, created_at, edited_at, media FROM messages
  WHERE room_id = $1 AND user_id = $2 AND client_msg_id = $4 AND created_at > now() - make_interval(secs => $5)
  ORDER BY seq LIMIT 1
),
refused AS (SELECT ${refuseIfBlockedSql('$2::int', '$7::int')} WHERE $7::int IS NOT NULL AND NOT EXISTS (SELECT FROM resent)),
bumped AS (
  UPDATE rooms SET last_seq = last_seq + 1
  WHERE id = $1 AND NOT EXISTS (SELECT FROM resent) AND (SELECT count(*) FROM refused) >= 0
  RETURNING last_seq
),
inserted AS (
  INSERT INTO messages (room_id, seq, user_id, text, client_msg_id, media)
  SELECT $1, last_seq, $2, $3, $4, $6::jsonb FROM bumped
  RETURNING id, seq, created_at
)
SELECT id, seq, created_at, false AS resent, NULL::text AS text, NULL::timestamptz AS edited_at, NULL::jsonb AS media FROM inserted
UNION ALL
SELECT id, seq, created_at, true, text, edited_at, media FROM resent`;

/**
 * The batch, rooms in any number. Its plan must not depend on the batch's size, so that one
 * generic plan serves every batch:
 * - each array goes through a sub-select, which hides its length from the planner even in a
 *   custom plan: every plan then assumes the same rows, and PostgreSQL keeps the generic one
 *   instead of planning each batch anew;
 * - every row of messages and rooms is reached through its index by a LATERAL subquery (a plain
 *   join, planned for a guessed number of rows, may hash the whole rooms table instead), and the
 *   UPDATE's `= ANY (ARRAY[…])` cannot be hashed either, so it looks each locked room up by key.
 * The rooms are locked in id order (the LATERAL lock runs once per room, in the order of the
 * sorted counts), so two instances storing into the same rooms cannot deadlock; the UPDATE then
 * changes rows already locked. A resend is marked by its input position `resent_ord`.
 *
 * The pictures are a jsonb[] beside the other arrays, or null when no message of the batch has
 * any: unnest pads a null array with nulls, like a shorter one, so a batch without pictures
 * builds and sends no array for them, and has the same plan. The direct rooms' other people are
 * another such array: their pairs' locks are taken in pair order (so two batches cannot deadlock)
 * before any room's, and a block between a pair fails the batch with MU403 (the writer then
 * stores its messages one by one, and only the pair's message fails).
 */
const STORE_MESSAGES = `
WITH input AS (
  SELECT * FROM unnest((SELECT $1::int[]), (SELECT $2::int[]), (SELECT $3::text[]), (SELECT $4::text[]), (SELECT $6::jsonb[]), (SELECT $7::int[]))
    WITH ORDINALITY AS t(room_id, user_id, text, client_msg_id, media, peer, ord)
),
resent AS (
  SELECT i.ord, m.id, m.room_id, m.seq, m.text, m.created_at, m.edited_at, m.media
  FROM input i CROSS JOIN LATERAL (
    SELECT id, room_id, seq, text, created_at, edited_at, media FROM messages m
    WHERE m.room_id = i.room_id AND m.user_id = i.user_id AND m.client_msg_id = i.client_msg_id AND m.created_at > now() - make_interval(secs => $5)
    ORDER BY m.seq LIMIT 1
  ) m
  WHERE i.client_msg_id IS NOT NULL
),
fresh AS (SELECT * FROM input WHERE ord NOT IN (SELECT ord FROM resent)),
refused AS (
  SELECT ${refuseIfBlockedSql('user_id', 'peer')} FROM fresh WHERE peer IS NOT NULL
  ORDER BY least(user_id, peer), greatest(user_id, peer)
),
locked AS (
  SELECT c.room_id AS id, c.n, r.last_seq
  FROM (SELECT room_id, count(*) AS n FROM fresh GROUP BY room_id ORDER BY room_id) c
  CROSS JOIN LATERAL (SELECT last_seq FROM rooms WHERE id = c.room_id FOR NO KEY UPDATE) r
  WHERE (SELECT count(*) FROM refused) >= 0
),
bumped AS (UPDATE rooms r SET last_seq = l.last_seq + l.n FROM locked l WHERE r.id = ANY (ARRAY[l.id])),
inserted AS (
  INSERT INTO messages (room_id, seq, user_id, text, client_msg_id, media)
  SELECT f.room_id, l.last_seq + row_number() OVER (PARTITION BY f.room_id ORDER BY f.ord), f.user_id, f.text, f.client_msg_id, f.media
  FROM fresh f JOIN locked l ON l.id = f.room_id
  ORDER BY f.ord
  RETURNING id, room_id, seq, created_at
)
SELECT id, room_id, seq, created_at, NULL::int AS resent_ord, NULL::text AS text, NULL::timestamptz AS edited_at, NULL::jsonb AS media FROM inserted
UNION ALL
SELECT id, room_id, seq, created_at, ord::int, text, edited_at, media FROM resent`;

interface StoreRow {
  id: number;
  seq: number;
  created_at: Date;
  text: string | null;
  edited_at: Date | null;
  media: MediaAttachment[] | null;
}

interface BatchRow extends StoreRow {
  room_id: number;
  /** 1-based position in the input of a resend; null for a message stored now. */
  resent_ord: number | null;
}

/** Messages with the same author, room and clientMsgId name one message. */
const resendKey = (m: NewMessage): string | undefined => (m.clientMsgId === null ? undefined : `${m.roomId}:${m.userId}:${m.clientMsgId}`);

const storedNow = (row: StoreRow, message: NewMessage): StoredMessage => ({
  id: row.id,
  seq: row.seq,
  createdAt: row.created_at,
  text: message.text,
  resent: false,
  editedAt: null,
  media: message.media ?? null,
});
// A found copy has its author (it matched user_id); its text and pictures are null if it was deleted since.
const foundCopy = (row: StoreRow): StoredMessage => ({
  id: row.id,
  seq: row.seq,
  createdAt: row.created_at,
  text: row.text,
  resent: true,
  editedAt: row.edited_at,
  media: row.media,
});

/** The pictures of a message as a jsonb parameter (an array would be sent as a PostgreSQL array). */
const mediaParam = (message: NewMessage): string | null => (message.media ? JSON.stringify(message.media) : null);

/**
 * Stores `rows` (of any rooms) in one statement. The result is in the order of `rows`; a message
 * whose room does not exist gets undefined. A resend (an earlier one in `rows`, or one stored
 * within the resend window) gets the stored message, marked `resent`.
 */
export async function insertMessages(db: Db, rows: readonly NewMessage[]): Promise<Array<StoredMessage | undefined>> {
  // A clientMsgId repeated within the batch is stored once; its later copies share the result.
  const firstOf = new Map<string, number>();
  const unique: NewMessage[] = [];
  /** For each row: its position in `unique`, and whether an earlier row is its first copy. */
  const slots = rows.map((row) => {
    const key = resendKey(row);
    const first = key === undefined ? undefined : firstOf.get(key);
    if (first !== undefined) return { index: first, copy: true };
    if (key !== undefined) firstOf.set(key, unique.length);
    unique.push(row);
    return { index: unique.length - 1, copy: false };
  });
  const results = unique.length === 1 ? [await storeOne(db, unique[0]!)] : await storeMany(db, unique);
  return slots.map(({ index, copy }) => {
    const result = results[index];
    return result && copy ? { ...result, resent: true } : result;
  });
}

async function storeOne(db: Db, message: NewMessage): Promise<StoredMessage | undefined> {
  const { rows } = await db.$client.query<StoreRow & { resent: boolean }>({
    name: 'murmur_store_message',
    text: STORE_MESSAGE,
    values: [message.roomId, message.userId, message.text, message.clientMsgId, RESEND_WINDOW_SECONDS, mediaParam(message), message.peer ?? null],
  });
  const row = rows[0];
  return row && (row.resent ? foundCopy(row) : storedNow(row, message));
}

async function storeMany(db: Db, unique: readonly NewMessage[]): Promise<Array<StoredMessage | undefined>> {
  const { rows: stored } = await db.$client.query<BatchRow>({
    name: 'murmur_store_messages',
    text: STORE_MESSAGES,
    values: [
      unique.map((r) => r.roomId),
      unique.map((r) => r.userId),
      unique.map((r) => r.text),
      unique.map((r) => r.clientMsgId),
      RESEND_WINDOW_SECONDS,
      unique.some((r) => r.media) ? unique.map(mediaParam) : null,
      unique.some((r) => r.peer != null) ? unique.map((r) => r.peer ?? null) : null,
    ],
  });
  // Within a room, new seqs follow input order: hand each room's new rows out in seq order.
  const resentAt = new Map<number, BatchRow>();
  const byRoom = new Map<number, BatchRow[]>();
  for (const row of stored.sort((a, b) => a.seq - b.seq)) {
    if (row.resent_ord !== null) {
      resentAt.set(row.resent_ord - 1, row);
      continue;
    }
    let list = byRoom.get(row.room_id);
    if (!list) byRoom.set(row.room_id, (list = []));
    list.push(row);
  }
  return unique.map((message, i): StoredMessage | undefined => {
    const resent = resentAt.get(i);
    if (resent) return foundCopy(resent);
    const row = byRoom.get(message.roomId)?.shift();
    return row && storedNow(row, message);
  });
}

/**
 * The room's messages with seq below `beforeSeq` (all when undefined), newest first, each with
 * its current text: edits and deletions are already applied to them and are left out. Each says
 * whether `readerId` blocks its author (`hidden`).
 */
export async function messagesBefore(db: Db, roomId: number, beforeSeq: number | undefined, limit: number, readerId: number): Promise<MessageRecord[]> {
  const { rows } = await db.$client.query<MessageRow>({
    name: 'murmur_messages_before',
    text: `SELECT ${MESSAGE_COLUMNS}, ${hiddenFor('$4')} FROM messages m LEFT JOIN users u ON u.id = m.user_id
           WHERE m.room_id = $1 AND m.seq < $2 AND m.kind = 'message' ORDER BY m.seq DESC LIMIT $3`,
    values: [roomId, beforeSeq ?? Number.MAX_SAFE_INTEGER, limit, readerId],
  });
  return rows.map(toRecord);
}

/**
 * Events (messages, edits, deletions) with seq above `afterSeq`, oldest first: the oldest `limit` of them (filling a gap in
 * order), or with `newest` the newest `limit` (a resume that cannot send everything).
 */
export async function messagesAfter(db: Db, roomId: number, afterSeq: number, limit: number, newest = false): Promise<MessageRecord[]> {
  const { rows } = await db.$client.query<MessageRow>({
    name: newest ? 'murmur_messages_after_newest' : 'murmur_messages_after_oldest',
    text: `SELECT ${MESSAGE_COLUMNS} FROM messages m LEFT JOIN users u ON u.id = m.user_id
           WHERE m.room_id = $1 AND m.seq > $2 ORDER BY m.seq ${newest ? 'DESC' : 'ASC'} LIMIT $3`,
    values: [roomId, afterSeq, limit],
  });
  const records = rows.map(toRecord);
  return newest ? records.reverse() : records;
}

/**
 * The newest `messages` messages of each room with the edits and deletions among them (at most
 * `maxEvents` events in all, the newest), oldest first, in one query; a room without any is absent.
 */
export async function recentMessages(db: Db, roomIds: readonly number[], messages: number, maxEvents: number): Promise<Map<number, MessageRecord[]>> {
  const { rows } = await db.$client.query<MessageRow>({
    name: 'murmur_recent_messages',
    text: `SELECT ${MESSAGE_COLUMNS} FROM unnest($1::int[]) AS r(id)
           CROSS JOIN LATERAL (
             SELECT * FROM messages
             WHERE room_id = r.id
               AND seq >= coalesce((SELECT min(seq) FROM (SELECT seq FROM messages WHERE room_id = r.id AND kind = 'message' ORDER BY seq DESC LIMIT $2) newest), 0)
             ORDER BY seq DESC LIMIT $3
           ) m
           LEFT JOIN users u ON u.id = m.user_id`,
    values: [roomIds, messages, maxEvents],
  });
  const byRoom = new Map<number, MessageRecord[]>();
  for (const row of rows.sort((a, b) => a.seq - b.seq)) {
    let list = byRoom.get(row.room_id);
    if (!list) byRoom.set(row.room_id, (list = []));
    list.push(toRecord(row));
  }
  return byRoom;
}
