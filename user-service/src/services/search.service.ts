/**
 * User and post search. Accounts are listed by name: names that start with `q` (the exact match
 * first), then names that contain it elsewhere. Posts are listed newest first. Every search runs
 * on the search pool, within its deadline, all its statements included.
 */
import type { Db } from '@murmur/shared/db';
import { toPage, type Page, type PageRequest } from '@murmur/shared/http';
import { findWords, walkThenIndex, type SearchDeps, type WalkLimits } from '@murmur/shared/search';
import { findPosts, type Post } from '../repos/post-view.repo.js';
import { postsMatching, usersByPrefix, usersContaining, walkPostsMatching, walkUsersContaining, type UserMatch } from '../repos/search.repo.js';

/**
 * Matches inside a name need a `q` of this many characters: the trigram index finds only those,
 * and shorter fragments are inside too many names to be worth listing.
 */
export const MIN_CONTAINS_CHARACTERS = 3;

/**
 * Where a user search stopped: the phase (names that start with `q`, then names that contain it
 * elsewhere) and the lower-case name of the last account listed.
 */
export interface UserSearchPosition {
  phase: 'prefix' | 'contains';
  after: string;
}

/** A UserSearchPosition as a nextCursor: base64url JSON, an opaque string to clients. */
export function encodeUserCursor({ phase, after }: UserSearchPosition): string {
  return Buffer.from(JSON.stringify([phase, after])).toString('base64url');
}

export interface SearchOptions {
  /** The search pool, the rules of queries and the rate limits, which every search keeps. */
  search: SearchDeps;
  /** How far a search walks its list (newest posts first, names in order) before it asks the index. */
  walk: WalkLimits;
}

export interface UserResult {
  id: number;
  username: string;
  displayName: string | null;
  avatarUrl: string | null;
  followersCount: number;
}

/**
 * One page of the accounts whose name starts with or contains `q`, regardless of case, of those
 * shown to `viewerId` (no suspended account; for a logged-in viewer, none blocked either way).
 */
export function searchUsers(options: SearchOptions, q: string, page: PageRequest<UserSearchPosition>, viewerId: number | undefined): Promise<Page<UserResult>> {
  return options.search.pool.run((db) => usersPage(db, options.walk, q, page, viewerId));
}

async function usersPage(db: Db, walk: WalkLimits, q: string, page: PageRequest<UserSearchPosition>, viewerId: number | undefined): Promise<Page<UserResult>> {
  const needle = q.toLowerCase();
  const wanted = page.limit + 1;
  const found: Array<{ phase: UserSearchPosition['phase']; match: UserMatch }> = [];
  let after = page.cursor?.after ?? '';
  if (page.cursor?.phase !== 'contains') {
    for (const match of await usersByPrefix(db, needle, after, wanted, viewerId)) found.push({ phase: 'prefix', match });
    after = '';
  }
  if (found.length < wanted && [...needle].length >= MIN_CONTAINS_CHARACTERS) {
    const more = wanted - found.length;
    const matches = await walkThenIndex<UserMatch, string>(
      more,
      walk,
      (from, rows, count) => walkUsersContaining(db, needle, from ?? after, count, rows, viewerId),
      () => usersContaining(db, needle, after, more, viewerId),
    );
    for (const match of matches) found.push({ phase: 'contains', match });
  }
  return toPage(
    found,
    page.limit,
    ({ phase, match }) => encodeUserCursor({ phase, after: match.key }),
    ({ match: { key: _key, ...result } }) => result,
  );
}

/**
 * One page of the posts that hold the words of `q`, newest first, as `viewerId` sees them; a 400
 * for a query the rules of search refuse.
 */
export function searchPosts(options: SearchOptions, q: string, page: PageRequest, viewerId: number | undefined): Promise<Page<Post>> {
  const wanted = page.limit + 1;
  return options.search.pool.run(async (db) => {
    const ids = await findWords<number, number>(db, q, options.search.rules, {
      table: 'posts',
      wanted,
      limits: options.walk,
      walk: (from, rows, more) => walkPostsMatching(db, q, from ?? page.cursor, more, rows, viewerId),
      fromIndex: () => postsMatching(db, q, page.cursor, wanted, viewerId),
    });
    return toPage(await findPosts(db, ids, viewerId), page.limit, (post) => post.id, (post) => post);
  });
}
