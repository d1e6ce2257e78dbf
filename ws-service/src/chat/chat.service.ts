/**
 * The heart of ws-service (compare centrifuge's Node): the chat use cases, post, join and
 * shutdown, and everything they need. It owns the hub (who is in which room here), the message
 * writer (group commit), the recent history (in-order delivery) and the broker subscription
 * (the other instances). Sockets and HTTP stay outside: ws-server.ts wires them to it.
 *
 * How a message travels: a client's frame → `post` (a message with pictures claims them first:
 * picture-claims.ts) → the writer stores it and gets its seq → it is published once to the other
 * instances and handed to the room's history, which delivers it to local clients in seq order
 * (the sender's copy is its acknowledgement). Another instance's message arrives through the
 * broker and takes the same last step.
 */
import { DEADLOCK_DETECTED, FOREIGN_KEY_VIOLATION, isDatabaseUnavailable, isIntegrityViolation, pgErrorOf, type Db } from '@murmur/shared/db';
import { GroupBatcher } from '@murmur/shared/group-batcher';
import { AppError, forbidden, notFound, unauthorized } from '@murmur/shared/errors';
import type { AuthEvent, AuthEventsSubscriber, AuthUser } from '@murmur/shared/auth';
import type { Logger } from '@murmur/shared/logger';
import type { MediaAttachment } from '@murmur/shared/media';
import type { WebSocket } from 'ws';
import { isPersonMessage, isSequenced, type Broker, type BrokerMessage } from '../delivery/broker.js';
import { Hub } from '../delivery/hub.js';
import type { PresenceTracker } from '../delivery/presence.js';
import { PacedPresence } from '../delivery/presence-pacing.js';
import { encodeDeletion, encodeEvent, encodeMessage, NO_MEDIA, type EncodedEvent, type SequencedEvent } from '../protocol.js';
import { admitMembers, moveReadMarkers, stillAdmitted, type Admission, type JoinCheck, type JoinStanding, type ReadOutcome } from '../store/members.repo.js';
import { messagesAfter, type NewMessage, type StoredMessage } from '../store/messages.repo.js';
import { CloseCode } from '../ws/close-codes.js';
import { Client, type ChatEntry, type ClientLimits, type ConnectionKind } from '../ws/client.js';
import type { RoomSubscription } from '../delivery/room-subscription.js';
import { FlushScheduler } from '../ws/flush-scheduler.js';
import { PersonStreams, type PersonStreamsOptions } from '../people/person-streams.js';
import { BlockLists } from '../people/block-lists.js';
import type { BlockList } from '../delivery/block-list.js';
import { storedAsSeenBy } from '../delivery/hidden-events.js';
import { ChatNotifications } from './chat-notifications.js';
import type { RateLimits } from '../ws/rate-limiter.js';
import { PerUserRateLimit } from '../ws/user-rate-limit.js';
import { deleteMessage, editMessage } from './message-changes.js';
import { MessageWriter } from '../store/message-writer.js';
import { encodeRecord, RoomHistory, type RoomLog } from '../delivery/room-history.js';
import { PictureClaims } from './picture-claims.js';

/** Messages sent on join, as `history`. */
export const HISTORY_ON_JOIN = 50;
/**
 * Most messages replayed on a `?since=` resume. A client further behind gets the newest ones and
 * pages back to its cursor over REST.
 */
export const MAX_RESUME_MESSAGES = 1_000;
/** Joins (membership writes, session re-checks) recorded by one query in a reconnect storm. */
const MAX_JOIN_BATCH = 1_000;
/** How a subscription whose room's history cannot be read ends: the client may try again. */
const HISTORY_UNAVAILABLE = { code: 'HISTORY_UNAVAILABLE', message: 'history unavailable' };
/** Read markers moved by one statement. */
const MAX_READ_BATCH = 1_000;

/** The refusal of a direct room that a block closed. */
const blockedIn = (roomId: number) => ({ code: 'BLOCKED', message: `one of you has blocked the other: direct room ${roomId} is closed` });

/** The messages of a join or resume as the reader of `blocks` gets them. */
const seenBy = (events: SequencedEvent[], blocks: BlockList): SequencedEvent[] =>
  blocks.size === 0 ? events : events.map((event) => storedAsSeenBy(event, blocks));

