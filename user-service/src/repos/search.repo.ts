/**
 * Queries of user and post search. Each list has two ways to its first matches (see
 * walkThenIndex): a bounded walk in the list's order, and the search index. Statements are sent
 * unprepared, so each is planned with its values (a LIKE prefix becomes an index range).
 */
import { sql, type SQL } from 'drizzle-orm';
import type { Db } from '@murmur/shared/db';
import { avatarUrlSql } from '@murmur/shared/media';
import { hasWords, matchesWords, walkOf, walkQuery, type Walk, type WalkColumns } from '@murmur/shared/search';
import { shownTo } from '@murmur/shared/safety';
import { followersCount } from './users.repo.js';

/** An account found by name; `key` is its lower-case name, the order of the list. */
export interface UserMatch {
  id: number;
  username: string;
  displayName: string | null;
  avatarUrl: string | null;
  followersCount: number;
  key: string;
}

interface UserRow extends Record<string, unknown> {
  id: number;
  username: string;
  display_name: string | null;
  avatar_url: string | null;
  key: string;
  followers_count: number | string;
}

const toUserMatch = (row: UserRow): UserMatch => ({
  id: row.id,
  username: row.username,
  displayName: row.display_name,
  avatarUrl: row.avatar_url,
  followersCount: Number(row.followers_count),
  key: row.key,
});

/** The order of user search: lower-case names byte by byte, as users_username_prefix_idx holds them. */
const NAME_KEY = sql`lower(u.username) COLLATE "C"`;

/** `text` as a LIKE pattern that matches it literally. */
const literal = (text: string) => text.replace(/[\\%_]/g, '\\$&');

/** Each account of `accounts` (rows with `id`, `username`, `display_name`, `key`) with its followers, in name order, at most `limit`. */
const withFollowers = (accounts: SQL, limit: number) => sql`
  SELECT a.id, a.username, a.display_name, ${sql.raw(avatarUrlSql('a'))} AS avatar_url, a.key, ${followersCount(sql`a.id`)} AS followers_count
  FROM (${accounts} ORDER BY key LIMIT ${limit}) a
  ORDER BY a.key`;

/**
 * Only the accounts shown to `viewerId` (`shownTo`: none suspended, none blocked either way;
 * anonymous when undefined), checked before each list's LIMIT so a page stays full.
 */
const shownAccount = (viewerId: number | undefined) => shownTo(viewerId, sql`u.id`);

/**
 * Accounts whose lower-case name starts with `needle` and comes after `after`, in name order: a
 * range of users_username_prefix_idx, so the exact match (the shortest such name) comes first.
 */
export function usersByPrefixQuery(needle: string, after: string, limit: number, viewerId?: number): SQL {
  return withFollowers(
    sql`SELECT u.id, u.username, u.display_name, u.avatar_media_id, ${NAME_KEY} AS key FROM users u
        WHERE ${NAME_KEY} LIKE ${`${literal(needle)}%`} AND ${NAME_KEY} > ${after} AND ${shownAccount(viewerId)}`,
    limit,
  );
}

export async function usersByPrefix(db: Db, needle: string, after: string, limit: number, viewerId: number | undefined): Promise<UserMatch[]> {
  const { rows } = await db.execute<UserRow>(usersByPrefixQuery(needle, after, limit, viewerId));
  return rows.map(toUserMatch);
}

/**
 * Accounts whose lower-case name contains `needle` past its start (those that start with it are
 * the prefix phase's), or whose display name contains it anywhere.
 */
const containsElsewhere = (needle: string) =>
  sql`((lower(u.username) LIKE ${`%${literal(needle)}%`} OR lower(u.display_name) LIKE ${`%${literal(needle)}%`})
       AND lower(u.username) NOT LIKE ${`${literal(needle)}%`})`;

/** The first matches of usersContaining among the `walkRows` names after `after`. */
export function walkUsersContainingQuery(needle: string, after: string, limit: number, walkRows: number, viewerId?: number): SQL {
  return walkQuery(
    'users',
    sql`SELECT u.id, u.username, u.display_name, u.avatar_media_id, ${NAME_KEY} AS key FROM users u WHERE ${NAME_KEY} > ${after} ORDER BY ${NAME_KEY} LIMIT ${walkRows}`,
    withFollowers(
      sql`SELECT u.id, u.username, u.display_name, u.avatar_media_id, u.key FROM newest u WHERE ${containsElsewhere(needle)} AND ${shownAccount(viewerId)}`,
      limit,
    ),
    sql`max(key)`,
  );
}

