/**
 * Authenticates WebSocket upgrades in the HTTP server's 'upgrade' event (as the ws docs advise,
 * rather than verifyClient): path, Origin, token and room are checked before the handshake, and
 * a refusal is a plain HTTP response, e.g. 401 with `{"error":{...}}`, after which the socket is
 * closed.
 */
import { STATUS_CODES, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { WebSocket, WebSocketServer } from 'ws';
import { AppError, forbidden, notFound, unauthorized, unavailable } from '@murmur/shared/errors';
import { clientAddress, errorBody, isCrossSiteRequest, knownError, parseInput } from '@murmur/shared/http';
import { readRequestToken, type AuthUser, type VerifyToken } from '@murmur/shared/auth';
import type { Logger } from '@murmur/shared/logger';
import { joinQuery, roomIdParam, streamQuery } from '../routes/rooms.schemas.js';
import type { ConnectionCaps, Release } from './connection-caps.js';

const JOIN_PATH = /^\/ws\/joinRoom\/([^/]+)$/;
const STREAM_PATH = '/ws/stream';

export interface UpgradeOptions {
  wss: WebSocketServer;
  verifyToken: VerifyToken;
  allowedOrigins: readonly string[];
  /** COOKIE_SECURE: the token is read from the `__Host-` cookie only (see authCookieName). */
  cookieSecure: boolean;
  /** Connections per user and per address; a slot is held from the upgrade until the socket closes. */
  caps: ConnectionCaps;
  /** Reverse proxies to trust for the client address. */
  trustProxyHops: number;
  /**
   * Lets the user into the room or refuses: 404 for an unknown room or someone else's private or
   * direct room, 403 for a ban; records the membership of a public room.
   */
  admit(roomId: number, userId: number): Promise<void>;
  /**
   * Takes over an accepted socket; `user` carries the session and the token's expiry, `token` is
   * the token itself (a stream reads the person's missed notifications with it).
   */
  onConnection(ws: WebSocket, user: AuthUser, target: JoinTarget, token: string): void;
  isStopping(): boolean;
  logger: Logger;
}

/**
 * What a socket is opened for: one room (`since` is a seq of that room), or the person's stream
 * (`since` is a notification id).
 */
export type JoinTarget = { kind: 'room'; roomId: number; since: number | undefined } | { kind: 'stream'; since: number | undefined };

/**
 * Parses `/ws/joinRoom/:roomId?since=` and `/ws/stream?since=`: 404 for another path, 400 for a
 * bad id or cursor.
 */
export function parseJoinTarget(rawUrl: string | undefined): JoinTarget {
  const url = new URL(rawUrl ?? '/', 'http://localhost');
  const query = Object.fromEntries(url.searchParams);
  if (url.pathname === STREAM_PATH) return { kind: 'stream', since: parseInput(streamQuery, query, 'query').since };
  const match = JOIN_PATH.exec(url.pathname);
  if (!match) throw notFound('NOT_FOUND', `no WebSocket endpoint at ${url.pathname}`);
  const { roomId } = parseInput(roomIdParam, { roomId: match[1] }, 'roomId');
  return { kind: 'room', roomId, since: parseInput(joinQuery, query, 'query').since };
}

/** The HTTP server's 'upgrade' listener. */
export function createUpgradeHandler(options: UpgradeOptions): (req: IncomingMessage, socket: Duplex, head: Buffer) => void {
  return (req, socket, head) => {
    void handleUpgrade(options, req, socket, head);
  };
}

/** Errors on a socket still in our hands are answered by refusing; never an uncaught 'error'. */
function ignoreSocketError(): void {}

async function handleUpgrade(options: UpgradeOptions, req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
  socket.on('error', ignoreSocketError);
  // Every slot claimed is given back when the TCP socket closes, whatever closes it: a refusal, a
  // handshake ws aborts, the chat socket's end, or the client hanging up mid-upgrade (then a slot
  // claimed after the close is given back at once).
  const releases: Release[] = [];
  let closed = false;
  const hold = (release: Release) => {
    releases.push(release);
    if (closed) release();
  };
  const releaseAll = () => {
    closed = true;
    for (const release of releases) release();
  };
  socket.once('close', releaseAll);
  try {
    const target = parseJoinTarget(req.url);
    if (options.isStopping()) throw unavailable('SHUTTING_DOWN', 'the server is shutting down; reconnect shortly');
    // A browser sends Origin with every WebSocket; a page from another site must not ride on the
    // visitor's cookie (cross-site WebSocket hijacking).
    if (isCrossSiteRequest(req, options.allowedOrigins)) throw forbidden('ORIGIN_NOT_ALLOWED', 'WebSockets from this origin are refused');
    hold(options.caps.claimAddress(clientAddress(req, options.trustProxyHops)));
    const found = readRequestToken(req, options.cookieSecure);
    if (!found) throw unauthorized('AUTH_REQUIRED', 'log in first: send a Bearer token or the auth cookie');
    const user = await options.verifyToken(found.token);
    hold(options.caps.claimUser(user.id));
    if (target.kind === 'room') await options.admit(target.roomId, user.id);
    if (socket.destroyed) return;
    if (options.isStopping()) throw unavailable('SHUTTING_DOWN', 'the server is shutting down; reconnect shortly');
    options.wss.handleUpgrade(req, socket, head, (ws) => {
      socket.off('error', ignoreSocketError);
      options.onConnection(ws, user, target, found.token);
    });
  } catch (err) {
    releaseAll();
    refuse(options.logger, socket, err);
  }
}

/** Answers the upgrade request with an HTTP error and closes the socket. */
function refuse(logger: Logger, socket: Duplex, err: unknown): void {
  const known = knownError(err);
  if (!known) logger.error({ err }, 'websocket upgrade failed');
  const error = known ?? new AppError(500, 'INTERNAL', 'something went wrong');
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const body = JSON.stringify(errorBody(error));
  const headers = [
    `HTTP/1.1 ${error.status} ${STATUS_CODES[error.status] ?? 'Error'}`,
    'Connection: close',
    'Content-Type: application/json; charset=utf-8',
    `Content-Length: ${Buffer.byteLength(body)}`,
    ...Object.entries(error.headers).map(([name, value]) => `${name}: ${value}`),
  ];
  socket.once('finish', () => socket.destroy());
  socket.end(`${headers.join('\r\n')}\r\n\r\n${body}`);
}
