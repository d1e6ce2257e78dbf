/**
 * Stores chat messages with one group commit for all rooms. A message that arrives while nothing
 * is being stored is stored at once, alone; the messages that arrive while a batch is in flight
 * queue up and go in the next batch together, whatever their room. Batches run one at a time, so
 * a room's messages take seqs in the order they arrived, and their acknowledgements resolve in
 * that order. A busy instance costs one statement and one commit per batch, not per message.
 *
 * Each batch costs PostgreSQL a fixed part (a round trip, a statement, a commit that waits for
 * the WAL flush) besides its messages, so the batch size sets the cost per message. While
 * messages come faster than one write (the last batch held several), the next batch first
 * lingers `lingerMs` to gather more; a message after a quiet spell never waits.
 */
import { isIntegrityViolation, type Db } from '@murmur/shared/db';
import { notFound, unavailable } from '@murmur/shared/errors';
import { blockedRefusal } from '@murmur/shared/safety';
import { GroupBatcher } from '@murmur/shared/group-batcher';
import { insertMessages, type NewMessage, type StoredMessage } from './messages.repo.js';

export interface MessageWriterOptions {
  /** Most messages in one INSERT; keeps a statement's size and latency bounded. */
  maxBatch: number;
  /** How long a batch that follows a batch of several waits for more messages before it is stored. */
  lingerMs: number;
  /**
   * Most messages waiting for a batch. When the database is slow or hung the queue would grow
   * without bound; past this, a message is refused at once and its sender told to retry.
   */
  maxWaiting: number;
}

export class MessageWriter {
  private readonly batcher: GroupBatcher<NewMessage, StoredMessage | undefined>;

  constructor(
    db: Db,
    private readonly options: MessageWriterOptions,
  ) {
    this.batcher = new GroupBatcher({
      run: (batch) => insertMessages(db, batch),
      maxBatch: options.maxBatch,
      lingerMs: options.lingerMs,
      lingerOnlyWhenBusy: true,
      // A batch that fails on its data (an author deleted a moment ago, a direct room a block
      // closed a moment ago) is retried message by message, in order, so only the bad one fails.
      retryAloneWhen: (err) => isIntegrityViolation(err) || blockedRefusal(err) !== undefined,
    });
  }

  /** Messages accepted and not yet stored, not counting the batch in flight. */
  get waiting(): number {
    return this.batcher.waiting;
  }

  /**
   * Resolves once the message is committed, with its id, seq and time; refuses at once when the
   * queue is full, and with 403 BLOCKED a message of a direct room a block closed.
   */
  async store(message: NewMessage): Promise<StoredMessage> {
    if (this.batcher.waiting >= this.options.maxWaiting) {
      throw unavailable('STORAGE_BUSY', 'messages are waiting to be stored; send this one again shortly');
    }
    const stored = await this.batcher.submit(message).catch((err: unknown) => {
      throw blockedRefusal(err) ?? err;
    });
    if (!stored) throw notFound('ROOM_NOT_FOUND', `there is no room ${message.roomId}`);
    return stored;
  }

  /** Resolves when every message handed to `store` so far is stored (or failed). */
  drain(): Promise<void> {
    return this.batcher.drain();
  }
}
