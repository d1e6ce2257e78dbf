/**
 * One chat room over WebSocket, as a client should hold it: joins, reconnects with backoff,
 * resumes with `?since=<last seq>` so nothing is lost, drops any seq it already has so nothing
 * shows twice, and keeps the caller's own messages pending until their acknowledgement (resent
 * with the same clientMsgId after a reconnect, which the server never stores twice).
 *
 * It runs in browsers and in Node alike: the socket comes from `createSocket`, so a browser
 * passes `(url) => new WebSocket(url)` and Node (20 has no global WebSocket) the `ws` package's.
 * It does no REST: who is here at join time, older pages and the session check are the app's.
 */
import { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from './backoff.js';
import { newClientMsgId } from './client-msg-id.js';
import { afterDrop, ReconnectTimer } from './reconnect.js';
import { Emitter } from './emitter.js';
import {
  MAX_MEDIA_PER_MESSAGE,
  MAX_MESSAGE_CHARS,
  parseFrame,
  type ChatMessage,
  type ClientFrame,
  type MessageDeletion,
  type MessageEdit,
  type PublicUser,
  type ServerEvent,
} from './events.js';

/** What this module needs of a WebSocket; the browser's and the `ws` package's both fit. */
export interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  // The browser's and `ws`'s event classes differ; the module reads only `data` (message) and `code` (close).
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  addEventListener(type: 'open' | 'message' | 'close' | 'error', listener: (event: any) => void): void;
}

export type SocketFactory = (url: string) => SocketLike;

const OPEN = 1;

export type ConnectionStatus =
  /** The first connection is under way. */
  | 'connecting'
  /** Joined: events flow. */
  | 'open'
  /** The connection dropped; another attempt is scheduled or under way. */
  | 'reconnecting'
  /** The session ended (logout elsewhere, revoked, expired, account deleted): log in again. */
  | 'session-ended'
  /** A moderator suspended the account (close 4004): its sessions are over. */
  | 'suspended'
  /** Removed or banned from the room: rejoining would be refused. */
  | 'removed'
  /** A direct room one of the two people blocked the other in: closed for as long as the block stands. */
  | 'blocked'
  /** Closed for a client fault (bad framing): retrying as is cannot help. */
  | 'failed'
  /** `close()` was called. */
  | 'closed';

export interface PendingMessage {
  clientMsgId: string;
  text: string;
  /** Its pictures' upload ids, when it has any; resent with it. */
  mediaIds?: readonly number[];
  /** `failed` once the server refused it for good (or retries ran out): the app offers retry or discard. */
  state: 'pending' | 'failed';
  error?: { code: string; message: string };
}

export interface ProtocolError {
  code: string;
  message: string;
  seq?: number;
  clientMsgId?: string;
}

export interface RoomConnectionEvents extends Record<string, unknown> {
  status: ConnectionStatus;
  /** The recent history, on a first join (or a rejoin before any history arrived): replaces what is shown. */
  history: { messages: ChatMessage[]; lastSeq: number };
  /** A message new to this client, once per seq; the caller's own acknowledged ones too. */
  message: ChatMessage;
  edited: MessageEdit;
  deleted: MessageDeletion;
  /** The pending list changed. */
  pending: readonly PendingMessage[];
  acknowledged: { clientMsgId: string; message: ChatMessage };
  read: { user: PublicUser; seq: number };
  typing: PublicUser;
  joined: PublicUser;
  left: PublicUser;
  /** A refused frame (an edit, a deletion, a read marker) the module did not handle itself. */
  error: ProtocolError;
  /** A resume left older missed messages out; they are on the REST history page the message names. */
  resumeGap: ProtocolError;
}

export interface RoomConnectionOptions {
  /** The join URL without `since`: `ws://host/api/chat/ws/joinRoom/5`. */
  url: string;
  createSocket: SocketFactory;
  backoff?: BackoffOptions;
  /**
   * Asked after a connection failed before opening (a browser learns nothing of a refused
   * upgrade, a 401 included): answering false ends the session instead of retrying forever.
   */
  checkSession?: () => Promise<boolean>;
  newClientMsgId?: () => string;
  /** At most one typing frame per this interval, as the server relays each one to the room. */
  typingIntervalMs?: number;
  /** Resends of one message refused as temporary (rate limit, busy storage) before it is marked failed. */
  maxResends?: number;
}

