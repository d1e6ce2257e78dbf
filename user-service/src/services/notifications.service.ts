/**
 * A person's notifications: the list (each with the post it is about, as every list shows
 * posts), the unread count and the read marker. Which actions make one is decided beside each
 * action's write (notifications.repo.ts).
 */
import type { Db } from '@murmur/shared/db';
import { toPage, type Page, type PageRequest } from '@murmur/shared/http';
import { countUnread, listNotifications, markRead, notificationsWithIds, type NotificationFilter, type NotificationRow } from '../repos/notifications.repo.js';
import { findPosts, type Post } from '../repos/post-view.repo.js';

export interface Notification extends Omit<NotificationRow, 'postId' | 'recipientId' | 'room' | 'message'> {
  /** The post it is about (the reply, the mention, the post liked or reposted); absent for a follow. */
  post?: Post;
  /** The room of a room_invite, room_mention or direct_message. */
  room?: NonNullable<NotificationRow['room']>;
  /** The message of a room_mention or direct_message. */
  message?: NonNullable<NotificationRow['message']>;
}

export async function notificationsOf(db: Db, userId: number, filter: NotificationFilter, page: PageRequest): Promise<Page<Notification>> {
  const rows = await listNotifications(db, userId, filter, page);
  const shown = await withPosts(db, userId, rows);
  return toPage(shown, page.limit, (notification) => notification.id, (notification) => notification);
}

/** Notifications `ids` as their recipients see them (those gone meanwhile left out), newest first. */
export async function notificationsByIds(db: Db, ids: readonly number[]): Promise<Array<{ recipientId: number; notification: Notification }>> {
  const rows = await notificationsWithIds(db, ids);
  const byRecipient = new Map<number, NotificationRow[]>();
  for (const row of rows) byRecipient.set(row.recipientId, [...(byRecipient.get(row.recipientId) ?? []), row]);
  const shown = await Promise.all(
    [...byRecipient].map(async ([recipientId, own]) => (await withPosts(db, recipientId, own)).map((notification) => ({ recipientId, notification }))),
  );
  return shown.flat().sort((a, b) => b.notification.id - a.notification.id);
}

/**
 * `rows` (all of `viewerId`) as shown: each with the post it is about, as `viewerId` sees it. A
 * post deleted since the rows were read takes its notification with it, as the table does.
 */
async function withPosts(db: Db, viewerId: number, rows: NotificationRow[]): Promise<Notification[]> {
  const postIds = [...new Set(rows.flatMap((row) => (row.postId === null ? [] : [row.postId])))];
  const posts = new Map((await findPosts(db, postIds, viewerId)).map((post) => [post.id, post]));
  return rows.flatMap(({ postId, recipientId: _recipient, room, message, ...row }) => {
    const shown: Notification = { ...row, ...(room ? { room } : {}), ...(message ? { message } : {}) };
    if (postId === null) return [shown];
    const post = posts.get(postId);
    return post ? [{ ...shown, post }] : [];
  });
}

export async function unreadCount(db: Db, userId: number, max: number): Promise<{ count: number }> {
  return { count: await countUnread(db, userId, max) };
}

export function markNotificationsRead(db: Db, userId: number, upToId: number): Promise<void> {
  return markRead(db, userId, upToId);
}
