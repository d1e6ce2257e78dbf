/**
 * The rules of chat rooms over REST: creating them (public, private, direct), who can see them,
 * their members and roles, history pages and presence.
 *
 * Who can see a room: anyone signed in sees a public room (unless banned from it); only members
 * see a private or direct room, and to everyone else it does not exist (404, the answer for an
 * unknown room). The owner (the creator) and moderators add and remove members; only the owner
 * makes moderators; nobody removes the owner.
 */
import { FOREIGN_KEY_VIOLATION, inTransaction, pgErrorOf, type Db, type SqlExecutor } from '@murmur/shared/db';
import { AppError, badRequest, forbidden, notFound } from '@murmur/shared/errors';
import { blockedError, blockedRefusal } from '@murmur/shared/safety';
import { toPage, type Page, type PageRequest } from '@murmur/shared/http';
import type { SharedLimit } from '@murmur/shared/rate-limits';
import type { Presence } from '../delivery/presence.js';
import type { ChatMessage, PublicUser } from '../protocol.js';
import {
  announceMember,
  findUser,
  listMembers,
  lockRoles,
  lockRoomMembership,
  putMember,
  removeMember,
  standingIn,
  type MemberRecord,
} from '../store/members.repo.js';
import { messagesBefore } from '../store/messages.repo.js';
import { refuseIfBlocked } from '../store/blocks.repo.js';
import {
  findDirectRoom,
  findRoom,
  insertDirectRoom,
  insertRoom,
  listVisibleRooms,
  type MemberRole,
  type RoomKind,
  type RoomRecord,
} from '../store/rooms.repo.js';
import { toChatMessage } from '../delivery/room-history.js';
import { ChatNotifications } from './chat-notifications.js';

export interface RoomsDeps {
  db: Db;
  presence: Presence;
  /** Sends the notifications a change made (a room_invite) once it has committed. */
  notifications: Pick<ChatNotifications, 'send'>;
  /** Rooms each user may create per hour (direct rooms included, when first opened). */
  roomCreations: SharedLimit;
}

const noSuchRoom = (roomId: number) => notFound('ROOM_NOT_FOUND', `there is no room ${roomId}`);
const noSuchUser = (userId: number) => notFound('USER_NOT_FOUND', `there is no user ${userId}`);

/** The room, if `userId` may see it: 404 when it does not exist or is private to others, 403 when they are banned from it. */
export async function requireVisible(db: Db, roomId: number, userId: number): Promise<RoomRecord> {
  const room = await findRoom(db, roomId);
  if (!room) throw noSuchRoom(roomId);
  const standing = await standingIn(db, roomId, userId);
  if (room.kind !== 'public' && standing.role === null) throw noSuchRoom(roomId);
  if (standing.banned) throw forbidden('BANNED_FROM_ROOM', `you were removed from room ${roomId}`);
  return room;
}

/** The owner and moderators manage members and delete anyone's messages. */
export const moderates = (role: MemberRole | null) => role === 'owner' || role === 'moderator';

/** Thrown to roll back a direct room whose pair already has one. */
class PairHasRoom extends Error {}

/**
 * Runs `work` in a transaction; a foreign-key violation (the user named was deleted while the
 * request ran, after it was looked up) answers 404 for that user instead of a 500.
 */
async function inTransactionAbout<T>(db: Db, userId: number, work: (tx: SqlExecutor) => Promise<T>): Promise<T> {
  try {
    return await inTransaction(db.$client, work);
  } catch (err) {
    if (pgErrorOf(err)?.code === FOREIGN_KEY_VIOLATION) throw noSuchUser(userId);
    throw err;
  }
}

/** Members of a direct room are fixed: its two users. */
function refuseDirect(room: RoomRecord): void {
  if (room.kind === 'direct') throw badRequest('DIRECT_ROOM', 'a direct room always has exactly its two users');
}

export function createRoom(deps: RoomsDeps, user: { id: number }, room: { name: string; visibility: 'public' | 'private' }): Promise<RoomRecord> {
  return deps.roomCreations.charge(String(user.id), () => insertRoom(deps.db, { name: room.name, kind: room.visibility, createdBy: user.id }));
}

/** The pair's room, unless a block stands between them (403 BLOCKED). */
function openable(room: RoomRecord & { blocked: boolean }): RoomRecord {
  if (room.blocked) throw blockedError();
  const { blocked: _blocked, ...record } = room;
  return record;
}

