/** Queries on users for profiles and account deletion. */
import { sql, type SQL } from 'drizzle-orm';
import { runSql, type Db, type schema, type SqlExecutor } from '@murmur/shared/db';
import { avatarUrlSql } from '@murmur/shared/media';
import { notifyAuthEvent } from '@murmur/shared/auth';
import { profileShownTo } from '@murmur/shared/safety';
import { JOB_PRIORITY, retractReposts, type TimelineJobs } from '../timeline/timeline-jobs.js';
import { repostsOfAuthor } from './posts.repo.js';

export interface Profile {
  id: number;
  username: string;
  displayName: string | null;
  avatarUrl: string | null;
  bio: string;
  createdAt: Date;
  followersCount: number;
  followingCount: number;
  postsCount: number;
}

export interface OwnProfile extends Profile {
  email: string;
  /** The owner opened the link mailed to `email`. */
  emailVerified: boolean;
  role: schema.AccountRole;
}

/** A profile as stored, with whether it may be shown to the viewer it was read for. */
export interface StoredProfile extends OwnProfile {
  shown: boolean;
}

interface ProfileRow extends Record<string, unknown> {
  id: number;
  username: string;
  display_name: string | null;
  avatar_url: string | null;
  bio: string;
  email: string;
  email_verified: boolean;
  role: schema.AccountRole;
  shown: boolean;
  created_at: Date;
  followers_count: number;
  following_count: number;
  posts_count: number;
}

/** The followers of the user `userId` names (a column or a value): an index-only count. */
export const followersCount = (userId: SQL) => sql`(SELECT count(*) FROM follows WHERE followee_id = ${userId})`;

/**
 * A user with their counts, each an index-only count, and whether their profile is shown to
 * `viewerId` (`profileShownTo`; anonymous when undefined); undefined if there is no such user.
 */
export async function findProfile(db: Db, userId: number, viewerId?: number): Promise<StoredProfile | undefined> {
  const { rows } = await db.execute<ProfileRow>(sql`
    SELECT u.id, u.username, u.display_name, ${sql.raw(avatarUrlSql('u'))} AS avatar_url, u.bio,
      u.email, u.email_verified_at IS NOT NULL AS email_verified, u.role,
      ${profileShownTo(viewerId, sql`u.id`)} AS shown, u.created_at,
      ${followersCount(sql`u.id`)} AS followers_count,
      (SELECT count(*) FROM follows WHERE follower_id = u.id) AS following_count,
      (SELECT count(*) FROM posts WHERE author_id = u.id) AS posts_count
    FROM users u WHERE u.id = ${userId}`);
  const row = rows[0];
  if (!row) return undefined;
  return {
    id: row.id,
    username: row.username,
    displayName: row.display_name,
    avatarUrl: row.avatar_url,
    bio: row.bio,
    email: row.email,
    emailVerified: row.email_verified,
    role: row.role,
    shown: row.shown,
    createdAt: new Date(row.created_at),
    followersCount: Number(row.followers_count),
    followingCount: Number(row.following_count),
    postsCount: Number(row.posts_count),
  };
}

/** What a user says of themselves; an absent field stays as it is. */
export interface ProfileChanges {
  displayName?: string | null;
  bio?: string;
  /** The upload shown beside their name (already claimed as their avatar), or null for none. */
  avatarMediaId?: number | null;
}

/**
 * Changes the user's display name, bio and avatar, in `tx`; resolves the avatar it replaced
 * (null when none, or when the avatar is unchanged), or undefined when the user is gone.
 */
export async function updateProfile(tx: SqlExecutor, userId: number, changes: ProfileChanges): Promise<{ replacedAvatarId: number | null } | undefined> {
  const kept = (column: string, value: unknown) => (value === undefined ? sql.raw(`u.${column}`) : sql`${value}`);
  const rows = await runSql<{ replaced: string | null }>(
    tx,
    sql`UPDATE users u SET
          display_name = ${kept('display_name', changes.displayName)},
          bio = ${kept('bio', changes.bio)},
          avatar_media_id = ${kept('avatar_media_id', changes.avatarMediaId)}
        FROM (SELECT avatar_media_id FROM users WHERE id = ${userId} FOR UPDATE) old
        WHERE u.id = ${userId}
        RETURNING CASE WHEN old.avatar_media_id IS DISTINCT FROM u.avatar_media_id THEN old.avatar_media_id END AS replaced`,
  );
  const row = rows[0];
  return row && { replacedAvatarId: row.replaced === null ? null : Number(row.replaced) };
}

/**
 * Deletes the user; the foreign keys cascade to their follows (both ways), posts, sessions,
 * room memberships and messages, and leave rooms they created to the people in them. The
 * `user_deleted` event commits with it, so every service drops the user's sessions and sockets,
 * and so does the job that clears their timeline rows (their posts leave every timeline at once,
 * as timelines join `posts`), and the jobs that remove others' reposts of their posts. Returns
 * false if the user was already gone.
 */
export async function deleteUser(jobs: TimelineJobs, userId: number): Promise<boolean> {
  return jobs.write(async (tx, enqueue) => {
    const reposts = await repostsOfAuthor(tx, userId);
    const deleted = await runSql(tx, sql`DELETE FROM users WHERE id = ${userId} RETURNING id`);
    if (deleted.length === 0) return false;
    await runSql(tx, notifyAuthEvent({ type: 'user_deleted', userId }));
    await enqueue({ kind: 'purge', userId }, JOB_PRIORITY.purge);
    await retractReposts(enqueue, reposts);
    return true;
  });
}

/** The id of the user's avatar picture (null when none, or no such user), the row locked for `tx`. */
export async function lockAvatarId(tx: SqlExecutor, userId: number): Promise<number | null> {
  const rows = await runSql<{ avatar_media_id: string | null }>(tx, sql`SELECT avatar_media_id FROM users WHERE id = ${userId} FOR UPDATE`);
  const id = rows[0]?.avatar_media_id;
  return id == null ? null : Number(id);
}
