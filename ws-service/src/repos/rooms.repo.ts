/** Queries on the rooms and room_members tables. */
import { asc, eq } from 'drizzle-orm';
import { schema, type Db } from '@murmur/shared/db';

const { rooms, roomMembers } = schema;

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

export async function listRooms(db: Db): Promise<Array<{ id: number; name: string }>> {
  return db.select({ id: rooms.id, name: rooms.name }).from(rooms).orderBy(asc(rooms.id));
}

/** Records that the user joined the room; a second join keeps the first row. */
export async function upsertMember(db: Db, roomId: number, userId: number): Promise<void> {
  await db.insert(roomMembers).values({ roomId, userId }).onConflictDoNothing();
}
