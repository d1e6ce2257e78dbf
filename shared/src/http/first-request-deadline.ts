/**
 * Bounds the connections that have not yet sent a complete first request: each gets a deadline,
 * and at most `maxPending` wait at once.
 *
 * Why it exists: such a connection costs a socket and a parser while giving nothing, so an
 * attacker can open them by the thousand. Node expires it only on its periodic connections check
 * (`headersTimeout`), and caps connections only all together (`server.maxConnections`), which would
 * also refuse the WebSockets and keep-alive clients a busy instance rightly holds. Here the
 * deadline is exact and the cap counts only the connections still waiting for their request.
 *
 * A connection leaves the waiting set on the server's 'request' event, when the server's upgrade
 * listener calls `release`, or when it closes. Later requests on a keep-alive connection are
 * bounded by Node's `headersTimeout` and `keepAliveTimeout`, so they need nothing from this module.
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';

export interface FirstRequestDeadlineOptions {
  /** How long a connection may take to send its first request's headers. */
  timeoutMs: number;
  /** Most connections waiting for their first request at once. */
  maxPending: number;
}

export interface FirstRequestDeadline {
  /** Takes `socket` out of the waiting set: its request has arrived. */
  release(socket: Duplex): void;
}

/** What Node itself answers when `headersTimeout` passes, so a client sees one behaviour either way. */
const REQUEST_TIMEOUT_RESPONSE = 'HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n\r\n';

/**
 * Tracks `server`'s connections from 'connection' to their first 'request'. The server's upgrade
 * listener must call `release` itself: adding an 'upgrade' listener here would make Node hand
 * every upgrade request of a service without WebSockets to a listener that never answers it.
 */
export function enforceFirstRequestDeadline(server: Server, { timeoutMs, maxPending }: FirstRequestDeadlineOptions): FirstRequestDeadline {
  // A Map keeps insertion order, so its first key is the connection that has waited longest.
  const waiting = new Map<Duplex, NodeJS.Timeout>();

  const release = (socket: Duplex): void => {
    const timer = waiting.get(socket);
    if (timer === undefined) return;
    clearTimeout(timer);
    waiting.delete(socket);
  };

  server.on('connection', (socket: Socket) => {
    if (waiting.size >= maxPending) {
      // The set is full: the connection that has waited longest goes, and the new one is kept.
      // A real client sends its request within a round trip of connecting, so it stays in the
      // set for milliseconds, while the connections that fill it are silent or trickling. Were
      // the newest refused instead, an attacker renewing `maxPending` silent connections once
      // per timeout (100 a second with the defaults) would lock every new client out; evicting
      // the oldest, it has to open `maxPending` connections within each client's round trip.
      const oldest = waiting.keys().next().value;
      if (oldest !== undefined) {
        release(oldest);
        oldest.destroy();
      }
    }
    const timer = setTimeout(() => {
      waiting.delete(socket);
      if (socket.writable) socket.write(REQUEST_TIMEOUT_RESPONSE);
      socket.destroy();
    }, timeoutMs);
    // The listening server keeps the process alive; a pending deadline need not.
    timer.unref();
    waiting.set(socket, timer);
    socket.once('close', () => release(socket));
  });
  server.on('request', (req: IncomingMessage) => release(req.socket));

  return { release };
}
