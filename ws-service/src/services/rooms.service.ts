/** The rules of chat rooms: creating and listing them, joining, history and presence. */
import { FOREIGN_KEY_VIOLATION, pgErrorOf, type Db } from '@murmur/shared/db';
import { notFound } from '@murmur/shared/errors';
import { toPage, type Page } from '@murmur/shared/http';
import { findRoom, insertRoom, listRooms, upsertMember } from '../repos/rooms.repo.js';
import { messagesAfter, messagesBefore, type MessageRecord } from '../repos/messages.repo.js';
import type { Presence } from '../ws/presence.js';
import type { ChatMessage, PublicUser } from '../ws/protocol.js';

/** Messages sent on join, as `history`. */
export const HISTORY_ON_JOIN = 50;
/**
 * Most messages replayed on a `?since=` resume. A client further behind gets the newest ones and
 * pages back to its cursor over REST (before = the first id it got).
 */
export const MAX_RESUME_MESSAGES = 1_000;
/** Largest value of rooms.id (an integer column); a larger id names no room. */
const MAX_ROOM_ID = 2_147_483_647;

export interface RoomsDeps {
  db: Db;
  presence: Presence;
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

export function toChatMessage(row: MessageRecord): ChatMessage {
  const message: ChatMessage = {
    id: row.id,
    roomId: row.roomId,
    user: { id: row.userId, username: row.username },
    text: row.text,
    createdAt: row.createdAt.toISOString(),
  };
  if (row.clientMsgId !== null) message.clientMsgId = row.clientMsgId;
  return message;
}

export function createRoom(deps: RoomsDeps, user: { id: number }, name: string): Promise<RoomView> {
  return insertRoom(deps.db, { name, createdBy: user.id });
}

export async function roomsWithClients(deps: RoomsDeps): Promise<Array<{ id: number; name: string; clients: number }>> {
  const rooms = await listRooms(deps.db);
  const counts = await deps.presence.clientCounts(rooms.map((room) => room.id));
  return rooms.map((room, i) => ({ ...room, clients: counts[i] ?? 0 }));
}

export async function roomClients(deps: RoomsDeps, roomId: number): Promise<PublicUser[]> {
  await requireRoom(deps.db, roomId);
  return deps.presence.participants(roomId);
}

/** One page of history, newest first; `nextCursor` is the `before` of the next page, null at the end. */
export async function roomMessages(
  deps: RoomsDeps,
  roomId: number,
  page: { before?: number; limit: number },
): Promise<Page<ChatMessage>> {
  await requireRoom(deps.db, roomId);
  const rows = await messagesBefore(deps.db, roomId, page.before, page.limit + 1);
  return toPage(rows, page.limit, (row) => row.id, toChatMessage);
}

/** Checks that the room exists and records the membership; 404 for an unknown room. */
export async function joinRoom(db: Db, roomId: number, userId: number): Promise<void> {
  await requireRoom(db, roomId);
  try {
    await upsertMember(db, roomId, userId);
  } catch (err) {
    // The room was deleted between the check and the insert.
    if (pgErrorOf(err)?.code === FOREIGN_KEY_VIOLATION) throw noSuchRoom(roomId);
    throw err;
  }
}

/**
 * What a joining client gets first: the last messages, or with a cursor the messages after it.
 * Oldest first.
 */
export async function joinMessages(db: Db, roomId: number, since: number | undefined): Promise<ChatMessage[]> {
  if (since === undefined) {
    const rows = await messagesBefore(db, roomId, undefined, HISTORY_ON_JOIN);
    return rows.reverse().map(toChatMessage);
  }
  return (await messagesAfter(db, roomId, since, MAX_RESUME_MESSAGES)).map(toChatMessage);
}
