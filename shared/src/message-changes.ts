/**
 * Queries that change a stored message: an edit or a deletion. Each is an event of the room's
 * history with a seq of its own, so it is stored under the room row's lock, like new messages
 * (ws-service's messages.repo.ts), and the message row is changed in the same transaction. Edits
 * and deletions are rare next to messages; they take a transaction of their own rather than a
 * place in the group commit.
 *
 * ws-service changes messages at its members' request; user-service deletes one when a
 * moderator resolves a report of it (`removeMessageAsModerator`), which is why these statements
 * live here, with the one owner of how a message changes.
 */
import { runSql, type SqlExecutor } from './db/transaction.js';
import type * as schema from './db/schema.js';
import { notifyAuthEvent } from './auth/auth-events.js';

type MemberRole = schema.MemberRole;

/** The message a change acts on, read under the room's lock: what the rules need to decide. */
export interface ChangeTarget {
  /** Null when no event of the room has that seq. */
  kind: 'message' | 'edit' | 'delete' | null;
  /** The author; null once their account is deleted. */
  authorId: number | null;
  /** True for a tombstone: the message was deleted, or its author's account. */
  deleted: boolean;
  /** The role of the user making the change in the room; null when they are not a member. */
  actorRole: MemberRole | null;
}

/**
 * Locks the room's history (every event of the room is stored under this lock, so the target
 * cannot change until commit) and the actor's membership (so their role cannot change either),
 * and reads the target message and the actor's role.
 */
export async function lockChangeTarget(tx: SqlExecutor, roomId: number, seq: number, actorId: number): Promise<ChangeTarget> {
  await tx.executeSql('SELECT 1 FROM rooms WHERE id = $1 FOR NO KEY UPDATE', [roomId]);
  const { rows: roles } = await tx.executeSql('SELECT role FROM room_members WHERE room_id = $1 AND user_id = $2 FOR SHARE', [roomId, actorId]);
  const { rows } = await tx.executeSql(
    `SELECT m.kind, m.user_id AS author_id, (m.user_id IS NULL OR m.deleted_at IS NOT NULL) AS deleted
     FROM (SELECT 1) AS one
     LEFT JOIN messages m ON m.room_id = $1 AND m.seq = $2`,
    [roomId, seq],
  );
  const row = rows[0] as { kind: ChangeTarget['kind']; author_id: number | null; deleted: boolean | null };
  const actorRole = (roles[0] as { role: MemberRole } | undefined)?.role ?? null;
  return { kind: row.kind, authorId: row.author_id, deleted: row.deleted === true, actorRole };
}

/** An edit or deletion as stored. */
export interface StoredChange {
  id: number;
  seq: number;
  createdAt: Date;
}

interface StoredChangeRow {
  id: number;
  seq: number;
  created_at: Date;
}

const toStoredChange = (rows: unknown[]): StoredChange => {
  const row = rows[0] as StoredChangeRow;
  return { id: row.id, seq: row.seq, createdAt: row.created_at };
};

/** The room's next seq, taken under the lock `lockChangeTarget` holds. */
const NEXT_SEQ = `bumped AS (UPDATE rooms SET last_seq = last_seq + 1 WHERE id = $1 RETURNING last_seq)`;

/**
 * Stores the edit of message `target` as the room's next event and gives the message its new
 * text. Call inside the transaction that ran `lockChangeTarget`.
 */
export async function storeEdit(tx: SqlExecutor, edit: { roomId: number; target: number; userId: number; text: string }): Promise<StoredChange> {
  const { rows } = await tx.executeSql(
    `WITH ${NEXT_SEQ},
          stored AS (
            INSERT INTO messages (room_id, seq, user_id, text, kind, target_seq)
            SELECT $1, last_seq, $3, $4, 'edit', $2 FROM bumped
            RETURNING id, seq, created_at
          ),
          changed AS (
            UPDATE messages SET text = $4, edited_at = (SELECT created_at FROM stored)
            WHERE room_id = $1 AND seq = $2
          )
     SELECT id, seq, created_at FROM stored`,
    [edit.roomId, edit.target, edit.userId, edit.text],
  );
  return toStoredChange(rows);
}

/**
 * Stores the deletion of message `target` as the room's next event and leaves a tombstone: the
 * message loses its text, and the edits of it lose theirs (a resume must not replay what was
 * deleted). The author and clientMsgId stay, never shown, so that a resend of the message is
 * recognised. Call inside the transaction that ran `lockChangeTarget`.
 */
export async function storeDeletion(tx: SqlExecutor, deletion: { roomId: number; target: number; userId: number }): Promise<StoredChange> {
  const { rows } = await tx.executeSql(
    `WITH ${NEXT_SEQ},
          stored AS (
            INSERT INTO messages (room_id, seq, user_id, kind, target_seq)
            SELECT $1, last_seq, $3, 'delete', $2 FROM bumped
            RETURNING id, seq, created_at
          ),
          tombstoned AS (
            UPDATE messages SET text = NULL, edited_at = NULL, deleted_at = (SELECT created_at FROM stored)
            WHERE room_id = $1 AND seq = $2
          ),
          erased AS (
            UPDATE messages SET text = NULL
            WHERE room_id = $1 AND kind = 'edit' AND target_seq = $2 AND seq > $2
          )
     SELECT id, seq, created_at FROM stored`,
    [deletion.roomId, deletion.target, deletion.userId],
  );
  return toStoredChange(rows);
}

/** A message a platform moderator deleted: the deletion's own seq, and the message's. */
export interface ModeratorRemoval {
  seq: number;
  target: number;
  deletedAt: Date;
}

/**
 * Deletes message `seq` of room `roomId` for a platform moderator, in `tx`, and tells every
 * ws-service instance (`message_removed`, sent at commit) so the rooms' live sockets hear of it
 * as of any deletion. Resolves undefined when there is no such message, or it is deleted already.
 */
export async function removeMessageAsModerator(
  tx: SqlExecutor,
  removal: { roomId: number; seq: number; moderator: { id: number; username: string } },
): Promise<ModeratorRemoval | undefined> {
  const { roomId, seq, moderator } = removal;
  const target = await lockChangeTarget(tx, roomId, seq, moderator.id);
  if (target.kind !== 'message' || target.deleted) return undefined;
  const stored = await storeDeletion(tx, { roomId, target: seq, userId: moderator.id });
  await runSql(tx, notifyAuthEvent({ type: 'message_removed', roomId, seq: stored.seq, target: seq, moderator, deletedAt: stored.createdAt.toISOString() }));
  return { seq: stored.seq, target: seq, deletedAt: stored.createdAt };
}
