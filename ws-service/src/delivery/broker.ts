/**
 * How an instance reaches the others: every event broadcast to a room, and every live event for
 * a person made here, is published here, and every instance delivers what it receives to its own
 * local clients. The hub delivers its own
 * events locally first and ignores their echo (compare socket.io's Redis adapter). In-memory for one
 * instance (broker-memory.ts), Redis for several (broker-redis.ts).
 */
import type { LiveEvent } from '@murmur/shared/live-events';
import type { EncodedEvent, SequencedEvent } from '../protocol.js';

/** An event of a room, for its subscribers (channel `room:<id>`). */
export interface RoomBrokerMessage {
  /** The instance that published it, so it can ignore its own echo. */
  origin: string;
  roomId: number;
  /** A stored event (it has a seq: receivers deliver it in order) or a passing event (typing, presence, read markers). */
  event: EncodedEvent | SequencedEvent;
}

/** An event for one person's stream connections (channel `user:<id>`). */
export interface PersonBrokerMessage {
  /** The instance (or service) that published it. */
  origin: string;
  userId: number;
  event: LiveEvent;
}

export type BrokerMessage = RoomBrokerMessage | PersonBrokerMessage;

/** True for a person's event. */
export const isPersonMessage = (message: BrokerMessage): message is PersonBrokerMessage => 'userId' in message;

/** True for an event stored in the room's history (a message, edit or deletion), which carries its seq and author. */
export const isSequenced = (event: EncodedEvent | SequencedEvent): event is SequencedEvent => event.seq !== undefined;

export type BrokerHandler = (message: BrokerMessage) => void;

/** A room's channel or a person's. */
export type Channel = { roomId: number } | { userId: number };

export interface Broker {
  /** Hands `message` to every subscriber, on this instance and others; never waits on them. */
  publish(message: BrokerMessage): void;
  /** Receives every published message of the channels this instance follows until the returned function is called. */
  subscribe(handler: BrokerHandler): () => void;
  /**
   * This instance wants the channel's messages (it has clients in the room, or streams watching
   * it, or streams of the person): a sharded broker subscribes to it. Brokers that hand every
   * instance every channel ignore it. The hub calls it once per channel, and `unfollow` once
   * nothing here wants it any more. Resolves once the subscription is in place (or failed, which
   * is logged): at once where there is nothing to subscribe.
   */
  follow(channel: Channel): Promise<void>;
  unfollow(channel: Channel): void;
  /**
   * Runs `handler` each time a subscription is (re)established, with the channel it is for, or
   * with none when it is every channel: what was published while it was not in place never
   * arrives, so the caller catches up from the database. Returns the function that removes it.
   */
  onSubscribed(handler: (channel?: Channel) => void): () => void;
  close(): Promise<void>;
}
