/**
 * Stores chat messages with one group commit for all rooms: while one INSERT is in flight, the
 * messages that arrive queue up and go in the next INSERT together, whatever their room. Batches
 * run one at a time, so a room's messages take seqs in the order they arrived, and their
 * acknowledgements resolve in that order. A busy instance costs one statement and one commit per
 * batch, not per message.
 */
import { isIntegrityViolation, type Db } from '@murmur/shared/db';
import { notFound, unavailable } from '@murmur/shared/errors';
import { GroupBatcher } from '@murmur/shared/group-batcher';
import { insertMessages, type NewMessage, type StoredMessage } from './messages.repo.js';

export interface MessageWriterOptions {
  /** Most messages in one INSERT; keeps a statement's size and latency bounded. */
  maxBatch: number;
  /** How long a batch waits for more messages before it is stored (see GroupBatcher). */
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
      // A batch that fails on its data (an author deleted a moment ago) is retried message by
      // message, in order, so only the bad one fails.
      retryAloneWhen: isIntegrityViolation,
    });
  }

  /** Messages accepted and not yet stored, not counting the batch in flight. */
  get waiting(): number {
    return this.batcher.waiting;
  }

  /** Resolves once the message is committed, with its id, seq and time; refuses at once when the queue is full. */
  async store(message: NewMessage): Promise<StoredMessage> {
    if (this.batcher.waiting >= this.options.maxWaiting) {
      throw unavailable('STORAGE_BUSY', 'messages are waiting to be stored; send this one again shortly');
    }
    const stored = await this.batcher.submit(message);
    if (!stored) throw notFound('ROOM_NOT_FOUND', `there is no room ${message.roomId}`);
    return stored;
  }

  /** Resolves when every message handed to `store` so far is stored (or failed). */
  drain(): Promise<void> {
    return this.batcher.drain();
  }
}
