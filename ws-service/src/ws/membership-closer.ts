/**
 * Closes the sockets of members who were removed from a room, on every instance: the removal
 * sends a PostgreSQL NOTIFY in its own transaction, so every instance hears it exactly when it
 * commits, whichever instance made it and whether or not Redis is up. Notifications sent while
 * the listening connection was down are lost, so when it (re)connects every socket's membership
 * is checked against room_members.
 */
import { PgListener, type SqlExecutor } from '@murmur/shared/db';
import type { Logger } from '@murmur/shared/logger';
import { z } from 'zod';
import { CloseCode } from './close-codes.js';
import type { Client } from './client.js';

export const ROOM_EVENTS_CHANNEL = 'murmur_room_events';

const memberRemoved = z.object({ type: z.literal('member_removed'), roomId: z.number().int(), userId: z.number().int() });

/** Announces that `userId` is no longer in the room; run it in the transaction that removes them. */
export async function notifyMemberRemoved(tx: SqlExecutor, roomId: number, userId: number): Promise<void> {
  await tx.executeSql('SELECT pg_notify($1, $2)', [ROOM_EVENTS_CHANNEL, JSON.stringify({ type: 'member_removed', roomId, userId })]);
}

export interface MembershipCloserOptions {
  databaseUrl: string;
  connections: Iterable<Client>;
  /** The keys (`membershipKey`) among `pairs` that are still memberships. */
  currentMemberships(pairs: Array<{ roomId: number; userId: number }>): Promise<Set<string>>;
  membershipKey(roomId: number, userId: number): string;
  logger: Logger;
}

const closeRemoved = (client: Client) => client.close(CloseCode.REMOVED_FROM_ROOM, 'removed from the room', true);

/** Listens for removals until the returned function is called; the first connection is made in the background. */
export function closeRemovedMembers(options: MembershipCloserOptions): () => Promise<void> {
  const { connections, logger } = options;
  const listener = new PgListener(options.databaseUrl, [ROOM_EVENTS_CHANNEL], logger);
  listener.on('notification', (_channel, payload) => {
    let event: z.infer<typeof memberRemoved>;
    try {
      event = memberRemoved.parse(JSON.parse(payload));
    } catch (err) {
      logger.warn({ err, payload }, 'ignoring a malformed room event');
      return;
    }
    for (const client of connections) if (client.roomId === event.roomId && client.user.id === event.userId) closeRemoved(client);
  });
  listener.on('connected', () => {
    const clients = [...connections];
    if (clients.length === 0) return;
    options.currentMemberships(clients.map((c) => ({ roomId: c.roomId, userId: c.user.id }))).then(
      (kept) => {
        for (const client of clients) if (!kept.has(options.membershipKey(client.roomId, client.user.id))) closeRemoved(client);
      },
      (err: unknown) => logger.warn({ err }, 'could not recheck memberships after the room events connection came back'),
    );
  });
  listener.start().catch((err: unknown) => logger.warn({ err }, 'listening for room events failed; retrying'));
  return () => listener.stop();
}
