/**
 * The whole ws-service server: the REST app and the WebSocket endpoint on one HTTP server, with
 * the hub, heartbeat and session closing wired in. main.ts and the tests share it.
 */
import http from 'node:http';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { WebSocketServer, type WebSocket } from 'ws';
import type { AuthUser } from '@murmur/shared/jwt';
import { createHttpServer, listenOn } from '@murmur/shared/http';
import { createApp } from './app.js';
import type { ServiceDeps } from './deps.js';
import { activeSessionIds } from './repos/sessions.repo.js';
import { MessageWriter } from './services/message-writer.js';
import { joinMessages, joinRoom, MAX_RESUME_MESSAGES } from './services/rooms.service.js';
import type { Broker } from './ws/broker.js';
import { Client, type ClientContext } from './ws/client.js';
import { CloseCode } from './ws/close-codes.js';
import { openClusterLinks } from './ws/cluster-links.js';
import { FlushScheduler } from './ws/flush-scheduler.js';
import { startHeartbeat } from './ws/heartbeat.js';
import { Hub } from './ws/hub.js';
import type { PresenceTracker } from './ws/presence.js';
import { encodeEvent, type ChatMessage, type EncodedEvent } from './ws/protocol.js';
import { closeEndedSessions } from './ws/session-closer.js';
import { createUpgradeHandler, type JoinTarget } from './ws/upgrade.js';

/** Largest frame a client may send; ws closes the connection with 1009 above it. */
export const MAX_PAYLOAD_BYTES = 64 * 1024;
/** How long shutdown waits for clients to answer the close frame before cutting them off; well under the 10 s deadline. */
const CLOSE_GRACE_MS = 3_000;

export interface WsServer {
  server: http.Server;
  hub: Hub;
  /** Reaches the other instances. */
  broker: Broker;
  /** Who is connected where, across the cluster. */
  presence: PresenceTracker;
  /** Every open client connection on this instance. */
  connections: ReadonlySet<Client>;
  /** Listens on `port` (0 for any); resolves with the port. */
  listen(port: number, host?: string): Promise<number>;
  /**
   * Stops accepting, tells every client `server_shutting_down`, finishes pending message stores
   * (their acknowledgements still go out), closes every socket with 1001 and the server.
   */
  shutdown(): Promise<void>;
}

export interface WsServerOptions {
  /** Reaches other instances; from the config by default (Redis with REDIS_URL, else in-memory). The server closes it. */
  broker?: Broker;
  /** Tracks presence across instances; from the config by default, like the broker. The server closes it. */
  presence?: PresenceTracker;
}

/**
 * The events that resume a reconnecting client: the missed messages, newest kept, within
 * `budgetBytes` so the resume itself never trips the slow-consumer bound. When older missed
 * messages are left out, a RESUME_GAP error first tells the client where to page them over REST.
 */
export function resumeEvents(roomId: number, missed: ChatMessage[], budgetBytes: number): EncodedEvent[] {
  const events = missed.map((message) => encodeEvent({ type: 'message', ...message }));
  let first = events.length;
  for (let bytes = 0; first > 0 && bytes + events[first - 1]!.bytes <= budgetBytes; first -= 1) bytes += events[first - 1]!.bytes;
  const kept = events.slice(first);
  if (first === 0 && missed.length < MAX_RESUME_MESSAGES) return kept;
  const oldestKept = missed[first]?.id;
  const where = oldestKept === undefined ? '' : `?before=${oldestKept}`;
  const gap = encodeEvent({
    type: 'error',
    code: 'RESUME_GAP',
    message: `older missed messages were not resent; page them with GET /ws/rooms/${roomId}/messages${where}`,
  });
  return [gap, ...kept];
}

