/**
 * Queries on room_members and room_bans: who may join and read a room, with what role, and how
 * far each member has read. The ones on the join and read paths take many inputs at once (a
 * reconnect storm joins thousands together) and are sent as named statements.
 */
import type { Db, SqlExecutor } from '@murmur/shared/db';
import type { MemberRole, RoomKind } from './rooms.repo.js';
import { blockListOf } from './blocks.repo.js';
import { blockedBetweenColumns } from './safety-sql.js';

/** The channel of room events between ws-service instances (PostgreSQL NOTIFY). */
export const ROOM_EVENTS_CHANNEL = 'murmur_room_events';

/**
 * What a join finds: let in, no such room (or a private one the user is not a member of),
 * banned, or a direct room whose two people a block keeps apart.
 */
export type Admission = 'admitted' | 'not_found' | 'banned' | 'blocked';

/**
 * Decides many joins in one statement, recording the membership of each user let into a public
 * room (a second join keeps the first row). Each input row is looked up by primary key, in
 * scalar subqueries: PostgreSQL may hash an EXISTS or a join over the whole table instead, a cost
 * that would grow with the table (see moveReadMarkers). A direct room (found by its room id in
 * direct_rooms, one probe that finds nothing for any other room) is refused while a block stands
 * between its two people. Pairs are inserted in (room, user) order
 * so that two instances inserting the same pairs cannot deadlock. The result is in the order of
 * `joins`. Room ids come parsed by the shared id schema, so each fits the `int[]` of the batch.
 */
export async function admitMembers(db: Db, joins: ReadonlyArray<{ roomId: number; userId: number }>): Promise<Admission[]> {
  const result: Admission[] = joins.map(() => 'not_found');
  const sent = joins.map((join, index) => ({ ...join, index }));
  if (sent.length === 0) return result;
  const { rows } = await db.$client.query<{ ord: number; kind: RoomKind | null; member: boolean; banned: boolean; blocked: boolean | null }>({
    name: 'murmur_admit_members',
    text: `WITH input AS (
             SELECT * FROM unnest($1::int[], $2::int[]) WITH ORDINALITY AS t(room_id, user_id, ord)
           ),
           verdict AS (
             SELECT i.ord, i.room_id, i.user_id,
                    (SELECT r.kind FROM rooms r WHERE r.id = i.room_id) AS kind,
                    (SELECT m.role FROM room_members m WHERE m.room_id = i.room_id AND m.user_id = i.user_id) IS NOT NULL AS member,
                    (SELECT b.user_id FROM room_bans b WHERE b.room_id = i.room_id AND b.user_id = i.user_id) IS NOT NULL AS banned,
                    (SELECT ${blockedBetweenColumns('d.user_low', 'd.user_high')} FROM direct_rooms d WHERE d.room_id = i.room_id) AS blocked
             FROM input i
           ),
           added AS (
             INSERT INTO room_members (room_id, user_id)
             SELECT room_id, user_id FROM verdict WHERE kind = 'public' AND NOT member AND NOT banned
             ORDER BY room_id, user_id
             ON CONFLICT DO NOTHING
           )
           SELECT ord::int, kind, member, banned, blocked FROM verdict`,
    values: [sent.map((j) => j.roomId), sent.map((j) => j.userId)],
  });
  for (const row of rows) {
    const index = sent[row.ord - 1]!.index;
    if (row.banned) result[index] = 'banned';
    else if (row.member && row.blocked === true) result[index] = 'blocked';
    else if (row.member || row.kind === 'public') result[index] = 'admitted';
  }
  return result;
}

/** A socket's join, checked again once it is listed. */
export interface JoinCheck {
  sessionId: string;
  roomId: number;
  userId: number;
  /** Read whom the user blocks too: the connection's first join reads it for the connection. */
  withBlocks?: boolean;
}

