/**
 * In-memory presence: this instance is the whole cluster, so a user's first (last) local socket
 * is their first (last) anywhere, and the announcement runs at once, in the same turn.
 */
import type { ExpiredHandler, PresenceTracker } from './presence.js';
import type { PublicUser } from '../protocol.js';

export class MemoryPresence implements PresenceTracker {
  /** roomId → the users present, by id. An empty room is deleted. */
  private readonly rooms = new Map<number, Map<number, PublicUser>>();

  arrived(roomId: number, user: PublicUser, onFirst: () => void): void {
    let users = this.rooms.get(roomId);
    if (!users) {
      users = new Map();
      this.rooms.set(roomId, users);
    }
    if (users.has(user.id)) return;
    users.set(user.id, user);
    onFirst();
  }

  departed(roomId: number, user: PublicUser, onLast: () => void): void {
    const users = this.rooms.get(roomId);
    if (!users?.delete(user.id)) return;
    if (users.size === 0) this.rooms.delete(roomId);
    onLast();
  }

  clientCounts(roomIds: readonly number[]): Promise<number[]> {
    return Promise.resolve(roomIds.map((roomId) => this.rooms.get(roomId)?.size ?? 0));
  }

  participants(roomId: number): Promise<PublicUser[]> {
    return Promise.resolve([...(this.rooms.get(roomId)?.values() ?? [])]);
  }

  /** Every room with its present users. */
  *entries(): IterableIterator<[number, PublicUser[]]> {
    for (const [roomId, users] of this.rooms) yield [roomId, [...users.values()]];
  }

  /** Nothing expires in memory: a user leaves only through `departed`. */
  onExpired(_handler: ExpiredHandler): () => void {
    return () => undefined;
  }

  close(): Promise<void> {
    this.rooms.clear();
    return Promise.resolve();
  }
}
