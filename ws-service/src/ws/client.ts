/**
 * A client is the middleman between one WebSocket and the chat service (compare
 * gorilla/websocket's client.go): it reads frames, parses them with the protocol, rate-limits
 * them and hands them on; it queues the events it is given and writes them, one frame per
 * event-loop turn, within a bounded buffer. Listeners are shared functions, not per-client
 * closures, to keep an idle connection small.
 */
import WebSocket from 'ws';
import type { AuthUser } from '@murmur/shared/auth';
import type { Logger } from '@murmur/shared/logger';
import type { HubClient } from '../delivery/hub.js';
import { encodeEvent, EVENT_SEPARATOR, parseClientFrame, type EncodedEvent, type SequencedEvent, type PublicUser } from '../protocol.js';
import { CloseCode, type CloseCodeValue } from './close-codes.js';
import type { FlushScheduler } from './flush-scheduler.js';
import { TOKEN_EXPIRED_REASON } from './session-expiry.js';
import { TokenBucket, type RateLimits } from './rate-limiter.js';

/** Refused frames per second, as a multiple of the allowed rate, beyond which a client is closed (1008). */
const RATE_LIMIT_CLOSE_FACTOR = 2;

export interface ClientLimits {
  /** Unsent bytes (socket buffer + queue) above which the client is dropped as a slow consumer. */
  maxBufferedBytes: number;
  /** Frames a client may send. */
  rate: RateLimits;
}

/** Where a client hands what its peer asks for: the chat use cases. */
export interface ChatEntry {
  /**
   * Stores a chat message, then broadcasts it (the sender's copy is its acknowledgement);
   * resolves, never rejects, once that acknowledgement or an error is queued for the client.
   */
  post(client: Client, text: string, clientMsgId: string | undefined): Promise<void>;
  /** Edits the client's message `seq`; resolves, never rejects, once the result or an error is queued. */
  edit(client: Client, seq: number, text: string): Promise<void>;
  /** Deletes message `seq`; resolves, never rejects, once the result or an error is queued. */
  deleteMessage(client: Client, seq: number): Promise<void>;
  /** Moves the client's read marker to `seq`; resolves, never rejects. */
  read(client: Client, seq: number): Promise<void>;
  /** Tells the room the client's user is typing. */
  typing(client: Client): void;
  /** Called once when the client leaves, whatever the cause. */
  leave(client: Client): void;
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

export class Client implements HubClient {
  readonly user: PublicUser;
  /** When the socket's token expires; the socket is closed then (ws/session-expiry.ts). */
  readonly expiresAtMs: number;
  /** Set by every pong, cleared by every ping: false at a ping means the peer missed the last one. */
  alive = true;
  private queue: string[] = [];
  private queuedBytes = 0;
  /** While joining: live events that arrived before the history was sent, kept in order. */
  private joinBuffer: EncodedEvent[] | undefined;
  private detached = false;
  /** The newest seq the join's history or resume held; later copies of those are dropped. */
  private joinedUpTo = 0;
  /** Set when the output bound was passed; the hub unregisters the client once its broadcast loop ends. */
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
    readonly roomId: number,
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

  /** True once the client has left its room (socket closed, closed by the server, or being closed). */
  get isDetached(): boolean {
    return this.detached || this.closeWhenAnswered !== undefined;
  }

  /** True while the client has left its room but waits for its messages in flight to be answered. */
  get isLeaving(): boolean {
    return !this.detached && this.closeWhenAnswered !== undefined;
  }

  /** Holds back live events until `finishJoin` has sent what the join starts with. */
  holdLiveEvents(): void {
    this.joinBuffer = [];
  }

  /**
   * Sends `initial` (history, or the messages missed since a cursor), then any live events held
   * meanwhile, without the messages `initial` already holds.
   * @param knownUpTo the highest seq the client now has.
   */
  finishJoin(initial: EncodedEvent[], knownUpTo: number): void {
    const held = this.joinBuffer ?? [];
    this.joinBuffer = undefined;
    this.queuedBytes = 0; // the held events are counted again as they are queued
    for (const event of initial) if (!this.enqueue(event)) return;
    // From here on, enqueue drops messages `initial` already held, whether held back during the
    // join or acknowledged just after it.
    this.joinedUpTo = knownUpTo;
    for (const event of held) if (!this.enqueue(event)) return;
  }

