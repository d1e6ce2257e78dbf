/**
 * The rules that keep people apart, as SQL every service's queries share: blocks (either way),
 * mutes, and suspended accounts. One owner, so a timeline, a search, a thread, a notification
 * list and a room's history hide the same accounts.
 *
 * The writes a block forbids (a follow, reply, like, repost, mention or direct room between the
 * two) are refused by the triggers of migration 0013 under `pairLock`, which the block and unblock
 * statements take too; the database's SQLSTATE `MU403` becomes the 403 `BLOCKED` answer.
 */
import { sql, type SQL } from 'drizzle-orm';
import { forbidden, type AppError } from './errors.js';
import { pgErrorOf } from './db/client.js';

/** The SQLSTATE the triggers raise for a write between two accounts one of which blocks the other. */
export const BLOCKED_SQLSTATE = 'MU403';

/** The answer to a write a block forbids. */
export const blockedError = (): AppError => forbidden('BLOCKED', 'one of you has blocked the other');

/** The 403 `BLOCKED` a trigger's refusal stands for; undefined for any other error. */
export function blockedRefusal(err: unknown): AppError | undefined {
  return pgErrorOf(err)?.code === BLOCKED_SQLSTATE ? blockedError() : undefined;
}

/**
 * A user id, or the SQL of one: a column, qualified (`u.id`, `p.author_id`), since the fragments'
 * subqueries read `users`, `blocks` and `mutes`, and a bare `id` would name their own column.
 */
type Account = number | SQL;

/**
 * The statement part that takes the pair's lock until the transaction ends, as a block or an
 * unblock must before it writes: the two accounts' `users` rows FOR UPDATE, in id order. Each
 * write a block forbids takes the same rows FOR KEY SHARE in the triggers' `refuse_if_blocked`
 * (migration 0013), so it waits for a block in flight and then finds it.
 */
export const pairLock = (a: number, b: number): SQL => sql`lock_pair_for_block(${a}::integer, ${b}::integer)`;

/** True when `blocker` blocks `blocked`: a probe of `blocks_pair_key`. */
export const blocking = (blocker: Account, blocked: Account): SQL =>
  sql`EXISTS (SELECT 1 FROM blocks WHERE blocker_id = ${blocker} AND blocked_id = ${blocked})`;

/** True when `a` blocks `b` or `b` blocks `a`: two probes of `blocks_pair_key`. */
export const blockedBetween = (a: Account, b: Account): SQL => sql`(${blocking(a, b)} OR ${blocking(b, a)})`;

/** True when account `a` is suspended: a primary-key probe. */
export const isSuspended = (a: Account): SQL => sql`EXISTS (SELECT 1 FROM users WHERE id = ${a} AND suspended_at IS NOT NULL)`;

/**
 * True when what `author` wrote may be shown to `viewer` (undefined: logged out): the author is
 * not suspended, and no block stands between them. A blocked account still sees the blocker's
 * public posts when logged out, as on Mastodon.
 */
export const shownTo = (viewer: number | undefined, author: Account): SQL =>
  viewer === undefined ? sql`NOT ${isSuspended(author)}` : sql`(NOT ${isSuspended(author)} AND NOT ${blockedBetween(viewer, author)})`;

/** True when `reader` muted `author`'s posts (a mute of posts alone included). */
export const mutedBy = (reader: Account, author: Account): SQL =>
  sql`EXISTS (SELECT 1 FROM mutes WHERE muter_id = ${reader} AND muted_id = ${author})`;

/** True when `reader` muted `author`'s notifications too (a mute without `notifications: false`). */
export const notificationsMutedBy = (reader: Account, author: Account): SQL =>
  sql`EXISTS (SELECT 1 FROM mutes WHERE muter_id = ${reader} AND muted_id = ${author} AND notifications)`;

/**
 * True when `account`'s profile and the lists of its posts may be shown to `viewer` (undefined:
 * logged out): the account is not suspended and does not block the viewer. One who blocks still
 * sees the profile of whom they block, to undo the block.
 */
export const profileShownTo = (viewer: number | undefined, account: Account): SQL =>
  viewer === undefined
    ? sql`NOT ${isSuspended(account)}`
    : sql`(NOT ${isSuspended(account)} AND NOT ${blocking(account, viewer)})`;

/**
 * True when `recipient` is told of what `actor` did: the actor is not suspended, no block stands
 * between them, and the recipient has not muted the actor's notifications. The same rule decides
 * which notifications are made and which stored ones are listed (a block or mute made later
 * hides the earlier ones too).
 */
export const notifiable = (recipient: Account, actor: Account): SQL =>
  sql`(NOT ${isSuspended(actor)} AND NOT ${blockedBetween(recipient, actor)} AND NOT ${notificationsMutedBy(recipient, actor)})`;

/**
 * `condition` (built of the fragments above) as one scalar subquery, so that its EXISTS stay
 * index probes per row. A list that walks an index under a LIMIT reads a page of rows, but the
 * planner counts every row the walk could read and would rather hash the viewer's whole list of
 * blocks and mutes first (a scan of them per request, and an estimate that turns JIT on); a
 * scalar subquery is planned for one row, so its EXISTS are probes.
 */
export const probedPerRow = (condition: SQL): SQL => sql`(SELECT ${condition})`;
