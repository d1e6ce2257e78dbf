/**
 * What every part of the timeline benchmark measures with: one user-service, a keep-alive agent
 * for its requests, and a connection of its own for the raw-pg baselines.
 */
import type http from 'node:http';
import pg from 'pg';
import type { BenchEnv, RunningService } from '../lib/bench-env.js';
import { createAgent, expectStatus } from '../lib/http-client.js';
import { waitUntil } from '../lib/poll.js';

/** Posts a new follow brings into the follower's timeline; the service gets the same figure. */
export const BACKFILL_POSTS = 400;
/** How often background work (fan-out, backfill) is checked on, and how long it may take at most. */
export const POLL = { intervalMs: 20, deadlineMs: 60_000 };
/** How long the jobs left behind by an overload may take to run: minutes, not a measurement. */
const DRAIN_DEADLINE_MS = 5 * 60_000;
/** The queue the service's timeline jobs go through (its default). */
const TIMELINE_QUEUE = 'timeline';

export interface TimelineRig {
  env: BenchEnv;
  service: RunningService;
  agent: http.Agent;
  /** The raw baselines' connection. */
  raw: pg.Client;
  close(): Promise<void>;
}

/** Starts user-service; `concurrency` is how many requests may be in flight at once. */
export async function openRig(env: BenchEnv, concurrency: number): Promise<TimelineRig> {
  const service = await env.startService('user-service', {
    // Authors here post hundreds of times a minute: the posting limit is not what is measured.
    POSTS_MAX_PER_WINDOW: '1000000',
    TIMELINE_BACKFILL_POSTS: String(BACKFILL_POSTS),
    TIMELINE_JOB_QUEUE: TIMELINE_QUEUE,
  });
  const agent = createAgent(concurrency);
  const raw = new pg.Client({ connectionString: env.databaseUrl });
  await raw.connect();
  return {
    env,
    service,
    agent,
    raw,
    async close() {
      await raw.end();
      agent.destroy();
      await service.stop();
    },
  };
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** POST /posts as the token's user; resolves the new post's id. */
export async function createPost(rig: TimelineRig, token: string, text: string): Promise<number> {
  const { body } = await expectStatus(201, rig.agent, 'POST', `${rig.service.url}/posts`, bearer(token), JSON.stringify({ text }));
  return (JSON.parse(body) as { id: number }).id;
}

/**
 * Waits until no timeline job is queued or running, so that one measurement does not pay for
 * the jobs the one before left behind. Reads pg-boss's job table.
 */
export async function waitForIdleJobs(rig: TimelineRig): Promise<void> {
  await waitUntil(async () => {
    const { rows } = await rig.env.pool.query<{ busy: boolean }>(
      `SELECT EXISTS (SELECT 1 FROM pgboss.job WHERE name = $1 AND state IN ('created', 'retry', 'active')) AS busy`,
      [TIMELINE_QUEUE],
    );
    return !rows[0]!.busy;
  }, { ...POLL, deadlineMs: DRAIN_DEADLINE_MS, what: 'the timeline jobs left by the step before' });
}
