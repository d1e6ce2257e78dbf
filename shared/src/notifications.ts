/**
 * The one statement that makes notifications, whichever service tells of what: user-service of
 * follows, mentions, replies, likes and reposts, ws-service of room invitations, mentions in chat
 * and direct messages. Its rules hold for every type: nobody is notified of their own action,
 * an action repeated (like, unlike, like again) notifies once (`notifications_once_key`), and
 * nobody is notified of a suspended account's action, of one they block or are blocked by, or of
 * one whose notifications they muted (`notifiable`).
 * Reading and showing notifications is user-service's (`GET /notifications`).
 */
import { sql, type SQL } from 'drizzle-orm';
import type { schema } from './db.js';
import { notifiable } from './safety.js';

export type NotificationType = schema.NotificationType;

/** What a notification is about, besides who acted: the columns its rows query gives. */
const SUBJECT_COLUMNS = {
  /** `post_id` (null for a follow). */
  post: ['post_id'],
  /** `room_id` (a room invitation). */
  room: ['room_id'],
  /** `room_id` and `message_seq` (a mention in chat, a direct message). */
  message: ['room_id', 'message_seq'],
} as const;

export type NotificationSubject = keyof typeof SUBJECT_COLUMNS;

/**
 * The SQL that notifies, for each row of `rows` (a query with `recipient_id`, `account_id` and the
 * columns of `subject`), the recipient of a `type` notification, unless they acted themselves or
 * are not told of the actor's actions (`notifiable`: a block, a mute, a suspension).
 * It returns the ids of the notifications it made (none for a repeat): `madeIds` reads them, so
 * the caller can send them live once the statement has committed.
 */
export function notifyRows(type: NotificationType, rows: SQL, subject: NotificationSubject = 'post'): SQL {
  const columns = sql.raw(SUBJECT_COLUMNS[subject].join(', '));
  return sql`
    INSERT INTO notifications (recipient_id, type, account_id, ${columns})
    SELECT recipient_id, ${type}, account_id, ${columns} FROM (${rows}) made
    WHERE recipient_id <> account_id AND ${notifiable(sql`made.recipient_id`, sql`made.account_id`)}
    ON CONFLICT DO NOTHING
    RETURNING id, recipient_id`;
}

/** The column of the ids made by the `notifyRows` statements named `ctes`, as an array. */
export const madeIds = (...ctes: string[]) =>
  sql.raw(`ARRAY(${ctes.map((cte) => `SELECT id FROM ${cte}`).join(' UNION ALL ')}) AS notification_ids`);

/** The ids a `madeIds` column holds (PostgreSQL sends bigints as strings). */
export const toIds = (ids: ReadonlyArray<number | string> | null | undefined): number[] => (ids ?? []).map(Number);
