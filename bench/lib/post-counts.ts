/**
 * The counts of replies, likes and reposts for posts loaded with COPY by a load that skipped the
 * counting triggers (a superuser's trusted load): what the triggers would have kept, all in shard
 * 0 of `post_counts`, which reads add up the same way.
 */
import type pg from 'pg';

const COUNT_LOADED_POSTS_SQL = `
  INSERT INTO post_counts (post_id, shard, replies_count, likes_count, reposts_count)
  SELECT post_id, 0, sum(replies), sum(likes), sum(reposts) FROM (
    SELECT in_reply_to_id AS post_id, 1 AS replies, 0 AS likes, 0 AS reposts FROM posts WHERE in_reply_to_id > $1
    UNION ALL SELECT repost_of_id, 0, 0, 1 FROM posts WHERE repost_of_id > $1
    UNION ALL SELECT post_id, 0, 1, 0 FROM likes WHERE post_id > $1
  ) counted
  WHERE EXISTS (SELECT 1 FROM posts WHERE id = counted.post_id)
  GROUP BY post_id
  ON CONFLICT (post_id, shard) DO UPDATE SET
    replies_count = EXCLUDED.replies_count, likes_count = EXCLUDED.likes_count, reposts_count = EXCLUDED.reposts_count`;

/** Counts the replies, reposts and likes of the posts after id `lastIdBefore`, the ones this load made. */
export async function countLoadedPosts(pool: pg.Pool, lastIdBefore: number): Promise<void> {
  await pool.query(COUNT_LOADED_POSTS_SQL, [lastIdBefore]);
}
