/**
 * Closes sockets whose session ended elsewhere: a logout closes that session's sockets, an account
 * deletion or suspension all of the user's (a suspension with its own close code, which tells the
 * client not to reconnect), as soon as the auth event arrives (PostgreSQL NOTIFY). Events sent
 * while the event connection was down are lost, so when it comes back every connected session is
 * checked against the sessions table.
 */
import { sessionsEndedFor, type AuthEvent, type AuthEventsSubscriber } from '@murmur/shared/auth';
import type { Logger } from '@murmur/shared/logger';
import { CloseCode } from './close-codes.js';
import type { Client } from './client.js';

export interface SessionCloserOptions {
  authEvents: AuthEventsSubscriber;
  connections: Iterable<Client>;
  /** The ids among `ids` of sessions still valid. */
  activeSessionIds(ids: string[]): Promise<Set<string>>;
  logger: Logger;
}

const endSession = (client: Client) => client.close(CloseCode.SESSION_ENDED, 'session ended', true);
const suspend = (client: Client) => client.close(CloseCode.ACCOUNT_SUSPENDED, 'account suspended', true);

/** Subscribes to auth events; returns the function that unsubscribes. */
export function closeEndedSessions(options: SessionCloserOptions): () => void {
  const { authEvents, connections } = options;
  const onEvent = (event: AuthEvent) => {
    const userId = sessionsEndedFor(event);
    if (event.type !== 'session_revoked' && userId === undefined) return;
    const close = event.type === 'user_suspended' ? suspend : endSession;
    for (const client of connections) {
      const ended = event.type === 'session_revoked' ? client.auth.sessionId === event.sessionId : client.auth.id === userId;
      if (ended) close(client);
    }
  };
  const onReset = () => {
    if (!authEvents.live) return; // checked when the connection is back
    const ids = [...new Set([...connections].map((c) => c.auth.sessionId))];
    if (ids.length === 0) return;
    options.activeSessionIds(ids).then(
      (active) => {
        for (const client of connections) if (!active.has(client.auth.sessionId)) endSession(client);
      },
      (err: unknown) => options.logger.warn({ err }, 'could not recheck sessions after the auth events connection came back'),
    );
  };
  authEvents.on('auth_event', onEvent);
  authEvents.on('reset', onReset);
  return () => {
    authEvents.off('auth_event', onEvent);
    authEvents.off('reset', onReset);
  };
}