export interface ChatLimits extends ClientLimits {
  /** Newest messages kept in memory per room with local clients. */
  recentMessages: number;
  /** How long delivery waits for a missing seq before reading it from the database. */
  gapWaitMs: number;
  /** Most messages stored by one INSERT. */
  maxWriteBatch: number;
  /** How long a batch of messages waits for more before it is stored, while messages come faster than one write. */
  writeLingerMs: number;
  /** How long a batch of read markers waits for more before it is stored. */
  readLingerMs: number;
  /** Most messages waiting to be stored before new ones are refused. */
  maxWaitingWrites: number;
  /** Chat messages one account may send across all its sockets on this instance. */
  userRate: RateLimits;
  /** Typing frames one account may send across all its sockets on this instance, apart from its messages. */
  userTypingRate: RateLimits;
  /**
   * Arrivals in rooms (its first socket or subscription in one) one account may have announced as
   * `participant_joined` across its sockets on this instance; past it an announcement waits.
   */
  userPresenceRate: RateLimits;
}

export interface ChatServiceOptions {
  db: Db;
  broker: Broker;
  presence: PresenceTracker;
  /** Tags what this instance publishes, so it can ignore its own echo. */
  instanceId: string;
  /**
   * Account deletions and suspensions (to blank the author's messages held in memory), blocks
   * (the connections' block lists) and moderators' deletions (delivered to the rooms here).
   */
  authEvents: AuthEventsSubscriber;
  /** How stream connections start: where missed notifications are read, how many unread are counted. */
  streams: Pick<PersonStreamsOptions, 'userService' | 'maxUnreadNotifications'>;
  limits: ChatLimits;
  logger: Logger;
}

export class ChatService implements ChatEntry {
  readonly hub: Hub;
  /** Sets up stream connections and ends their feeds. */
  private readonly streams: PersonStreams;
  /** What messages notify (mentions, direct messages), and sending notifications live. */
  readonly notifications: ChatNotifications;
  /** Every open client connection on this instance. */
  readonly connections = new Set<Client>();
  private readonly writer: MessageWriter;
  /** Messages with pictures claim them before they are queued for the writer, in the order sent. */
  private readonly pictureClaims: PictureClaims;
  private readonly history: RoomHistory;
  private readonly scheduler = new FlushScheduler();
  /**
   * What each account may do across its sockets: send `messages` (and edits, deletions, read
   * markers) and `typing`, and have its arrivals in rooms announced (`presence`).
   */
  private readonly userRate: PerUserRateLimit<'messages' | 'typing' | 'presence'>;
  /** Joins that arrive together are decided, and their memberships recorded, in one statement. */
  private readonly admissions: GroupBatcher<{ roomId: number; userId: number }, Admission>;
  /** Joined sockets re-checked together (session and membership), in one query. */
  private readonly joinChecks: GroupBatcher<JoinCheck, JoinStanding>;
  /** Whom the people connected here block, kept current. */
  private readonly blockLists: BlockLists;
  /** Read markers that arrive together move in one statement. */
  private readonly readMarkers: GroupBatcher<{ roomId: number; userId: number; seq: number }, ReadOutcome>;
  private readonly stopListening: Array<() => void> = [];
  /** The subscriptions that hold their room's log in `history` (from the start of their join until they leave). */
  private readonly holdingHistory = new WeakSet<RoomSubscription>();
  private stopping = false;

