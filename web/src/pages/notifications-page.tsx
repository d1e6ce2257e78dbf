/**
 * What others did that concerns the reader, newest first. Opening the page marks every
 * notification read (the newest and all older ones); those that were unread stay marked as new
 * on this visit, so the reader sees what is new.
 */
import { useCallback, useEffect, useRef } from 'preact/hooks';
import type { Notification } from '../api/types.js';
import { api } from '../app/api.js';
import { refreshUnreadNotifications } from '../app/unread-notifications.js';
import { useFailure } from '../app/use-failure.js';
import { Avatar } from '../components/avatar.js';
import { Alert } from '../components/field.js';
import { picturesOf } from '../components/media-grid.js';
import { MoreButton } from '../components/more-button.js';
import { nameOf, postPath } from '../components/post-item.js';
import { TimeAgo } from '../components/time-ago.js';
import { usePages } from '../components/use-pages.js';

/** What the account did, after their name. */
const DID: Record<Notification['type'], string> = {
  follow: 'followed you',
  mention: 'mentioned you',
  reply: 'replied',
  like: 'liked your post',
  repost: 'reposted your post',
  room_invite: 'added you to',
  room_mention: 'mentioned you in',
  direct_message: 'sent you a message',
};

/**
 * A post's or message's text as a link's name: its first line, cut short. Without text (it has
 * pictures alone), `instead`.
 */
const MAX_EXCERPT_CHARACTERS = 80;
function excerpt(text: string, instead: string): string {
  const line = text.trim().split('\n', 1)[0] ?? '';
  if (!line) return instead;
  return line.length > MAX_EXCERPT_CHARACTERS ? `${line.slice(0, MAX_EXCERPT_CHARACTERS - 1)}…` : line;
}

const picturesText = (count: number): string => (count === 1 ? 'A picture' : `${count} pictures`);

function NotificationItem({ notification }: { notification: Notification }) {
  const { account, post, room, message } = notification;
  return (
    <li class={notification.read ? undefined : 'unread'}>
      <p class="what">
        {!notification.read && (
          <>
            <span class="badge">New</span>{' '}
          </>
        )}
        <Avatar user={account} size="small" /> <a href={`/users/${account.id}`}>{nameOf(account)}</a> {DID[notification.type]}{' '}
        {room && room.kind !== 'direct' && (
          <>
            <a href={`/rooms/${room.id}`}>{room.name}</a>{' '}
          </>
        )}
        <span class="muted">
          · <TimeAgo iso={notification.createdAt} />
        </span>
      </p>
      {post && (
        <p class="excerpt">
          <a href={postPath(post.id)}>{excerpt(post.text, picturesText(picturesOf(post).length))}</a>
        </p>
      )}
      {room && message && (
        <p class="excerpt">
          <a href={`/rooms/${room.id}`}>{excerpt(message.text, 'Pictures')}</a>
        </p>
      )}
    </li>
  );
}

export function NotificationsPage() {
  const load = useCallback((cursor: string | null) => api.notifications({ cursor }), []);
  const pages = usePages<Notification>(load, 'notifications');
  const [markError, fail] = useFailure();

  // The newest one marks it and every older one read: once, when the first page arrives.
  const newest = pages.items[0];
  const marked = useRef<number>(undefined);
  useEffect(() => {
    if (!newest || newest.read || marked.current !== undefined) return;
    marked.current = newest.id;
    api.markNotificationsRead(newest.id).then(refreshUnreadNotifications, fail);
  }, [newest, fail]);

  return (
    <>
      <h1>Notifications</h1>
      <Alert message={pages.error ?? markError} />
      <ul class="notifications">
        {pages.items.map((notification) => (
          <NotificationItem key={notification.id} notification={notification} />
        ))}
      </ul>
      {!pages.loading && !pages.error && pages.items.length === 0 && <p>Nothing yet. When someone follows you, mentions you, replies to, likes or reposts your posts, adds you to a room or writes to you, it shows here.</p>}
      <MoreButton pages={pages} label="Show older" />
    </>
  );
}
