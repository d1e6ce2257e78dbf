/** Queries on the rooms and room_members tables. */
import { asc, eq, gt } from 'drizzle-orm';
import { schema, type Db } from '@murmur/shared/db';

const { rooms } = schema;

export interface RoomRecord {
  id: number;
  name: string;
  createdBy: number | null;
  createdAt: Date;
}

const roomColumns = { id: rooms.id, name: rooms.name, createdBy: rooms.createdBy, createdAt: rooms.createdAt };

export async function insertRoom(db: Db, room: { name: string; createdBy: number }): Promise<RoomRecord> {
  const [row] = await db.insert(rooms).values(room).returning(roomColumns);
  if (!row) throw new Error('insert returned no row');
  return row;
}

export async function findRoom(db: Db, id: number): Promise<RoomRecord | undefined> {
  const [row] = await db.select(roomColumns).from(rooms).where(eq(rooms.id, id)).limit(1);
  return row;
}

/** Up to `limit` rooms with ids above `afterId`, in id order. */
export async function listRooms(db: Db, afterId: number, limit: number): Promise<Array<{ id: number; name: string }>> {
  return db.select({ id: rooms.id, name: rooms.name }).from(rooms).where(gt(rooms.id, afterId)).orderBy(asc(rooms.id)).limit(limit);
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

/**
 * Records many joins in one statement (a reconnect storm joins thousands at once); a second join
 * keeps the first row. Resolves with the ids of the rooms that exist: a join to any other room
 * recorded nothing. Pairs are inserted in (room, user) order so that two instances inserting the
 * same pairs cannot deadlock.
 */
export async function insertMembers(db: Db, joins: ReadonlyArray<{ roomId: number; userId: number }>): Promise<Set<number>> {
  const sorted = [...joins].sort((a, b) => a.roomId - b.roomId || a.userId - b.userId);
  const { rows } = await db.$client.query<{ id: number }>({
    name: 'murmur_insert_members',
    text: `WITH input AS (SELECT * FROM unnest($1::int[], $2::int[]) AS t(room_id, user_id)),
                known AS (SELECT id FROM rooms WHERE id IN (SELECT room_id FROM input)),
                added AS (INSERT INTO room_members (room_id, user_id)
                          SELECT i.room_id, i.user_id FROM input i JOIN known k ON k.id = i.room_id
                          ORDER BY i.room_id, i.user_id
                          ON CONFLICT DO NOTHING)
           SELECT id FROM known`,
    values: [sorted.map((j) => j.roomId), sorted.map((j) => j.userId)],
  });
  return new Set(rows.map((row) => row.id));
}