  constructor(private readonly options: ChatServiceOptions) {
    const { db, broker, presence, instanceId, limits, logger } = options;
    this.userRate = new PerUserRateLimit({ messages: limits.userRate, typing: limits.userTypingRate, presence: limits.userPresenceRate });
    // Every presence event reaches every member of the room: an account's are paced across its
    // sockets, so toggling subscriptions or sockets cannot flood the room.
    const pacedPresence = new PacedPresence(presence, {
      take: (userId) => this.userRate.take(userId, 'presence'),
      retryMs: Math.ceil(1_000 / limits.userPresenceRate.perSecond),
    });
    this.hub = new Hub(broker, pacedPresence, instanceId);
    this.streams = new PersonStreams({ db, hub: this.hub, ...options.streams, logger });
    this.notifications = new ChatNotifications(db, this.hub, presence, logger);
    this.writer = new MessageWriter(db, {
      maxBatch: limits.maxWriteBatch,
      lingerMs: limits.writeLingerMs,
      maxWaiting: limits.maxWaitingWrites,
    });
    this.pictureClaims = new PictureClaims(db);
    this.blockLists = new BlockLists(db, logger);
    this.history = new RoomHistory({
      db,
      recentMessages: limits.recentMessages,
      gapWaitMs: limits.gapWaitMs,
      deliver: (roomId, message) => this.hub.deliver(roomId, message),
      logger,
    });
    // A join whose user was deleted a moment ago breaks the batch's insert: it fails alone.
    this.admissions = new GroupBatcher({ run: (joins) => admitMembers(db, joins), maxBatch: MAX_JOIN_BATCH, retryAloneWhen: isIntegrityViolation });
    this.joinChecks = new GroupBatcher({ run: (joins) => stillAdmitted(db, joins), maxBatch: MAX_JOIN_BATCH });
    this.readMarkers = new GroupBatcher({
      run: (marks) => moveReadMarkers(db, marks),
      maxBatch: MAX_READ_BATCH,
      // Two instances' batches touching the same members can deadlock; one mark alone cannot.
      retryAloneWhen: (err) => pgErrorOf(err)?.code === DEADLOCK_DETECTED,
      lingerMs: limits.readLingerMs,
    });

    this.stopListening.push(broker.subscribe((message) => this.receive(message)));
    this.stopListening.push(
      broker.onSubscribed((channel) => {
        if (channel && !('roomId' in channel)) return;
        this.history.catchUp(channel?.roomId).catch((err: unknown) => logger.warn({ err }, 'catching rooms up after a subscription was made failed'));
      }),
    );
    const onAuthEvent = (event: AuthEvent) => this.authEvent(event);
    // Deletions, suspensions and blocks may have been missed while the event connection was
    // down: reread what memory holds.
    const onReset = () => {
      if (!options.authEvents.live) return;
      this.history.reloadAll().catch((err: unknown) => logger.warn({ err }, 'reloading recent history failed'));
      this.blockLists.reloadAll();
    };
    options.authEvents.on('auth_event', onAuthEvent);
    options.authEvents.on('reset', onReset);
    this.stopListening.push(() => {
      options.authEvents.off('auth_event', onAuthEvent);
      options.authEvents.off('reset', onReset);
    });
  }

  get isStopping(): boolean {
    return this.stopping;
  }

  /**
   * Lets `user` into the room before the WebSocket handshake, recording the membership of a
   * public room (batched with the other joins of the moment). 404 for an unknown room and for a
   * private or direct room the user is not a member of; 403 for a room they are banned from, and
   * for a direct room a block closed.
   */
  async admit(roomId: number, userId: number): Promise<void> {
    let admission: Admission;
    try {
      admission = await this.admissions.submit({ roomId, userId });
    } catch (err) {
      // The account was deleted since its token was checked: its membership cannot be recorded.
      if (pgErrorOf(err)?.code === FOREIGN_KEY_VIOLATION) throw unauthorized('SESSION_ENDED', 'this account no longer exists');
      throw err;
    }
    if (admission === 'not_found') throw notFound('ROOM_NOT_FOUND', `there is no room ${roomId}`);
    if (admission === 'banned') throw forbidden('BANNED_FROM_ROOM', `you were removed from room ${roomId} and cannot join it again`);
    if (admission === 'blocked') {
      const { code, message } = blockedIn(roomId);
      throw forbidden(code, message);
    }
  }

  /**
   * Takes over an accepted socket. A `/ws/joinRoom` client joins its room and gets the history
   * (or, with `since`, every message after that seq), then the live messages, in seq order, none
   * twice; a stream subscribes to rooms with frames.
   */
  connect(ws: WebSocket, user: AuthUser, kind: ConnectionKind, since: number | undefined, token: string): Client {
    const client = new Client(ws, user, kind, {
      chat: this,
      scheduler: this.scheduler,
      limits: this.options.limits,
      logger: this.options.logger,
      isStopping: () => this.stopping,
    });
    if (this.stopping) {
      client.close(CloseCode.GOING_AWAY, 'server shutting down', false);
      return client;
    }
    this.connections.add(client);
    this.blockLists.attach(client);
    this.userRate.attach(user.id);
    if (kind.kind === 'room') void this.join(client.openRoom(kind.roomId), since);
    else client.feed = this.streams.open(client, since, token);
    return client;
  }

