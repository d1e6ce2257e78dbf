/**
 * Queries on blocks and mutes, and the relationship between two accounts that profiles and the
 * follow, block and mute answers show. The rules of who is shown to whom are
 * @murmur/shared/safety's; this module writes the rows they read.
 */
import { sql, type SQL } from 'drizzle-orm';
import { FOREIGN_KEY_VIOLATION, pgErrorOf, poolExecutor, runSql, type Db, type SqlExecutor } from '@murmur/shared/db';
import { notifyAuthEvent } from '@murmur/shared/auth';
import type { PageRequest } from '@murmur/shared/http';
import { pairLock } from '@murmur/shared/safety';
import { authorTimelineLock, backfillQuery, unmergeQuery } from '../timeline/feed.repo.js';
import { summaryColumns, toSummary, type AccountSummary, type SummaryRow } from './account-summary.js';

/** What the viewer and another account are to each other. */
export interface Relationship {
  /** The other account. */
  id: number;
  following: boolean;
  followedBy: boolean;
  /** The viewer blocks the other account. */
  blocking: boolean;
  /** The other account blocks the viewer. */
  blockedBy: boolean;
  /** The viewer muted the other account's posts. */
  muting: boolean;
  /** The mute hides the other account's notifications too. */
  mutingNotifications: boolean;
}

interface RelationshipRow extends Record<string, unknown> {
  following: boolean;
  followed_by: boolean;
  blocking: boolean;
  blocked_by: boolean;
  /** Null when the viewer does not mute the other account. */
  mute_notifications: boolean | null;
}

/** Every flag of the relationship in one statement: a primary-key or unique-index probe each. */
const relationshipQuery = (viewerId: number, otherId: number): SQL => sql`
  SELECT EXISTS (SELECT 1 FROM follows WHERE follower_id = ${viewerId} AND followee_id = ${otherId}) AS following,
    EXISTS (SELECT 1 FROM follows WHERE follower_id = ${otherId} AND followee_id = ${viewerId}) AS followed_by,
    EXISTS (SELECT 1 FROM blocks WHERE blocker_id = ${viewerId} AND blocked_id = ${otherId}) AS blocking,
    EXISTS (SELECT 1 FROM blocks WHERE blocker_id = ${otherId} AND blocked_id = ${viewerId}) AS blocked_by,
    (SELECT notifications FROM mutes WHERE muter_id = ${viewerId} AND muted_id = ${otherId}) AS mute_notifications`;

/** The relationship of `viewerId` to `otherId`, read by `executor` (a transaction sees its own writes). */
export async function findRelationship(executor: SqlExecutor, viewerId: number, otherId: number): Promise<Relationship> {
  const [row] = await runSql<RelationshipRow>(executor, relationshipQuery(viewerId, otherId));
  return {
    id: otherId,
    following: row?.following ?? false,
    followedBy: row?.followed_by ?? false,
    blocking: row?.blocking ?? false,
    blockedBy: row?.blocked_by ?? false,
    muting: row?.mute_notifications != null,
    mutingNotifications: row?.mute_notifications === true,
  };
}

/** The timeline rows a block took away: `reader` lost those posts (the originals, as timelines name them). */
export interface TimelineLoss {
  readerId: number;
  postIds: number[];
}

/** The rows of `query` (which may write) as undefined when it failed because an account is gone. */
async function unlessAccountGone<T>(query: Promise<T>): Promise<T | undefined> {
  try {
    return await query;
  } catch (err) {
    // One of the two accounts was deleted between the check and the write.
    if (pgErrorOf(err)?.code === FOREIGN_KEY_VIOLATION) return undefined;
    throw err;
  }
}

/**
 * `blockerId` blocks `blockedId`, in transaction `tx`: under the pair's lock (the one the triggers
 * of follows, replies, likes, reposts, mentions and direct rooms take), so a write between the two
 * either committed before and is undone here, or waits and is refused. The follows end both ways
 * as an unfollow ends one: each side's timeline loses the other's posts. `block_changed` commits
 * with the block. Resolves undefined when `blockedId` does not exist, else what the timelines lost.
 */
export async function insertBlock(tx: SqlExecutor, blockerId: number, blockedId: number): Promise<TimelineLoss[] | undefined> {
  await runSql(tx, sql`SELECT ${pairLock(blockerId, blockedId)}`);
  const [row] = (await unlessAccountGone(
    runSql<{ target_exists: boolean; inserted: boolean; blocker_lost: number[]; blocked_lost: number[] }>(tx, sql`
      WITH target AS (SELECT id FROM users WHERE id = ${blockedId}),
      inserted AS (
        INSERT INTO blocks (blocker_id, blocked_id) SELECT ${blockerId}, id FROM target
        ON CONFLICT (blocker_id, blocked_id) DO NOTHING
        RETURNING id
      ),
      unfollowed AS (
        DELETE FROM follows
        WHERE (follower_id = ${blockerId} AND followee_id = ${blockedId}) OR (follower_id = ${blockedId} AND followee_id = ${blockerId})
      ),
      blocker_lost AS (${unmergeQuery(blockerId, blockedId)}),
      blocked_lost AS (${unmergeQuery(blockedId, blockerId)})
      SELECT EXISTS (SELECT 1 FROM target) AS target_exists, EXISTS (SELECT 1 FROM inserted) AS inserted,
        ARRAY(SELECT original_id FROM blocker_lost) AS blocker_lost, ARRAY(SELECT original_id FROM blocked_lost) AS blocked_lost`),
  )) ?? [];
  if (!row?.target_exists) return undefined;
  if (row.inserted) await runSql(tx, notifyAuthEvent({ type: 'block_changed', blockerId, blockedId, blocked: true }));
  return [
    { readerId: blockerId, postIds: row.blocker_lost.map(Number) },
    { readerId: blockedId, postIds: row.blocked_lost.map(Number) },
  ];
}

