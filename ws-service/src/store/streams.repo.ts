/**
 * What setting up a person's `/ws/stream` reads: whether the session still holds, and the
 * person's notification count and newest id (tables user-service writes; read here only).
 */
import type { Db } from '@murmur/shared/db';
import { blockListOf } from './blocks.repo.js';

export interface StreamStart {
  /** The session is unrevoked and unexpired. */
  session: boolean;
  /** Unread notifications, counted up to the cap. */
  unreadNotifications: number;
  /** The person's newest notification id (0: none yet). */
  lastNotificationId: number;
  /** Whom the person blocks, ascending. */
  blocks: number[];
}

/**
 * For each of `starts`, what its stream starts with; one query for all of them. Whom the person
 * blocks is one probe of blocks_pair_key, which finds nothing for nearly everyone.
 */
export async function readStreamStarts(
  db: Db,
  starts: ReadonlyArray<{ sessionId: string; userId: number }>,
  maxUnread: number,
): Promise<StreamStart[]> {
  const { rows } = await db.$client.query<{ session: boolean; unread: string; last_id: string; blocks: number[] }>({
    name: 'murmur_stream_starts',
    text: `SELECT coalesce((SELECT s.revoked_at IS NULL AND s.expires_at > now() FROM sessions s WHERE s.id = i.session_id), false) AS session,
                  coalesce((SELECT max(n.id) FROM notifications n WHERE n.recipient_id = i.user_id), 0) AS last_id,
                  (SELECT count(*) FROM (
                     SELECT 1 FROM notifications n
                     WHERE n.recipient_id = i.user_id
                       AND n.id > coalesce((SELECT m.read_up_to FROM notification_markers m WHERE m.user_id = i.user_id), 0)
                     LIMIT $3) unread) AS unread,
                  ${blockListOf('i.user_id')} AS blocks
           FROM unnest($1::uuid[], $2::int[]) WITH ORDINALITY AS i(session_id, user_id, ord)
           ORDER BY i.ord`,
    values: [starts.map((s) => s.sessionId), starts.map((s) => s.userId), maxUnread],
  });
  return rows.map((r) => ({ session: r.session, unreadNotifications: Number(r.unread), lastNotificationId: Number(r.last_id), blocks: r.blocks }));
}

/** A room a person is a member of, as their stream watches it for `room_activity`. */
export interface WatchedRoom {
  roomId: number;
  lastSeq: number;
  readSeq: number;
  /** Messages after the read marker (tombstones included, edits and deletions not), as getRooms counts them. */
  unread: number;
}

/** The rooms each of `userIds` is a member of (and not banned from), with their unread counts; one query for all. */
export async function readWatchedRooms(db: Db, userIds: readonly number[]): Promise<WatchedRoom[][]> {
  const { rows } = await db.$client.query<{ user_id: number; room_id: number; last_seq: string; read_seq: string; unread: number }>({
    name: 'murmur_watched_rooms',
    text: `SELECT m.user_id, m.room_id, r.last_seq, m.read_seq,
                  (r.last_seq - m.read_seq
                   - (SELECT count(*) FROM messages c WHERE c.room_id = r.id AND c.seq > m.read_seq AND c.kind <> 'message'))::int AS unread
           FROM room_members m JOIN rooms r ON r.id = m.room_id
           WHERE m.user_id = ANY($1::int[])
             AND NOT EXISTS (SELECT 1 FROM room_bans b WHERE b.room_id = m.room_id AND b.user_id = m.user_id)`,
    values: [userIds],
  });
  const byUser = new Map<number, WatchedRoom[]>(userIds.map((id) => [id, []]));
  for (const row of rows) {
    byUser.get(row.user_id)?.push({ roomId: row.room_id, lastSeq: Number(row.last_seq), readSeq: Number(row.read_seq), unread: row.unread });
  }
  return userIds.map((id) => byUser.get(id) ?? []);
}