  /**
   * Admits a stream's new subscription to its room (recording the membership of a public room, as
   * a join does), then joins it. A refusal (unknown room, not a member, banned, blocked) ends the
   * subscription with that error; the connection stays.
   */
  async subscribe(room: RoomSubscription, since: number | undefined): Promise<void> {
    try {
      await this.admit(room.roomId, room.user.id);
    } catch (err) {
      if (err instanceof AppError && err.code === 'SESSION_ENDED') room.connection.close(CloseCode.SESSION_ENDED, 'session ended', true);
      else if (err instanceof AppError) room.end({ code: err.code, message: err.message });
      else {
        this.options.logger[isDatabaseUnavailable(err) ? 'warn' : 'error']({ err, roomId: room.roomId }, 'admitting a subscription failed');
        room.end({ code: 'SUBSCRIBE_FAILED', message: `could not subscribe to room ${room.roomId}; try again` });
      }
      return;
    }
    await this.join(room, since);
  }

  /**
   * A member was added to a room (on any instance): their streams here watch it. Its unread count
   * starts from the messages seen from now on.
   */
  memberAdded(roomId: number, userId: number): void {
    for (const feed of this.hub.feedsOf(userId)) {
      if (!feed.rooms.has(roomId)) this.hub.watchRoom(feed, { roomId, lastSeq: 0, readSeq: 0, unread: 0 });
    }
  }

  /** A member was removed from a room (on any instance): their streams here stop watching it. */
  memberRemoved(roomId: number, userId: number): void {
    for (const feed of this.hub.feedsOf(userId)) this.hub.unwatchRoom(feed, roomId);
  }

  /**
   * Stores the message (with its pictures, the sender's uploads `mediaIds`, claimed first), then
   * delivers it; resolves once the sender's acknowledgement or error is queued.
   */
  async post(client: RoomSubscription, text: string, clientMsgId: string | undefined, mediaIds: readonly number[] | undefined): Promise<void> {
    const { roomId, user } = client;
    if (this.refuseIfBlocked(client, { clientMsgId })) return;
    if (!this.takeUserRate(client, clientMsgId)) return;
    let stored: StoredMessage;
    try {
      stored = await this.storeInOrder(client, text, clientMsgId, mediaIds);
    } catch (err) {
      this.heardBlocked(client, err);
      // Not acknowledged. Pictures that may not be claimed (an AppError, answered with its code)
      // stored nothing. A commit whose answer was lost may still have stored it; sending it
      // again with the same clientMsgId is safe either way.
      this.answerFailure(client, err, { clientMsgId }, 'storing a message failed', {
        code: 'MESSAGE_NOT_STORED',
        message: 'the message may not have been stored; send it again with the same clientMsgId',
      });
      return;
    }
    const message = encodeMessage({
      seq: stored.seq,
      id: stored.id,
      roomId,
      user,
      text: stored.text,
      media: stored.media ?? NO_MEDIA,
      createdAt: stored.createdAt.toISOString(),
      ...(stored.editedAt !== null ? { editedAt: stored.editedAt.toISOString() } : {}),
      ...(clientMsgId !== undefined ? { clientMsgId } : {}),
    });
    if (stored.resent) {
      this.acknowledgeResend(client, stored, message, text, clientMsgId, mediaIds);
      return;
    }
    this.deliverStored(client, message);
    this.notifications.messageStored(roomId, user, stored.seq, stored.text ?? text);
  }

