/** The SQL of pictures: an upload's row, access to a file, the sweeper's work. */
import { sql } from 'drizzle-orm';
import { FOREIGN_KEY_VIOLATION, pgErrorOf, poolExecutor, runSql, type Db, type SqlExecutor } from '@murmur/shared/db';
import { mediaJsonSql, type MediaAttachment, type MediaVisibility } from '@murmur/shared/media';

export interface NewMedia {
  ownerId: number;
  visibility: MediaVisibility;
  roomId: number | null;
  file: string;
  previewFile: string;
  width: number;
  height: number;
  blurhash: string;
  alt: string;
  bytes: number;
}

const executor = (db: Db): SqlExecutor => poolExecutor(db.$client);

/** Where an upload for room `roomId` may go: its kind, and whether `userId` is a member; undefined when no such room. */
export async function roomForUpload(db: Db, roomId: number, userId: number): Promise<{ kind: string; member: boolean } | undefined> {
  const rows = await runSql<{ kind: string; member: boolean }>(
    executor(db),
    sql`SELECT kind, EXISTS (SELECT 1 FROM room_members WHERE room_id = r.id AND user_id = ${userId}) AS member FROM rooms r WHERE id = ${roomId}`,
  );
  return rows[0];
}

/**
 * Adds the row of an upload whose files are about to be stored (not ready yet); its id, or
 * undefined when its owner's account or its room was deleted meanwhile.
 */
export async function insertMedia(db: Db, media: NewMedia): Promise<number | undefined> {
  const rows = await runSql<{ id: string }>(
    executor(db),
    sql`INSERT INTO media (owner_id, visibility, room_id, file, preview_file, width, height, blurhash, alt, bytes)
        VALUES (${media.ownerId}, ${media.visibility}, ${media.roomId}, ${media.file}, ${media.previewFile}, ${media.width}, ${media.height},
                ${media.blurhash}, ${media.alt}, ${media.bytes})
        RETURNING id`,
  ).catch((err: unknown) => {
    if (pgErrorOf(err)?.code === FOREIGN_KEY_VIOLATION) return [];
    throw err;
  });
  return rows[0] && Number(rows[0].id);
}

/** Marks an upload's files stored; the upload as answers show it, or undefined if its row is gone. */
export async function markReady(db: Db, id: number): Promise<MediaAttachment | undefined> {
  const rows = await runSql<{ attachment: MediaAttachment }>(
    executor(db),
    sql`UPDATE media m SET ready = true WHERE id = ${id} RETURNING ${sql.raw(mediaJsonSql('m'))} AS attachment`,
  );
  return rows[0]?.attachment;
}

/** Deletes a picture's row (on the pool, or in a transaction); the trigger queues its files. */
export async function deleteMedia(on: Db | SqlExecutor, id: number): Promise<void> {
  await runSql('executeSql' in on ? on : executor(on), sql`DELETE FROM media WHERE id = ${id}`);
}

/**
 * Whether `viewerId` (undefined: nobody logged in) may fetch the private file `file`: its owner
 * and the members of its room may, and a moderator may when its message has been reported (the
 * report queue shows it); for anyone else it does not exist.
 */
export async function maySeePrivateFile(db: Db, file: string, viewerId: number | undefined): Promise<boolean> {
  if (viewerId === undefined) return false;
  const rows = await runSql<{ allowed: boolean }>(
    executor(db),
    sql`SELECT m.owner_id = ${viewerId} OR EXISTS (SELECT 1 FROM room_members rm WHERE rm.room_id = m.room_id AND rm.user_id = ${viewerId})
          OR (EXISTS (SELECT 1 FROM users WHERE id = ${viewerId} AND role IN ('moderator', 'admin'))
            AND EXISTS (SELECT 1 FROM messages msg JOIN reports rp ON rp.room_id = msg.room_id AND rp.message_seq = msg.seq WHERE msg.id = m.message_id)) AS allowed
        FROM media m WHERE m.visibility = 'private' AND (m.file = ${file} OR m.preview_file = ${file})`,
  );
  return rows.some((row) => row.allowed);
}

export interface SweepAges {
  /** Seconds an upload may stay unattached. */
  unattachedSeconds: number;
  /** Seconds after which an upload still processing, or a claim whose message never arrived, is abandoned. */
  abandonedSeconds: number;
}

/**
 * Deletes up to `limit` rows nothing will use: uploads unattached for too long, uploads whose
 * processing never finished, and pictures claimed for a message that was never stored (its
 * instance died between the claim and the store). Resolves how many went.
 */
export async function deleteExpiredMedia(db: Db, ages: SweepAges, limit: number): Promise<number> {
  const rows = await runSql(
    executor(db),
    sql`DELETE FROM media WHERE id IN (
          SELECT id FROM media
          WHERE post_id IS NULL AND message_id IS NULL AND used_as IS DISTINCT FROM 'avatar'
            AND ((used_as IS NULL AND created_at < now() - make_interval(secs => ${ages.unattachedSeconds}))
              OR (NOT ready AND created_at < now() - make_interval(secs => ${ages.abandonedSeconds}))
              OR (used_as = 'message' AND attached_at < now() - make_interval(secs => ${ages.abandonedSeconds})))
          ORDER BY created_at LIMIT ${limit}
          FOR UPDATE SKIP LOCKED)
        RETURNING id`,
  );
  return rows.length;
}

export interface QueuedFileDeletion {
  id: number;
  visibility: MediaVisibility;
  file: string;
  /** Seconds since it was queued (or last postponed). */
  ageSeconds: number;
}

/**
 * Up to `limit` files waiting for removal, those waiting longest first, leaving out `passedOver`
 * (those this sweep has seen already); locked for `tx`. A row another sweep holds is waited for,
 * not skipped: when a sweep resolves, every file queued before it began has been dealt with, by
 * it or by the other.
 */
export async function lockQueuedFileDeletions(tx: SqlExecutor, limit: number, passedOver: readonly number[] = []): Promise<QueuedFileDeletion[]> {
  const rows = await runSql<{ id: string; visibility: MediaVisibility; file: string; age_seconds: number }>(
    tx,
    sql`SELECT id, visibility, file, extract(epoch FROM now() - queued_at)::float8 AS age_seconds FROM media_file_deletions
        WHERE id <> ALL(${sql.param(passedOver)}::bigint[])
        ORDER BY queued_at, id LIMIT ${limit} FOR UPDATE`,
  );
  return rows.map((row) => ({ id: Number(row.id), visibility: row.visibility, file: row.file, ageSeconds: row.age_seconds }));
}

/** Puts files whose removal failed at the back of the queue, so that they hold up no other. */
export async function postponeFileDeletions(tx: SqlExecutor, ids: readonly number[]): Promise<void> {
  await runSql(tx, sql`UPDATE media_file_deletions SET queued_at = now() WHERE id = ANY(${sql.param(ids)}::bigint[])`);
}

export async function forgetFileDeletions(tx: SqlExecutor, ids: readonly number[]): Promise<void> {
  await runSql(tx, sql`DELETE FROM media_file_deletions WHERE id = ANY(${sql.param(ids)}::bigint[])`);
}
