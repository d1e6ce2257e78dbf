/**
 * The hub: the one owner of room membership (compare gorilla/websocket's chat hub and socket.io's
 * in-memory adapter). Membership changes only through register, unregister and broadcast. The
 * hub does no socket I/O: it hands encoded events to `client.enqueue`, which never blocks, and
 * drops a client that cannot keep up instead of waiting for it.
 */
import { randomUUID } from 'node:crypto';
import type { Broker, BrokerMessage } from './broker.js';
import { encodeEvent, type EncodedEvent, type PublicUser, type ServerEvent } from './protocol.js';

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

/** Presence of one user in one room: how many of their sockets are in it. */
interface Presence {
  user: PublicUser;
  sockets: number;
}

interface Room {
  clients: Set<HubClient>;
  /** By user id; a user with several sockets appears once. */
  users: Map<number, Presence>;
}

export class Hub {
  /** roomId → the room's local clients and users. An empty room is deleted. */
  private readonly rooms = new Map<number, Room>();
  /** client → its room: mirrors `rooms`, so unregister is O(1) and idempotent. */
  private readonly roomOfClient = new Map<HubClient, number>();
  private readonly unsubscribe: () => void;

  /**
   * @param broker reaches the other instances; what they publish is delivered to local clients.
   * @param instanceId tags what this hub publishes, so it can ignore its own echo.
   */
  constructor(
    private readonly broker: Broker,
    readonly instanceId: string = randomUUID(),
  ) {
    this.unsubscribe = broker.subscribe((message: BrokerMessage) => {
      if (message.origin !== this.instanceId) this.deliver(message.roomId, message.event);
    });
  }

  /** Adds `client` to its room; the others hear `participant_joined` if it is the user's first socket there. */
  register(client: HubClient): void {
    if (this.roomOfClient.has(client)) return;
    let room = this.rooms.get(client.roomId);
    if (!room) {
      room = { clients: new Set(), users: new Map() };
      this.rooms.set(client.roomId, room);
    }
    room.clients.add(client);
    this.roomOfClient.set(client, client.roomId);
    const presence = room.users.get(client.user.id);
    if (presence) {
      presence.sockets += 1;
    } else {
      room.users.set(client.user.id, { user: client.user, sockets: 1 });
      this.broadcast(client.roomId, { type: 'participant_joined', user: client.user }, client);
    }
  }

  /** Removes `client`; the others hear `participant_left` when the user's last socket leaves. Idempotent. */
  unregister(client: HubClient): void {
    const roomId = this.roomOfClient.get(client);
    if (roomId === undefined) return;
    this.roomOfClient.delete(client);
    const room = this.rooms.get(roomId);
    if (!room) return;
    room.clients.delete(client);
    const presence = room.users.get(client.user.id);
    let left = false;
    if (presence) {
      presence.sockets -= 1;
      if (presence.sockets === 0) {
        room.users.delete(client.user.id);
        left = true;
      }
    }
    if (room.clients.size === 0) this.rooms.delete(roomId);
    if (left) this.broadcast(roomId, { type: 'participant_left', user: client.user });
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

  /** Distinct users connected to the room on this instance. */
  clientCount(roomId: number): number {
    return this.rooms.get(roomId)?.users.size ?? 0;
  }

  /** The users connected to the room on this instance, each once. */
  participants(roomId: number): PublicUser[] {
    const room = this.rooms.get(roomId);
    return room ? [...room.users.values()].map((p) => p.user) : [];
  }

  /** Stops receiving from the broker. */
  close(): void {
    this.unsubscribe();
  }

  private deliver(roomId: number, event: EncodedEvent, except?: HubClient): void {
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
