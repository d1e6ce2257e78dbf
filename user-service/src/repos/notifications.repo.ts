/**
 * Queries on notifications: the statements that make them (`@murmur/shared/notifications`), each beside the write it tells of,
 * and the reads of a person's list. Every make is `ON CONFLICT DO NOTHING` on
 * notifications_once_key, so an action repeated (like, unlike, like again) notifies once, and
 * none is made for one's own action.
 */
import { avatarUrlSql } from '@murmur/shared/media';
import type { AccountSummary } from './account-summary.js';
import { sql, type SQL } from 'drizzle-orm';
import { runSql, schema, type Db, type SqlExecutor } from '@murmur/shared/db';
import type { PageRequest } from '@murmur/shared/http';

export type NotificationType = schema.NotificationType;
export const NOTIFICATION_TYPES = schema.NOTIFICATION_TYPES;

import { madeIds, notifyRows, toIds } from '@murmur/shared/notifications';
import { notifiable, probedPerRow } from '@murmur/shared/safety';

/**
 * Only the notifications (rows of `notifications`, or of its alias `table`) whose recipient is
 * still told of their actor (`notifiable`): a block, a mute of notifications or a suspension made
 * since hides the earlier ones too, and lifting it shows them again. Index probes per row, before
 * each list's LIMIT, so a page stays full.
 */
const stillNotifiable = (table = 'notifications') => probedPerRow(notifiable(sql.raw(`${table}.recipient_id`), sql.raw(`${table}.account_id`)));

/**
 * Notifies the accounts a post mentions (`mention`) and the author of the post it answers
 * (`reply`; one who is also mentioned gets the reply alone). Run again after an edit, it notifies
 * only the accounts the edit newly mentions.
 */
export async function notifyPostAudience(tx: SqlExecutor, postId: number): Promise<number[]> {
  const [row] = await runSql<{ notification_ids: string[] }>(tx, sql`
    WITH post AS (SELECT id, author_id, in_reply_to_user_id FROM posts WHERE id = ${postId}),
    replied AS (
      ${notifyRows(
        'reply',
        sql`SELECT p.in_reply_to_user_id AS recipient_id, p.author_id AS account_id, p.id AS post_id FROM post p
            WHERE EXISTS (SELECT 1 FROM users WHERE id = p.in_reply_to_user_id)`,
      )}
    )
    , mentioned AS (
      ${notifyRows(
        'mention',
        sql`SELECT m.user_id AS recipient_id, p.author_id AS account_id, p.id AS post_id FROM post p
            JOIN post_mentions m ON m.post_id = p.id WHERE m.user_id IS DISTINCT FROM p.in_reply_to_user_id`,
      )}
    )
    SELECT ${madeIds('replied', 'mentioned')}`);
  return toIds(row?.notification_ids);
}

/** A notification row as listed, with who acted. */
export interface NotificationRow {
  id: number;
  /** Whose notification it is. */
  recipientId: number;
  type: NotificationType;
  createdAt: Date;
  read: boolean;
  account: AccountSummary;
  postId: number | null;
  /** The room of a chat notification. */
  room: { id: number; name: string; kind: RoomKind } | null;
  /** The message of a room_mention or direct_message, as it reads now. */
  message: { seq: number; text: string } | null;
}

type RoomKind = 'public' | 'private' | 'direct';

/** The marker of what `userId` has read: every notification id up to it. */
const readUpTo = (userId: number) => sql`coalesce((SELECT read_up_to FROM notification_markers WHERE user_id = ${userId}), 0)`;

/** Which notifications a list holds: of `types` only, newer than `since` only, when given. */
export interface NotificationFilter {
  types?: NotificationType[] | undefined;
  since?: number | undefined;
}

/**
 * A page of `userId`'s notifications, newest first, as `filter` says. With types, each type
 * walks its own index range and at most a page of each is merged, so a rare type among many
 * others costs no more than a common one.
 */
export async function listNotifications(db: Db, userId: number, { types, since }: NotificationFilter, page: PageRequest): Promise<NotificationRow[]> {
  const older = sql`${page.cursor === undefined ? sql`` : sql`AND id < ${page.cursor}`} ${since === undefined ? sql`` : sql`AND id > ${since}`}`;
  const ofType = (type?: NotificationType) => sql`
    (SELECT id FROM notifications WHERE recipient_id = ${userId} ${type ? sql`AND type = ${type}` : sql``} ${older} AND ${stillNotifiable()}
     ORDER BY id DESC LIMIT ${page.limit + 1})`;
  const ids = types ? sql.join(types.map(ofType), sql` UNION ALL `) : ofType();
  return selectNotifications(db, sql`SELECT id FROM (${ids}) found ORDER BY id DESC LIMIT ${page.limit + 1}`);
}

