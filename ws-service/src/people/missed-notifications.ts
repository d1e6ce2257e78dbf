/**
 * The notifications a reconnecting stream missed (`/ws/stream?since=<id>`), read from
 * user-service, which owns how a notification looks (its account, its post as every list shows
 * posts). Asked with the person's own token, so user-service applies its own rules to the answer.
 */
import { z } from 'zod';
import { MAX_PAGE_SIZE } from '@murmur/shared/http';

/** What user-service answers to `GET /notifications?since=`: a page, newest first. */
const notificationsPage = z.object({
  items: z.array(z.object({ id: z.number().int() }).passthrough()),
  nextCursor: z.string().nullable(),
});

export interface MissedNotifications {
  /** The `notification` events, oldest first, with their ids. */
  events: Array<{ json: string; notificationId: number }>;
  /** True when more were missed than one page holds: the oldest were left out. */
  truncated: boolean;
}

export interface MissedNotificationsOptions {
  /** user-service's base URL. */
  baseUrl: string;
  /** How long to wait for its answer. */
  timeoutMs: number;
}

/** The person's notifications after `since`, at most one page (the newest); throws when user-service cannot answer. */
export async function fetchMissedNotifications(options: MissedNotificationsOptions, token: string, since: number): Promise<MissedNotifications> {
  const url = new URL('/notifications', options.baseUrl);
  url.searchParams.set('since', String(since));
  url.searchParams.set('limit', String(MAX_PAGE_SIZE));
  const res = await fetch(url, { headers: { authorization: `Bearer ${token}`, accept: 'application/json' }, signal: AbortSignal.timeout(options.timeoutMs) });
  if (!res.ok) throw new Error(`user-service answered ${res.status} to ${url.pathname}`);
  const page = notificationsPage.parse(await res.json());
  const events = page.items
    .map((notification) => ({ json: JSON.stringify({ type: 'notification', notification }), notificationId: notification.id }))
    .reverse();
  return { events, truncated: page.nextCursor !== null };
}
