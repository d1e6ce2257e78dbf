/**
 * The person's one live connection (`/ws/stream`), as a client should hold it: opens once for the
 * whole app, reconnects with backoff, resumes notifications with `?since=<newest id>` so none is
 * lost, and carries every room the app has open as a subscription on the same socket.
 *
 * Rooms reuse RoomConnection whole (its resume, ordering, gaps and pending messages): `roomSocket`
 * gives it a SocketLike that is one subscription on this stream. The room's frames go out with its
 * `roomId`, its events come back to it alone, and it sees the stream's drops as its own socket's,
 * so it resumes with `since` through `subscribe` exactly as it would with `?since=`.
 *
 * Like RoomConnection it runs in browsers and in Node: the socket comes from `createSocket`.
 */
import { DEFAULT_BACKOFF, type BackoffOptions } from './backoff.js';
import { Emitter } from './emitter.js';
import { afterDrop, ReconnectTimer } from './reconnect.js';
import { CLOSE_ACCOUNT_SUSPENDED, CLOSE_REMOVED_FROM_ROOM, CLOSE_SESSION_ENDED, parseFrame, type ChatMessage, type ServerEvent, type StreamFrame } from './events.js';
import { closesRoom, type SocketFactory, type SocketLike } from './room-connection.js';
import type { Notification, Post } from '../api/types.js';

const OPEN = 1;
const CLOSED = 3;
/** The close a room's socket reports when the stream under it drops: abnormal, so it resumes. */
const CLOSE_ABNORMAL = 1006;

export type StreamStatus = 'connecting' | 'open' | 'reconnecting' | 'session-ended' | 'suspended' | 'closed';

/** The closes of the stream that end the person's session, and so each room's on it too. */
const SESSION_CLOSES: readonly number[] = [CLOSE_SESSION_ENDED, CLOSE_ACCOUNT_SUSPENDED];

export interface StreamEvents extends Record<string, unknown> {
  status: StreamStatus;
  /** Set up (again): the unread count and the newest notification id, before anything live. */
  ready: { unreadNotifications: number; lastNotificationId: number };
  notification: Notification;
  timeline: Post;
  timelineDelete: number;
  roomActivity: { roomId: number; lastSeq: number; unread: number; lastMessage: ChatMessage };
}

export interface StreamConnectionOptions {
  /** `ws://host/api/chat/ws/stream`, without `since`. */
  url: string;
  createSocket: SocketFactory;
  backoff?: BackoffOptions;
  /** Asked after a connection failed before opening: false ends the session instead of retrying forever. */
  checkSession?: () => Promise<boolean>;
}

/** The events that belong to one subscribed room. */
const ROOM_EVENTS = new Set(['history', 'message', 'message_edited', 'message_deleted', 'read', 'participant_joined', 'participant_left', 'typing']);

export class StreamConnection {
  private readonly events = new Emitter<StreamEvents>();
  private socket: SocketLike | undefined;
  private currentStatus: StreamStatus = 'connecting';
  private readonly reconnects: ReconnectTimer;
  /** The newest notification this client has: a reconnect resumes after it. */
  private lastNotificationId: number | undefined;
  private readonly rooms = new Map<number, RoomSocket>();
  private generation = 0;

  constructor(private readonly options: StreamConnectionOptions) {
    this.reconnects = new ReconnectTimer(options.backoff ?? DEFAULT_BACKOFF);
  }

  get status(): StreamStatus {
    return this.currentStatus;
  }

  on<K extends keyof StreamEvents>(type: K, listener: (value: StreamEvents[K]) => void): () => void {
    return this.events.on(type, listener);
  }

  connect(): void {
    if (this.socket || this.currentStatus === 'closed') return;
    this.open();
  }

  /** Closes for good (logout, or the app going away). */
  close(): void {
    this.setStatus('closed');
    this.reconnects.cancel();
    this.socket?.close(1000);
    this.socket = undefined;
    for (const room of [...this.rooms.values()]) room.drop(1000);
  }

  /** Reconnects at once instead of waiting out the backoff (the browser came back online). */
  reconnectNow(): void {
    if (this.currentStatus !== 'reconnecting' || this.socket) return;
    this.reconnects.cancel();
    this.open();
  }

  /**
   * A socket for RoomConnection that is one subscription on this stream: give it as
   * `createSocket`. `url` is the room's join URL; its `since` (a resume) goes into `subscribe`.
   */
  roomSocket(roomId: number, url: string): SocketLike {
    const since = new URL(url).searchParams.get('since');
    this.rooms.get(roomId)?.drop(CLOSE_ABNORMAL);
    const room = new RoomSocket(this, roomId, since === null ? undefined : Number(since));
    this.rooms.set(roomId, room);
    // After the caller has added its listeners: RoomConnection listens once this returns.
    if (this.currentStatus === 'open') queueMicrotask(() => room.start());
    return room;
  }

  /** Sends a frame on the stream; false when it is not open. */
  send(frame: StreamFrame): boolean {
    if (this.socket?.readyState !== OPEN) return false;
    this.socket.send(JSON.stringify(frame));
    return true;
  }

  /** A room's socket went away (RoomConnection closed it, or it was replaced). */
  forget(room: RoomSocket): void {
    if (this.rooms.get(room.roomId) === room) this.rooms.delete(room.roomId);
  }

