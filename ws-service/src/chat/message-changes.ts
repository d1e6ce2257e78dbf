/**
 * The rules of editing and deleting a message. Only the author edits; the author, a moderator or
 * the owner deletes. Only a message can be changed (not an edit or a deletion), and a tombstone
 * never again. An edit in a direct room a block closed is refused (403 BLOCKED), as a new message
 * would be; a deletion never is. Each change is stored as the room's next event and returned
 * encoded, ready for the room's delivery like a new message.
 */
import { inTransaction, type Db } from '@murmur/shared/db';
import { AppError, forbidden, notFound } from '@murmur/shared/errors';
import { encodeDeletion, encodeEdit, type PublicUser, type SequencedEvent } from '../protocol.js';
import { lockChangeTarget, storeDeletion, storeEdit, type ChangeTarget } from '@murmur/shared/message-changes';
import { blockedRefusal } from '@murmur/shared/safety';
import { moderates } from './rooms.service.js';
import { refuseIfBlocked } from '../store/blocks.repo.js';

export interface ChangeRequest {
  roomId: number;
  /** The seq of the message to change. */
  target: number;
  user: PublicUser;
}

/** Refuses a change of anything but a live message: the answer names the reason. */
function requireLiveMessage(target: ChangeTarget, seq: number): void {
  if (target.kind === null) throw notFound('MESSAGE_NOT_FOUND', `this room has no event ${seq}`);
  if (target.kind !== 'message') throw new AppError(400, 'NOT_A_MESSAGE', `event ${seq} is ${target.kind === 'edit' ? 'an edit' : 'a deletion'}, not a message`);
  if (target.deleted) throw new AppError(409, 'MESSAGE_DELETED', `message ${seq} is deleted`);
}

/** @param request.peer in a direct room, the other person */
export async function editMessage(db: Db, request: ChangeRequest & { text: string; peer: number | undefined }): Promise<SequencedEvent> {
  const { roomId, target, user, text, peer } = request;
  const stored = await inTransaction(db.$client, async (tx) => {
    // The pair's lock before the room's, in the order a new message takes them.
    if (peer !== undefined) await refuseIfBlocked(tx, user.id, peer);
    const found = await lockChangeTarget(tx, roomId, target, user.id);
    requireLiveMessage(found, target);
    if (found.authorId !== user.id) throw forbidden('NOT_MESSAGE_AUTHOR', `only the author edits message ${target}`);
    return storeEdit(tx, { roomId, target, userId: user.id, text });
  }).catch((err: unknown) => {
    throw blockedRefusal(err) ?? err;
  });
  return encodeEdit({ seq: stored.seq, roomId, target, text, editedAt: stored.createdAt.toISOString(), user });
}

export async function deleteMessage(db: Db, request: ChangeRequest): Promise<SequencedEvent> {
  const { roomId, target, user } = request;
  const stored = await inTransaction(db.$client, async (tx) => {
    const found = await lockChangeTarget(tx, roomId, target, user.id);
    requireLiveMessage(found, target);
    if (found.authorId !== user.id && !moderates(found.actorRole)) {
      throw forbidden('NOT_ALLOWED_TO_DELETE', `only the author, a moderator or the owner deletes message ${target}`);
    }
    return storeDeletion(tx, { roomId, target, userId: user.id });
  });
  return encodeDeletion({ seq: stored.seq, roomId, target, user });
}