export async function walkUsersContaining(
  db: Db,
  needle: string,
  after: string,
  limit: number,
  walkRows: number,
  viewerId: number | undefined,
): Promise<Walk<UserMatch, string>> {
  const { rows } = await db.execute<UserRow & WalkColumns<string>>(walkUsersContainingQuery(needle, after, limit, walkRows, viewerId));
  return walkOf(rows, walkRows, toUserMatch);
}

/**
 * Accounts whose lower-case name contains `needle` (3 characters or more) other than at its
 * start, after `after` in name order, found through users_username_trgm_idx. OFFSET 0 makes the
 * planner find every match, then sort: it would otherwise walk the names in order, which is the
 * walk's job, not this query's.
 */
export function usersContainingQuery(needle: string, after: string, limit: number, viewerId?: number): SQL {
  return withFollowers(
    sql`SELECT * FROM (
          SELECT u.id, u.username, u.display_name, u.avatar_media_id, ${NAME_KEY} AS key FROM users u
          WHERE ${containsElsewhere(needle)} AND ${NAME_KEY} > ${after} AND ${shownAccount(viewerId)} OFFSET 0
        ) found`,
    limit,
  );
}

export async function usersContaining(db: Db, needle: string, after: string, limit: number, viewerId: number | undefined): Promise<UserMatch[]> {
  const { rows } = await db.execute<UserRow>(usersContainingQuery(needle, after, limit, viewerId));
  return rows.map(toUserMatch);
}

/** Only posts older than the post `before` names; every post when undefined. */
const olderThan = (before: number | undefined) => sql`id < ${before ?? Number.MAX_SAFE_INTEGER}`;

/**
 * The newest matches of `q` among the `walkRows` newest posts older than `before`, of those shown
 * to `viewerId` (`shownTo`; anonymous when undefined).
 */
export function walkPostsQuery(q: string, before: number | undefined, limit: number, walkRows: number, viewerId?: number): SQL {
  return walkQuery(
    'posts',
    sql`SELECT id, text, author_id FROM posts WHERE ${hasWords(q)} AND ${olderThan(before)} ORDER BY id DESC LIMIT ${walkRows}`,
    sql`SELECT p.id FROM newest p WHERE ${matchesWords(sql`p.text`, q)} AND ${shownTo(viewerId, sql`p.author_id`)} ORDER BY p.id DESC LIMIT ${limit}`,
    sql`min(id)`,
  );
}

/** The ids of the newest matches among the `walkRows` newest posts older than `before`. */
export async function walkPostsMatching(
  db: Db,
  q: string,
  before: number | undefined,
  limit: number,
  walkRows: number,
  viewerId: number | undefined,
): Promise<Walk<number, number>> {
  const { rows } = await db.execute<{ id: number | string; scanned: number; walk_end: number | null; table_rows: number }>(
    walkPostsQuery(q, before, limit, walkRows, viewerId),
  );
  return walkOf(rows, walkRows, (row) => Number(row.id));
}

/**
 * The ids of the newest posts older than `before` that hold the words of `q`, found through
 * posts_text_search_idx, of those shown to `viewerId`; OFFSET 0 as in usersContaining.
 */
export function postsMatchingQuery(q: string, before: number | undefined, limit: number, viewerId?: number): SQL {
  return sql`
    SELECT id FROM (
      SELECT id FROM posts
      WHERE ${hasWords(q)} AND ${matchesWords(sql`text`, q)} AND ${olderThan(before)} AND ${shownTo(viewerId, sql`posts.author_id`)} OFFSET 0
    ) found ORDER BY id DESC LIMIT ${limit}`;
}

export async function postsMatching(db: Db, q: string, before: number | undefined, limit: number, viewerId: number | undefined): Promise<number[]> {
  const { rows } = await db.execute<{ id: number | string }>(postsMatchingQuery(q, before, limit, viewerId));
  return rows.map((row) => Number(row.id));
}
