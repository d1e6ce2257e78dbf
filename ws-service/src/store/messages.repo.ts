/**
 * Queries on the messages table, with each message's author. These run on every chat message
 * and join, so they are written in SQL and sent as named (prepared) statements: PostgreSQL
 * parses and plans each once per connection.
 */
import type { Db } from '@murmur/shared/db';
import type { SequencedKind } from '../protocol.js';

/**
 * A stored event of a room's history: a message, or an edit or deletion of the message at
 * `targetSeq`. A message is a tombstone when `deletedAt` is set or `userId` is null (the
 * author's account is gone); its `text` is null then.
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
}

export interface NewMessage {
  roomId: number;
  userId: number;
  text: string;
  clientMsgId: string | null;
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
});

/** The columns of a MessageRecord, from `messages m LEFT JOIN users u ON u.id = m.user_id`. */
export const MESSAGE_COLUMNS = 'm.id, m.room_id, m.seq, m.kind, m.user_id, u.username, m.text, m.client_msg_id, m.created_at, m.target_seq, m.edited_at, m.deleted_at';

/** How long a clientMsgId names its message: a resend within it is answered with the stored one. */
export const RESEND_WINDOW_SECONDS = 24 * 60 * 60;

/**
 * Stores messages of any rooms in one statement and one commit. Each room's `last_seq` is raised
 * by its number of messages under the row's lock, and the messages take the seqs in between, in
 * input order; a transaction that fails takes its seqs back with it, so no gap is ever left.
 * Rooms are locked in id order, so two instances storing into the same rooms cannot deadlock;
 * FOR NO KEY UPDATE does not block the foreign-key checks of messages inserted meanwhile.
 *
 * A message whose author already sent its clientMsgId to the room within the resend window
 * (found through the partial index messages_resend_idx) is not stored: the stored copy is
 * returned instead (the oldest copy, should a race have stored two), marked by its input position
 * `resent_ord`. The lookup reads the statement's snapshot, taken before the room locks are
 * waited for: a resend stored by one instance while another instance's batch holding the first
 * copy is still uncommitted is stored twice.
 */
const STORE_MESSAGES = `
WITH input AS (
  SELECT * FROM unnest($1::int[], $2::int[], $3::text[], $4::text[]) WITH ORDINALITY AS t(room_id, user_id, text, client_msg_id, ord)
),
resent AS (
  SELECT DISTINCT ON (i.ord) i.ord, m.id, m.room_id, m.seq, m.text, m.created_at, m.edited_at
  FROM input i
  JOIN messages m ON m.room_id = i.room_id AND m.user_id = i.user_id AND m.client_msg_id = i.client_msg_id
  WHERE m.client_msg_id IS NOT NULL AND m.created_at > now() - make_interval(secs => $5)
  ORDER BY i.ord, m.seq
),
fresh AS (SELECT * FROM input WHERE ord NOT IN (SELECT ord FROM resent)),
counts AS (SELECT room_id, count(*) AS n FROM fresh GROUP BY room_id),
locked AS (
  SELECT r.id, r.last_seq, c.n FROM rooms r JOIN counts c ON c.room_id = r.id ORDER BY r.id FOR NO KEY UPDATE OF r
),
bumped AS (UPDATE rooms r SET last_seq = l.last_seq + l.n FROM locked l WHERE r.id = l.id),
inserted AS (
  INSERT INTO messages (room_id, seq, user_id, text, client_msg_id)
  SELECT f.room_id, l.last_seq + row_number() OVER (PARTITION BY f.room_id ORDER BY f.ord), f.user_id, f.text, f.client_msg_id
  FROM fresh f JOIN locked l ON l.id = f.room_id
  ORDER BY f.ord
  RETURNING id, room_id, seq, created_at
)
SELECT id, room_id, seq, created_at, NULL::int AS resent_ord, NULL::text AS text, NULL::timestamptz AS edited_at FROM inserted
UNION ALL
SELECT id, room_id, seq, created_at, ord::int, text, edited_at FROM resent`;

interface StoreRow {
  id: number;
  room_id: number;
  seq: number;
  created_at: Date;
  /** 1-based position in the input of a resend; null for a message stored now. */
  resent_ord: number | null;
  text: string | null;
  edited_at: Date | null;
}

/** Messages with the same author, room and clientMsgId name one message. */
const resendKey = (m: NewMessage): string | undefined => (m.clientMsgId === null ? undefined : `${m.roomId}:${m.userId}:${m.clientMsgId}`);

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

  const { rows: stored } = await db.$client.query<StoreRow>({
    name: 'murmur_store_messages',
    text: STORE_MESSAGES,
    values: [
      unique.map((r) => r.roomId),
      unique.map((r) => r.userId),
      unique.map((r) => r.text),
      unique.map((r) => r.clientMsgId),
      RESEND_WINDOW_SECONDS,
    ],
  });
  // Within a room, new seqs follow input order: hand each room's new rows out in seq order.
  const resentAt = new Map<number, StoreRow>();
  const byRoom = new Map<number, StoreRow[]>();
  for (const row of stored.sort((a, b) => a.seq - b.seq)) {
    if (row.resent_ord !== null) {
      resentAt.set(row.resent_ord - 1, row);
      continue;
    }
    let list = byRoom.get(row.room_id);
    if (!list) byRoom.set(row.room_id, (list = []));
    list.push(row);
  }
  const results = unique.map((message, i): StoredMessage | undefined => {
    const resent = resentAt.get(i);
    // A found copy has its author (it matched user_id); its text is null if it was deleted since.
    if (resent) return { id: resent.id, seq: resent.seq, createdAt: resent.created_at, text: resent.text, resent: true, editedAt: resent.edited_at };
    const row = byRoom.get(message.roomId)?.shift();
    return row && { id: row.id, seq: row.seq, createdAt: row.created_at, text: message.text, resent: false, editedAt: null };
  });
  return slots.map(({ index, copy }) => {
    const result = results[index];
    return result && copy ? { ...result, resent: true } : result;
  });
}

/**
 * The room's messages with seq below `beforeSeq` (all when undefined), newest first, each with
 * its current text: edits and deletions are already applied to them and are left out.
 */
export async function messagesBefore(db: Db, roomId: number, beforeSeq: number | undefined, limit: number): Promise<MessageRecord[]> {
  const { rows } = await db.$client.query<MessageRow>({
    name: 'murmur_messages_before',
    text: `SELECT ${MESSAGE_COLUMNS} FROM messages m LEFT JOIN users u ON u.id = m.user_id
           WHERE m.room_id = $1 AND m.seq < $2 AND m.kind = 'message' ORDER BY m.seq DESC LIMIT $3`,
    values: [roomId, beforeSeq ?? Number.MAX_SAFE_INTEGER, limit],
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
