/**
 * Follows membership changes on every instance. A removal ends the removed member's
 * subscriptions to the room (a `/ws/joinRoom` socket closes with 4003, a stream hears
 * `unsubscribed`); an addition lets the person's streams watch the room for `room_activity`.
 * Each change sends a PostgreSQL NOTIFY in the transaction that makes it (store/members.repo.ts),
 * so every instance hears it exactly when it commits, whichever instance made it and whether or
 * not Redis is up. Notifications sent while the listening connection was down are lost, so when
 * it (re)connects every socket's membership is checked again, until a check succeeds.
 */
import type { PgListener } from '@murmur/shared/db';
import type { Logger } from '@murmur/shared/logger';
import { z } from 'zod';
import { ROOM_EVENTS_CHANNEL } from '../store/members.repo.js';
import type { Client } from './client.js';
import type { RoomSubscription } from '../delivery/room-subscription.js';

/** How long to wait before checking the sockets' memberships again after a check failed. */
const RECHECK_RETRY_MS = 1_000;

const membershipChange = z.object({ type: z.enum(['member_added', 'member_removed']), roomId: z.number().int(), userId: z.number().int() });

export interface MembershipEventsOptions {
  /** The instance's LISTEN connection, listening to ROOM_EVENTS_CHANNEL among others; its owner starts and stops it. */
  listener: PgListener;
  connections: Iterable<Client>;
  /** Called for each addition heard: the person's streams watch the room. */
  onAdded(roomId: number, userId: number): void;
  /** Called for each removal heard, before the subscriptions end: the removed person's streams stop watching the room. */
  onRemoved(roomId: number, userId: number): void;
  /** For each subscription, whether its user is still a member of its room (and not banned). */
  stillMembers(rooms: RoomSubscription[]): Promise<boolean[]>;
  logger: Logger;
}

const endRemoved = (room: RoomSubscription) => room.end('removed');
const subscriptionsOf = (connections: Iterable<Client>) => [...connections].flatMap((client) => [...client.subscriptions.values()]);

/** Follows membership changes until the returned function is called. */
export function followMembershipChanges(options: MembershipEventsOptions): () => void {
  const { connections, logger, listener } = options;
  let retry: NodeJS.Timeout | undefined;

  const recheckAll = () => {
    clearTimeout(retry);
    const rooms = subscriptionsOf(connections);
    if (rooms.length === 0) return;
    options.stillMembers(rooms).then(
      (kept) => rooms.forEach((room, i) => kept[i] || endRemoved(room)),
      (err: unknown) => {
        logger.warn({ err }, 'could not recheck memberships after the room events connection came back; retrying');
        if (!listener.connected) return; // the next connection checks again
        retry = setTimeout(recheckAll, RECHECK_RETRY_MS);
        retry.unref();
      },
    );
  };

  const onNotification = (channel: string, payload: string) => {
    if (channel !== ROOM_EVENTS_CHANNEL) return;
    let event: z.infer<typeof membershipChange>;
    try {
      event = membershipChange.parse(JSON.parse(payload));
    } catch (err) {
      logger.warn({ err, payload }, 'ignoring a malformed room event');
      return;
    }
    if (event.type === 'member_added') {
      options.onAdded(event.roomId, event.userId);
      return;
    }
    options.onRemoved(event.roomId, event.userId);
    for (const client of connections) {
      const room = client.user.id === event.userId ? client.subscriptions.get(event.roomId) : undefined;
      if (room) endRemoved(room);
    }
  };
  listener.on('notification', onNotification);
  listener.on('connected', recheckAll);
  return () => {
    clearTimeout(retry);
    listener.off('notification', onNotification);
    listener.off('connected', recheckAll);
  };
}
