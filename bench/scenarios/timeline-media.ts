/**
 * The home timeline with pictures: the timeline benchmark's database and reader (following many
 * active accounts), its first page read before and after every post in the database gets 4
 * pictures and every account an avatar, so the difference is what the pictures cost a read (each
 * post's `media` and each author's and reposter's `avatarUrl`, built in the same statement). The
 * same SQL through raw `pg` is measured beside each, as in the timeline benchmark.
 *
 * Run after the timeline scenario, it uses that scenario's database as it was left; alone, it
 * builds its own of the same size. The pictures' rows are written in bulk (INSERT … SELECT), as
 * uploads attached to posts would have left them; no file exists, and none is read here.
 */
import type { BenchEnv } from '../lib/bench-env.js';
import { trustedLoadSkipsTriggers } from '../lib/copy-rows.js';
import type { ResultRow } from '../lib/report.js';
import { timedSteps } from '../lib/timed-step.js';
import { buildTimelineData, type TimelineData, type TimelineDataShape } from '../timeline/data.js';
import { beforeAndAfterRows, measureTimelineRead } from '../timeline/reads.js';
import { bearer, openRig, type TimelineRig } from '../timeline/rig.js';
import { expectStatus } from '../lib/http-client.js';

export interface TimelineMediaOptions extends TimelineDataShape {
  /** Requests per row (and as many raw queries), after as many warm-up requests. */
  requests: number;
  /** Pictures on every post (at most 4, as posts take). */
  picturesPerPost: number;
}

const FIRST_PAGE_GOAL_MS = 10;
/** A blurhash of 4 × 3 components, the size the service makes. */
const BLURHASH = 'LEHV6nWB2yk8pyo0adR*.7kCMdnj';
/** A description as people write one. */
const ALT = 'A street at dusk, two cyclists under the lamps.';

const step = timedSteps('timeline pictures');

/**
 * Gives every account without one an avatar and every post (reposts show their original's) its
 * pictures, then vacuums and analyzes. Names are as long as the service's (22 letters, an
 * extension) and rise with the post id, so the indexes on them fill in order. As a superuser the
 * rows are loaded without their foreign-key checks (valid by construction), as COPY loads are.
 */
async function addPictures(env: BenchEnv, perPost: number): Promise<{ avatars: number; pictures: number }> {
  const trusted = await trustedLoadSkipsTriggers(env.pool);
  const client = await env.pool.connect();
  try {
    await client.query('BEGIN');
    if (trusted) await client.query('SET LOCAL session_replication_role = replica');
    const avatars = await step('an avatar for every account (INSERT … SELECT, UPDATE)', async () => {
      const { rowCount } = await client.query(
        `INSERT INTO media (owner_id, ready, visibility, file, preview_file, width, height, blurhash, alt, bytes, used_as, attached_at)
         SELECT id, true, 'public', 'a' || lpad(id::text, 11, '0') || left(md5(id::text), 10) || '.jpg',
           'a' || lpad(id::text, 11, '0') || left(md5(id::text || 'p'), 10) || '.webp', 800, 800, $1, '', 90000, 'avatar', now()
         FROM users WHERE avatar_media_id IS NULL ORDER BY id`,
        [BLURHASH],
      );
      await client.query(`UPDATE users u SET avatar_media_id = m.id FROM media m WHERE m.used_as = 'avatar' AND m.owner_id = u.id AND u.avatar_media_id IS NULL`);
      return rowCount ?? 0;
    });
    const pictures = await step(`${perPost} pictures on every post (INSERT … SELECT)`, async () => {
      // Posts in their stored order (id order, as they were loaded): no sort of the whole product.
      const { rowCount } = await client.query(
        `INSERT INTO media (owner_id, created_at, ready, visibility, file, preview_file, width, height, blurhash, alt, bytes, used_as, attached_at, post_id, position)
         SELECT p.author_id, p.created_at, true, 'public',
           'p' || lpad(p.id::text, 11, '0') || g || left(md5(p.id::text || '/' || g), 9) || '.jpg',
           'p' || lpad(p.id::text, 11, '0') || g || left(md5(p.id::text || '/' || g || 'p'), 9) || '.webp',
           4000, 3000, $1, $2, 3200000, 'post', p.created_at, p.id, g - 1
         FROM posts p CROSS JOIN generate_series(1, $3::int) AS g
         WHERE p.repost_of_id IS NULL`,
        [BLURHASH, ALT, perPost],
      );
      return rowCount ?? 0;
    });
    await client.query('COMMIT');
    await step('VACUUM (ANALYZE) media, users; CHECKPOINT', async () => {
      await client.query('VACUUM (ANALYZE) media, users');
      await client.query('CHECKPOINT').catch(() => undefined);
    });
    return { avatars, pictures };
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

/** Throws unless the page shows `perPost` pictures on every post and an avatar on every author. */
async function checkPage(rig: TimelineRig, token: string, perPost: number): Promise<void> {
  const { body } = await expectStatus(200, rig.agent, 'GET', `${rig.service.url}/timeline?limit=20`, bearer(token));
  const posts = (JSON.parse(body) as { items: Array<{ media: unknown[]; author: { avatarUrl: string | null } }> }).items;
  const wrong = posts.filter((p) => p.media.length !== perPost || !p.author.avatarUrl);
  if (posts.length === 0 || wrong.length > 0) throw new Error(`GET /timeline: ${wrong.length} of ${posts.length} posts without ${perPost} pictures and an avatar`);
}

/** @param built the timeline scenario's database, when it ran earlier in this run. */
export async function timelineMediaScenario(env: BenchEnv, options: TimelineMediaOptions, built?: TimelineData): Promise<ResultRow[]> {
  const data = built ?? (await buildTimelineData(env, options));
  const reader = data.activeReader;
  const token = await env.issueToken(reader);
  const scenario = `timeline with pictures: reader follows ${options.activeFollowed.toLocaleString('en')} active accounts (${options.posts.toLocaleString('en')} posts), ${options.picturesPerPost} pictures on every post`;
  const rig = await openRig(env, 1);
  try {
    const read = { scenario, reader, token, goalP99Ms: FIRST_PAGE_GOAL_MS };
    const plain = await measureTimelineRead(rig, { ...read, page: 'first page, no pictures' }, options.requests);
    const added = await addPictures(env, options.picturesPerPost);
    await checkPage(rig, token, options.picturesPerPost);
    const pictured = await measureTimelineRead(rig, { ...read, page: `first page, ${options.picturesPerPost} pictures on every post`, explain: true }, options.requests);
    return beforeAndAfterRows(plain, pictured, 'the pictures', 'same data before the pictures were added', [
      `${added.pictures.toLocaleString('en')} pictures on ${(added.pictures / options.picturesPerPost).toLocaleString('en')} posts (${built ? 'the timeline scenario’s database, as this run left it' : 'its own database'}), ${added.avatars.toLocaleString('en')} avatars; every post of the page has its pictures and its author's avatar`,
    ]);
  } finally {
    await rig.close();
  }
}