/**
 * The direct room of the caller and `otherId`: created on the first call from either side, the
 * same room on every later one. Only its creation counts against the room limit. Refused with 403
 * BLOCKED while either blocks the other, whether the room exists or not (a trigger refuses its
 * creation under the lock a block takes, so a block racing it either waits or is found).
 */
export async function openDirectRoom(deps: RoomsDeps, user: PublicUser, otherId: number): Promise<RoomRecord> {
  if (otherId === user.id) throw badRequest('DIRECT_TO_SELF', 'a direct room is between you and someone else');
  const existing = await findDirectRoom(deps.db, user.id, otherId);
  if (existing) return openable(existing);
  const other = await findUser(deps.db, otherId);
  if (!other) throw noSuchUser(otherId);
  const names = [user, other].sort((a, b) => a.id - b.id).map((u) => u.username);
  let refused: AppError | undefined;
  const insertOnce = async () => {
    try {
      return await inTransactionAbout(deps.db, otherId, async (tx) => {
        const room = await insertDirectRoom(tx, { name: names.join(' & '), creator: user.id, other: other.id });
        if (!room) throw new PairHasRoom();
        // Both people's streams watch the new room from now on.
        for (const id of [user.id, other.id]) await announceMember(tx, room.id, id);
        return room;
      });
    } catch (err) {
      if (err instanceof PairHasRoom) return undefined;
      // A refusal creates nothing, so it costs no room (the limit's point is given back).
      refused = blockedRefusal(err);
      if (refused) return undefined;
      throw err;
    }
  };
  const created = await deps.roomCreations.charge(String(user.id), insertOnce, (room) => room !== undefined);
  if (refused) throw refused;
  if (created) return created;
  // Opened from the other side at the same moment: that one is the pair's room.
  const raced = await findDirectRoom(deps.db, user.id, otherId);
  if (!raced) throw noSuchUser(otherId);
  return openable(raced);
}

export interface RoomSummary {
  id: number;
  name: string;
  kind: RoomKind;
  /** Users connected now, across the cluster. */
  clients: number;
  lastSeq: number;
  /** The caller's read marker; null when they are not a member. */
  readSeq: number | null;
  /** Messages after `readSeq`; null when the caller is not a member. */
  unread: number | null;
  lastMessage: ChatMessage | null;
}

/** One page of the rooms the caller can see, in id order; the cursor is the last room id of a page. */
export async function roomsForUser(deps: RoomsDeps, user: { id: number }, page: PageRequest): Promise<Page<RoomSummary>> {
  const rows = await listVisibleRooms(deps.db, user.id, page.cursor ?? 0, page.limit + 1);
  const rooms = rows.slice(0, page.limit);
  const counts = await deps.presence.clientCounts(rooms.map((room) => room.id));
  const clients = new Map(rooms.map((room, i) => [room.id, counts[i] ?? 0]));
  return toPage(rows, page.limit, (room) => room.id, (room) => ({
    id: room.id,
    name: room.name,
    kind: room.kind,
    clients: clients.get(room.id) ?? 0,
    lastSeq: room.lastSeq,
    readSeq: room.readSeq,
    unread: room.unread,
    lastMessage: room.lastMessage && toChatMessage(room.lastMessage),
  }));
}

/**
 * One room as the caller's room list shows it: 404 ROOM_NOT_FOUND when they cannot see it, 403
 * BANNED_FROM_ROOM when banned. The list's own statement, started just before the room.
 */
export async function roomSummary(deps: RoomsDeps, user: { id: number }, roomId: number): Promise<RoomSummary> {
  await requireVisible(deps.db, roomId, user.id);
  const { items } = await roomsForUser(deps, user, { cursor: roomId - 1, limit: 1 });
  const room = items[0];
  // Visible a moment ago; deleted, left or banned since.
  if (room?.id !== roomId) throw noSuchRoom(roomId);
  return room;
}

export async function roomClients(deps: RoomsDeps, user: { id: number }, roomId: number): Promise<PublicUser[]> {
  await requireVisible(deps.db, roomId, user.id);
  return deps.presence.participants(roomId);
}

/** One page of history, newest first: the messages before the cursor's seq. */
export async function roomMessages(
  deps: RoomsDeps,
  user: { id: number },
  roomId: number,
  page: PageRequest,
): Promise<Page<ChatMessage>> {
  await requireVisible(deps.db, roomId, user.id);
  const rows = await messagesBefore(deps.db, roomId, page.cursor, page.limit + 1, user.id);
  return toPage(rows, page.limit, (row) => row.seq, toChatMessage);
}

