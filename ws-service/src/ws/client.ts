/**
 * A client is the middleman between one WebSocket and the chat service (compare
 * gorilla/websocket's client.go): it reads frames, parses them with the protocol, rate-limits
 * them and hands them on; it queues the events it is given and writes them, one frame per
 * event-loop turn, within a bounded buffer. Listeners are shared functions, not per-client
 * closures, to keep an idle connection small.
 *
 * Two kinds of connection share it. A `/ws/joinRoom/:roomId` socket is in one room for its life
 * (one subscription, made at the handshake; its frames name no room). A `/ws/stream` socket is the
 * person's one connection: it subscribes to rooms and leaves them with frames, and its room
 * frames name their room. What a connection is given of each room is its subscription's to decide
 * (delivery/room-subscription.ts).
 */
import WebSocket from 'ws';
import type { AuthUser } from '@murmur/shared/auth';
import type { Logger } from '@murmur/shared/logger';
import { BlockList } from '../delivery/block-list.js';
import type { PersonFeed } from '../delivery/person-feed.js';
import { RoomSubscription, type SubscriberConnection, type SubscriptionEnd } from '../delivery/room-subscription.js';
import {
  clientFrame,
  encodeEvent,
  EVENT_SEPARATOR,
  parseFrame,
  streamFrame,
  type ClientFrame,
  type EncodedEvent,
  type PublicUser,
  type StreamFrame,
} from '../protocol.js';
import { CloseCode, type CloseCodeValue } from './close-codes.js';
import type { FlushScheduler } from './flush-scheduler.js';
import { TOKEN_EXPIRED_REASON } from './session-expiry.js';
import { TokenBucket, type RateLimits } from './rate-limiter.js';

/**
 * Room frames a stream holds back per room while its subscription is being admitted (sent right
 * after `subscribe`, as a client resending its pending messages does); past it they are refused.
 */
const MAX_FRAMES_BEFORE_JOINED = 50;
/** Refused frames per second, as a multiple of the allowed rate, beyond which a client is closed (1008). */
const RATE_LIMIT_CLOSE_FACTOR = 2;

export interface ClientLimits {
  /** Unsent bytes (socket buffer + queue) above which the client is dropped as a slow consumer. */
  maxBufferedBytes: number;
  /** Frames a client may send. */
  rate: RateLimits;
  /** Rooms one `/ws/stream` connection may be subscribed to at once. */
  maxSubscriptions: number;
}

/** Where a client hands what its peer asks for: the chat use cases, for one room each. */
export interface ChatEntry {
  /**
   * Stores a chat message with its pictures (the sender's uploads `mediaIds`), then broadcasts it
   * (the sender's copy is its acknowledgement); resolves, never rejects, once that
   * acknowledgement or an error is queued for the client. The client's messages to a room are
   * stored in the order they are handed here.
   */
  post(room: RoomSubscription, text: string, clientMsgId: string | undefined, mediaIds: readonly number[] | undefined): Promise<void>;
  /** Edits the client's message `seq`; resolves, never rejects, once the result or an error is queued. */
  edit(room: RoomSubscription, seq: number, text: string): Promise<void>;
  /** Deletes message `seq`; resolves, never rejects, once the result or an error is queued. */
  deleteMessage(room: RoomSubscription, seq: number): Promise<void>;
  /** Moves the client's read marker to `seq`; resolves, never rejects. */
  read(room: RoomSubscription, seq: number): Promise<void>;
  /** Tells the room the client's user is typing. */
  typing(room: RoomSubscription): void;
  /**
   * Admits the person to the room and joins it: `history`, or the events after `since`, then the
   * live ones; a refusal ends the subscription. Resolves, never rejects.
   */
  subscribe(room: RoomSubscription, since: number | undefined): Promise<void>;
  /** Called once when a subscription leaves its room, whatever the cause. */
  leave(room: RoomSubscription): void;
  /** Called once when the client's connection ends, after its subscriptions left. */
  disconnect(client: Client): void;
}

