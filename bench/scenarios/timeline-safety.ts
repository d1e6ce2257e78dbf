/**
 * What blocks and mutes cost the home timeline: the timeline benchmark's database and reader
 * (following many active accounts), its first page read before and after the reader blocks
 * 1,000 accounts and mutes 1,000 more. A tenth of the muted accounts are ones the reader follows
 * (a mute keeps the follow), so their rows are in the reader's timeline and the page walks past
 * them; the blocked accounts are accounts the reader does not follow (a block ends the follow).
 * Every row of the page then pays the probes of `blocks` and `mutes` that keep them out, which is
 * what this measures. The same SQL through raw `pg` is measured beside each.
 *
 * Run after the timeline scenario, it uses that scenario's database as it was left; alone, it
 * builds its own of the same size. The accounts, blocks and mutes are written in bulk.
 */
import type { BenchEnv } from '../lib/bench-env.js';
import type { ResultRow } from '../lib/report.js';
import { timedSteps } from '../lib/timed-step.js';
import { buildTimelineData, type TimelineData, type TimelineDataShape } from '../timeline/data.js';
import { beforeAndAfterRows, measureTimelineRead } from '../timeline/reads.js';
import { openRig } from '../timeline/rig.js';

export interface TimelineSafetyOptions extends TimelineDataShape {
  /** Requests per row (and as many raw queries), after as many warm-up requests. */
  requests: number;
  /** Accounts the reader blocks, and as many it mutes. */
  relations: number;
}

const FIRST_PAGE_GOAL_MS = 10;
/** The share of the muted accounts that the reader follows. */
const FOLLOWED_MUTED_SHARE = 0.1;

const step = timedSteps('timeline blocks');

/**
 * Makes `relations` new accounts for the reader to block, and mutes `relations` accounts: a
 * tenth of them among those the reader follows, the rest new accounts. Resolves how many of the
 * muted accounts the reader follows.
 */
async function blockAndMute(env: BenchEnv, readerId: number, followees: readonly number[], relations: number): Promise<number> {
  const followedMuted = followees.slice(0, Math.min(followees.length, Math.round(relations * FOLLOWED_MUTED_SHARE)));
  const client = await env.pool.connect();
  try {
    await client.query('BEGIN');
    const { rows } = await step(`${(2 * relations - followedMuted.length).toLocaleString('en')} accounts to block and mute`, () =>
      client.query<{ id: number }>(
        `INSERT INTO users (username, email, password_hash)
         SELECT 'kept_apart_' || g || '_' || $2, 'kept_apart_' || g || '_' || $2 || '@bench.invalid', 'x'
         FROM generate_series(1, $1::int) AS g RETURNING id`,
        [2 * relations - followedMuted.length, readerId],
      ),
    );
    const ids = rows.map((row) => row.id);
    const blocked = ids.slice(0, relations);
    const muted = [...followedMuted, ...ids.slice(relations)];
    await step(`${relations.toLocaleString('en')} blocks and ${muted.length.toLocaleString('en')} mutes`, async () => {
      await client.query('INSERT INTO blocks (blocker_id, blocked_id) SELECT $1, unnest($2::int[])', [readerId, blocked]);
      await client.query('INSERT INTO mutes (muter_id, muted_id) SELECT $1, unnest($2::int[])', [readerId, muted]);
    });
    await client.query('COMMIT');
    await client.query('VACUUM (ANALYZE) blocks, mutes, users');
    return followedMuted.length;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

/** @param built the timeline scenario's database, when it ran earlier in this run. */
export async function timelineSafetyScenario(env: BenchEnv, options: TimelineSafetyOptions, built?: TimelineData): Promise<ResultRow[]> {
  const data = built ?? (await buildTimelineData(env, options));
  const reader = data.activeReader;
  const token = await env.issueToken(reader);
  const count = (n: number) => n.toLocaleString('en');
  const scenario = `timeline with blocks and mutes: reader follows ${count(options.activeFollowed)} active accounts (${count(options.posts)} posts), blocks ${count(options.relations)} and mutes ${count(options.relations)}`;
  const rig = await openRig(env, 1);
  try {
    const read = { scenario, reader, token, goalP99Ms: FIRST_PAGE_GOAL_MS };
    const before = await measureTimelineRead(rig, { ...read, page: 'first page, no blocks or mutes' }, options.requests);
    const followedMuted = await blockAndMute(env, reader.id, data.activeFollowees.map((u) => u.id), options.relations);
    const after = await measureTimelineRead(rig, { ...read, page: `first page, ${count(options.relations)} blocks and ${count(options.relations)} mutes`, explain: true }, options.requests);
    return beforeAndAfterRows(before, after, 'the blocks and mutes', 'same reader before the blocks and mutes', [
      `${count(followedMuted)} of the muted accounts are followed, so their posts are in the timeline and skipped (${built ? 'the timeline scenario’s database, as this run left it' : 'its own database'})`,
    ]);
  } finally {
    await rig.close();
  }
}
