/**
 * Closes the sockets of members who were removed from a room, on every instance: a removal sends
 * a PostgreSQL NOTIFY in the transaction that removes them (repos/members.repo.ts), so every
 * instance hears it exactly when it commits, whichever instance made it and whether or not Redis
 * is up. Notifications sent while the listening connection was down are lost, so when it
 * (re)connects every socket's membership is checked again, until a check succeeds.
 */
import { PgListener } from '@murmur/shared/db';
import type { Logger } from '@murmur/shared/logger';
import { z } from 'zod';
import { ROOM_EVENTS_CHANNEL } from '../store/members.repo.js';
import { CloseCode } from './close-codes.js';
import type { Client } from './client.js';

/** How long to wait before checking the sockets' memberships again after a check failed. */
const RECHECK_RETRY_MS = 1_000;

const memberRemoved = z.object({ type: z.literal('member_removed'), roomId: z.number().int(), userId: z.number().int() });

export interface MembershipCloserOptions {
  databaseUrl: string;
  connections: Iterable<Client>;
  /** For each socket, whether its user is still a member of its room (and not banned). */
  stillMembers(clients: Client[]): Promise<boolean[]>;
  logger: Logger;
}

const closeRemoved = (client: Client) => client.close(CloseCode.REMOVED_FROM_ROOM, 'removed from the room', true);

/** Listens for removals until the returned function is called; the first connection is made in the background. */
export function closeRemovedMembers(options: MembershipCloserOptions): () => Promise<void> {
  const { connections, logger } = options;
  const listener = new PgListener(options.databaseUrl, [ROOM_EVENTS_CHANNEL], logger);
  let retry: NodeJS.Timeout | undefined;

  const recheckAll = () => {
    clearTimeout(retry);
    const clients = [...connections];
    if (clients.length === 0) return;
    options.stillMembers(clients).then(
      (kept) => clients.forEach((client, i) => kept[i] || closeRemoved(client)),
      (err: unknown) => {
        logger.warn({ err }, 'could not recheck memberships after the room events connection came back; retrying');
        if (!listener.connected) return; // the next connection checks again
        retry = setTimeout(recheckAll, RECHECK_RETRY_MS);
        retry.unref();
      },
    );
  };

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
  listener.on('connected', recheckAll);
  listener.start().catch((err: unknown) => logger.warn({ err }, 'listening for room events failed; retrying'));
  return () => {
    clearTimeout(retry);
    return listener.stop();
  };
}
