/** Queries on hashtags: a tag's posts, and the tags in use lately. */
import { sql } from 'drizzle-orm';
import type { Db } from '@murmur/shared/db';
import type { PageRequest } from '@murmur/shared/http';
import { probedPerRow, shownTo } from '@murmur/shared/safety';
import type { EntriesQuery } from './post-view.repo.js';

/**
 * The posts with `tag` (normalised), newest first: a range of post_tags_tag_idx, of the posts
 * shown to `viewerId` (`shownTo`, on the author the row carries; anonymous when undefined).
 * Trends count every use: a tag's rank is no one's post.
 */
export const tagEntries = (tag: string, page: PageRequest, viewerId?: number): EntriesQuery => sql`
  SELECT post_id AS position, post_id, NULL::integer AS reposted_by
  FROM post_tags WHERE tag = ${tag} ${page.cursor === undefined ? sql`` : sql`AND post_id < ${page.cursor}`}
    AND ${probedPerRow(shownTo(viewerId, sql`post_tags.author_id`))}
  ORDER BY post_id DESC LIMIT ${page.limit + 1}`;

export interface TagUse {
  tag: string;
  /** Posts with the tag in the window. */
  posts: number;
  /** Distinct accounts that used it in the window: what trends rank by. */
  accounts: number;
}

/**
 * The `limit` tags used by the most distinct accounts in the last `windowHours` (more posts
 * breaking a tie). It reads every tag use of the window, so it is computed in the background and
 * read from memory (see tags.service.ts). Counting each account's uses of a tag first, then the
 * accounts per tag, lets both steps hash instead of sorting every use for a DISTINCT.
 */
export async function mostUsedTags(db: Db, windowHours: number, limit: number): Promise<TagUse[]> {
  const { rows } = await db.execute<{ tag: string; posts: number | string; accounts: number | string }>(mostUsedTagsQuery(windowHours, limit));
  return rows.map((r) => ({ tag: r.tag, posts: Number(r.posts), accounts: Number(r.accounts) }));
}

export const mostUsedTagsQuery = (windowHours: number, limit: number) => sql`
  SELECT tag, sum(uses) AS posts, count(*) AS accounts
  FROM (
    SELECT tag, author_id, count(*) AS uses FROM post_tags
    WHERE created_at > now() - make_interval(hours => ${windowHours})
    GROUP BY tag, author_id
  ) per_account
  GROUP BY tag
  ORDER BY accounts DESC, posts DESC, tag
  LIMIT ${limit}`;
