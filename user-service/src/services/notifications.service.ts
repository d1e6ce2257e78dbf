/**
 * A person's notifications: the list (each with the post it is about, as every list shows
 * posts), the unread count and the read marker. Which actions make one is decided beside each
 * action's write (notifications.repo.ts).
 */
import type { Db } from '@murmur/shared/db';
import { toPage, type Page, type PageRequest } from '@murmur/shared/http';
import { countUnread, listNotifications, markRead, type NotificationRow, type NotificationType } from '../repos/notifications.repo.js';
import { findPosts, type Post } from '../repos/post-view.repo.js';

export interface Notification extends Omit<NotificationRow, 'postId'> {
  /** The post it is about (the reply, the mention, the post liked or reposted); absent for a follow. */
  post?: Post;
}

export async function notificationsOf(db: Db, userId: number, types: NotificationType[] | undefined, page: PageRequest): Promise<Page<Notification>> {
  const rows = await listNotifications(db, userId, types, page);
  const postIds = [...new Set(rows.flatMap((row) => (row.postId === null ? [] : [row.postId])))];
  const posts = new Map((await findPosts(db, postIds, userId)).map((post) => [post.id, post]));
  // A post deleted since the list was read takes its notification with it, as the table does.
  const shown = rows.filter((row) => row.postId === null || posts.has(row.postId));
  return toPage(
    shown,
    page.limit,
    (row) => row.id,
    ({ postId, ...row }) => (postId === null ? row : { ...row, post: posts.get(postId)! }),
  );
}

export async function unreadCount(db: Db, userId: number, max: number): Promise<{ count: number }> {
  return { count: await countUnread(db, userId, max) };
}

export function markNotificationsRead(db: Db, userId: number, upToId: number): Promise<void> {
  return markRead(db, userId, upToId);
}