  /**
   * Queues the message for the writer in the order the client sent it, and resolves once it is
   * stored. A message with pictures claims them first (chat/picture-claims.ts); the subscription's
   * later messages take their turn behind it, so none overtakes another.
   */
  private storeInOrder(client: RoomSubscription, text: string, clientMsgId: string | undefined, mediaIds: readonly number[] | undefined): Promise<StoredMessage> {
    const pictures = mediaIds !== undefined && mediaIds.length > 0 ? mediaIds : undefined;
    // The path of nearly every message: no pictures, and none of the subscription's earlier
    // messages waiting for theirs. Queued at once, as it was before messages had pictures.
    if (pictures === undefined && this.pictureClaims.isIdle(client)) return this.writer.store(this.newMessage(client, text, clientMsgId, null));
    const queued = this.pictureClaims.inTurn(client, async () => {
      const media = pictures === undefined ? null : await this.pictureClaims.claim(client, pictures, clientMsgId);
      // Resolves once queued, not once stored: the turn passes to the next message now.
      return { stored: this.writer.store(this.newMessage(client, text, clientMsgId, media)) };
    });
    return queued.then(({ stored }) => stored);
  }

  private newMessage(client: RoomSubscription, text: string, clientMsgId: string | undefined, media: MediaAttachment[] | null): NewMessage {
    return { roomId: client.roomId, userId: client.user.id, text, clientMsgId: clientMsgId ?? null, media, peer: client.directPeer ?? null };
  }

  /**
   * Refuses a frame that writes in a direct room a block closed, as far as this instance heard
   * (the database refuses the rest); true, with the error sent, when it did.
   */
  private refuseIfBlocked(client: RoomSubscription, frame: { clientMsgId?: string; seq?: number }): boolean {
    if (!client.pairBlocked) return false;
    const { code, message } = blockedIn(client.roomId);
    client.sendError(code, message, frame.clientMsgId, frame.seq);
    return true;
  }

  /** The database refused a write of the direct room for a block: its next ones are refused here. */
  private heardBlocked(client: RoomSubscription, err: unknown): void {
    if (err instanceof AppError && err.code === 'BLOCKED') client.pairBlocked = true;
  }

  /**
   * A resend of a stored message: only the sender hears it again, as the acknowledgement, unless
   * it was deleted since or the client gave its clientMsgId to another message.
   */
  private acknowledgeResend(
    client: RoomSubscription,
    stored: StoredMessage,
    message: SequencedEvent,
    text: string,
    clientMsgId: string | undefined,
    mediaIds: readonly number[] | undefined,
  ): void {
    if (stored.text === null) {
      client.sendError('MESSAGE_DELETED', `this clientMsgId names message ${stored.seq} of this room, which was deleted`, clientMsgId);
      return;
    }
    // A resend carries the same text and pictures; others mean the client reuses ids, and
    // acknowledging would silently drop its new message. An edited message no longer holds its
    // first text: a resend of it is acknowledged with the text it has now.
    const otherText = stored.text !== text && stored.editedAt === null;
    if (otherText || !samePictures(stored.media, mediaIds)) {
      const what = otherText ? 'another text' : 'other pictures';
      client.sendError('CLIENT_MSG_ID_REUSED', `this clientMsgId already names message ${stored.seq} of this room, with ${what}; give every message a fresh clientMsgId`, clientMsgId);
      return;
    }
    // The room already has it (the join may have delivered it already): straight to the sender.
    client.acknowledge(message);
  }

  /** Edits the client's message `seq`; every client of the room gets `message_edited`, the sender's copy is its acknowledgement. */
  async edit(client: RoomSubscription, seq: number, text: string): Promise<void> {
    if (this.refuseIfBlocked(client, { seq })) return;
    if (!this.takeUserRate(client)) return;
    await this.change(client, seq, () => editMessage(this.options.db, { roomId: client.roomId, target: seq, user: client.user, text, peer: client.directPeer }));
  }

  /** Deletes message `seq` (the author's own, or any as a moderator or the owner); the room gets `message_deleted`. */
  async deleteMessage(client: RoomSubscription, seq: number): Promise<void> {
    if (!this.takeUserRate(client)) return;
    await this.change(client, seq, () => deleteMessage(this.options.db, { roomId: client.roomId, target: seq, user: client.user }));
  }

