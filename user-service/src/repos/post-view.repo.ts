/**
 * Posts as every answer shows them: each list finds its entries (which post, in which order,
 * reposted by whom) with a query of its own, and this one statement turns a list's entries into
 * posts with their author, counts, mentions, tags, pictures and what the viewer did to them. One owner for
 * the shape of a post, so every list shows the same thing.
 */
import { sql, type SQL } from 'drizzle-orm';
import type { Db } from '@murmur/shared/db';
import { avatarUrlSql, mediaJsonSql, type MediaAttachment } from '@murmur/shared/media';
import { shownTo } from '@murmur/shared/safety';

import type { AccountSummary } from './account-summary.js';

export type { AccountSummary };

export interface Post {
  id: number;
  author: AccountSummary;
  text: string;
  createdAt: Date;
  editedAt: Date | null;
  inReplyToId: number | null;
  inReplyToUserId: number | null;
  mentions: Array<{ id: number; username: string }>;
  tags: string[];
  media: MediaAttachment[];
  repliesCount: number;
  likesCount: number;
  repostsCount: number;
  liked: boolean;
  reposted: boolean;
  /** On timeline and profile items that are reposts: who passed the post on. */
  repostedBy?: AccountSummary;
}

/** A post in a list, with the position the list pages by (a timeline row, a reply's id, …). */
export interface ListedPost {
  position: number;
  post: Post;
}

/**
 * The SQL of a list's entries: rows of `position` (the list's order and cursor), `post_id` (the
 * post shown) and `reposted_by` (the reposter's id, or null), with the list's own LIMIT.
 */
export type EntriesQuery = SQL;

interface PostViewRow extends Record<string, unknown> {
  position: number | string;
  id: number | string;
  text: string;
  created_at: Date | string;
  edited_at: Date | string | null;
  in_reply_to_id: number | string | null;
  in_reply_to_user_id: number | null;
  replies_count: number | string;
  likes_count: number | string;
  reposts_count: number | string;
  author_id: number;
  author_username: string;
  author_display_name: string | null;
  author_avatar_url: string | null;
  reposter_id: number | null;
  reposter_username: string | null;
  reposter_display_name: string | null;
  reposter_avatar_url: string | null;
  liked: boolean;
  reposted: boolean;
  mentions: Array<{ id: number; username: string }>;
  tags: string[];
  media: MediaAttachment[];
}

const nullableNumber = (value: number | string | null) => (value === null ? null : Number(value));

function toListedPost(row: PostViewRow): ListedPost {
  const post: Post = {
    id: Number(row.id),
    author: { id: row.author_id, username: row.author_username, displayName: row.author_display_name, avatarUrl: row.author_avatar_url },
    text: row.text,
    createdAt: new Date(row.created_at),
    editedAt: row.edited_at === null ? null : new Date(row.edited_at),
    inReplyToId: nullableNumber(row.in_reply_to_id),
    inReplyToUserId: row.in_reply_to_user_id,
    mentions: row.mentions,
    tags: row.tags,
    media: row.media,
    repliesCount: Number(row.replies_count),
    likesCount: Number(row.likes_count),
    repostsCount: Number(row.reposts_count),
    liked: row.liked,
    reposted: row.reposted,
  };
  if (row.reposter_id !== null) {
    post.repostedBy = { id: row.reposter_id, username: row.reposter_username!, displayName: row.reposter_display_name, avatarUrl: row.reposter_avatar_url };
  }
  return { position: Number(row.position), post };
}

/** Whether the viewer (none when anonymous) has a row in `probe` for post `p`: one index probe per post. */
const viewerHas = (viewerId: number | undefined, probe: (viewer: number) => SQL) =>
  viewerId === undefined ? sql`false` : sql`EXISTS (${probe(viewerId)})`;

/**
 * The SQL of the posts of `entries`, in `order` of their position. The counts are stored (the
 * post's few rows of `post_counts`, added up), and each post's mentions, tags, like and repost by
 * the viewer are primary-key or index probes, so a page costs the same whatever the post's audience.
 */
