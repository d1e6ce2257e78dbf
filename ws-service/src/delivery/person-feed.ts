/**
 * One `/ws/stream` connection's feed of its person's own events: notifications, timeline changes
 * and the activity of rooms it is not subscribed to. The hub registers it under the person's id.
 * Until the connection is set up (`start`: `ready`, then the notifications replayed for
 * `?since=`) live events are held back, and afterwards a live copy of a notification the replay
 * already held is dropped, so each notification reaches the connection once, after `ready`.
 */
import type { EncodedEvent, ChatMessage, PublicUser, SequencedEvent } from '../protocol.js';
import type { WatchedRoom } from '../store/streams.repo.js';
import type { BlockList } from './block-list.js';
import { HeldEvents, type OutputBound } from './held-events.js';
import { byBlocked, hideMessage } from './hidden-events.js';
import { RoomActivity } from './room-activity.js';

/** A person's event ready to send, with its notification id if it is one. */
export interface PersonEvent extends EncodedEvent {
  notificationId?: number;
}

/** What a feed needs of its connection. */
export interface FeedConnection extends OutputBound {
  readonly user: PublicUser;
  readonly isClosed: boolean;
  /** Whom the person blocks: a room's last message by one of them is shown hidden. */
  readonly blocks: BlockList;
  /** True while the connection is subscribed to the room: it gets the room's own events, not its activity. */
  isSubscribed(roomId: number): boolean;
  enqueue(event: EncodedEvent): boolean;
}

export class PersonFeed {
  /** Live events that arrived before the start was sent; undefined once started. */
  private held: HeldEvents<PersonEvent> | undefined;
  /** The newest notification the replay held; live copies up to it are dropped. */
  private replayedUpTo = 0;
  /** The rooms the person is a member of, watched for `room_activity`; the hub indexes them. */
  readonly rooms = new Map<number, RoomActivity>();

  constructor(readonly connection: FeedConnection) {
    this.held = new HeldEvents(connection);
  }

  get user(): PublicUser {
    return this.connection.user;
  }

  /** Queues a live event; false when the connection's output passed its bound. */
  deliver(event: PersonEvent): boolean {
    if (this.connection.isClosed) return true;
    if (event.notificationId !== undefined && event.notificationId <= this.replayedUpTo) return true;
    return this.held ? this.held.push(event) : this.connection.enqueue(event);
  }

  /** Starts watching a room (the hub calls this as it indexes the feed under the room). */
  watch(room: WatchedRoom): void {
    if (!this.rooms.has(room.roomId)) this.rooms.set(room.roomId, new RoomActivity(room.roomId, room));
  }

  /** A stored event of a watched room passed: a new message is `room_activity`, unless the connection is subscribed to the room. */
  roomStored(roomId: number, event: SequencedEvent, lastMessage: () => ChatMessage): boolean {
    const { blocks } = this.connection;
    const shown = blocks.size !== 0 && byBlocked(event, blocks) ? () => hideMessage(lastMessage()) : lastMessage;
    const activity = this.rooms.get(roomId)?.stored(event, shown);
    if (!activity || this.connection.isSubscribed(roomId)) return true;
    return this.deliver(activity);
  }

  /** The person read a watched room up to `seq`. */
  roomRead(roomId: number, seq: number): void {
    this.rooms.get(roomId)?.read(seq);
  }

  /**
   * Sends `initial` (`ready`, then the replayed notifications), then what was held meanwhile,
   * less the notifications up to `replayedUpTo`.
   */
  start(initial: EncodedEvent[], replayedUpTo: number): void {
    const held = this.held?.take() ?? [];
    this.held = undefined;
    for (const event of initial) if (!this.connection.enqueue(event)) return;
    this.replayedUpTo = replayedUpTo;
    for (const event of held) if (!this.deliver(event)) return;
  }
}
