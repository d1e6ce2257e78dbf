/** Statements the raw-pg baselines run, shared by the scenarios that compare against them. */

/** A follow as one plain statement: what POST /follow stores, without the service around it. */
export const RAW_FOLLOW_SQL = 'INSERT INTO follows (follower_id, followee_id) VALUES ($1, $2) ON CONFLICT (follower_id, followee_id) DO NOTHING';
/**
 * A like as one plain statement: what PUT /posts/:id/like stores (the likes_count trigger
 * included), without the service around it or the post it answers with.
 */
export const RAW_LIKE_SQL = 'INSERT INTO likes (user_id, post_id) VALUES ($1, $2) ON CONFLICT (user_id, post_id) DO NOTHING';
