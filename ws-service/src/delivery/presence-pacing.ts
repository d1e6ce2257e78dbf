/**
 * Paces the presence one account announces, so that toggling a subscription (or opening and
 * closing sockets) from many sockets cannot flood a room's members with `participant_joined` and
 * `participant_left`. It sits between the hub and the tracker, which hear of a user's first local
 * socket in a room and of their last one.
 *
 * An arrival over the account's budget is not refused: the subscription is made and gets the
 * room's events as any other, since a client told "no" would have to retry a subscription it
 * believes it holds. Only its announcement waits until the budget allows it, and is never made if
 * the person left meanwhile. A departure is announced at once, unless its arrival is still
 * waiting: then neither is, as nobody heard of the arrival. So every `participant_left` of an
 * account follows one of its `participant_joined`, and those come at most at the budget's rate.
 */
import type { ExpiredHandler, PresenceTracker } from './presence.js';
import type { PublicUser } from '../protocol.js';

export interface PresenceBudget {
  /** Takes one arrival from the account's budget: false when it has none left now. */
  take(userId: number): boolean;
  /** How long a waiting arrival waits before asking again: about the time the budget needs to refill by one. */
  retryMs: number;
}

/** The key of one user in one room. */
const keyOf = (roomId: number, userId: number) => `${roomId}:${userId}`;

export class PacedPresence implements PresenceTracker {
  /** The arrivals waiting for their account's budget, each with the timer that asks again. */
  private readonly waiting = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly tracker: PresenceTracker,
    private readonly budget: PresenceBudget,
  ) {}

  arrived(roomId: number, user: PublicUser, onFirst: () => void): void {
    if (this.budget.take(user.id)) {
      this.tracker.arrived(roomId, user, onFirst);
      return;
    }
    const key = keyOf(roomId, user.id);
    const timer = setTimeout(() => {
      this.waiting.delete(key);
      this.arrived(roomId, user, onFirst);
    }, this.budget.retryMs);
    // The hub departs every user before the server stops, which ends the wait.
    timer.unref();
    this.waiting.set(key, timer);
  }

  departed(roomId: number, user: PublicUser, onLast: () => void): void {
    const key = keyOf(roomId, user.id);
    const waitingArrival = this.waiting.get(key);
    if (waitingArrival === undefined) {
      this.tracker.departed(roomId, user, onLast);
      return;
    }
    clearTimeout(waitingArrival);
    this.waiting.delete(key);
  }

  clientCounts(roomIds: readonly number[]): Promise<number[]> {
    return this.tracker.clientCounts(roomIds);
  }

  participants(roomId: number): Promise<PublicUser[]> {
    return this.tracker.participants(roomId);
  }

  onExpired(handler: ExpiredHandler): () => void {
    return this.tracker.onExpired(handler);
  }

  close(): Promise<void> {
    for (const timer of this.waiting.values()) clearTimeout(timer);
    this.waiting.clear();
    return this.tracker.close();
  }
}