  private open(): void {
    this.generation += 1;
    const generation = this.generation;
    const current = () => generation === this.generation;
    let opened = false;
    const url = new URL(this.options.url);
    if (this.lastNotificationId !== undefined) url.searchParams.set('since', String(this.lastNotificationId));
    let socket: SocketLike;
    try {
      socket = this.options.createSocket(url.toString());
    } catch {
      this.scheduleReconnect();
      return;
    }
    this.socket = socket;
    socket.addEventListener('open', () => {
      if (current()) opened = true;
    });
    socket.addEventListener('message', (event: { data: unknown }) => {
      if (!current() || typeof event.data !== 'string') return;
      this.reconnects.reset();
      for (const serverEvent of parseFrame(event.data)) this.handle(serverEvent);
    });
    socket.addEventListener('close', (event: { code: number }) => {
      if (!current()) return;
      this.socket = undefined;
      void this.afterClose(event.code, opened);
    });
    socket.addEventListener('error', () => undefined);
  }

  private handle(event: ServerEvent): void {
    switch (event.type) {
      case 'ready':
        this.lastNotificationId = Math.max(this.lastNotificationId ?? 0, event.lastNotificationId);
        this.setStatus('open');
        this.events.emit('ready', { unreadNotifications: event.unreadNotifications, lastNotificationId: event.lastNotificationId });
        // Each room open in the app subscribes (again), resuming from what it holds.
        for (const room of this.rooms.values()) room.start();
        return;
      case 'notification':
        this.lastNotificationId = Math.max(this.lastNotificationId ?? 0, event.notification.id);
        this.events.emit('notification', event.notification);
        return;
      case 'timeline':
        this.events.emit('timeline', event.item);
        return;
      case 'timeline_delete':
        this.events.emit('timelineDelete', event.postId);
        return;
      case 'room_activity': {
        const { type: _type, ...activity } = event;
        this.events.emit('roomActivity', activity);
        return;
      }
      case 'unsubscribed':
        this.rooms.get(event.roomId)?.drop(CLOSE_REMOVED_FROM_ROOM);
        return;
      case 'error':
        if (event.roomId !== undefined) this.rooms.get(event.roomId)?.refused(event);
        return;
      default:
        if (ROOM_EVENTS.has(event.type) && 'roomId' in event) this.rooms.get(event.roomId)?.deliver(event);
    }
  }

  private async afterClose(code: number, opened: boolean): Promise<void> {
    for (const room of [...this.rooms.values()]) room.drop(SESSION_CLOSES.includes(code) ? code : CLOSE_ABNORMAL);
    if (this.currentStatus === 'closed') return;
    const generation = this.generation;
    await afterDrop(code, opened, {
      // A stream has no room to be removed from: anything else final is a client fault.
      end: (final) => this.setStatus(final === 'session-ended' || final === 'suspended' ? final : 'closed'),
      reconnecting: () => this.setStatus('reconnecting'),
      stillCurrent: () => generation === this.generation && this.currentStatus === 'reconnecting',
      reconnect: () => this.scheduleReconnect(),
      checkSession: this.options.checkSession,
    });
  }

  private scheduleReconnect(): void {
    this.setStatus('reconnecting');
    this.reconnects.schedule(() => this.open());
  }

  private setStatus(status: StreamStatus): void {
    if (status === this.currentStatus) return;
    this.currentStatus = status;
    this.events.emit('status', status);
  }
}

/** Refusals of a subscription after which subscribing again cannot help. */
const REFUSED_FOR_GOOD = new Set(['ROOM_NOT_FOUND', 'BANNED_FROM_ROOM']);

/** One room's subscription on the stream, as RoomConnection's socket. */
class RoomSocket implements SocketLike {
  readyState = 0;
  private readonly listeners = new Map<string, Array<(event: unknown) => void>>();
  private started = false;

  constructor(
    private readonly stream: StreamConnection,
    readonly roomId: number,
    private readonly since: number | undefined,
  ) {}

  addEventListener(type: 'open' | 'message' | 'close' | 'error', listener: (event: unknown) => void): void {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener]);
  }

  /** Subscribes, once the stream is open; the room then counts as open. */
  start(): void {
    if (this.started || this.readyState === CLOSED) return;
    const frame: StreamFrame = this.since === undefined ? { type: 'subscribe', roomId: this.roomId } : { type: 'subscribe', roomId: this.roomId, since: this.since };
    if (!this.stream.send(frame)) return;
    this.started = true;
    this.readyState = OPEN;
    this.emit('open', {});
  }

  send(data: string): void {
    if (this.readyState !== OPEN) return;
    this.stream.send({ ...(JSON.parse(data) as object), roomId: this.roomId } as StreamFrame);
  }

  /** RoomConnection is done with the room (it left the page, or replaces this socket). */
  close(): void {
    if (this.readyState === CLOSED) return;
    if (this.started) this.stream.send({ type: 'unsubscribe', roomId: this.roomId });
    this.drop(1000);
  }

  /** One of the room's events, handed on as the line a socket of its own would have carried. */
  deliver(event: ServerEvent): void {
    if (this.readyState === OPEN) this.emit('message', { data: JSON.stringify(event) });
  }

  /** A refused frame of this room: passed on, or the end of the subscription when it was refused for good. */
  refused(event: Extract<ServerEvent, { type: 'error' }>): void {
    if (REFUSED_FOR_GOOD.has(event.code)) return this.drop(CLOSE_REMOVED_FROM_ROOM);
    // The server holds no subscription of a room a block closed: none is left to unsubscribe.
    if (closesRoom(event)) this.started = false;
    this.deliver(event);
  }

  /** Ends the subscription as a closed socket with `code`. */
  drop(code: number): void {
    if (this.readyState === CLOSED) return;
    this.readyState = CLOSED;
    this.stream.forget(this);
    this.emit('close', { code });
  }

  private emit(type: string, event: unknown): void {
    for (const listener of this.listeners.get(type) ?? []) listener(event);
  }
}