/** What every client shares: one object, referenced by all of them. */
export interface ClientContext {
  chat: ChatEntry;
  scheduler: FlushScheduler;
  limits: ClientLimits;
  logger: Logger;
  /** True once the server is shutting down: new messages are refused. */
  isStopping(): boolean;
}

const clientOfSocket = new WeakMap<WebSocket, Client>();

function onSocketMessage(this: WebSocket, data: WebSocket.RawData, isBinary: boolean): void {
  clientOfSocket.get(this)?.receive(data, isBinary);
}

function onSocketPong(this: WebSocket): void {
  const client = clientOfSocket.get(this);
  if (client) client.alive = true;
}

function onSocketClose(this: WebSocket): void {
  clientOfSocket.get(this)?.detach();
}

function onSocketError(this: WebSocket, err: Error): void {
  // ws closes the connection itself after an error (bad UTF-8, oversized frame); the 'close'
  // listener then detaches the client. The listener's presence keeps the process alive.
  clientOfSocket.get(this)?.logDebug(err);
}

/** What a connection was opened for: one room (`/ws/joinRoom/:roomId`), or the person's stream. */
export type ConnectionKind = { kind: 'room'; roomId: number } | { kind: 'stream' };

export class Client implements SubscriberConnection {
  readonly user: PublicUser;
  /** When the socket's token expires; the socket is closed then (ws/session-expiry.ts). */
  readonly expiresAtMs: number;
  /** Set by every pong, cleared by every ping: false at a ping means the peer missed the last one. */
  alive = true;
  /** The rooms the connection is in (joining or joined), by id. */
  readonly subscriptions = new Map<number, RoomSubscription>();
  /** A stream's feed of its person's own events (notifications, timeline, room activity). */
  feed: PersonFeed | undefined;
  /** Whom the person blocks, read as the connection starts and kept current by auth events. */
  readonly blocks = new BlockList();
  /**
   * A stream's room frames that came before their subscription was admitted, by room: nothing
   * acts on a room before the person is let in.
   */
  private readonly heldFrames = new Map<number, ClientFrame[]>();
  private queue: string[] = [];
  private queuedBytes = 0;
  /** Bytes of live events subscriptions hold back while they join, counted against the bound. */
  private heldBytes = 0;
  private detached = false;
  /** Set when the output bound was passed; the hub unregisters the subscriptions once its broadcast loop ends. */
  private droppedAsSlow = false;
  private readonly bucket: TokenBucket;
  /** Frames (messages, edits, deletions, read markers) handed to the chat whose answer is not queued yet. */
  private framesInFlight = 0;
  /** Set when the client must be closed once its messages in flight are answered (a flood). */
  private closeWhenAnswered: { code: CloseCodeValue; reason: string } | undefined;

  constructor(
    readonly socket: WebSocket,
    /** The authenticated user, with the session the socket's token belongs to and its expiry. */
    readonly auth: AuthUser,
    readonly kind: ConnectionKind,
    private readonly ctx: ClientContext,
  ) {
    this.user = { id: auth.id, username: auth.username };
    this.expiresAtMs = auth.expiresAtMs;
    this.bucket = new TokenBucket(ctx.limits.rate);
    clientOfSocket.set(socket, this);
    socket.on('message', onSocketMessage);
    socket.on('pong', onSocketPong);
    socket.on('close', onSocketClose);
    socket.on('error', onSocketError);
  }

  isSubscribed(roomId: number): boolean {
    return this.subscriptions.has(roomId);
  }

  /** True for a `/ws/stream` connection. */
  get isStream(): boolean {
    return this.kind.kind === 'stream';
  }

  /** True once the client is closed or being closed: it reads no more frames. */
  get isDetached(): boolean {
    return this.detached || this.closeWhenAnswered !== undefined;
  }

