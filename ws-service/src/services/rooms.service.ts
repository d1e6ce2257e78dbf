/** The rules of chat rooms over REST: creating and listing them, history pages and presence. */
import type { Db } from '@murmur/shared/db';
import { notFound } from '@murmur/shared/errors';
import { toPage, type Page } from '@murmur/shared/http';
import type { SharedLimit } from '@murmur/shared/rate-limits';
import { findRoom, insertRoom, listRooms } from '../repos/rooms.repo.js';
import { messagesBefore } from '../repos/messages.repo.js';
import type { Presence } from '../fanout/presence.js';
import type { ChatMessage, PublicUser } from '../protocol.js';
import { toChatMessage } from './room-history.js';

/** Largest value of rooms.id (an integer column); a larger id names no room. */
const MAX_ROOM_ID = 2_147_483_647;

export interface RoomsDeps {
  db: Db;
  presence: Presence;
  /** Rooms each user may create per hour. */
  roomCreations: SharedLimit;
}

export interface RoomView {
  id: number;
  name: string;
  createdBy: number | null;
  createdAt: Date;
}

const noSuchRoom = (roomId: number) => notFound('ROOM_NOT_FOUND', `there is no room ${roomId}`);

async function requireRoom(db: Db, roomId: number): Promise<void> {
  if (roomId > MAX_ROOM_ID || !(await findRoom(db, roomId))) throw noSuchRoom(roomId);
}

export function createRoom(deps: RoomsDeps, user: { id: number }, name: string): Promise<RoomView> {
  return deps.roomCreations.charge(String(user.id), () => insertRoom(deps.db, { name, createdBy: user.id }));
}

export interface RoomSummary {
  id: number;
  name: string;
  /** Users connected now, across the cluster. */
  clients: number;
}

/** One page of rooms in id order after `after`; `nextAfter` is the next page's `after`, undefined at the end. */
export async function roomsWithClients(
  deps: RoomsDeps,
  page: { after?: number; limit: number },
): Promise<{ rooms: RoomSummary[]; nextAfter: number | undefined }> {
  const rows = await listRooms(deps.db, page.after ?? 0, page.limit + 1);
  const rooms = rows.slice(0, page.limit);
  const counts = await deps.presence.clientCounts(rooms.map((room) => room.id));
  return {
    rooms: rooms.map((room, i) => ({ ...room, clients: counts[i] ?? 0 })),
    nextAfter: rows.length > page.limit ? rooms.at(-1)?.id : undefined,
  };
}

export async function roomClients(deps: RoomsDeps, roomId: number): Promise<PublicUser[]> {
  await requireRoom(deps.db, roomId);
  return deps.presence.participants(roomId);
}

/** One page of history, newest first, by seq; `nextCursor` is the `before` of the next page, null at the end. */
export async function roomMessages(
  deps: RoomsDeps,
  roomId: number,
  page: { before?: number; limit: number },
): Promise<Page<ChatMessage>> {
  await requireRoom(deps.db, roomId);
  const rows = await messagesBefore(deps.db, roomId, page.before, page.limit + 1);
  return toPage(rows, page.limit, (row) => row.seq, toChatMessage);
}
