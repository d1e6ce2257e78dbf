/**
 * A message's pictures are the sender's uploads, claimed for it before it is queued for storage:
 * in a short transaction of its own, `claimMedia` locks them, checks them (the sender's, stored,
 * not attached elsewhere, not private to another room) and marks them as the message's. The
 * group commit of the message writer never waits on a check that may refuse, and a refusal
 * stores nothing. The stored message then carries their snapshot (`messages.media`), and the
 * trigger messages_link_media links their rows to it in the statement that stores it.
 *
 * A claim takes a round trip, yet a client's messages must be stored in the order it sent them:
 * the writer gives a room's messages their seqs in the order they are queued. So a
 * subscription's messages take turns: while one of them waits for its pictures, the ones sent
 * after it on that subscription (with pictures or not) wait to be queued behind it, each in
 * turn. Only queueing takes turns; the storing of one message overlaps with the claim of the
 * next. Order is kept per subscription (one connection in one room): seqs are per room, and two
 * connections' frames have no order between them to keep.
 *
 * A subscription with no claim in flight (nearly every one) queues a message without pictures at
 * once: the chat asks `isIdle`, which looks up nothing while no claim is in flight anywhere.
 */
import { inTransaction, type Db } from '@murmur/shared/db';
import { claimMedia, type MediaAttachment } from '@murmur/shared/media';
import type { RoomSubscription } from '../delivery/room-subscription.js';
import { RESEND_WINDOW_SECONDS } from '../store/messages.repo.js';

const ignore = () => undefined;

export class PictureClaims {
  /** The subscriptions whose messages are taking turns: the end of the newest one's turn. */
  private readonly turns = new Map<RoomSubscription, Promise<void>>();

  constructor(private readonly db: Db) {}

  /** True while none of the subscription's messages is taking its turn: its next one may be queued at once. */
  isIdle(room: RoomSubscription): boolean {
    return this.turns.size === 0 || !this.turns.has(room);
  }

  /**
   * Runs `queue` (claim a message's pictures if it has any, then queue it for storage) once the
   * subscription's earlier messages handed here are queued or refused; resolves as `queue` does.
   * `queue` must resolve once its message is queued, not once it is stored, or the subscription's
   * next message would wait for a whole commit.
   */
  inTurn<T>(room: RoomSubscription, queue: () => Promise<T>): Promise<T> {
    const turn = (this.turns.get(room) ?? Promise.resolve()).then(queue);
    const ended = turn.then(ignore, ignore);
    this.turns.set(room, ended);
    void ended.then(() => {
      if (this.turns.get(room) === ended) this.turns.delete(room);
    });
    return turn;
  }

  /**
   * Claims the sender's uploads `mediaIds` for their message to the subscription's room, in that
   * order. A resend of the message (the same clientMsgId) may claim them again. Rejects with the
   * AppError that says why when one may not be claimed (MEDIA_NOT_FOUND, MEDIA_ALREADY_ATTACHED,
   * MEDIA_NOT_FOR_THIS_ROOM), having changed nothing.
   */
  claim(room: RoomSubscription, mediaIds: readonly number[], clientMsgId: string | undefined): Promise<MediaAttachment[]> {
    const claim = {
      ownerId: room.user.id,
      ids: mediaIds,
      use: 'message',
      roomId: room.roomId,
      claimKey: clientMsgId ?? null,
      resendWindowSeconds: RESEND_WINDOW_SECONDS,
    } as const;
    return inTransaction(this.db.$client, (tx) => claimMedia(tx, claim));
  }

  /** Resolves once every message handed to `inTurn` so far is queued or refused. */
  async drain(): Promise<void> {
    await Promise.all(this.turns.values());
  }
}