  /** True once the socket is closed (or closing): nothing more is queued for it. */
  get isClosed(): boolean {
    return this.detached;
  }

  /** A `/ws/joinRoom` connection's room: its one subscription, made here before the join. */
  openRoom(roomId: number): RoomSubscription {
    const room = new RoomSubscription(this, roomId);
    this.subscriptions.set(roomId, room);
    return room;
  }

  enqueue(event: EncodedEvent): boolean {
    if (this.detached || this.droppedAsSlow) return true;
    if (!this.hasRoomFor(event.bytes)) return false;
    this.queuedBytes += event.bytes;
    this.queue.push(event.json);
    if (this.queue.length === 1) this.ctx.scheduler.schedule(this);
    return true;
  }

  hold(bytes: number): boolean {
    if (this.detached || this.droppedAsSlow) return true;
    if (!this.hasRoomFor(bytes)) return false;
    this.heldBytes += bytes;
    return true;
  }

  unhold(bytes: number): void {
    this.heldBytes = Math.max(0, this.heldBytes - bytes);
  }

  /** Checks the output bound; past it the client is dropped as a slow consumer. */
  private hasRoomFor(bytes: number): boolean {
    if (this.socket.bufferedAmount + this.queuedBytes + this.heldBytes + bytes <= this.ctx.limits.maxBufferedBytes) return true;
    this.dropAsSlow();
    return false;
  }

  /** Writes everything queued as one frame of newline-separated events. */
  flush(): void {
    if (this.queue.length === 0) return;
    const frame = this.queue.length === 1 ? this.queue[0]! : this.queue.join(EVENT_SEPARATOR);
    this.queue = [];
    this.queuedBytes = 0;
    if (this.socket.readyState === WebSocket.OPEN) this.socket.send(frame);
  }

  /** Tells the client a frame was refused; `clientMsgId`, `seq` or `roomId` names the frame it answers. */
  sendError(code: string, message: string, frame: { clientMsgId?: string; seq?: number; roomId?: number } = {}): void {
    this.enqueue(encodeEvent({ type: 'error', code, message, ...frame }));
  }

  /**
   * Ends one subscription. A `/ws/joinRoom` socket exists for its room, so it closes (4003 when
   * the person was removed); a stream leaves the room and says so, and stays open.
   */
  endSubscription(room: RoomSubscription, why: SubscriptionEnd): void {
    if (!this.isStream) {
      if (why === 'removed') this.close(CloseCode.REMOVED_FROM_ROOM, 'removed from the room', true);
      else this.close(CloseCode.INTERNAL_ERROR, why.message, false);
      return;
    }
    if (this.subscriptions.get(room.roomId) !== room) return;
    this.subscriptions.delete(room.roomId);
    this.refuseHeldFrames(room);
    this.ctx.chat.leave(room);
    if (why === 'removed') this.enqueue(encodeEvent({ type: 'unsubscribed', roomId: room.roomId, reason: 'removed' }));
    else this.sendError(why.code, why.message, { roomId: room.roomId });
  }

  /** Handles one frame from the peer. */
  receive(data: WebSocket.RawData, isBinary: boolean): void {
    if (this.isDetached) return;
    if (isBinary) {
      this.close(CloseCode.UNSUPPORTED_DATA, 'text frames only', true);
      return;
    }
    if (Date.now() >= this.expiresAtMs) {
      this.close(CloseCode.SESSION_ENDED, TOKEN_EXPIRED_REASON, true);
      return;
    }
    if (!this.bucket.take()) {
      const { perSecond } = this.ctx.limits.rate;
      if (this.bucket.refusedInWindow > RATE_LIMIT_CLOSE_FACTOR * perSecond) {
        this.closeOnceAnswered(CloseCode.POLICY_VIOLATION, 'rate limit exceeded');
      } else {
        this.sendError('RATE_LIMITED', `slow down: at most ${perSecond} frames per second`);
      }
      return;
    }
    const text = Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.from(data as ArrayBuffer).toString('utf8');
    if (this.kind.kind === 'room') {
      const parsed = parseFrame(clientFrame, text);
      if (!parsed.ok) this.sendError('BAD_FRAME', parsed.message, { ...(parsed.clientMsgId !== undefined ? { clientMsgId: parsed.clientMsgId } : {}) });
      else this.roomFrame(this.subscriptions.get(this.kind.roomId), parsed.frame);
      return;
    }
    const parsed = parseFrame(streamFrame, text);
    if (!parsed.ok) {
      const { message, ok: _ok, ...names } = parsed;
      this.sendError('BAD_FRAME', message, names);
      return;
    }
    this.streamFrame(parsed.frame);
  }