export function postsQuery(entries: EntriesQuery, viewerId: number | undefined, order: 'asc' | 'desc' = 'desc'): SQL {
  return sql`
    SELECT e.position, p.id, p.text, p.created_at, p.edited_at, p.in_reply_to_id, p.in_reply_to_user_id,
      c.replies_count, c.likes_count, c.reposts_count,
      a.id AS author_id, a.username AS author_username, a.display_name AS author_display_name, ${sql.raw(avatarUrlSql('a'))} AS author_avatar_url,
      r.id AS reposter_id, r.username AS reposter_username, r.display_name AS reposter_display_name, ${sql.raw(avatarUrlSql('r'))} AS reposter_avatar_url,
      ${viewerHas(viewerId, (viewer) => sql`SELECT 1 FROM likes WHERE user_id = ${viewer} AND post_id = p.id`)} AS liked,
      ${viewerHas(viewerId, (viewer) => sql`SELECT 1 FROM posts WHERE author_id = ${viewer} AND repost_of_id = p.id`)} AS reposted,
      (SELECT coalesce(json_agg(json_build_object('id', mu.id, 'username', mu.username) ORDER BY m.position), '[]'::json)
         FROM post_mentions m JOIN users mu ON mu.id = m.user_id WHERE m.post_id = p.id) AS mentions,
      (SELECT coalesce(array_agg(t.tag ORDER BY t.position), '{}') FROM post_tags t WHERE t.post_id = p.id) AS tags,
      (SELECT coalesce(json_agg(${sql.raw(mediaJsonSql('pm'))} ORDER BY pm.position), '[]'::json) FROM media pm WHERE pm.post_id = p.id) AS media
    FROM (${entries}) e
    JOIN posts p ON p.id = e.post_id
    JOIN users a ON a.id = p.author_id
    LEFT JOIN users r ON r.id = e.reposted_by
    CROSS JOIN LATERAL (
      SELECT coalesce(sum(replies_count), 0) AS replies_count, coalesce(sum(likes_count), 0) AS likes_count,
        coalesce(sum(reposts_count), 0) AS reposts_count
      FROM post_counts WHERE post_id = p.id
    ) c
    ORDER BY e.position ${order === 'asc' ? sql`ASC` : sql`DESC`}`;
}

/** Runs postsQuery. */
export async function selectPosts(db: Db, entries: EntriesQuery, viewerId: number | undefined, order: 'asc' | 'desc' = 'desc'): Promise<ListedPost[]> {
  const { rows } = await db.execute<PostViewRow>(postsQuery(entries, viewerId, order));
  return rows.map(toListedPost);
}

/**
 * The entries of posts `ids` themselves (no reposts), positioned by id, of those shown to
 * `viewerId` (`shownTo`: no suspended author, no block either way; anonymous when undefined).
 */
export const postsById = (ids: number[], viewerId?: number): EntriesQuery => sql`
  SELECT id AS position, id AS post_id, NULL::integer AS reposted_by
  FROM posts WHERE id = ANY(${sql.param(ids)}::bigint[]) AND repost_of_id IS NULL AND ${shownTo(viewerId, sql`posts.author_id`)}`;

/**
 * One post as every answer shows it; undefined when there is none (or the id is a repost's row),
 * or when it is not shown to the viewer.
 */
export async function findPost(db: Db, postId: number, viewerId: number | undefined): Promise<Post | undefined> {
  return (await selectPosts(db, postsById([postId], viewerId), viewerId))[0]?.post;
}

/** Posts `ids` in the order given, without those gone meanwhile or not shown to the viewer. */
export async function findPosts(db: Db, ids: number[], viewerId: number | undefined): Promise<Post[]> {
  if (ids.length === 0) return [];
  const found = new Map((await selectPosts(db, postsById(ids, viewerId), viewerId)).map(({ post }) => [post.id, post]));
  return ids.flatMap((id) => found.get(id) ?? []);
}