  enqueue(event: EncodedEvent): boolean {
    if (this.detached || this.droppedAsSlow) return true;
    // A message the join's history or resume already held.
    if (event.seq !== undefined && event.seq <= this.joinedUpTo) return true;
    if (this.socket.bufferedAmount + this.queuedBytes + event.bytes > this.ctx.limits.maxBufferedBytes) {
      this.dropAsSlow();
      return false;
    }
    this.queuedBytes += event.bytes;
    if (this.joinBuffer) {
      this.joinBuffer.push(event);
      return true;
    }
    this.queue.push(event.json);
    if (this.queue.length === 1) this.ctx.scheduler.schedule(this);
    return true;
  }

  /** Writes everything queued as one frame of newline-separated events. */
  flush(): void {
    if (this.queue.length === 0) return;
    const frame = this.queue.length === 1 ? this.queue[0]! : this.queue.join(EVENT_SEPARATOR);
    this.queue = [];
    this.queuedBytes = 0;
    if (this.socket.readyState === WebSocket.OPEN) this.socket.send(frame);
  }

  /**
   * Queues the acknowledgement of one of the client's own messages straight to it, not through
   * the room: the stored copy of a resend (the join may already have delivered its seq, and the
   * filter on seqs in `enqueue` would drop it), or a message answered after the client left its
   * room to be closed. The event keeps its seq in its JSON; only the filter skips it.
   */
  acknowledge(message: SequencedEvent): void {
    this.enqueue({ json: message.json, bytes: message.bytes });
  }

  /** Tells the client a frame was refused; `clientMsgId` or `seq` names the frame it answers. */
  sendError(code: string, message: string, clientMsgId?: string, seq?: number): void {
    this.enqueue(
      encodeEvent({ type: 'error', code, message, ...(clientMsgId !== undefined ? { clientMsgId } : {}), ...(seq !== undefined ? { seq } : {}) }),
    );
  }

  /** Handles one frame from the peer. */
  receive(data: WebSocket.RawData, isBinary: boolean): void {
    if (this.detached || this.closeWhenAnswered) return;
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
    const parsed = parseClientFrame(text);
    if (!parsed.ok) {
      this.sendError('BAD_FRAME', parsed.message, parsed.clientMsgId);
      return;
    }
    const frame = parsed.frame;
    switch (frame.type) {
      case 'typing':
        this.ctx.chat.typing(this);
        return;
      case 'read':
        this.track(this.ctx.chat.read(this, frame.seq));
        return;
      case 'edit':
        this.track(this.ctx.chat.edit(this, frame.seq, frame.text));
        return;
      case 'delete':
        this.track(this.ctx.chat.deleteMessage(this, frame.seq));
        return;
      case 'message':
        if (this.ctx.isStopping()) {
          this.sendError('SERVER_SHUTTING_DOWN', 'the server is restarting; send again after reconnecting', frame.clientMsgId);
          return;
        }
        this.track(this.ctx.chat.post(this, frame.text, frame.clientMsgId));
    }
  }

  /** Counts a frame as in flight until the chat has answered it (see `closeOnceAnswered`). */
  private track(answered: Promise<void>): void {
    this.framesInFlight += 1;
    answered.then(
      () => this.frameAnswered(),
      (err: unknown) => {
        this.ctx.logger.error({ err, userId: this.user.id, roomId: this.roomId }, 'handling a frame failed');
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
    // Leave the room at once: from here on the socket carries only the answers to its own
    // messages, which the chat acknowledges directly (the room's delivery may hold one back
    // behind a missing seq, past the moment the last answer comes).
    this.joinBuffer = undefined;
    this.ctx.chat.leave(this);
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
   * Leaves the room now and closes the socket with `code`.
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
   * what is already buffered. It stays registered until the caller (the hub, after its loop) or
   * the socket's close event unregisters it, so a broadcast in progress is never re-entered.
   */
  private dropAsSlow(): void {
    this.droppedAsSlow = true;
    this.queue = [];
    this.queuedBytes = 0;
    this.joinBuffer = undefined;
    this.socket.close(CloseCode.SLOW_CONSUMER, 'slow consumer');
  }

  /** Drops a dead peer without a closing handshake. */
  terminate(): void {
    this.detach();
    this.socket.terminate();
  }

  /** Leaves the room and the server's connections; idempotent. */
  detach(): void {
    if (this.detached) return;
    this.detached = true;
    this.queue = [];
    this.queuedBytes = 0;
    this.joinBuffer = undefined;
    this.ctx.chat.leave(this);
  }

  logDebug(err: Error): void {
    this.ctx.logger.debug({ err, userId: this.user.id, roomId: this.roomId }, 'websocket error');
  }
}