export function createWsServer(deps: ServiceDeps, options: WsServerOptions = {}): WsServer {
  const { config, logger } = deps;
  const db = deps.database.db;
  const instanceId = randomUUID();
  const { broker, presence } = openClusterLinks(config, logger, instanceId, options);
  const hub = new Hub(broker, presence, instanceId);
  const writer = new MessageWriter(db);
  const connections = new Set<Client>();
  let stopping = false;

  const ctx: ClientContext = {
    hub,
    scheduler: new FlushScheduler(),
    limits: {
      maxBufferedBytes: config.WS_MAX_BUFFERED_BYTES,
      messagesPerSecond: config.WS_MESSAGES_PER_SECOND,
      burst: config.WS_MESSAGE_BURST,
    },
    logger,
    isStopping: () => stopping,
    onDetach: (client) => connections.delete(client),
    postMessage(client, text, clientMsgId) {
      writer.store({ roomId: client.roomId, userId: client.user.id, text, clientMsgId: clientMsgId ?? null }).then(
        (stored) => {
          const message: ChatMessage = {
            id: stored.id,
            roomId: client.roomId,
            user: client.user,
            text,
            createdAt: stored.createdAt.toISOString(),
          };
          if (clientMsgId !== undefined) message.clientMsgId = clientMsgId;
          hub.broadcast(client.roomId, { type: 'message', ...message });
        },
        (err: unknown) => {
          logger.error({ err, roomId: client.roomId, userId: client.user.id }, 'storing a message failed');
          client.sendError('MESSAGE_NOT_STORED', 'the message could not be stored; send it again', clientMsgId);
        },
      );
    },
  };

  const onConnection = (ws: WebSocket, user: AuthUser, { roomId, since }: JoinTarget) => {
    const client = new Client(ws, user, roomId, ctx);
    if (stopping) {
      client.close(CloseCode.GOING_AWAY, 'server shutting down', false);
      return;
    }
    connections.add(client);
    // The token was verified before the room lookup; a logout committed in between sent its
    // event before this client was listed, so look at the session once more now that it is.
    activeSessionIds(db, [user.sessionId]).then(
      (active) => {
        if (!active.has(user.sessionId)) client.close(CloseCode.SESSION_ENDED, 'session ended', true);
      },
      (err: unknown) => logger.warn({ err }, 'could not recheck a joining session'),
    );
    client.beginJoin();
    joinMessages(db, roomId, since).then(
      (messages) => {
        const knownUpTo = messages.at(-1)?.id ?? since ?? 0;
        const initial =
          since === undefined
            ? [encodeEvent({ type: 'history', messages })]
            : resumeEvents(roomId, messages, config.WS_MAX_BUFFERED_BYTES / 2);
        client.finishJoin(initial, knownUpTo);
      },
      (err: unknown) => {
        logger.error({ err, roomId }, 'loading history failed');
        client.close(CloseCode.INTERNAL_ERROR, 'history unavailable', false);
      },
    );
  };

  const app = createApp(deps, presence);
  const server = createHttpServer(app);
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_PAYLOAD_BYTES, perMessageDeflate: false, clientTracking: false });
  server.on(
    'upgrade',
    createUpgradeHandler({
      wss,
      verifyToken: deps.verification.verifyToken,
      allowedOrigins: config.ALLOWED_ORIGINS,
      joinRoom: (roomId, userId) => joinRoom(db, roomId, userId),
      onConnection,
      isStopping: () => stopping,
      logger,
    }),
  );
  const stopHeartbeat = startHeartbeat(connections, config.WS_PING_INTERVAL_MS);
  const stopClosingSessions = closeEndedSessions({
    authEvents: deps.verification.authEvents,
    connections,
    activeSessionIds: (ids) => activeSessionIds(db, ids),
    logger,
  });

  return {
    server,
    hub,
    broker,
    presence,
    connections,
    listen: (port, host) => listenOn(server, port, host),
    async shutdown() {
      if (stopping) return;
      stopping = true;
      const serverClosed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      stopHeartbeat();
      stopClosingSessions();

      const goodbye = encodeEvent({ type: 'server_shutting_down' });
      for (const client of connections) client.enqueue(goodbye);
      await writer.drain();
      // Acknowledgements of the messages just stored are broadcast in promise callbacks; let them run.
      await new Promise((resolve) => setImmediate(resolve));

      const sockets = [...connections].map((client) => client.socket);
      for (const client of [...connections]) client.close(CloseCode.GOING_AWAY, 'server shutting down', true);
      const allClosed = Promise.all(sockets.map((ws) => (ws.readyState === ws.CLOSED ? Promise.resolve() : once(ws, 'close'))));
      let timer: NodeJS.Timeout | undefined;
      const grace = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, CLOSE_GRACE_MS);
      });
      await Promise.race([allClosed, grace]);
      clearTimeout(timer);
      for (const ws of sockets) ws.terminate();

      // Every client is unregistered by now; the departures' participant_left events are
      // published before the broker closes.
      await presence.close();
      hub.close();
      await broker.close();
      server.closeAllConnections();
      await serverClosed;
    },
  };
}