/**
 * `blockerId` no longer blocks `blockedId`, in transaction `tx`, under the pair's lock;
 * `block_changed` commits with it. The follows the block ended stay ended. Resolves false when
 * `blockedId` does not exist.
 */
export async function deleteBlock(tx: SqlExecutor, blockerId: number, blockedId: number): Promise<boolean> {
  await runSql(tx, sql`SELECT ${pairLock(blockerId, blockedId)}`);
  const [row] = await runSql<{ target_exists: boolean; deleted: boolean }>(tx, sql`
    WITH deleted AS (DELETE FROM blocks WHERE blocker_id = ${blockerId} AND blocked_id = ${blockedId} RETURNING id)
    SELECT EXISTS (SELECT 1 FROM users WHERE id = ${blockedId}) AS target_exists, EXISTS (SELECT 1 FROM deleted) AS deleted`);
  if (!row?.target_exists) return false;
  if (row.deleted) await runSql(tx, notifyAuthEvent({ type: 'block_changed', blockerId, blockedId, blocked: false }));
  return true;
}

/**
 * `muterId` mutes `mutedId`'s posts, and their notifications too when `notifications`; muting
 * again sets the flag anew and keeps the mute's place in the list. Resolves false when `mutedId`
 * does not exist.
 */
export async function upsertMute(db: Db, muterId: number, mutedId: number, notifications: boolean): Promise<boolean> {
  const rows = await unlessAccountGone(
    runSql(poolExecutor(db.$client), sql`
      INSERT INTO mutes (muter_id, muted_id, notifications)
      SELECT ${muterId}, id, ${notifications} FROM users WHERE id = ${mutedId}
      ON CONFLICT (muter_id, muted_id) DO UPDATE SET notifications = excluded.notifications
      RETURNING id`),
  );
  return (rows?.length ?? 0) > 0;
}

/**
 * `muterId` no longer mutes `mutedId`, in transaction `tx`. A post the fan-out left out of the
 * muter's timeline while the mute stood comes back as a new follow's would: when the muter
 * follows the muted account, its `backfillPosts` newest posts are merged in. The author's
 * timeline lock is taken first, in a statement of its own, as a follow takes it (see
 * `authorTimelineLock`), so a post being fanned out meanwhile is not missed by both; and the
 * backfill is a statement after the deletion, since it leaves out the posts of a muted author.
 * Resolves false when `mutedId` does not exist.
 */
export async function deleteMute(tx: SqlExecutor, muterId: number, mutedId: number, backfillPosts: number): Promise<boolean> {
  await runSql(tx, sql`SELECT ${authorTimelineLock(mutedId, 'follow')}`);
  const [row] = await runSql<{ target_exists: boolean; deleted: boolean }>(tx, sql`
    WITH deleted AS (DELETE FROM mutes WHERE muter_id = ${muterId} AND muted_id = ${mutedId} RETURNING id)
    SELECT EXISTS (SELECT 1 FROM users WHERE id = ${mutedId}) AS target_exists, EXISTS (SELECT 1 FROM deleted) AS deleted`);
  if (row?.deleted) {
    const follows = sql`EXISTS (SELECT 1 FROM follows WHERE follower_id = ${muterId} AND followee_id = ${mutedId})`;
    await runSql(tx, backfillQuery(muterId, mutedId, backfillPosts, follows));
  }
  return row?.target_exists ?? false;
}

/** An account in the caller's list of blocks or mutes, with the row's id, which orders the list. */
export interface ListedRow {
  rowId: number;
  account: AccountSummary;
  since: Date;
  /** Mutes only: whether the mute hides notifications too. */
  notifications: boolean;
}

/**
 * The accounts `ownerId` blocks (`blocks`) or mutes (`mutes`), newest first: a walk down the
 * owner's `(owner, id DESC)` index from the cursor.
 */
export async function listBlocksOrMutes(db: Db, table: 'blocks' | 'mutes', ownerId: number, page: PageRequest): Promise<ListedRow[]> {
  const [owner, listed, notifications] =
    table === 'blocks' ? [sql`r.blocker_id`, sql`r.blocked_id`, sql`false`] : [sql`r.muter_id`, sql`r.muted_id`, sql`r.notifications`];
  const rows = await runSql<SummaryRow & { row_id: string; since: Date; notifications: boolean }>(poolExecutor(db.$client), sql`
    SELECT r.id AS row_id, r.created_at AS since, ${notifications} AS notifications, ${summaryColumns('u')}
    FROM ${sql.raw(table)} r JOIN users u ON u.id = ${listed}
    WHERE ${owner} = ${ownerId} ${page.cursor === undefined ? sql`` : sql`AND r.id < ${page.cursor}`}
    ORDER BY r.id DESC
    LIMIT ${page.limit + 1}`);
  return rows.map((r) => ({ rowId: Number(r.row_id), account: toSummary(r), since: new Date(r.since), notifications: r.notifications }));
}