/** Notifications `ids` (those that still exist), newest first, each with its recipient. */
export function notificationsWithIds(db: Db, ids: readonly number[]): Promise<NotificationRow[]> {
  return selectNotifications(db, sql`SELECT unnest(${sql.param([...ids])}::bigint[]) AS id`);
}

/** The notifications whose ids `ids` selects (a query with an `id` column), newest first. */
async function selectNotifications(db: Db, ids: SQL): Promise<NotificationRow[]> {
  const { rows } = await db.execute<{
    id: number | string;
    recipient_id: number;
    type: NotificationType;
    created_at: Date | string;
    read: boolean;
    account_id: number;
    username: string;
    display_name: string | null;
    avatar_url: string | null;
    post_id: number | string | null;
    room_id: number | null;
    room_name: string | null;
    room_kind: RoomKind | null;
    message_seq: number | string | null;
    message_text: string | null;
  }>(sql`
    SELECT n.id, n.recipient_id, n.type, n.created_at,
      n.id <= coalesce((SELECT read_up_to FROM notification_markers WHERE user_id = n.recipient_id), 0) AS read,
      a.id AS account_id, a.username, a.display_name, ${sql.raw(avatarUrlSql('a'))} AS avatar_url, n.post_id,
      r.id AS room_id, r.name AS room_name, r.kind AS room_kind, n.message_seq, m.text AS message_text
    FROM (${ids}) page
    JOIN notifications n ON n.id = page.id
    JOIN users a ON a.id = n.account_id
    LEFT JOIN rooms r ON r.id = n.room_id
    LEFT JOIN messages m ON m.room_id = n.room_id AND m.seq = n.message_seq
    -- A room's notification shows while its recipient is still a member (nothing of a room
    -- reaches anyone else), and a message's while the message still says something.
    WHERE (n.room_id IS NULL OR EXISTS (SELECT 1 FROM room_members rm WHERE rm.room_id = n.room_id AND rm.user_id = n.recipient_id))
      AND (n.message_seq IS NULL OR (m.deleted_at IS NULL AND m.text IS NOT NULL))
      AND ${stillNotifiable('n')}
    ORDER BY n.id DESC`);
  return rows.map((r) => ({
    id: Number(r.id),
    recipientId: r.recipient_id,
    type: r.type,
    createdAt: new Date(r.created_at),
    read: r.read,
    account: { id: r.account_id, username: r.username, displayName: r.display_name, avatarUrl: r.avatar_url },
    postId: r.post_id === null ? null : Number(r.post_id),
    room: r.room_id === null || r.room_name === null || r.room_kind === null ? null : { id: r.room_id, name: r.room_name, kind: r.room_kind },
    message: r.message_seq === null || r.message_text === null ? null : { seq: Number(r.message_seq), text: r.message_text },
  }));
}

/** How many of `userId`'s notifications (those still shown) are unread, counting at most `max`. */
export async function countUnread(db: Db, userId: number, max: number): Promise<number> {
  const { rows } = await db.execute<{ count: number | string }>(sql`
    SELECT count(*) AS count FROM (
      SELECT 1 FROM notifications WHERE recipient_id = ${userId} AND id > ${readUpTo(userId)} AND ${stillNotifiable()} LIMIT ${max}
    ) unread`);
  return Number(rows[0]?.count ?? 0);
}

/**
 * Marks every notification of `userId` up to `upToId` read. The marker only moves forward, and
 * never past their newest notification, so a large id cannot mark future ones read.
 */
export async function markRead(db: Db, userId: number, upToId: number): Promise<void> {
  await db.execute(sql`
    INSERT INTO notification_markers (user_id, read_up_to)
    SELECT ${userId}, LEAST(${upToId}, max(id)) FROM notifications WHERE recipient_id = ${userId} HAVING max(id) IS NOT NULL
    ON CONFLICT (user_id) DO UPDATE SET read_up_to = GREATEST(notification_markers.read_up_to, EXCLUDED.read_up_to)`);
}
