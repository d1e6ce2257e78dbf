/** Test support: the protocol module on `ws`'s WebSocket (Node 20 has no global one), authenticated by bearer token. */
import WebSocket from 'ws';
import { within } from '@murmur/shared/testing';
import type { ServiceBases } from '../src/api/client.js';
import type { RoomConnection, RoomConnectionEvents, SocketLike } from '../src/protocol/room-connection.js';

export interface OpenedSockets {
  /** Every URL a socket was opened with, in order. */
  urls: string[];
  /** When each was opened (Date.now()). */
  times: number[];
  /** The sockets, so a test can drop one. */
  sockets: WebSocket[];
}

/** A socket factory for `token`'s user that records what it opened; `wrap` may stand between the socket and the module. */
export function socketFactory(token: string, wrap: (ws: WebSocket) => SocketLike = (ws) => ws) {
  const opened: OpenedSockets = { urls: [], times: [], sockets: [] };
  const createSocket = (url: string): SocketLike => {
    const ws = new WebSocket(url, { headers: { authorization: `Bearer ${token}` } });
    ws.on('error', () => undefined); // a refused upgrade is a close to the module
    opened.urls.push(url);
    opened.times.push(Date.now());
    opened.sockets.push(ws);
    return wrap(ws);
  };
  return { createSocket, opened };
}

/** The next `type` event of `connection` that matches `where`, within `timeoutMs`. */
export function nextOf<K extends keyof RoomConnectionEvents>(
  connection: RoomConnection,
  type: K,
  where: (value: RoomConnectionEvents[K]) => boolean = () => true,
  timeoutMs = 3_000,
): Promise<RoomConnectionEvents[K]> {
  let off: () => void = () => undefined;
  const seen = new Promise<RoomConnectionEvents[K]>((resolve) => {
    off = connection.on(type, (value) => {
      if (!where(value)) return;
      off();
      resolve(value);
    });
  });
  return within(seen, timeoutMs, `a ${String(type)} event`).finally(off);
}

/** Resolves once `connection` reports `status` (at once if it already does). */
export function statusOf(connection: RoomConnection, status: RoomConnectionEvents['status'], timeoutMs = 3_000): Promise<unknown> {
  if (connection.status === status) return Promise.resolve();
  return nextOf(connection, 'status', (s) => s === status, timeoutMs);
}

/** The services' own base URLs, as a client outside the gateway addresses them. */
export function directBases(authUrl: string, chatUrl: string, usersUrl = 'http://127.0.0.1:9'): ServiceBases {
  return { auth: authUrl, users: usersUrl, chat: chatUrl };
}