/** What a join's second check finds. */
export interface JoinStanding {
  /** The session is unrevoked and unexpired. */
  session: boolean;
  /** The user is a member of the room, and not banned from it. */
  member: boolean;
  /** In a direct room, the other person; null in any other room. */
  peer: number | null;
  /** A block stands between the two people of the direct room. */
  blocked: boolean;
  /** Whom the user blocks, ascending, when asked for (`withBlocks`); null otherwise. */
  blocks: number[] | null;
}

/**
 * Whether each socket may stay: its session still valid and its user still a member, not banned.
 * Asked for every socket that just joined (a logout, removal or block that committed between the
 * join's first check and the socket being listed sent its event too early to reach it) and for
 * every socket after room events may have been missed. A ban that committed while a join recorded
 * the membership (each missed the other) leaves both rows: the membership is deleted here. A
 * direct room's other person and whether a block stands between them come along (one probe of
 * direct_rooms, which finds nothing for any other room), and, for the joins that ask, whom the
 * user blocks (one probe of blocks_pair_key, which finds nothing for nearly everyone).
 */
export async function stillAdmitted(db: Db, joins: ReadonlyArray<JoinCheck>): Promise<JoinStanding[]> {
  const { rows } = await db.$client.query<JoinStanding>({
    name: 'murmur_still_admitted',
    text: `WITH input AS (
             SELECT * FROM unnest($1::uuid[], $2::int[], $3::int[], $4::bool[]) WITH ORDINALITY AS t(session_id, room_id, user_id, with_blocks, ord)
           ),
           looked AS (
             SELECT i.ord, i.room_id, i.user_id, i.with_blocks,
                    (SELECT s.revoked_at IS NULL AND s.expires_at > now() FROM sessions s WHERE s.id = i.session_id) AS session,
                    (SELECT m.role FROM room_members m WHERE m.room_id = i.room_id AND m.user_id = i.user_id) IS NOT NULL AS member,
                    (SELECT b.user_id FROM room_bans b WHERE b.room_id = i.room_id AND b.user_id = i.user_id) IS NOT NULL AS banned,
                    (SELECT CASE WHEN d.user_low = i.user_id THEN d.user_high ELSE d.user_low END
                     FROM direct_rooms d WHERE d.room_id = i.room_id) AS peer
             FROM input i
           ),
           cleared AS (
             DELETE FROM room_members m USING looked l
             WHERE l.banned AND l.member AND m.room_id = l.room_id AND m.user_id = l.user_id
           )
           SELECT coalesce(session, false) AS session, member AND NOT banned AS member, peer,
                  CASE WHEN peer IS NULL THEN false ELSE ${blockedBetweenColumns('l.user_id', 'l.peer')} END AS blocked,
                  CASE WHEN with_blocks THEN ${blockListOf('l.user_id')} END AS blocks
           FROM looked l ORDER BY ord`,
    values: [joins.map((j) => j.sessionId), joins.map((j) => j.roomId), joins.map((j) => j.userId), joins.map((j) => j.withBlocks === true)],
  });
  return rows;
}

/** A user's standing in a room. */
export interface Standing {
  role: MemberRole | null;
  banned: boolean;
}

/** `userId`'s role in the room (null when not a member) and whether they are banned from it. */
export async function standingIn(db: Db, roomId: number, userId: number): Promise<Standing> {
  const { rows } = await db.$client.query<Standing>(
    `SELECT (SELECT role FROM room_members WHERE room_id = $1 AND user_id = $2) AS role,
            EXISTS (SELECT 1 FROM room_bans WHERE room_id = $1 AND user_id = $2) AS banned`,
    [roomId, userId],
  );
  return rows[0]!;
}

/**
 * Serializes the changes to one room's members (adding, removing, banning, leaving) for the rest
 * of the transaction: two moderators acting on one user at once could otherwise leave them both
 * banned and a member, and an owner leaving while someone removes a moderator could deadlock
 * with the ownership trigger. Joins do not take it (they only add members to public rooms, and
 * the recheck after a join undoes one that crossed a ban).
 */
export async function lockRoomMembership(tx: SqlExecutor, roomId: number): Promise<void> {
  await tx.executeSql(`SELECT pg_advisory_xact_lock(hashtext('room_members'), $1)`, [roomId]);
}