/** One page of the room's members in user id order; the cursor is the last user id of a page. */
export async function roomMembers(
  deps: RoomsDeps,
  user: { id: number },
  roomId: number,
  page: PageRequest,
): Promise<Page<MemberRecord>> {
  await requireVisible(deps.db, roomId, user.id);
  const rows = await listMembers(deps.db, roomId, page.cursor ?? 0, page.limit + 1);
  return toPage(rows, page.limit, (row) => row.id, (row) => row);
}

/**
 * Adds `userId` to the room (lifting a ban from a public room), or with `role` makes or unmakes
 * a moderator. Idempotent. The owner and moderators add members; only the owner sets roles. An
 * invitation into a private room between two people one of whom blocks the other is refused
 * (403 BLOCKED), under the lock a block takes.
 */
export async function addMember(
  deps: RoomsDeps,
  actor: { id: number },
  roomId: number,
  userId: number,
  role: 'moderator' | 'member' | undefined,
): Promise<MemberRecord> {
  const room = await requireVisible(deps.db, roomId, actor.id);
  refuseDirect(room);
  if (!(await findUser(deps.db, userId))) throw noSuchUser(userId);
  const { member, invited } = await inTransactionAbout(deps.db, userId, async (tx) => {
    await lockRoomMembership(tx, roomId);
    // Locked, so no role changes under the checks.
    const roles = await lockRoles(tx, roomId, [actor.id, userId]);
    const mine = roles.get(actor.id) ?? null;
    if (!moderates(mine)) throw forbidden('NOT_ROOM_MODERATOR', 'only the owner or a moderator adds members');
    if (role !== undefined && mine !== 'owner') throw forbidden('NOT_ROOM_OWNER', 'only the owner makes or unmakes moderators');
    if (role !== undefined && roles.get(userId) === 'owner') throw badRequest('OWNER_ROLE_FIXED', "the owner's role cannot change");
    if (room.kind === 'private' && roles.get(userId) === null) await refuseIfBlocked(tx, actor.id, userId);
    const put = await putMember(tx, roomId, userId, role);
    // Someone added to a private room is told; a public room anyone may join needs no invitation.
    const isNew = put !== undefined && roles.get(userId) === null;
    if (isNew) await announceMember(tx, roomId, userId);
    return { member: put, invited: isNew && room.kind === 'private' ? await ChatNotifications.invite(tx, roomId, actor.id, userId) : [] };
  });
  if (!member) throw noSuchUser(userId);
  deps.notifications.send(invited);
  return member;
}

/**
 * Ends `userId`'s membership: the user themself leaving, or the owner or a moderator removing
 * them (a moderator removes members only; in a public room a removal is also a ban). Their
 * sockets in the room close with 4003 on every instance. An owner who leaves passes ownership
 * on (the oldest moderator, else the oldest member); nobody else can remove the owner.
 */
export async function dropMember(deps: RoomsDeps, actor: { id: number }, roomId: number, userId: number): Promise<void> {
  const room = await requireVisible(deps.db, roomId, actor.id);
  refuseDirect(room);
  const leaving = userId === actor.id;
  if (!leaving && !(await findUser(deps.db, userId))) throw noSuchUser(userId);
  await inTransactionAbout(deps.db, userId, async (tx) => {
    await lockRoomMembership(tx, roomId);
    // Locked, so no role changes under the checks (ownership passing on, a moderator unmade).
    const roles = await lockRoles(tx, roomId, leaving ? [userId] : [actor.id, userId]);
    if (!leaving) {
      const mine = roles.get(actor.id) ?? null;
      const theirs = roles.get(userId) ?? null;
      if (!moderates(mine)) throw forbidden('NOT_ROOM_MODERATOR', 'only the owner or a moderator removes members');
      if (theirs === 'owner') throw forbidden('OWNER_CANNOT_BE_REMOVED', 'nobody can remove the owner of a room');
      if (theirs === 'moderator' && mine !== 'owner') throw forbidden('NOT_ROOM_OWNER', 'only the owner removes a moderator');
    }
    await removeMember(tx, roomId, userId, room.kind === 'public' && !leaving ? actor.id : undefined);
  });
}
