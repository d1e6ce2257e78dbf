/**
 * The hub: the one owner of room membership (compare gorilla/websocket's chat hub and socket.io's
 * in-memory adapter). Membership changes only through register, unregister and broadcast. The
 * hub does no socket I/O: it hands encoded events to `client.enqueue`, which never blocks, and
 * drops a client that cannot keep up instead of waiting for it.
 */
import { randomUUID } from 'node:crypto';
import type { Broker } from './broker.js';
import { MemoryPresence } from './presence-memory.js';
import type { PresenceTracker } from './presence.js';
import { encodeEvent, type EncodedEvent, type PublicUser, type ServerEvent } from '../protocol.js';

/** What the hub needs of a connection. */
export interface HubClient {
  readonly user: PublicUser;
  readonly roomId: number;
  /**
   * Queues an event for sending, never blocking. Returns false when the client's unsent output
   * passed its bound: the client is then closing itself, and the hub unregisters it.
   */
  enqueue(event: EncodedEvent): boolean;
}

interface Room {
  clients: Set<HubClient>;
  /** User id → how many of the user's sockets are in the room on this instance. */
  sockets: Map<number, number>;
}

export class Hub {
  /** roomId → the room's local clients and users. An empty room is deleted. */
  private readonly rooms = new Map<number, Room>();
  /** client → its room: mirrors `rooms`, so unregister is O(1) and idempotent. */
  private readonly roomOfClient = new Map<HubClient, number>();
  private readonly stopWatchingExpiry: () => void;

  /**
   * @param broker reaches the other instances: passing events (typing, presence) are published
   *   there; what other instances publish reaches `deliver` through the chat service.
   * @param presence decides, for the whole cluster, when a user's first socket joins a room and
   *   their last one leaves; the hub tells it about each user's first and last local socket.
   * @param instanceId tags what this hub publishes, so it can ignore its own echo.
   */
  constructor(
    private readonly broker: Broker,
    private readonly presence: PresenceTracker = new MemoryPresence(),
    readonly instanceId: string = randomUUID(),
  ) {
    this.stopWatchingExpiry = presence.onExpired((roomId, user) => this.broadcast(roomId, { type: 'participant_left', user }));
  }

  /**
   * Adds `client` to its room; the others hear `participant_joined` if it is the user's first
   * socket there, on any instance.
   */
  register(client: HubClient): void {
    if (this.roomOfClient.has(client)) return;
    let room = this.rooms.get(client.roomId);
    if (!room) {
      room = { clients: new Set(), sockets: new Map() };
      this.rooms.set(client.roomId, room);
    }
    room.clients.add(client);
    this.roomOfClient.set(client, client.roomId);
    const { roomId, user } = client;
    const sockets = room.sockets.get(user.id) ?? 0;
    room.sockets.set(user.id, sockets + 1);
    if (sockets === 0) this.presence.arrived(roomId, user, () => this.broadcast(roomId, { type: 'participant_joined', user }, client));
  }

  /**
   * Removes `client`; the others hear `participant_left` when the user's last socket leaves, on
   * every instance. Idempotent.
   */
  unregister(client: HubClient): void {
    const roomId = this.roomOfClient.get(client);
    if (roomId === undefined) return;
    this.roomOfClient.delete(client);
    const room = this.rooms.get(roomId);
    if (!room) return;
    room.clients.delete(client);
    const { user } = client;
    const sockets = room.sockets.get(user.id) ?? 0;
    const left = sockets === 1;
    if (left) room.sockets.delete(user.id);
    else if (sockets > 1) room.sockets.set(user.id, sockets - 1);
    if (room.clients.size === 0) this.rooms.delete(roomId);
    if (left) this.presence.departed(roomId, user, () => this.broadcast(roomId, { type: 'participant_left', user }));
  }

  /**
   * Sends `event` to every client of the room except `except`, here and on other instances. The
   * event is encoded once; every client gets the same string.
   */
  broadcast(roomId: number, event: ServerEvent, except?: HubClient): void {
    const encoded = encodeEvent(event);
    this.deliver(roomId, encoded, except);
    this.broker.publish({ origin: this.instanceId, roomId, event: encoded });
  }

  /** Stops receiving from the presence tracker. */
  close(): void {
    this.stopWatchingExpiry();
  }

  /** True while the room has clients on this instance. */
  hasRoom(roomId: number): boolean {
    return this.rooms.has(roomId);
  }

  /** Hands `event` to the room's clients on this instance only (except `except`). */
  deliver(roomId: number, event: EncodedEvent, except?: HubClient): void {
    const room = this.rooms.get(roomId);
    if (!room) return;
    let dropped: HubClient[] | undefined;
    for (const client of room.clients) {
      if (client !== except && !client.enqueue(event)) (dropped ??= []).push(client);
    }
    // Unregistered after the loop: unregistering broadcasts participant_left to this same room.
    if (dropped) for (const client of dropped) this.unregister(client);
  }
}
