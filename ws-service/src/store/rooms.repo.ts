/** Queries on the rooms and direct_rooms tables; memberships are in members.repo.ts. */
import { eq } from 'drizzle-orm';
import { schema, type Db, type SqlExecutor } from '@murmur/shared/db';
import { hiddenFor, MESSAGE_COLUMNS, toRecord, type MessageRecord, type MessageRow } from './messages.repo.js';
import { blockedBetweenColumns } from './safety-sql.js';

const { rooms } = schema;

export type RoomKind = schema.RoomKind;
export type MemberRole = schema.MemberRole;

export interface RoomRecord {
  id: number;
  name: string;
  kind: RoomKind;
  createdBy: number | null;
  createdAt: Date;
}

const roomColumns = { id: rooms.id, name: rooms.name, kind: rooms.kind, createdBy: rooms.createdBy, createdAt: rooms.createdAt };

interface RoomRow {
  id: number;
  name: string;
  kind: RoomKind;
  created_by: number | null;
  created_at: Date;
}

const toRoom = (row: RoomRow): RoomRecord => ({ id: row.id, name: row.name, kind: row.kind, createdBy: row.created_by, createdAt: row.created_at });

/** Creates a public or private room with its creator as the owner, in one statement. */
export async function insertRoom(db: Db, room: { name: string; kind: 'public' | 'private'; createdBy: number }): Promise<RoomRecord> {
  const { rows } = await db.$client.query<RoomRow>(
    `WITH room AS (
       INSERT INTO rooms (name, kind, created_by) VALUES ($1, $2, $3)
       RETURNING id, name, kind, created_by, created_at
     ),
     owner AS (INSERT INTO room_members (room_id, user_id, role) SELECT id, created_by, 'owner' FROM room)
     SELECT * FROM room`,
    [room.name, room.kind, room.createdBy],
  );
  if (!rows[0]) throw new Error('insert returned no row');
  return toRoom(rows[0]);
}

export async function findRoom(db: Db, id: number): Promise<RoomRecord | undefined> {
  const [row] = await db.select(roomColumns).from(rooms).where(eq(rooms.id, id)).limit(1);
  return row;
}

/** The direct room of two users, if they have one, and whether a block stands between them. */
export async function findDirectRoom(db: Db, userA: number, userB: number): Promise<(RoomRecord & { blocked: boolean }) | undefined> {
  const { rows } = await db.$client.query<RoomRow & { blocked: boolean }>(
    `SELECT r.id, r.name, r.kind, r.created_by, r.created_at, ${blockedBetweenColumns('d.user_low', 'd.user_high')} AS blocked
     FROM direct_rooms d JOIN rooms r ON r.id = d.room_id
     WHERE d.user_low = $1 AND d.user_high = $2`,
    [Math.min(userA, userB), Math.max(userA, userB)],
  );
  return rows[0] && { ...toRoom(rows[0]), blocked: rows[0].blocked };
}

/**
 * Creates the direct room of `creator` and `other`, both its members. Resolves undefined when the
 * pair already has one (opened meanwhile from the other side): the room row was inserted all the
 * same, so the caller must roll the transaction back. Run inside a transaction.
 */
export async function insertDirectRoom(tx: SqlExecutor, room: { name: string; creator: number; other: number }): Promise<RoomRecord | undefined> {
  const { rows } = await tx.executeSql(
    `WITH room AS (
       INSERT INTO rooms (name, kind, created_by) VALUES ($1, 'direct', $2)
       RETURNING id, name, kind, created_by, created_at
     ),
     pair AS (
       INSERT INTO direct_rooms (user_low, user_high, room_id)
       SELECT least($2::int, $3::int), greatest($2::int, $3::int), id FROM room
       ON CONFLICT DO NOTHING
       RETURNING room_id
     ),
     members AS (
       INSERT INTO room_members (room_id, user_id)
       SELECT room_id, u FROM pair, unnest(ARRAY[least($2::int, $3::int), greatest($2::int, $3::int)]) AS u
     )
     SELECT room.* FROM room JOIN pair ON pair.room_id = room.id`,
    [room.name, room.creator, room.other],
  );
  return rows[0] ? toRoom(rows[0] as RoomRow) : undefined;
}

