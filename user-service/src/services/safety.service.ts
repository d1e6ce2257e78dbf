/**
 * The rules of blocks and mutes: never of oneself, only of an existing account, and idempotent
 * (blocking or muting twice keeps one; undoing what is not there changes nothing). A block ends
 * the follows both ways as unfollows do; a mute is between the muter and the database alone.
 */
import { inTransaction, poolExecutor, type Db } from '@murmur/shared/db';
import { badRequest } from '@murmur/shared/errors';
import { toPage, type Page, type PageRequest } from '@murmur/shared/http';
import type { LiveUpdates } from '../live/live-updates.js';
import type { AccountSummary } from '../repos/account-summary.js';
import {
  deleteBlock,
  deleteMute,
  findRelationship,
  insertBlock,
  listBlocksOrMutes,
  upsertMute,
  type ListedRow,
  type Relationship,
} from '../repos/safety.repo.js';
import { postsLeftTimeline, userNotFound } from './follows.service.js';

export type BlockedAccount = AccountSummary & { blockedAt: Date };
export type MutedAccount = AccountSummary & { mutedAt: Date; notifications: boolean };

const refuseSelf = (callerId: number, otherId: number, code: string, what: string) => {
  if (callerId === otherId) throw badRequest(code, `you cannot ${what} yourself`);
};

/** Blocks; the follows between the two end, and each timeline loses the other's posts, live too. */
export async function block(db: Db, live: LiveUpdates, blockerId: number, blockedId: number): Promise<Relationship> {
  refuseSelf(blockerId, blockedId, 'CANNOT_BLOCK_SELF', 'block');
  const { losses, relationship } = await inTransaction(db.$client, async (tx) => {
    const lost = await insertBlock(tx, blockerId, blockedId);
    if (!lost) throw userNotFound(blockedId);
    return { losses: lost, relationship: await findRelationship(tx, blockerId, blockedId) };
  });
  for (const loss of losses) postsLeftTimeline(live, loss.readerId, loss.postIds);
  return relationship;
}

/** Unblocks; the follows the block ended are not restored. */
export async function unblock(db: Db, blockerId: number, blockedId: number): Promise<Relationship> {
  refuseSelf(blockerId, blockedId, 'CANNOT_BLOCK_SELF', 'unblock');
  return inTransaction(db.$client, async (tx) => {
    if (!(await deleteBlock(tx, blockerId, blockedId))) throw userNotFound(blockedId);
    return findRelationship(tx, blockerId, blockedId);
  });
}

/** Mutes the account's posts, and its notifications unless `notifications` is false. */
export async function mute(db: Db, muterId: number, mutedId: number, notifications: boolean): Promise<Relationship> {
  refuseSelf(muterId, mutedId, 'CANNOT_MUTE_SELF', 'mute');
  if (!(await upsertMute(db, muterId, mutedId, notifications))) throw userNotFound(mutedId);
  return findRelationship(poolExecutor(db.$client), muterId, mutedId);
}

/** Unmutes; a followed account's `backfillPosts` newest posts are back in the caller's timeline. */
export async function unmute(db: Db, backfillPosts: number, muterId: number, mutedId: number): Promise<Relationship> {
  refuseSelf(muterId, mutedId, 'CANNOT_MUTE_SELF', 'unmute');
  return inTransaction(db.$client, async (tx) => {
    if (!(await deleteMute(tx, muterId, mutedId, backfillPosts))) throw userNotFound(mutedId);
    return findRelationship(tx, muterId, mutedId);
  });
}

const pageOfRows = <T>(rows: ListedRow[], page: PageRequest, toItem: (row: ListedRow) => T): Page<T> =>
  toPage(rows, page.limit, (row) => row.rowId, toItem);

/** The accounts the caller blocks, newest block first. */
export async function listBlocks(db: Db, userId: number, page: PageRequest): Promise<Page<BlockedAccount>> {
  return pageOfRows(await listBlocksOrMutes(db, 'blocks', userId, page), page, (row) => ({ ...row.account, blockedAt: row.since }));
}

/** The accounts the caller mutes, newest mute first. */
export async function listMutes(db: Db, userId: number, page: PageRequest): Promise<Page<MutedAccount>> {
  return pageOfRows(await listBlocksOrMutes(db, 'mutes', userId, page), page, (row) => ({
    ...row.account,
    mutedAt: row.since,
    notifications: row.notifications,
  }));
}