/**
 * Whether a refusal is the room's rather than one frame's: `BLOCKED` naming no message or edit
 * refuses the join of a direct room a block closed (or ends it when the block lands).
 */
export const closesRoom = (error: ProtocolError): boolean => error.code === 'BLOCKED' && error.clientMsgId === undefined && error.seq === undefined;

/** Refusals after which the same message may be sent again as it is. */
const RETRYABLE_CODES = new Set(['MESSAGE_NOT_STORED', 'STORAGE_BUSY', 'RATE_LIMITED']);
const DEFAULT_TYPING_INTERVAL_MS = 3_000;
const DEFAULT_MAX_RESENDS = 5;

interface PendingEntry extends PendingMessage {
  resends: number;
  timer?: ReturnType<typeof setTimeout>;
}

export class RoomConnection {
  private readonly events = new Emitter<RoomConnectionEvents>();
  private readonly backoff: BackoffOptions;
  private readonly pendingById = new Map<string, PendingEntry>();
  private socket: SocketLike | undefined;
  /** Bumped for every socket: events of a socket that is no longer current are ignored. */
  private generation = 0;
  private currentStatus: ConnectionStatus = 'connecting';
  /** The newest seq held, contiguous from the history; undefined until the history arrives. */
  private heldSeq: number | undefined;
  private readonly reconnects: ReconnectTimer;
  private lastTypingAt = -Infinity;
  private readWanted = 0;
  private readSent = 0;
  private started = false;

  constructor(private readonly options: RoomConnectionOptions) {
    this.backoff = options.backoff ?? DEFAULT_BACKOFF;
    this.reconnects = new ReconnectTimer(this.backoff);
  }

  on<K extends keyof RoomConnectionEvents>(type: K, listener: (value: RoomConnectionEvents[K]) => void): () => void {
    return this.events.on(type, listener);
  }

  get status(): ConnectionStatus {
    return this.currentStatus;
  }

  /** The newest seq this client holds (what a resume asks to continue after), or undefined before the history. */
  get lastSeq(): number | undefined {
    return this.heldSeq;
  }

  get pending(): readonly PendingMessage[] {
    return [...this.pendingById.values()].map(({ clientMsgId, text, mediaIds, state, error }) => ({
      clientMsgId,
      text,
      ...(mediaIds ? { mediaIds } : {}),
      state,
      ...(error ? { error } : {}),
    }));
  }

  /** Opens the first connection; later ones open by themselves. */
  connect(): void {
    if (this.started) return;
    this.started = true;
    this.open();
  }

  /** Closes for good: no reconnect. Pending messages stay unsent. */
  close(): void {
    this.stop('closed');
  }

  /** Reconnects at once instead of waiting out the backoff (the browser came back online). */
  reconnectNow(): void {
    if (this.currentStatus !== 'reconnecting' || this.socket) return;
    this.reconnects.cancel();
    this.open();
  }

  /**
   * Sends a message; answers its clientMsgId. It stays in `pending` until acknowledged, and is
   * sent again with the same clientMsgId after a reconnect. `mediaIds` are pictures uploaded
   * for this room (`POST /media` with its roomId); with them the text may be empty.
   */
  send(text: string, mediaIds: readonly number[] = []): string {
    if (text.trim().length === 0 && mediaIds.length === 0) throw new RangeError('a message must not be blank');
    if ([...text].length > MAX_MESSAGE_CHARS) throw new RangeError(`a message is at most ${MAX_MESSAGE_CHARS} characters`);
    if (mediaIds.length > MAX_MEDIA_PER_MESSAGE) throw new RangeError(`a message has at most ${MAX_MEDIA_PER_MESSAGE} pictures`);
    const clientMsgId = (this.options.newClientMsgId ?? newClientMsgId)();
    const entry: PendingEntry = { clientMsgId, text, state: 'pending', resends: 0 };
    if (mediaIds.length > 0) entry.mediaIds = [...mediaIds];
    this.pendingById.set(clientMsgId, entry);
    this.emitPending();
    this.sendMessage(entry);
    return clientMsgId;
  }

