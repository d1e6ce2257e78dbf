/**
 * Events that cross services when a session ends: a logout revokes one session, an account
 * deletion ends all of a user's sessions. They travel over PostgreSQL NOTIFY, sent inside the
 * transaction that made the change, so they are delivered exactly when the change commits.
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
]);

export type AuthEvent = z.infer<typeof authEventSchema>;

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
