/** A person's notifications. */
import { z } from 'zod';
import type { Db } from '@murmur/shared/db';
import { currentUser, jsonIdSchema, MAX_BIGINT_ID, numericCursor, pageLimit, pageOf, type ApiRoutes } from '@murmur/shared/http';
import { NOTIFICATION_TYPES } from '../repos/notifications.repo.js';
import { markNotificationsRead, notificationsOf, unreadCount } from '../services/notifications.service.js';
import { notificationSchema } from './user.schemas.js';

/** `?types=mention,reply`: known types, each once at most. */
const typesList = z
  .string()
  .transform((list) => [...new Set(list.split(','))])
  .pipe(z.array(z.enum(NOTIFICATION_TYPES, { error: `must be a comma-separated list of ${NOTIFICATION_TYPES.join(', ')}` })))
  .optional()
  .describe(`only these types (${NOTIFICATION_TYPES.join(', ')}), comma-separated`);

const listQuery = z.object({
  limit: pageLimit,
  cursor: numericCursor.optional(),
  since: numericCursor.optional().describe('only notifications newer than this id (what a client missed since it last looked)'),
  types: typesList,
});

/** @param maxUnreadCount the most unread notifications GET /notifications/unread_count counts */
export function declareNotificationsRoutes(api: ApiRoutes, db: Db, maxUnreadCount: number): void {
  api.add(
    {
      method: 'get',
      path: '/notifications',
      tag: 'notifications',
      summary: 'The caller’s notifications, newest first',
      description: 'Nobody is notified of their own actions, and at most once per type, account and post.',
      auth: 'required',
      query: listQuery,
      response: { description: 'a page of notifications', body: pageOf(notificationSchema) },
    },
    ({ query: { types, since, ...page } }, req) => notificationsOf(db, currentUser(req).id, { types, since }, page),
  );

  api.add(
    {
      method: 'get',
      path: '/notifications/unread_count',
      tag: 'notifications',
      summary: 'How many of the caller’s notifications are unread',
      description: `Counted up to ${maxUnreadCount}.`,
      auth: 'required',
      response: { description: 'the count', body: z.object({ count: z.number().int() }) },
    },
    (_input, req) => unreadCount(db, currentUser(req).id, maxUnreadCount),
  );

  api.add(
    {
      method: 'post',
      path: '/notifications/read',
      tag: 'notifications',
      summary: 'Mark a notification and every older one read',
      auth: 'required',
      body: z.object({ upToId: jsonIdSchema(MAX_BIGINT_ID).describe('the newest notification read') }),
      response: { status: 204, description: 'marked' },
    },
    async ({ body }, req) => {
      await markNotificationsRead(db, currentUser(req).id, body.upToId);
    },
  );
}