  /** Sends a failed message again, under its own clientMsgId. */
  retry(clientMsgId: string): void {
    const entry = this.pendingById.get(clientMsgId);
    if (!entry || entry.state !== 'failed') return;
    entry.state = 'pending';
    entry.resends = 0;
    delete entry.error;
    this.emitPending();
    this.sendMessage(entry);
  }

  /** Forgets a pending or failed message; if it was stored after all, it arrives like anyone's. */
  discard(clientMsgId: string): void {
    const entry = this.pendingById.get(clientMsgId);
    if (!entry) return;
    clearTimeout(entry.timer);
    this.pendingById.delete(clientMsgId);
    this.emitPending();
  }

  /** Answers false when not connected: the change was not sent. */
  edit(seq: number, text: string): boolean {
    return this.sendFrame({ type: 'edit', seq, text });
  }

  deleteMessage(seq: number): boolean {
    return this.sendFrame({ type: 'delete', seq });
  }

  /** Moves the read marker forward to `seq` (sent again after a reconnect if it was not sent). */
  markRead(seq: number): void {
    if (seq <= this.readWanted) return;
    this.readWanted = seq;
    if (this.sendFrame({ type: 'read', seq })) this.readSent = seq;
  }

  /** Tells the room the user is typing, at most once per typing interval. */
  typing(now = Date.now()): void {
    if (now - this.lastTypingAt < (this.options.typingIntervalMs ?? DEFAULT_TYPING_INTERVAL_MS)) return;
    if (this.sendFrame({ type: 'typing' })) this.lastTypingAt = now;
  }

  private open(): void {
    this.generation += 1;
    const generation = this.generation;
    const current = () => generation === this.generation;
    let opened = false;
    let socket: SocketLike;
    try {
      socket = this.options.createSocket(this.joinUrl());
    } catch {
      this.scheduleReconnect();
      return;
    }
    this.socket = socket;
    socket.addEventListener('open', () => {
      if (!current()) return;
      opened = true;
      this.readSent = 0;
      this.setStatus('open');
      this.flushOnOpen();
    });
    socket.addEventListener('message', (event: { data: unknown }) => {
      if (!current() || typeof event.data !== 'string') return;
      // A socket that delivers is a good one: the next drop starts the backoff over.
      this.reconnects.reset();
      for (const serverEvent of parseFrame(event.data)) {
        if (!current()) return; // a gap made handle() replace the socket
        this.handle(serverEvent);
      }
    });
    socket.addEventListener('close', (event: { code: number }) => {
      if (!current()) return;
      this.socket = undefined;
      void this.afterClose(event.code, opened);
    });
    // 'close' always follows 'error', and decides.
    socket.addEventListener('error', () => undefined);
  }

  private joinUrl(): string {
    if (this.heldSeq === undefined) return this.options.url;
    const url = new URL(this.options.url);
    url.searchParams.set('since', String(this.heldSeq));
    return url.toString();
  }

