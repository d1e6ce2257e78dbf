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

export interface Broker {
  /** Hands `message` to every subscriber, on this instance and others; never waits on them. */
  publish(message: BrokerMessage): void;
  /** Receives every published message until the returned function is called. */
  subscribe(handler: BrokerHandler): () => void;
  /**
   * Runs `handler` each time the subscription is (re)established: what was published while it
   * was down never arrives, so the caller catches up from the database. Returns the function
   * that removes it.
   */
  onSubscribed(handler: () => void): () => void;
  close(): Promise<void>;
}