  /** A `/ws/stream` frame: a subscription change, or a frame for one of its rooms. */
  private streamFrame(frame: StreamFrame): void {
    const { roomId } = frame;
    const room = this.subscriptions.get(roomId);
    if (frame.type === 'subscribe') {
      if (room) {
        this.sendError('ALREADY_SUBSCRIBED', `this connection is already subscribed to room ${roomId}`, { roomId });
      } else if (this.subscriptions.size >= this.ctx.limits.maxSubscriptions) {
        this.sendError('TOO_MANY_SUBSCRIPTIONS', `at most ${this.ctx.limits.maxSubscriptions} rooms per connection; unsubscribe from one first`, { roomId });
      } else {
        const subscribed = new RoomSubscription(this, roomId);
        this.subscriptions.set(roomId, subscribed);
        void this.ctx.chat.subscribe(subscribed, frame.since);
      }
      return;
    }
    if (!room) {
      const clientMsgId = frame.type === 'message' ? frame.clientMsgId : undefined;
      this.sendError('NOT_SUBSCRIBED', `subscribe to room ${roomId} first`, { roomId, ...(clientMsgId !== undefined ? { clientMsgId } : {}) });
      return;
    }
    if (frame.type === 'unsubscribe') {
      this.subscriptions.delete(roomId);
      this.refuseHeldFrames(room);
      this.ctx.chat.leave(room);
      return;
    }
    const { roomId: _named, ...roomFrame } = frame;
    if (room.joined) {
      this.roomFrame(room, roomFrame);
      return;
    }
    const held = this.heldFrames.get(roomId) ?? [];
    if (held.length >= MAX_FRAMES_BEFORE_JOINED) {
      const clientMsgId = roomFrame.type === 'message' ? roomFrame.clientMsgId : undefined;
      room.sendError('SUBSCRIPTION_PENDING', `room ${roomId} is still being joined; send again once its history has come`, clientMsgId);
      return;
    }
    held.push(roomFrame);
    this.heldFrames.set(roomId, held);
  }

  subscriptionJoined(room: RoomSubscription): void {
    const held = this.heldFrames.get(room.roomId);
    this.heldFrames.delete(room.roomId);
    for (const frame of held ?? []) this.roomFrame(room, frame);
  }

  /** A subscription that ended before it was joined: its held frames are answered, none acted on. */
  private refuseHeldFrames(room: RoomSubscription): void {
    const held = this.heldFrames.get(room.roomId);
    this.heldFrames.delete(room.roomId);
    for (const frame of held ?? []) {
      if (frame.type === 'message' && frame.clientMsgId !== undefined) room.sendError('NOT_SUBSCRIBED', `not subscribed to room ${room.roomId}: the message was not stored`, frame.clientMsgId);
    }
  }

