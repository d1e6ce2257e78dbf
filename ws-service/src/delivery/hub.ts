/**
 * The hub: the one owner of who is listening where on this instance (compare gorilla/websocket's
 * chat hub and socket.io's in-memory adapter): the subscriptions of each room, and the stream
 * feeds of each person. Membership changes only through register and unregister. The hub does
 * no socket I/O: it hands encoded events to `client.enqueue`, which never blocks, and
 * drops a client that cannot keep up instead of waiting for it.
 */
import { randomUUID } from 'node:crypto';
import type { LiveEvent } from '@murmur/shared/live-events';
import type { Broker } from './broker.js';
import type { PersonEvent, PersonFeed } from './person-feed.js';
import { MemoryPresence } from './presence-memory.js';
import type { PresenceTracker } from './presence.js';
import { encodeEvent, type ChatMessage, type EncodedEvent, type PublicUser, type SequencedEvent, type ServerEvent } from '../protocol.js';
import type { WatchedRoom } from '../store/streams.repo.js';

const NO_FEEDS: ReadonlySet<PersonFeed> = new Set();
/** Every encoded `read` event starts with this (encodeEvent keeps the key order it is given). */
const READ_EVENT_PREFIX = '{"type":"read",';

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
  /** userId → the person's stream feeds on this instance. A person with none is deleted. */
  private readonly people = new Map<number, Set<PersonFeed>>();
  /** roomId → the feeds watching it for `room_activity` (their person is a member). An empty entry is deleted. */
  private readonly watchers = new Map<number, Set<PersonFeed>>();
  /** userId → the follow of the person's channel, resolved once it is in place. */
  private readonly personFollowed = new Map<number, Promise<void>>();
  /** The rooms whose channel the broker follows for this instance: those with clients or watchers here. */
  private readonly followedRooms = new Set<number>();
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
    this.stopWatchingExpiry = presence.onExpired((roomId, user) => this.broadcast(roomId, { type: 'participant_left', roomId, user }));
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
      this.followRoom(client.roomId);
    }
    room.clients.add(client);
    this.roomOfClient.set(client, client.roomId);
    const { roomId, user } = client;
    const sockets = room.sockets.get(user.id) ?? 0;
    room.sockets.set(user.id, sockets + 1);
    if (sockets === 0) this.presence.arrived(roomId, user, () => this.broadcast(roomId, { type: 'participant_joined', roomId, user }, client));
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
    if (room.clients.size === 0) {
      this.rooms.delete(roomId);
      this.followRoom(roomId);
    }
    if (left) this.presence.departed(roomId, user, () => this.broadcast(roomId, { type: 'participant_left', roomId, user }));
  }

  /**
   * Sends `event` to every client of the room except `except`, here and on other instances. The
   * event is encoded once; every client gets the same string.
   */
  broadcast(roomId: number, event: ServerEvent, except?: HubClient): void {
    const encoded = encodeEvent(event);
    this.deliverPassing(roomId, encoded, except);
    this.broker.publish({ origin: this.instanceId, roomId, event: encoded });
  }

  /**
   * Adds a stream connection's feed under its person; their live events reach it from now on,
   * here, and from other instances once the returned promise resolves (the person's channel is
   * followed).
   */
  registerPerson(feed: PersonFeed): Promise<void> {
    let feeds = this.people.get(feed.user.id);
    if (!feeds) {
      feeds = new Set();
      this.people.set(feed.user.id, feeds);
      this.personFollowed.set(feed.user.id, this.broker.follow({ userId: feed.user.id }));
    }
    feeds.add(feed);
    return this.personFollowed.get(feed.user.id) ?? Promise.resolve();
  }

  /** Removes a feed, and its watch of every room; idempotent. */
  unregisterPerson(feed: PersonFeed): void {
    for (const roomId of [...feed.rooms.keys()]) this.unwatchRoom(feed, roomId);
    const feeds = this.people.get(feed.user.id);
    if (!feeds?.delete(feed)) return;
    if (feeds.size === 0) {
      this.people.delete(feed.user.id);
      this.personFollowed.delete(feed.user.id);
      this.broker.unfollow({ userId: feed.user.id });
    }
  }

  /** The feed watches a room its person is a member of: its new messages become `room_activity`. */
  watchRoom(feed: PersonFeed, room: WatchedRoom): void {
    feed.watch(room);
    let feeds = this.watchers.get(room.roomId);
    if (!feeds) {
      feeds = new Set();
      this.watchers.set(room.roomId, feeds);
      this.followRoom(room.roomId);
    }
    feeds.add(feed);
  }

  /** The feed stops watching a room (its person left it or was removed); idempotent. */
  unwatchRoom(feed: PersonFeed, roomId: number): void {
    feed.rooms.delete(roomId);
    const feeds = this.watchers.get(roomId);
    if (!feeds?.delete(feed)) return;
    if (feeds.size === 0) {
      this.watchers.delete(roomId);
      this.followRoom(roomId);
    }
  }

  /** Follows the room's channel while it has clients or watchers here, and only then. */
  private followRoom(roomId: number): void {
    const wanted = this.rooms.has(roomId) || this.watchers.has(roomId);
    if (wanted === this.followedRooms.has(roomId)) return;
    if (wanted) {
      this.followedRooms.add(roomId);
      // A room's stored events missed before the follow is in place are read back (onSubscribed).
      void this.broker.follow({ roomId });
    } else {
      this.followedRooms.delete(roomId);
      this.broker.unfollow({ roomId });
    }
  }

  /** The person's feeds on this instance, for the membership changes that concern them. */
  feedsOf(userId: number): ReadonlySet<PersonFeed> {
    return this.people.get(userId) ?? NO_FEEDS;
  }

  /**
   * A stored event of a room (made here or on another instance, in any order) reaches the feeds
   * watching the room: a new message is their `room_activity`.
   */
  roomStored(roomId: number, event: SequencedEvent): void {
    const feeds = this.watchers.get(roomId);
    if (!feeds) return;
    let shown: ChatMessage | undefined;
    const lastMessage = () => {
      if (!shown) {
        const { type: _type, ...message } = JSON.parse(event.json) as ChatMessage & { type: 'message' };
        shown = message;
      }
      return shown;
    };
    for (const feed of feeds) feed.roomStored(roomId, event, lastMessage);
  }

  /**
   * Hands a passing event (typing, presence, a read marker) to the room's clients on this
   * instance, and a read marker also to its reader's feeds watching the room (their unread count).
   */
  deliverPassing(roomId: number, event: EncodedEvent, except?: HubClient): void {
    this.deliver(roomId, event, except);
    if (!this.watchers.has(roomId) || !event.json.startsWith(READ_EVENT_PREFIX)) return;
    const { user, seq } = JSON.parse(event.json) as { user: PublicUser; seq: number };
    for (const feed of this.watchers.get(roomId) ?? []) if (feed.user.id === user.id) feed.roomRead(roomId, seq);
  }

  /** True while the person has a stream connection on this instance. */
  hasPerson(userId: number): boolean {
    return this.people.has(userId);
  }

  /** Sends a live event to the person's stream connections, here and on other instances. */
  sendToPerson(userId: number, event: LiveEvent): void {
    this.deliverToPerson(userId, event);
    this.broker.publish({ origin: this.instanceId, userId, event });
  }

  /** Hands a live event to the person's stream connections on this instance only. */
  deliverToPerson(userId: number, event: LiveEvent): void {
    const feeds = this.people.get(userId);
    if (!feeds) return;
    const encoded: PersonEvent = { json: event.json, bytes: Buffer.byteLength(event.json) };
    if (event.notificationId !== undefined) encoded.notificationId = event.notificationId;
    // A feed whose connection passed its output bound is closing; its socket's close unregisters it.
    for (const feed of feeds) feed.deliver(encoded);
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