  private afterClose(code: number, opened: boolean): Promise<void> {
    const generation = this.generation;
    return afterDrop(code, opened, {
      end: (final) => this.setStatus(final),
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

  /** Drops the socket at once and resumes from the last seq held: used when a seq is missing. */
  private resync(): void {
    const stale = this.socket;
    this.socket = undefined;
    this.setStatus('reconnecting');
    this.open();
    stale?.close(1000);
  }

  /** After a (re)connect: the pending messages, in order, and a read marker not yet sent. */
  private flushOnOpen(): void {
    for (const entry of this.pendingById.values()) {
      if (entry.state === 'pending') this.sendMessage(entry);
    }
    if (this.readWanted > this.readSent && this.sendFrame({ type: 'read', seq: this.readWanted })) this.readSent = this.readWanted;
  }

  private handle(event: ServerEvent): void {
    switch (event.type) {
      case 'history': {
        const { type: _type, ...history } = event;
        this.heldSeq = event.lastSeq;
        this.events.emit('history', history);
        for (const message of event.messages) this.acknowledge(message);
        return;
      }
      case 'message': {
        const { type: _type, ...message } = event;
        if (this.accept(message.seq)) this.events.emit('message', message);
        // A copy acknowledges too: the answer to a resend carries a seq the client may hold already.
        if (this.heldSeq !== undefined && message.seq <= this.heldSeq) this.acknowledge(message);
        return;
      }
      case 'message_edited': {
        const { type: _type, ...edit } = event;
        if (this.accept(edit.seq)) this.events.emit('edited', edit);
        return;
      }
      case 'message_deleted': {
        const { type: _type, ...deletion } = event;
        if (this.accept(deletion.seq)) this.events.emit('deleted', deletion);
        return;
      }
      case 'read':
        return this.events.emit('read', { user: event.user, seq: event.seq });
      case 'typing':
        return this.events.emit('typing', event.user);
      case 'participant_joined':
        return this.events.emit('joined', event.user);
      case 'participant_left':
        return this.events.emit('left', event.user);
      case 'error': {
        const { type: _type, ...error } = event;
        return this.handleError(error);
      }
      case 'server_shutting_down':
        return; // the close (1001) that follows reconnects
    }
  }

  /**
   * Whether an event at `seq` is new. Seqs are contiguous per room, so one at or below the last
   * held is a copy, and one beyond the next means a gap: resume from the last held seq.
   */
  private accept(seq: number): boolean {
    if (this.heldSeq === undefined || seq === this.heldSeq + 1) {
      this.heldSeq = seq;
      return true;
    }
    if (seq > this.heldSeq + 1) this.resync();
    return false;
  }

  private acknowledge(message: ChatMessage): void {
    const id = message.clientMsgId;
    const entry = id === undefined ? undefined : this.pendingById.get(id);
    if (!entry || id === undefined) return;
    clearTimeout(entry.timer);
    this.pendingById.delete(id);
    this.events.emit('acknowledged', { clientMsgId: id, message });
    this.emitPending();
  }

  private handleError(error: ProtocolError): void {
    if (error.code === 'RESUME_GAP') return this.events.emit('resumeGap', error);
    if (closesRoom(error)) return this.closeBlocked(error);
    const entry = error.clientMsgId === undefined ? undefined : this.pendingById.get(error.clientMsgId);
    if (!entry) return this.events.emit('error', error);
    if (RETRYABLE_CODES.has(error.code) && entry.resends < (this.options.maxResends ?? DEFAULT_MAX_RESENDS)) {
      entry.resends += 1;
      clearTimeout(entry.timer);
      entry.timer = setTimeout(() => {
        if (this.pendingById.get(entry.clientMsgId) === entry && entry.state === 'pending') {
          this.sendMessage(entry);
        }
      }, backoffDelay(entry.resends, this.backoff));
      return;
    }
    entry.state = 'failed';
    entry.error = { code: error.code, message: error.message };
    this.emitPending();
  }

  /** Ends the connection for good with `status`: no reconnect, and nothing more is sent. */
  private stop(status: ConnectionStatus): void {
    this.setStatus(status);
    this.generation += 1;
    this.reconnects.cancel();
    for (const entry of this.pendingById.values()) clearTimeout(entry.timer);
    this.socket?.close(1000);
    this.socket = undefined;
  }

  /** A block closed the room: its pending messages can never go, and say why. */
  private closeBlocked(error: ProtocolError): void {
    this.stop('blocked');
    for (const entry of this.pendingById.values()) {
      entry.state = 'failed';
      entry.error = { code: error.code, message: error.message };
    }
    this.emitPending();
  }

  /** A pending message's frame: the same clientMsgId and pictures every time. */
  private sendMessage(entry: PendingEntry): boolean {
    const frame: ClientFrame = { type: 'message', text: entry.text, clientMsgId: entry.clientMsgId };
    if (entry.mediaIds) frame.mediaIds = [...entry.mediaIds];
    return this.sendFrame(frame);
  }

  private sendFrame(frame: ClientFrame): boolean {
    if (!this.socket || this.socket.readyState !== OPEN || this.currentStatus !== 'open') return false;
    this.socket.send(JSON.stringify(frame));
    return true;
  }

  private setStatus(status: ConnectionStatus): void {
    if (status === this.currentStatus) return;
    this.currentStatus = status;
    this.events.emit('status', status);
  }

  private emitPending(): void {
    this.events.emit('pending', this.pending);
  }
}