export interface MemberRecord {
  id: number;
  username: string;
  role: MemberRole;
  /** The member's read marker: they have read the room up to this seq. */
  readSeq: number;
}

/** Up to `limit` members of the room with user ids above `afterUserId`, in id order. */
export async function listMembers(db: Db, roomId: number, afterUserId: number, limit: number): Promise<MemberRecord[]> {
  const { rows } = await db.$client.query<MemberRecord>(
    `SELECT u.id, u.username, m.role, m.read_seq AS "readSeq" FROM room_members m JOIN users u ON u.id = m.user_id
     WHERE m.room_id = $1 AND m.user_id > $2::bigint ORDER BY m.user_id LIMIT $3`,
    [roomId, afterUserId, limit],
  );
  return rows;
}

/**
 * Makes `userId` a member (with `role`, or keeping the role they have), lifting any ban. The
 * owner's row is never changed. Resolves the member, or undefined for an unknown user.
 */
export async function putMember(tx: SqlExecutor, roomId: number, userId: number, role: 'moderator' | 'member' | undefined): Promise<MemberRecord | undefined> {
  await tx.executeSql('DELETE FROM room_bans WHERE room_id = $1 AND user_id = $2', [roomId, userId]);
  const { rows } = await tx.executeSql(
    `WITH put AS (
       INSERT INTO room_members (room_id, user_id, role)
       SELECT $1, id, coalesce($3, 'member') FROM users WHERE id = $2
       ON CONFLICT (room_id, user_id) DO UPDATE SET role = coalesce($3, room_members.role)
       WHERE room_members.role <> 'owner'
       RETURNING user_id, role, read_seq
     )
     SELECT u.id, u.username, coalesce(p.role, m.role) AS role, coalesce(p.read_seq, m.read_seq) AS "readSeq"
     FROM users u LEFT JOIN put p ON p.user_id = u.id
     LEFT JOIN room_members m ON m.room_id = $1 AND m.user_id = u.id
     WHERE u.id = $2`,
    [roomId, userId, role ?? null],
  );
  return rows[0] as MemberRecord | undefined;
}

/**
 * Locks the memberships of `userIds` in the room, in user id order (so two changes cannot
 * deadlock), for a change that depends on their roles; resolves each user's role, null for a
 * non-member.
 */
export async function lockRoles(tx: SqlExecutor, roomId: number, userIds: number[]): Promise<Map<number, MemberRole | null>> {
  const { rows } = await tx.executeSql(
    `SELECT user_id, role FROM room_members WHERE room_id = $1 AND user_id = ANY($2::int[]) ORDER BY user_id FOR UPDATE`,
    [roomId, userIds],
  );
  const roles = new Map<number, MemberRole | null>(userIds.map((id) => [id, null]));
  for (const row of rows as Array<{ user_id: number; role: MemberRole }>) roles.set(row.user_id, row.role);
  return roles;
}

/** Ends `userId`'s membership and announces it to every instance; with `bannedBy`, also bans them from the room. */
export async function removeMember(tx: SqlExecutor, roomId: number, userId: number, bannedBy?: number): Promise<void> {
  await tx.executeSql('DELETE FROM room_members WHERE room_id = $1 AND user_id = $2', [roomId, userId]);
  if (bannedBy !== undefined) {
    await tx.executeSql(
      `INSERT INTO room_bans (room_id, user_id, banned_by) SELECT $1, id, $3 FROM users WHERE id = $2 ON CONFLICT DO NOTHING`,
      [roomId, userId, bannedBy],
    );
  }
  // Delivered to every instance when the transaction commits (ws/membership-events.ts).
  await tx.executeSql('SELECT pg_notify($1, $2)', [ROOM_EVENTS_CHANNEL, JSON.stringify({ type: 'member_removed', roomId, userId })]);
}