/** A room as one user sees it in their list. */
export interface VisibleRoom {
  id: number;
  name: string;
  kind: RoomKind;
  lastSeq: number;
  /** Null when the user is not a member (a public room they never joined). */
  readSeq: number | null;
  /** Messages (not edits or deletions) after `readSeq`; null when not a member. */
  unread: number | null;
  lastMessage: MessageRecord | null;
}

/** The room's columns are prefixed `vr_`: the last message's columns take the plain names. */
interface VisibleRoomRow extends Partial<MessageRow> {
  vr_id: number;
  vr_name: string;
  vr_kind: RoomKind;
  vr_last_seq: number;
  vr_read_seq: number | null;
  vr_unread: number | null;
}

/**
 * Up to `limit` rooms that `userId` can see, with ids above `afterId`, in id order: public rooms
 * they are not banned from, and every room they are a member of. The two are walked by their own
 * indexes (public rooms by `rooms_public_idx`, memberships by `room_members_user_room_idx`), so a
 * page costs the same however many private rooms other people have.
 *
 * Unread counts every message after the read marker, tombstones included: `last_seq - read_seq`
 * less the edits and deletions among them, which are few and have an index of their own. The
 * last message says whether the user blocks its author (`hidden`).
 */
export async function listVisibleRooms(db: Db, userId: number, afterId: number, limit: number): Promise<VisibleRoom[]> {
  const { rows } = await db.$client.query<VisibleRoomRow>({
    name: 'murmur_visible_rooms',
    text: `WITH visible AS (
             SELECT id FROM (
               (SELECT r.id FROM rooms r
                WHERE r.kind = 'public' AND r.id > $2::bigint
                  AND NOT EXISTS (SELECT 1 FROM room_bans b WHERE b.room_id = r.id AND b.user_id = $1)
                ORDER BY r.id LIMIT $3)
               UNION
               (SELECT m.room_id FROM room_members m
                WHERE m.user_id = $1 AND m.room_id > $2::bigint
                  AND NOT EXISTS (SELECT 1 FROM room_bans b WHERE b.room_id = m.room_id AND b.user_id = $1)
                ORDER BY m.room_id LIMIT $3)
             ) ids ORDER BY id LIMIT $3
           )
           SELECT r.id AS vr_id, r.name AS vr_name, r.kind AS vr_kind, r.last_seq AS vr_last_seq, mb.read_seq AS vr_read_seq,
                  CASE WHEN mb.read_seq IS NULL THEN NULL ELSE
                    r.last_seq - mb.read_seq
                    - (SELECT count(*) FROM messages c WHERE c.room_id = r.id AND c.seq > mb.read_seq AND c.kind <> 'message')
                  END::int AS vr_unread,
                  ${MESSAGE_COLUMNS}, ${hiddenFor('$1')}
           FROM visible v
           JOIN rooms r ON r.id = v.id
           LEFT JOIN room_members mb ON mb.room_id = r.id AND mb.user_id = $1
           LEFT JOIN LATERAL (
             SELECT * FROM messages WHERE room_id = r.id AND kind = 'message' ORDER BY seq DESC LIMIT 1
           ) m ON true
           LEFT JOIN users u ON u.id = m.user_id
           ORDER BY r.id`,
    values: [userId, afterId, limit],
  });
  return rows.map((row) => ({
    id: row.vr_id,
    name: row.vr_name,
    kind: row.vr_kind,
    lastSeq: row.vr_last_seq,
    readSeq: row.vr_read_seq,
    unread: row.vr_unread,
    lastMessage: row.id == null ? null : toRecord(row as MessageRow),
  }));
}

/** Each room's newest seq, for the rooms among `roomIds` that exist. */
export async function lastSeqs(db: Db, roomIds: readonly number[]): Promise<Map<number, number>> {
  const { rows } = await db.$client.query<{ id: number; last_seq: number }>({
    name: 'murmur_rooms_last_seq',
    text: 'SELECT id, last_seq FROM rooms WHERE id = ANY($1::int[])',
    values: [roomIds],
  });
  return new Map(rows.map((row) => [row.id, row.last_seq]));
}
