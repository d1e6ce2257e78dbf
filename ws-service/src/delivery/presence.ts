/**
 * Presence: which users are connected to which room, across every instance of the cluster. The
 * hub counts its own sockets and tells the tracker only when a user's first local socket in a
 * room arrives or their last one departs; the tracker decides whether that is also the first or
 * last in the whole cluster, which is when `participant_joined` / `participant_left` are sent.
 * In-memory for one instance (presence-memory.ts), Redis for several (presence-redis.ts).
 */
import type { PublicUser } from '../protocol.js';

/** Who is connected where: what the REST API reports. */
export interface Presence {
  /** Distinct users connected to each room now, in the order of `roomIds`. */
  clientCounts(roomIds: readonly number[]): Promise<number[]>;
  /** The users connected to the room now, each once however many sockets and instances. */
  participants(roomId: number): Promise<PublicUser[]>;
}

/** A user of a room whose presence ran out without a goodbye (their instance stopped answering). */
export type ExpiredHandler = (roomId: number, user: PublicUser) => void;

export interface PresenceTracker extends Presence {
  /**
   * The user's first socket in the room on this instance arrived; `onFirst` runs (maybe later)
   * if it is their first in the cluster. Never throws.
   */
  arrived(roomId: number, user: PublicUser, onFirst: () => void): void;
  /**
   * The user's last socket in the room on this instance departed; `onLast` runs (maybe later) if
   * it was their last in the cluster. Never throws.
   */
  departed(roomId: number, user: PublicUser, onLast: () => void): void;
  /** Registers the handler of users whose presence expired; returns the function that removes it. */
  onExpired(handler: ExpiredHandler): () => void;
  /** Finishes pending updates, withdraws this instance's presence and releases its resources. */
  close(): Promise<void>;
}
