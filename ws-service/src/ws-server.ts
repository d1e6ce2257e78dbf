/**
 * Wiring only: the REST app and the WebSocket endpoint on one HTTP server, the chat service
 * behind them, heartbeat, session closing and shutdown. main.ts and the tests share it. What
 * chat does lives in services/chat.service.ts.
 */
import http from 'node:http';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { WebSocketServer } from 'ws';
import { createHttpServer, listenOn } from '@murmur/shared/http';
import { createApp } from './app.js';
import type { ServiceDeps } from './deps.js';
import { activeSessionIds } from './store/sessions.repo.js';
import { ChatService } from './chat/chat.service.js';
import type { ChatNotifications } from './chat/chat-notifications.js';
import type { Broker } from './delivery/broker.js';
import { openClusterLinks } from './delivery/cluster-links.js';
import type { Hub } from './delivery/hub.js';
import type { PresenceTracker } from './delivery/presence.js';
import type { Client } from './ws/client.js';
import { CloseCode } from './ws/close-codes.js';
import { startHeartbeat } from './ws/heartbeat.js';
import { closeExpiredSessions } from './ws/session-expiry.js';
import { closeEndedSessions } from './ws/session-closer.js';
import { followMembershipChanges } from './ws/membership-events.js';
import { ROOM_EVENTS_CHANNEL, stillAdmitted } from './store/members.repo.js';
import { PgListener } from '@murmur/shared/db';
import { LIVE_EVENTS_CHANNEL } from '@murmur/shared/live-events';
import { deliverNotifiedLiveEvents } from './delivery/live-events-listener.js';
import { ConnectionCaps } from './ws/connection-caps.js';
import { createUpgradeHandler } from './ws/upgrade.js';

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
  /** What chat events notify, sent live. */
  notifications: ChatNotifications;
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

export function createWsServer(deps: ServiceDeps, options: WsServerOptions = {}): WsServer {
  const { config, logger } = deps;
  const db = deps.database.db;
  const instanceId = randomUUID();
  const { broker, presence } = openClusterLinks(config, logger, instanceId, options);
  const chat = new ChatService({
    db,
    broker,
    presence,
    instanceId,
    authEvents: deps.verification.authEvents,
    streams: {
      userService: { baseUrl: config.WS_USER_SERVICE_URL, timeoutMs: config.WS_USER_SERVICE_TIMEOUT_MS },
      maxUnreadNotifications: config.NOTIFICATIONS_MAX_UNREAD_COUNT,
    },
    limits: {
      maxBufferedBytes: config.WS_MAX_BUFFERED_BYTES,
      maxSubscriptions: config.WS_MAX_SUBSCRIPTIONS_PER_CONNECTION,
      rate: { perSecond: config.WS_MESSAGES_PER_SECOND, burst: config.WS_MESSAGE_BURST },
      recentMessages: config.WS_RECENT_MESSAGES,
      gapWaitMs: config.WS_GAP_WAIT_MS,
      maxWriteBatch: config.WS_WRITE_BATCH,
      writeLingerMs: config.WS_WRITE_LINGER_MS,
      readLingerMs: config.WS_READ_LINGER_MS,
      maxWaitingWrites: config.WS_WRITE_QUEUE_MAX,
      userRate: { perSecond: config.WS_USER_MESSAGES_PER_SECOND, burst: config.WS_USER_MESSAGE_BURST },
      userTypingRate: { perSecond: config.WS_USER_TYPING_PER_SECOND, burst: config.WS_USER_TYPING_BURST },
      userPresenceRate: { perSecond: config.WS_USER_PRESENCE_PER_SECOND, burst: config.WS_USER_PRESENCE_BURST },
    },
    logger,
  });
  const { connections } = chat;

  const app = createApp(deps, presence, chat.notifications);
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_PAYLOAD_BYTES, perMessageDeflate: false, clientTracking: false });
  const upgrade = createUpgradeHandler({
    wss,
    verifyToken: deps.verification.verifyToken,
    allowedOrigins: config.ALLOWED_ORIGINS,
    cookieSecure: config.COOKIE_SECURE,
    caps: new ConnectionCaps({ perUser: config.WS_MAX_CONNECTIONS_PER_USER, perAddress: config.WS_MAX_CONNECTIONS_PER_ADDRESS }),
    trustProxyHops: config.TRUST_PROXY_HOPS,
    admit: (roomId, userId) => chat.admit(roomId, userId),
    onConnection: (ws, user, target, token) =>
      chat.connect(ws, user, target.kind === 'room' ? { kind: 'room', roomId: target.roomId } : { kind: 'stream' }, target.since, token),
    isStopping: () => chat.isStopping,
    logger,
  });
  const server = createHttpServer(app, config, upgrade);
  const stopHeartbeat = startHeartbeat(connections, config.WS_PING_INTERVAL_MS);
  const stopExpiryChecks = closeExpiredSessions(connections);
  const stopClosingSessions = closeEndedSessions({
    authEvents: deps.verification.authEvents,
    connections,
    activeSessionIds: (ids) => activeSessionIds(db, ids),
    logger,
  });
  // One LISTEN connection per instance, for every event the database sends: removals from rooms,
  // and user-service's live events when it has no Redis.
  const listener = new PgListener(config.DATABASE_URL, [ROOM_EVENTS_CHANNEL, LIVE_EVENTS_CHANNEL], logger);
  listener.start().catch((err: unknown) => logger.warn({ err }, 'listening for database events failed; retrying'));
  const stopDeliveringLiveEvents = deliverNotifiedLiveEvents(listener, chat.hub, logger);
  const stopFollowingMemberships = followMembershipChanges({
    listener,
    connections,
    onAdded: (roomId, userId) => chat.memberAdded(roomId, userId),
    onRemoved: (roomId, userId) => chat.memberRemoved(roomId, userId),
    stillMembers: async (rooms) =>
      (await stillAdmitted(db, rooms.map((room) => ({ sessionId: room.auth.sessionId, roomId: room.roomId, userId: room.user.id })))).map((c) => c.member),
    logger,
  });
  let stopped = false;

  return {
    server,
    hub: chat.hub,
    broker,
    presence,
    notifications: chat.notifications,
    connections,
    listen: (port, host) => listenOn(server, port, host, config.LISTEN_BACKLOG),
    async shutdown() {
      if (stopped) return;
      stopped = true;
      const serverClosed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      stopHeartbeat();
      stopExpiryChecks();
      stopClosingSessions();
      stopFollowingMemberships();
      stopDeliveringLiveEvents();
      await listener.stop();
      await chat.shutdown();

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
      chat.close();
      await broker.close();
      server.closeAllConnections();
      await serverClosed;
    },
  };
}
