/** Reads the blocks table (written by user-service only): whom people block. */
import type { Db, SqlExecutor } from '@murmur/shared/db';
import { refuseIfBlockedSql } from './safety-sql.js';

/**
 * Whom the account in column `userId` blocks, ascending, as an int[]: one range of
 * blocks_pair_key, empty for nearly everyone. Statements that run as a connection starts read it
 * alongside what they read anyway.
 */
export const blockListOf = (userId: string): string =>
  `ARRAY(SELECT b.blocked_id FROM blocks b WHERE b.blocker_id = ${userId} ORDER BY b.blocked_id)`;

/**
 * Whom each of `userIds` blocks, ascending, in the order of `userIds`; one query for all, each
 * person one range of blocks_pair_key.
 */
export async function readBlockLists(db: Db, userIds: readonly number[]): Promise<number[][]> {
  const { rows } = await db.$client.query<{ blocks: number[] }>({
    name: 'murmur_block_lists',
    text: `SELECT ${blockListOf('i.user_id')} AS blocks
           FROM unnest($1::int[]) WITH ORDINALITY AS i(user_id, ord)
           ORDER BY i.ord`,
    values: [userIds],
  });
  return rows.map((row) => row.blocks);
}

/**
 * Inside a transaction: refuses with SQLSTATE MU403 (403 BLOCKED) when a block stands between
 * accounts `a` and `b`; else holds the pair's lock until commit, so no block lands meanwhile.
 */
export async function refuseIfBlocked(tx: SqlExecutor, a: number, b: number): Promise<void> {
  await tx.executeSql(`SELECT ${refuseIfBlockedSql('$1::int', '$2::int')}`, [a, b]);
}