  /** A frame that acts on one room: handed to the chat for that room. */
  private roomFrame(room: RoomSubscription | undefined, frame: ClientFrame): void {
    // A joinRoom socket's room is made before it reads any frame; only a closing socket lacks it.
    if (!room) return;
    switch (frame.type) {
      case 'typing':
        this.ctx.chat.typing(room);
        return;
      case 'read':
        this.track(this.ctx.chat.read(room, frame.seq));
        return;
      case 'edit':
        this.track(this.ctx.chat.edit(room, frame.seq, frame.text));
        return;
      case 'delete':
        this.track(this.ctx.chat.deleteMessage(room, frame.seq));
        return;
      case 'message':
        if (this.ctx.isStopping()) {
          room.sendError('SERVER_SHUTTING_DOWN', 'the server is restarting; send again after reconnecting', frame.clientMsgId);
          return;
        }
        // A message of pictures alone has empty text.
        this.track(this.ctx.chat.post(room, frame.text ?? '', frame.clientMsgId, frame.mediaIds));
    }
  }

  /** Counts a frame as in flight until the chat has answered it (see `closeOnceAnswered`). */
  private track(answered: Promise<void>): void {
    this.framesInFlight += 1;
    answered.then(
      () => this.frameAnswered(),
      (err: unknown) => {
        this.ctx.logger.error({ err, userId: this.user.id }, 'handling a frame failed');
        this.frameAnswered();
      },
    );
  }

  /**
   * Stops reading and closes once every message in flight is answered, so a client cut off for
   * flooding still learns which of its messages were stored.
   */
  private closeOnceAnswered(code: CloseCodeValue, reason: string): void {
    this.closeWhenAnswered = { code, reason };
    if (this.framesInFlight === 0) {
      this.close(code, reason, true);
      return;
    }
    // Leave the rooms at once: from here on the socket carries only the answers to its own
    // messages, which the chat acknowledges directly (a room's delivery may hold one back behind
    // a missing seq, past the moment the last answer comes).
    this.leaveRooms();
  }

  private frameAnswered(): void {
    this.framesInFlight -= 1;
    if (this.framesInFlight === 0 && this.closeWhenAnswered) this.close(this.closeWhenAnswered.code, this.closeWhenAnswered.reason, true);
  }

  /** One heartbeat tick: terminate a peer that missed the last ping, else ping it again. */
  heartbeat(): void {
    if (!this.alive) {
      this.terminate();
      return;
    }
    this.alive = false;
    if (this.socket.readyState === WebSocket.OPEN) this.socket.ping();
  }

  /**
   * Leaves every room now and closes the socket with `code`.
   * @param flushFirst send what is queued before the close frame (false for a slow consumer).
   */
  close(code: CloseCodeValue, reason: string, flushFirst: boolean): void {
    if (this.detached) return;
    if (flushFirst) this.flush();
    this.detach();
    this.socket.close(code, reason);
  }

  /**
   * Gives up on a client that cannot keep up: its queue is discarded and the close frame follows
   * what is already buffered. Its subscriptions stay registered until the caller (the hub, after
   * its loop) or the socket's close event unregisters them, so a broadcast in progress is never
   * re-entered.
   */
  private dropAsSlow(): void {
    this.droppedAsSlow = true;
    this.queue = [];
    this.queuedBytes = 0;
    this.heldBytes = 0;
    this.socket.close(CloseCode.SLOW_CONSUMER, 'slow consumer');
  }

  /** Drops a dead peer without a closing handshake. */
  terminate(): void {
    this.detach();
    this.socket.terminate();
  }

  /** Leaves every room and the server's connections; idempotent. */
  detach(): void {
    if (this.detached) return;
    this.detached = true;
    this.queue = [];
    this.queuedBytes = 0;
    this.heldBytes = 0;
    this.blocks.abandon();
    this.leaveRooms();
    this.ctx.chat.disconnect(this);
  }

  private leaveRooms(): void {
    const rooms = [...this.subscriptions.values()];
    this.subscriptions.clear();
    this.heldFrames.clear();
    for (const room of rooms) this.ctx.chat.leave(room);
  }

  logDebug(err: Error): void {
    this.ctx.logger.debug({ err, userId: this.user.id }, 'websocket error');
  }
}
