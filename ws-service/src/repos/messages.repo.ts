/**
 * Queries on the messages table, with each message's author. These run on every chat message
 * and join, so they are written in SQL and sent as named (prepared) statements: PostgreSQL
 * parses and plans each once per connection.
 */
import type { Db } from '@murmur/shared/db';

/** A stored message; `userId`, `username` and `text` are null in a tombstone. */
export interface MessageRecord {
  id: number;
  roomId: number;
  seq: number;
  userId: number | null;
  username: string | null;
  text: string | null;
  clientMsgId: string | null;
  createdAt: Date;
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
}

interface MessageRow {
  id: number;
  room_id: number;
  seq: number;
  user_id: number | null;
  username: string | null;
  text: string | null;
  client_msg_id: string | null;
  created_at: Date;
}

const toRecord = (row: MessageRow): MessageRecord => ({
  id: row.id,
  roomId: row.room_id,
  seq: row.seq,
  userId: row.user_id,
  username: row.username,
  text: row.text,
  clientMsgId: row.client_msg_id,
  createdAt: row.created_at,
});

const MESSAGE_COLUMNS = 'm.id, m.room_id, m.seq, m.user_id, u.username, m.text, m.client_msg_id, m.created_at';

/**
 * Stores messages of any rooms in one statement and one commit. Each room's `last_seq` is raised
 * by its number of messages under the row's lock, and the messages take the seqs in between, in
 * input order; a transaction that fails takes its seqs back with it, so no gap is ever left.
 * Rooms are locked in id order, so two instances storing into the same rooms cannot deadlock;
 * FOR NO KEY UPDATE does not block the foreign-key checks of messages inserted meanwhile.
 */
const STORE_MESSAGES = `
WITH input AS (
  SELECT * FROM unnest($1::int[], $2::int[], $3::text[], $4::text[]) WITH ORDINALITY AS t(room_id, user_id, text, client_msg_id, ord)
),
counts AS (SELECT room_id, count(*) AS n FROM input GROUP BY room_id),
locked AS (
  SELECT r.id, r.last_seq, c.n FROM rooms r JOIN counts c ON c.room_id = r.id ORDER BY r.id FOR NO KEY UPDATE OF r
),
bumped AS (UPDATE rooms r SET last_seq = l.last_seq + l.n FROM locked l WHERE r.id = l.id)
INSERT INTO messages (room_id, seq, user_id, text, client_msg_id)
SELECT i.room_id, l.last_seq + row_number() OVER (PARTITION BY i.room_id ORDER BY i.ord), i.user_id, i.text, i.client_msg_id
FROM input i JOIN locked l ON l.id = i.room_id
ORDER BY i.ord
RETURNING id, room_id, seq, created_at`;

/**
 * Stores `rows` (of any rooms) in one statement. The result is in the order of `rows`; a message
 * whose room does not exist gets undefined.
 */
export async function insertMessages(db: Db, rows: readonly NewMessage[]): Promise<Array<StoredMessage | undefined>> {
  const { rows: stored } = await db.$client.query<{ id: number; room_id: number; seq: number; created_at: Date }>({
    name: 'murmur_store_messages',
    text: STORE_MESSAGES,
    values: [rows.map((r) => r.roomId), rows.map((r) => r.userId), rows.map((r) => r.text), rows.map((r) => r.clientMsgId)],
  });
  // Within a room, seqs follow input order: hand each room's rows out in seq order.
  const byRoom = new Map<number, StoredMessage[]>();
  for (const row of stored.sort((a, b) => a.seq - b.seq)) {
    let list = byRoom.get(row.room_id);
    if (!list) byRoom.set(row.room_id, (list = []));
    list.push({ id: row.id, seq: row.seq, createdAt: row.created_at });
  }
  return rows.map((r) => byRoom.get(r.roomId)?.shift());
}

/** The room's messages with seq below `beforeSeq` (all when undefined), newest first. */
export async function messagesBefore(db: Db, roomId: number, beforeSeq: number | undefined, limit: number): Promise<MessageRecord[]> {
  const { rows } = await db.$client.query<MessageRow>({
    name: 'murmur_messages_before',
    text: `SELECT ${MESSAGE_COLUMNS} FROM messages m LEFT JOIN users u ON u.id = m.user_id
           WHERE m.room_id = $1 AND m.seq < $2 ORDER BY m.seq DESC LIMIT $3`,
    values: [roomId, beforeSeq ?? Number.MAX_SAFE_INTEGER, limit],
  });
  return rows.map(toRecord);
}

/**
 * Messages with seq above `afterSeq`, oldest first: the oldest `limit` of them (filling a gap in
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

/** The newest `limit` messages of each room, oldest first, in one query; a room without messages is absent. */
export async function recentMessages(db: Db, roomIds: readonly number[], limit: number): Promise<Map<number, MessageRecord[]>> {
  const { rows } = await db.$client.query<MessageRow>({
    name: 'murmur_recent_messages',
    text: `SELECT ${MESSAGE_COLUMNS} FROM unnest($1::int[]) AS r(id)
           CROSS JOIN LATERAL (SELECT * FROM messages WHERE room_id = r.id ORDER BY seq DESC LIMIT $2) m
           LEFT JOIN users u ON u.id = m.user_id`,
    values: [roomIds, limit],
  });
  const byRoom = new Map<number, MessageRecord[]>();
  for (const row of rows.sort((a, b) => a.seq - b.seq)) {
    let list = byRoom.get(row.room_id);
    if (!list) byRoom.set(row.room_id, (list = []));
    list.push(toRecord(row));
  }
  return byRoom;
}