/** Announces a new membership to every instance, when the transaction commits (ws/membership-events.ts). */
export async function announceMember(tx: SqlExecutor, roomId: number, userId: number): Promise<void> {
  await tx.executeSql('SELECT pg_notify($1, $2)', [ROOM_EVENTS_CHANNEL, JSON.stringify({ type: 'member_added', roomId, userId })]);
}

export async function findUser(db: Db, userId: number): Promise<{ id: number; username: string } | undefined> {
  const { rows } = await db.$client.query<{ id: number; username: string }>('SELECT id, username FROM users WHERE id = $1', [userId]);
  return rows[0];
}

/**
 * What a read marker did: moved forward; stayed (it was already there or further); named a seq
 * the room does not have yet; or came from someone who is no longer a member.
 */
export type ReadOutcome = 'moved' | 'stale' | 'beyond_last' | 'not_member';

/**
 * Moves many members' read markers forward in one statement. A marker never moves back, and
 * never beyond the room's newest seq; several marks of one member move it to the highest valid
 * one. The result is in the order of `marks`.
 *
 * Every row is reached through its primary key (correlated scalar lookups, not joins or EXISTS):
 * PostgreSQL may plan those as a hashed scan of the whole table while the table is small or
 * unanalyzed, a cost per batch that grows with the members. Measured on 10,000 members in
 * batches of 20: 21 µs of PostgreSQL CPU per marker, against 28 µs with joins.
 * The rows are updated in whatever order the plan visits them, so two instances updating the
 * same members at once may deadlock; PostgreSQL then fails one statement, and its marks are
 * retried one by one (see ChatService), which cannot deadlock. Locking the rows in order first
 * costs every batch a second pass over its rows, and measured far slower under load.
 */
export async function moveReadMarkers(db: Db, marks: ReadonlyArray<{ roomId: number; userId: number; seq: number }>): Promise<ReadOutcome[]> {
  const { rows } = await db.$client.query<{ ord: number; last_seq: number | null; member: boolean; moved_to: number | null }>({
    name: 'murmur_move_read_markers',
    text: `WITH input AS (
             SELECT t.*, (SELECT last_seq FROM rooms r WHERE r.id = t.room_id) AS last_seq
             FROM unnest($1::int[], $2::int[], $3::bigint[]) WITH ORDINALITY AS t(room_id, user_id, seq, ord)
           ),
           best AS (
             SELECT room_id, user_id, max(seq) AS seq FROM input WHERE seq <= last_seq GROUP BY room_id, user_id
           ),
           moved AS (
             UPDATE room_members m SET read_seq = b.seq
             FROM best b
             WHERE m.room_id = b.room_id AND m.user_id = b.user_id AND m.read_seq < b.seq
             RETURNING m.room_id, m.user_id, m.read_seq
           )
           SELECT i.ord::int, i.last_seq,
                  (SELECT m.read_seq FROM room_members m WHERE m.room_id = i.room_id AND m.user_id = i.user_id) IS NOT NULL AS member,
                  mv.read_seq AS moved_to
           FROM input i
           LEFT JOIN moved mv ON mv.room_id = i.room_id AND mv.user_id = i.user_id`,
    values: [marks.map((m) => m.roomId), marks.map((m) => m.userId), marks.map((m) => m.seq)],
  });
  const result: ReadOutcome[] = marks.map(() => 'not_member');
  const membershipKey = (mark: { roomId: number; userId: number }) => `${mark.roomId}:${mark.userId}`;
  // Two marks of one member to the same seq moved it once: the first is reported as the move.
  const reported = new Set<string>();
  for (const row of rows.sort((a, b) => a.ord - b.ord)) {
    const mark = marks[row.ord - 1]!;
    if (row.last_seq === null || !row.member) continue;
    const key = membershipKey(mark);
    if (mark.seq > row.last_seq) result[row.ord - 1] = 'beyond_last';
    else if (row.moved_to === mark.seq && !reported.has(key)) {
      result[row.ord - 1] = 'moved';
      reported.add(key);
    } else result[row.ord - 1] = 'stale';
  }
  return result;
}
