/** Queries on the messages table. Rows come with their author's username. */
import { and, desc, eq, gt, lt } from 'drizzle-orm';
import { schema, type Db } from '@murmur/shared/db';

const { messages, users } = schema;

export interface MessageRecord {
  id: number;
  roomId: number;
  userId: number;
  username: string;
  text: string;
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
  createdAt: Date;
}

const columns = {
  id: messages.id,
  roomId: messages.roomId,
  userId: messages.userId,
  username: users.username,
  text: messages.text,
  clientMsgId: messages.clientMsgId,
  createdAt: messages.createdAt,
};

/**
 * Inserts `rows` in one statement. PostgreSQL draws the identity values in VALUES order, so ids
 * increase along `rows`; the result is in the same order as `rows`.
 */
export async function insertMessages(db: Db, rows: NewMessage[]): Promise<StoredMessage[]> {
  const inserted = await db.insert(messages).values(rows).returning({ id: messages.id, createdAt: messages.createdAt });
  if (inserted.length !== rows.length) throw new Error(`inserted ${inserted.length} of ${rows.length} messages`);
  return inserted.sort((a, b) => a.id - b.id);
}

/** The room's messages, newest first: all, or those older than `beforeId`. */
export async function messagesBefore(db: Db, roomId: number, beforeId: number | undefined, limit: number): Promise<MessageRecord[]> {
  return db
    .select(columns)
    .from(messages)
    .innerJoin(users, eq(users.id, messages.userId))
    .where(beforeId === undefined ? eq(messages.roomId, roomId) : and(eq(messages.roomId, roomId), lt(messages.id, beforeId)))
    .orderBy(desc(messages.id))
    .limit(limit);
}

/** The newest `limit` messages after `afterId`, oldest first. */
export async function messagesAfter(db: Db, roomId: number, afterId: number, limit: number): Promise<MessageRecord[]> {
  const rows = await db
    .select(columns)
    .from(messages)
    .innerJoin(users, eq(users.id, messages.userId))
    .where(and(eq(messages.roomId, roomId), gt(messages.id, afterId)))
    .orderBy(desc(messages.id))
    .limit(limit);
  return rows.reverse();
}

