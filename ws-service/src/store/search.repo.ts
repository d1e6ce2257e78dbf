/**
 * Queries of message search: the messages a user may read whose current text holds the words of
 * a query, newest first, across rooms (by id) or in one room (by seq). Two ways to the first
 * matches (see walkThenIndex): a bounded walk newest first, and messages_text_search_idx.
 * Statements are sent unprepared, so each is planned with its values, and straight to the pool,
 * whose rows carry timestamps as Dates (as every messages query reads them).
 */
import { sql, type SQL } from 'drizzle-orm';
import { poolExecutor, runSql, type Db } from '@murmur/shared/db';
import { hasWords, matchesWords, walkOf, walkQuery, type Walk, type WalkColumns } from '@murmur/shared/search';
import { shownTo } from '@murmur/shared/safety';
import { MESSAGE_COLUMNS, toRecord, type MessageRecord, type MessageRow } from './messages.repo.js';
import type { RoomKind } from './rooms.repo.js';

/** Whose messages a search looks through: every room `userId` may read, or only `roomId` (which they may). */
export interface SearchScope {
  userId: number;
  roomId?: number;
}

export interface MessageMatch {
  room: { id: number; name: string; kind: RoomKind };
  message: MessageRecord;
}

interface MatchRow extends MessageRow, Record<string, unknown> {
  room_name: string;
  room_kind: RoomKind;
}

const toMatch = (row: MatchRow): MessageMatch => ({
  room: { id: row.room_id, name: row.room_name, kind: row.room_kind },
  message: toRecord(row),
});

/** The order of the list: ids across rooms, seqs within one (an index walks each: the primary key, messages_room_seq_key). */
const orderKey = (scope: SearchScope) => sql.raw(scope.roomId === undefined ? 'id' : 'seq');

/** Rows of the scope's list before the position `before` (every row when undefined). */
function inScope(scope: SearchScope, before: number | undefined): SQL {
  const position = before ?? Number.MAX_SAFE_INTEGER;
  return scope.roomId === undefined ? sql`id < ${position}` : sql`room_id = ${scope.roomId} AND seq < ${position}`;
}

/**
 * The room of message `m` (joined as `r`) is one `userId` may read: the rule of rooms.service's
 * requireVisible, for every row. A public room unless they were banned from it; a private or
 * direct room while they are a member. A removed member's row is gone, so is what they could read.
 */
const readableBy = (userId: number) => sql`
  (r.kind = 'public' OR EXISTS (SELECT 1 FROM room_members rm WHERE rm.room_id = m.room_id AND rm.user_id = ${userId}))
  AND NOT EXISTS (SELECT 1 FROM room_bans b WHERE b.room_id = m.room_id AND b.user_id = ${userId})`;

/**
 * The messages among `rows` (a relation of messages rows) that the scope's user may read, with
 * their rooms and authors, newest first: messages only (not edits or deletions), never a deleted
 * one, nor one by a suspended account or an account the user blocks or is blocked by. Those last
 * are looked for (three index probes) on the readable matches in order, until the page is full,
 * and behind a fence (OFFSET 0): inside, the estimates of their EXISTS lead the planner to a
 * nested loop over rooms, measured 25 times slower. Authors are joined to the page alone, never
 * to every match.
 */
const readableMatches = (rows: SQL, scope: SearchScope, limit: number, condition: SQL = sql`true`) => sql`
  SELECT ${sql.raw(MESSAGE_COLUMNS)}, m.room_name, m.room_kind
  FROM (
    SELECT * FROM (
      SELECT m.*, r.name AS room_name, r.kind AS room_kind FROM ${rows} m JOIN rooms r ON r.id = m.room_id
      WHERE m.kind = 'message' AND m.text IS NOT NULL AND m.deleted_at IS NULL AND ${readableBy(scope.userId)} AND ${condition}
      ORDER BY m.${orderKey(scope)} DESC OFFSET 0
    ) readable
    WHERE ${shownTo(scope.userId, sql`readable.user_id`)}
    ORDER BY readable.${orderKey(scope)} DESC LIMIT ${limit}
  ) m
  LEFT JOIN users u ON u.id = m.user_id
  ORDER BY m.${orderKey(scope)} DESC`;

/**
 * The newest matches of `q` among the scope's `walkRows` newest messages before `before`,
 * readable or not; the walk ends at the oldest of them.
 */
export function walkMessagesQuery(scope: SearchScope, q: string, before: number | undefined, limit: number, walkRows: number): SQL {
  return walkQuery(
    'messages',
    sql`SELECT * FROM messages WHERE ${hasWords(q)} AND ${inScope(scope, before)} ORDER BY ${orderKey(scope)} DESC LIMIT ${walkRows}`,
    readableMatches(sql`newest`, scope, limit, matchesWords(sql`m.text`, q)),
    sql`min(${orderKey(scope)})`,
  );
}

export async function walkMessagesMatching(
  db: Db,
  scope: SearchScope,
  q: string,
  before: number | undefined,
  limit: number,
  walkRows: number,
): Promise<Walk<MessageMatch, number>> {
  const rows = await runSql<MatchRow & WalkColumns<number>>(poolExecutor(db.$client), walkMessagesQuery(scope, q, before, limit, walkRows));
  return walkOf(rows, walkRows, toMatch);
}

/**
 * The newest readable messages before `before` that hold the words of `q`, found through
 * messages_text_search_idx. OFFSET 0 makes the planner find every match, then sort: it would
 * otherwise walk the messages newest first, which is the walk's job, not this query's.
 */
export function messagesMatchingQuery(scope: SearchScope, q: string, before: number | undefined, limit: number): SQL {
  return readableMatches(
    sql`(SELECT * FROM messages
         WHERE kind = 'message' AND text IS NOT NULL AND ${hasWords(q)} AND ${matchesWords(sql`text`, q)} AND ${inScope(scope, before)}
         OFFSET 0)`,
    scope,
    limit,
  );
}

export async function messagesMatching(db: Db, scope: SearchScope, q: string, before: number | undefined, limit: number): Promise<MessageMatch[]> {
  const rows = await runSql<MatchRow>(poolExecutor(db.$client), messagesMatchingQuery(scope, q, before, limit));
  return rows.map(toMatch);
}