  /**
   * Moves the client's read marker in its room forward to `seq`; when it moved, the room (the
   * reader's other sockets and the sender included) hears `read`. A marker behind the stored one
   * changes nothing; one beyond the room's newest seq is refused.
   */
  async read(client: RoomSubscription, seq: number): Promise<void> {
    if (!this.takeUserRate(client)) return;
    const { roomId, user } = client;
    let outcome: ReadOutcome;
    try {
      outcome = await this.readMarkers.submit({ roomId, userId: user.id, seq });
    } catch (err) {
      this.answerFailure(client, err, { seq }, 'moving a read marker failed', { code: 'READ_NOT_SAVED', message: 'the read marker was not saved; send it again' });
      return;
    }
    if (outcome === 'moved') this.hub.broadcast(roomId, { type: 'read', roomId, user, seq });
    else if (outcome === 'beyond_last') client.sendError('SEQ_BEYOND_LAST', `room ${roomId} has no event ${seq} yet`, undefined, seq);
    else if (outcome === 'not_member') client.sendError('NOT_A_MEMBER', `you are not a member of room ${roomId}`, undefined, seq);
  }

  /** Stores an edit or deletion of message `seq` through `store`, then delivers it like a new message. */
  private async change(client: RoomSubscription, seq: number, store: () => Promise<SequencedEvent>): Promise<void> {
    if (this.stopping) {
      client.sendError('SERVER_SHUTTING_DOWN', 'the server is restarting; send again after reconnecting', undefined, seq);
      return;
    }
    let event: SequencedEvent;
    try {
      event = await store();
    } catch (err) {
      this.heardBlocked(client, err);
      this.answerFailure(client, err, { seq }, 'changing a message failed', {
        code: 'CHANGE_NOT_STORED',
        message: 'the change may not have been stored; look at the room before sending it again',
      });
      return;
    }
    this.deliverStored(client, event);
  }

  /**
   * Answers a frame that failed with an `error` event naming it (by `clientMsgId` or `seq`): a
   * refusal by the rules (an AppError) as it is; anything else, logged, as `unexpected`.
   */
  private answerFailure(
    client: RoomSubscription,
    err: unknown,
    frame: { clientMsgId?: string; seq?: number },
    what: string,
    unexpected: { code: string; message: string },
  ): void {
    if (err instanceof AppError) {
      client.sendError(err.code, err.message, frame.clientMsgId, frame.seq);
      return;
    }
    this.options.logger[isDatabaseUnavailable(err) ? 'warn' : 'error']({ err, roomId: client.roomId, userId: client.user.id, ...frame }, what);
    client.sendError(unexpected.code, unexpected.message, frame.clientMsgId, frame.seq);
  }

  /**
   * Hands a newly stored event to the other instances and to this instance's delivery, which
   * gives every local client of the room its copy in seq order (the sender's is its acknowledgement).
   */
  private deliverStored(client: RoomSubscription, event: SequencedEvent): void {
    this.options.broker.publish({ origin: this.hub.instanceId, roomId: client.roomId, event });
    this.history.accept(client.roomId, event);
    this.hub.roomStored(client.roomId, event);
    // A client being closed for flooding has left the room: its acknowledgement goes straight to it.
    if (client.isLeaving) client.acknowledge(event);
  }

  /** Takes one of the account's frames that change the room (across its sockets); false, with an error sent, past the limit. */
  private takeUserRate(client: RoomSubscription, clientMsgId?: string): boolean {
    if (this.userRate.take(client.user.id, 'messages')) return true;
    client.sendError('RATE_LIMITED', `slow down: at most ${this.userRate.limits.messages.perSecond} messages per second from one account`, clientMsgId);
    return false;
  }

  /**
   * Tells the room the person is typing. Every typing frame reaches every member, so an account's
   * are counted across its sockets like its messages, in a budget of their own.
   */
  typing(room: RoomSubscription): void {
    // Nobody in a direct room a block closed hears the other typing.
    if (room.pairBlocked) return;
    if (!this.userRate.take(room.user.id, 'typing')) {
      room.sendError('RATE_LIMITED', `slow down: at most ${this.userRate.limits.typing.perSecond} typing frames per second from one account`);
      return;
    }
    this.hub.broadcast(room.roomId, { type: 'typing', roomId: room.roomId, user: room.user }, room);
  }

  leave(room: RoomSubscription): void {
    room.markLeft();
    this.hub.unregister(room);
    if (this.holdingHistory.delete(room)) this.history.release(room.roomId);
  }

