/**
 * The app's one live connection: a StreamConnection made when someone signs in and closed when
 * they sign out. Everything live reads from it: the notifications count, new posts on the home
 * page, the rooms list, and every open room, which subscribes over it.
 *
 * Its events are handed on through one app-wide emitter, so a page may listen before the
 * connection exists (a page's effects run before the app's) and across reconnections.
 */
import { useEffect } from 'preact/hooks';
import { Emitter } from '../protocol/emitter.js';
import type { SocketLike } from '../protocol/room-connection.js';
import { StreamConnection, type StreamEvents } from '../protocol/stream-connection.js';
import { api, isUnauthorized } from './api.js';
import { ACCOUNT_SUSPENDED_NOTICE, SESSION_ENDED_NOTICE } from './session.js';

const FORWARDED: Array<keyof StreamEvents> = ['status', 'ready', 'notification', 'timeline', 'timelineDelete', 'roomActivity'];

const events = new Emitter<StreamEvents>();
let live: StreamConnection | undefined;

/**
 * Makes the live connection of the person signing in (not yet connected: `connect` opens it);
 * `onSessionEnded` runs with what to tell the person if the server ends the session (a suspension
 * included: close 4004). Resolves the function that closes it.
 */
export function createLive(onSessionEnded: (notice: string) => void): { connect(): void; close(): void } {
  const stream = new StreamConnection({
    url: api.streamUrl(location.origin),
    createSocket: (url) => new WebSocket(url),
    checkSession: () =>
      api.me().then(
        () => true,
        (err: unknown) => !isUnauthorized(err),
      ),
  });
  live = stream;
  const stops = FORWARDED.map((type) => stream.on(type, (value) => events.emit(type, value)));
  stops.push(
    stream.on('status', (status) => {
      if (status === 'session-ended') onSessionEnded(SESSION_ENDED_NOTICE);
      if (status === 'suspended') onSessionEnded(ACCOUNT_SUSPENDED_NOTICE);
    }),
  );
  // The browser is back online: no need to wait out the backoff.
  const online = () => stream.reconnectNow();
  return {
    connect() {
      window.addEventListener('online', online);
      stream.connect();
    },
    close() {
      window.removeEventListener('online', online);
      for (const stop of stops) stop();
      stream.close();
      if (live === stream) live = undefined;
    },
  };
}

/** A room's socket on the live connection, for RoomConnection's `createSocket`. */
export function liveRoomSocket(roomId: number, url: string): SocketLike {
  if (!live) throw new Error('nobody is signed in: there is no live connection');
  return live.roomSocket(roomId, url);
}

/** Runs `listener` for each live event of `type` while the component is mounted. */
export function useLive<K extends keyof StreamEvents>(type: K, listener: (value: StreamEvents[K]) => void): void {
  useEffect(() => events.on(type, listener), [type, listener]);
}

/** Listens to live events outside a component; returns the function that stops. */
export function onLive<K extends keyof StreamEvents>(type: K, listener: (value: StreamEvents[K]) => void): () => void {
  return events.on(type, listener);
}
