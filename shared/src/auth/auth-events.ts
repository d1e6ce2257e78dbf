/**
 * Events that cross services when a session or an account's standing changes: a logout revokes
 * one session; an account deletion or suspension ends all of a user's sessions; a block changes
 * what two people see of each other; a moderator deletes a chat message. They travel over
 * PostgreSQL NOTIFY, sent inside the transaction that made the change, so they are delivered
 * exactly when the change commits.
 */
import { EventEmitter } from 'node:events';
import { sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import type { Logger } from '../logger.js';
import { PgListener } from '../db/pg-listener.js';

export const AUTH_EVENTS_CHANNEL = 'murmur_auth_events';

const authEventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('session_revoked'), sessionId: z.string(), userId: z.number().int() }),
  z.object({ type: z.literal('user_deleted'), userId: z.number().int() }),
  /** The account's sessions were revoked with it; unsuspending sends nothing (it logs in again). */
  z.object({ type: z.literal('user_suspended'), userId: z.number().int() }),
  /** The account's profile, posts and messages are shown again. */
  z.object({ type: z.literal('user_unsuspended'), userId: z.number().int() }),
  /** `blockerId` blocked (`blocked: true`) or unblocked `blockedId`. */
  z.object({ type: z.literal('block_changed'), blockerId: z.number().int(), blockedId: z.number().int(), blocked: z.boolean() }),
  /** A platform moderator deleted message `target` of room `roomId`; `seq` is the deletion's. */
  z.object({
    type: z.literal('message_removed'),
    roomId: z.number().int(),
    seq: z.number().int(),
    target: z.number().int(),
    moderator: z.object({ id: z.number().int(), username: z.string() }),
    deletedAt: z.string(),
  }),
]);

export type AuthEvent = z.infer<typeof authEventSchema>;

/**
 * The user whose every session the event ends (a deletion or a suspension); undefined for the
 * events that end one session or none.
 */
export function sessionsEndedFor(event: AuthEvent): number | undefined {
  return event.type === 'user_deleted' || event.type === 'user_suspended' ? event.userId : undefined;
}

/** The statement that publishes `event`; run it in the transaction that makes the change. */
export function notifyAuthEvent(event: AuthEvent): SQL {
  return sql`SELECT pg_notify(${AUTH_EVENTS_CHANNEL}, ${JSON.stringify(event)})`;
}

export interface AuthEventsSubscriberEvents {
  auth_event: [event: AuthEvent];
  /** Emitted on every connect and disconnect: events may have been missed, so caches must be reset. */
  reset: [];
}

/** Auth events from a dedicated LISTEN connection. */
export class AuthEventsSubscriber extends EventEmitter<AuthEventsSubscriberEvents> {
  private readonly listener: PgListener;

  constructor(databaseUrl: string, private readonly logger: Logger) {
    super();
    this.listener = new PgListener(databaseUrl, [AUTH_EVENTS_CHANNEL], logger);
    this.listener.on('notification', (_channel, payload) => this.deliver(payload));
    this.listener.on('connected', () => this.emit('reset'));
    this.listener.on('disconnected', () => this.emit('reset'));
  }

  /** True while events are being received; when false, nothing may be trusted from a cache. */
  get live(): boolean {
    return this.listener.connected;
  }

  start(): Promise<void> {
    return this.listener.start();
  }

  stop(): Promise<void> {
    return this.listener.stop();
  }

  private deliver(payload: string): void {
    let event: AuthEvent;
    try {
      event = authEventSchema.parse(JSON.parse(payload));
    } catch (err) {
      this.logger.warn({ err, payload }, 'ignoring malformed auth event');
      return;
    }
    this.emit('auth_event', event);
  }
}

/** Subscribes to auth events; resolves once listening. */
export async function subscribeAuthEvents(databaseUrl: string, logger: Logger): Promise<AuthEventsSubscriber> {
  const subscriber = new AuthEventsSubscriber(databaseUrl, logger);
  await subscriber.start();
  return subscriber;
}