  disconnect(client: Client): void {
    if (!this.connections.delete(client)) return;
    this.blockLists.detach(client);
    this.userRate.detach(client.user.id);
    if (client.feed) this.streams.close(client.feed);
  }

  /**
   * Refuses new messages, tells every client `server_shutting_down` and stores what was accepted
   * (their acknowledgements still go out). The caller then closes the sockets and calls `close`.
   */
  async shutdown(): Promise<void> {
    this.stopping = true;
    const goodbye = encodeEvent({ type: 'server_shutting_down' });
    for (const client of this.connections) client.enqueue(goodbye);
    // Messages accepted and still claiming their pictures are queued first, then everything stored.
    await this.pictureClaims.drain();
    await this.writer.drain();
    // Acknowledgements of the messages just stored are delivered in promise callbacks; let them run.
    await new Promise((resolve) => setImmediate(resolve));
  }

  /** Stops listening to the broker and auth events and forgets the rooms; after every client has left. */
  close(): void {
    for (const stop of this.stopListening.splice(0)) stop();
    this.history.close();
    this.hub.close();
  }

  private receive(message: BrokerMessage): void {
    if (message.origin === this.hub.instanceId) return;
    if (isPersonMessage(message)) {
      this.hub.deliverToPerson(message.userId, message.event);
    } else if (isSequenced(message.event)) {
      this.storedElsewhere(message.roomId, message.event);
    } else {
      this.hub.deliverPassing(message.roomId, message.event);
    }
  }

  /** An event another instance or service stored: this instance's clients of the room get it in order. */
  private storedElsewhere(roomId: number, event: SequencedEvent): void {
    this.history.accept(roomId, event);
    this.hub.roomStored(roomId, event);
  }

  private authEvent(event: AuthEvent): void {
    const { logger } = this.options;
    switch (event.type) {
      case 'user_deleted':
        this.history.tombstoneAuthor(event.userId);
        return;
      case 'user_suspended':
        this.history.withholdAuthor(event.userId);
        return;
      case 'user_unsuspended':
        this.history.restoreAuthor(event.userId).catch((err: unknown) => logger.warn({ err }, 'reading an unsuspended author’s messages again failed'));
        return;
      case 'block_changed':
        this.blockLists.changed(event);
        return;
      case 'message_removed': {
        // Every instance hears it and delivers it to its own clients: it is not published again.
        const { roomId, seq, target, moderator } = event;
        this.storedElsewhere(roomId, encodeDeletion({ seq, roomId, target, user: moderator }));
        return;
      }
      case 'session_revoked':
        return; // ws/session-closer.ts closes the session's sockets
    }
  }

  /**
   * The token and the membership were checked before the handshake; a logout, removal or ban
   * committed in between sent its event before this client was listed, so look once more now
   * that it is. Resolves false, having closed the client, when it may not stay, or when the
   * check itself failed (the client reconnects; letting it in unchecked could let a removed
   * member read the room).
   */
  private async recheckJoin(room: RoomSubscription, blocksRead: number | undefined): Promise<boolean> {
    const { blocks } = room.connection;
    try {
      const standing = await this.joinChecks.submit({
        sessionId: room.auth.sessionId,
        roomId: room.roomId,
        userId: room.user.id,
        withBlocks: blocksRead !== undefined,
      });
      if (blocksRead !== undefined) blocks.finishRead(blocksRead, standing.blocks ?? []);
      const { session, member, blocked } = standing;
      room.directPeer = standing.peer ?? undefined;
      if (!session) room.connection.close(CloseCode.SESSION_ENDED, 'session ended', true);
      else if (!member) room.end('removed');
      else if (blocked) room.end(blockedIn(room.roomId));
      return session && member && !blocked;
    } catch (err) {
      if (blocksRead !== undefined) blocks.finishRead(blocksRead, undefined);
      this.options.logger.warn({ err }, 'could not recheck a joining socket');
      room.connection.close(CloseCode.INTERNAL_ERROR, 'could not check the membership; reconnect', false);
      return false;
    }
  }

