/**
 * One connection's place in one room: what the hub registers, and the one place that decides
 * what of the room the connection is given. A `/ws/joinRoom` socket has one subscription for
 * its life; a `/ws/stream` socket has one per room it subscribed to. The subscription holds back
 * live events while its history or resume is read, and then drops the copies of what that
 * history already held, so each of the room's events reaches the connection once, in seq order.
 */
import type { AuthUser } from '@murmur/shared/auth';
import type { BlockList } from './block-list.js';
import { HeldEvents, type OutputBound } from './held-events.js';
import { asSeenBy } from './hidden-events.js';
import type { HubClient } from './hub.js';
import type { CloseCodeValue } from '../ws/close-codes.js';
import { encodeEvent, type EncodedEvent, type PublicUser, type SequencedEvent } from '../protocol.js';

/**
 * Why a subscription ends before its connection does: the person was removed or banned from the
 * room (or left it on another device), or the subscription was refused, with the error that says why.
 */
export type SubscriptionEnd = 'removed' | { code: string; message: string };

/** What a subscription needs of its connection. */
export interface SubscriberConnection extends OutputBound {
  readonly user: PublicUser;
  /** The authenticated user, with the session and its expiry. */
  readonly auth: AuthUser;
  /** True once the connection is closed: nothing more reaches it. */
  readonly isClosed: boolean;
  /** Whom the person blocks: their messages reach the connection hidden, their typing not at all. */
  readonly blocks: BlockList;
  /** Queues an event; false when the output passed its bound (the connection is closing itself). */
  enqueue(event: EncodedEvent): boolean;
  /** Ends the subscription, as the connection's kind does it: a close, or an `unsubscribed`. */
  endSubscription(subscription: RoomSubscription, why: SubscriptionEnd): void;
  /** The subscription is joined: the room's frames the connection held back may go now. */
  subscriptionJoined(subscription: RoomSubscription): void;
  /** Closes the whole connection (a session that ended, a failure). */
  close(code: CloseCodeValue, reason: string, flushFirst: boolean): void;
}

export class RoomSubscription implements HubClient {
  readonly user: PublicUser;
  /** While joining: live events that arrived before the history was sent, kept in order. */
  private held: HeldEvents<EncodedEvent> | undefined;
  /** The newest seq the join's history or resume held; later copies of those are dropped. */
  private joinedUpTo = 0;
  /** Set when the subscription left its room (the chat's `leave` ran) while the connection may live on. */
  private left = false;
  /** Set once the join let the person in and registered them: the room's frames may act from then on. */
  joined = false;
  /** In a direct room, the other person (read by the join); undefined in any other room. */
  directPeer: number | undefined;
  /**
   * Set while a block stands between the two people of a direct room, as far as this instance
   * heard: their messages are refused without asking the database, which decides in the end.
   */
  pairBlocked = false;

  constructor(
    readonly connection: SubscriberConnection,
    readonly roomId: number,
  ) {
    this.user = connection.user;
  }

  get auth(): AuthUser {
    return this.connection.auth;
  }

  /** True once nothing more of the room reaches it: it left, or its connection closed. */
  get isDetached(): boolean {
    return this.left || this.connection.isClosed;
  }

  /**
   * True while the subscription has left its room but its connection is open: the answers to
   * its frames in flight go straight to the connection.
   */
  get isLeaving(): boolean {
    return this.left && !this.connection.isClosed;
  }

  /** Marks it as out of the room; the chat calls this from `leave`. */
  markLeft(): void {
    this.left = true;
    this.dropHeld();
  }

  /** Holds back live events until `finishJoin` has sent what the join starts with. */
  holdLiveEvents(): void {
    this.held ??= new HeldEvents(this.connection);
  }

  /**
   * Sends `initial` (history, or the messages missed since a cursor), then any live events held
   * meanwhile, without the messages `initial` already holds.
   * @param knownUpTo the highest seq the client now has.
   */
  finishJoin(initial: EncodedEvent[], knownUpTo: number): void {
    const held = this.held?.take() ?? [];
    this.held = undefined;
    if (this.isDetached) return;
    for (const event of initial) if (!this.connection.enqueue(event)) return;
    // From here on, enqueue drops messages `initial` already held, whether held back during the
    // join or acknowledged just after it.
    this.joinedUpTo = knownUpTo;
    for (const event of held) if (!this.enqueue(event)) return;
  }

  enqueue(event: EncodedEvent): boolean {
    if (this.isDetached) return true;
    // A message the join's history or resume already held.
    if (event.seq !== undefined && event.seq <= this.joinedUpTo) return true;
    if (this.held) return this.held.push(event);
    const { blocks } = this.connection;
    if (blocks.size === 0) return this.connection.enqueue(event);
    const shown = asSeenBy(event, blocks);
    return shown === undefined || this.connection.enqueue(shown);
  }

  /**
   * Queues the acknowledgement of one of the connection's own messages straight to it, not
   * through the room: the stored copy of a resend (the join may already have delivered its seq,
   * and the filter on seqs in `enqueue` would drop it), or a message answered after the
   * subscription left its room. The event keeps its seq in its JSON; only the filter skips it.
   */
  acknowledge(message: SequencedEvent): void {
    if (!this.connection.isClosed) this.connection.enqueue({ json: message.json, bytes: message.bytes });
  }

  /** Tells the client a frame about this room was refused; `clientMsgId` or `seq` names the frame. */
  sendError(code: string, message: string, clientMsgId?: string, seq?: number): void {
    if (this.connection.isClosed) return;
    this.connection.enqueue(
      encodeEvent({
        type: 'error',
        code,
        message,
        roomId: this.roomId,
        ...(clientMsgId !== undefined ? { clientMsgId } : {}),
        ...(seq !== undefined ? { seq } : {}),
      }),
    );
  }

  /** The join let the person in: frames held back for the room go on. */
  markJoined(): void {
    if (this.joined || this.isDetached) return;
    this.joined = true;
    this.connection.subscriptionJoined(this);
  }

  /** Ends the subscription (the connection decides how: a close, or an `unsubscribed`). */
  end(why: SubscriptionEnd): void {
    this.connection.endSubscription(this, why);
  }

  private dropHeld(): void {
    this.held?.take();
    this.held = undefined;
  }
}
