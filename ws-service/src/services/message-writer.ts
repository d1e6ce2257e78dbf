/**
 * Stores chat messages with one writer per room: while one INSERT for a room is in flight, the
 * messages that arrive queue up and go in the next INSERT together (group commit). So a room's
 * messages get increasing ids in the order they were stored, their acknowledgements resolve in
 * that order (the order every client sees), and a busy room costs one statement per batch.
 */
import type { Db } from '@murmur/shared/db';
import { insertMessages, type NewMessage, type StoredMessage } from '../repos/messages.repo.js';

/** Most messages written by one INSERT; keeps a statement's size and latency bounded. */
const MAX_BATCH_MESSAGES = 200;

interface Pending {
  message: NewMessage;
  resolve(stored: StoredMessage): void;
  reject(err: unknown): void;
}

export class MessageWriter {
  /** roomId → messages waiting; a room has an entry exactly while its writer runs. */
  private readonly queues = new Map<number, Pending[]>();
  private idleWaiters: Array<() => void> = [];

  constructor(private readonly db: Db) {}

  /** Resolves once the message is committed, with its id and time. */
  store(message: NewMessage): Promise<StoredMessage> {
    return new Promise((resolve, reject) => {
      const pending = { message, resolve, reject };
      const queue = this.queues.get(message.roomId);
      if (queue) {
        queue.push(pending);
        return;
      }
      const fresh = [pending];
      this.queues.set(message.roomId, fresh);
      void this.run(message.roomId, fresh);
    });
  }

  /** Resolves when every message handed to `store` so far is stored (or failed). */
  drain(): Promise<void> {
    if (this.queues.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /**
   * Stores a batch in one INSERT. If it fails, one message may be to blame (its author was just
   * deleted), so the messages are retried one by one, in order, and only the bad one fails.
   */
  private async write(batch: Pending[]): Promise<void> {
    try {
      const stored = await insertMessages(
        this.db,
        batch.map((p) => p.message),
      );
      batch.forEach((p, i) => p.resolve(stored[i]!));
    } catch (err) {
      if (batch.length === 1) {
        batch[0]!.reject(err);
        return;
      }
      for (const pending of batch) await this.write([pending]);
    }
  }

  private async run(roomId: number, queue: Pending[]): Promise<void> {
    while (queue.length > 0) {
      await this.write(queue.splice(0, MAX_BATCH_MESSAGES));
    }
    this.queues.delete(roomId);
    if (this.queues.size === 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const wake of waiters) wake();
    }
  }
}