  private async join(room: RoomSubscription, since: number | undefined): Promise<void> {
    if (room.isDetached) return;
    // The log is held from here until `leave`, which releases it whatever happens below. Nothing
    // of the room is sent before the recheck, run meanwhile, says the client may stay.
    this.holdingHistory.add(room);
    // The connection's first join reads whom the person blocks; a stream's joins wait for its
    // start, which reads it. Nothing of the room is sent before the list is known.
    const { blocks } = room.connection;
    const blocksRead = blocks.neverRead ? blocks.beginRead() : undefined;
    const [allowed, loaded] = await Promise.all([
      this.recheckJoin(room, blocksRead),
      this.history.acquire(room.roomId).then(
        (log: RoomLog) => ({ log }),
        (err: unknown) => ({ err }),
      ),
      blocksRead === undefined ? blocks.loaded : undefined,
    ]);
    if (!('log' in loaded)) {
      this.options.logger.error({ err: loaded.err, roomId: room.roomId }, 'loading history failed');
      room.end(HISTORY_UNAVAILABLE);
      return;
    }
    const { log } = loaded;
    if (!allowed || room.isDetached) return;
    this.hub.register(room);
    room.markJoined();
    // A public room joined is one of the person's rooms now: their streams here watch it for room_activity.
    for (const feed of this.hub.feedsOf(room.user.id)) {
      if (!feed.rooms.has(room.roomId)) this.hub.watchRoom(feed, { roomId: room.roomId, lastSeq: log.lastSeq, readSeq: log.lastSeq, unread: 0 });
    }
    const budget = this.options.limits.maxBufferedBytes / 2;
    if (since === undefined) {
      room.finishJoin([log.historyEvent(HISTORY_ON_JOIN, blocks)], log.lastSeq);
    } else if (since >= log.firstSeq - 1) {
      // Everything missed is in memory (or the client is ahead of this instance, which catches up).
      room.finishJoin(resumeEvents(room.roomId, seenBy(log.after(since), blocks), false, budget), Math.max(since, log.lastSeq));
    } else {
      await this.resumeFromDatabase(room, since);
    }
  }

  /** A resume from further back than memory holds: live events wait while the missed ones are read. */
  private async resumeFromDatabase(room: RoomSubscription, since: number): Promise<void> {
    room.holdLiveEvents();
    try {
      const rows = await messagesAfter(this.options.db, room.roomId, since, MAX_RESUME_MESSAGES + 1, true);
      const truncated = rows.length > MAX_RESUME_MESSAGES;
      const missed = seenBy(rows.slice(truncated ? 1 : 0).map(encodeRecord), room.connection.blocks);
      room.finishJoin(resumeEvents(room.roomId, missed, truncated, this.options.limits.maxBufferedBytes / 2), Math.max(since, missed.at(-1)?.seq ?? since));
    } catch (err) {
      this.options.logger.error({ err, roomId: room.roomId }, 'loading missed messages failed');
      room.end(HISTORY_UNAVAILABLE);
    }
  }
}

/**
 * The events that resume a reconnecting client: the missed messages, newest kept, within
 * `budgetBytes` so the resume itself never trips the slow-consumer bound. When older missed
 * messages are left out (`truncated`, or over the budget), a RESUME_GAP error first tells the
 * client where to page them over REST.
 */
export function resumeEvents(roomId: number, missed: SequencedEvent[], truncated: boolean, budgetBytes: number): EncodedEvent[] {
  let first = missed.length;
  for (let bytes = 0; first > 0 && bytes + missed[first - 1]!.bytes <= budgetBytes; first -= 1) bytes += missed[first - 1]!.bytes;
  const kept = missed.slice(first);
  if (first === 0 && !truncated) return kept;
  const oldestKept = kept[0]?.seq;
  const where = oldestKept === undefined ? '' : `?cursor=${oldestKept}`;
  const gap = encodeEvent({
    type: 'error',
    code: 'RESUME_GAP',
    message: `older missed messages were not resent; page them with GET /ws/rooms/${roomId}/messages${where}`,
  });
  return [gap, ...kept];
}

/** True when a resend names the pictures of the stored message, in the same order (or neither has any). */
function samePictures(stored: readonly MediaAttachment[] | null, mediaIds: readonly number[] | undefined): boolean {
  const storedIds = stored ?? [];
  const sentIds = mediaIds ?? [];
  return storedIds.length === sentIds.length && storedIds.every((picture, i) => picture.id === sentIds[i]);
}
