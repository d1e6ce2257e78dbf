/**
 * The stream benchmark's accounts and rows: people with a token each, their rooms and
 * memberships as the layout says, one post by each person (for others to like), and an author
 * followed by the first `followers` people. Rooms, memberships, posts and follows are written in
 * bulk with SQL: creating a hundred thousand memberships through the API would take minutes and
 * measure nothing. Messages are never written here: only the service stores them (seq,
 * rooms.last_seq are its own).
 */
import type { BenchEnv, BenchUser } from '../lib/bench-env.js';
import { timedSteps } from '../lib/timed-step.js';
import { activeMembers, activeRoomCount, checkLayout, quietMembers, quietRoomCount, type RoomLayoutShape } from './layout.js';

export interface StreamWorld {
  people: BenchUser[];
  /** One per person, in the people's order. */
  tokens: string[];
  /** Active room a's id is activeRoomIds[a]; quiet room r's, quietRoomIds[r]. */
  activeRoomIds: number[];
  quietRoomIds: number[];
  /** postIds[p] is a post by person p. */
  postIds: number[];
  /** Followed by people 0 … followers − 1, in that follow order (fan-out walks it). */
  author: BenchUser;
  authorToken: string;
  followers: number;
}

/** Creates rooms whose members are person indexes; resolves their ids, in order. The first member owns the room. */
async function createRooms(env: BenchEnv, people: readonly BenchUser[], rooms: ReadonlyArray<readonly number[]>, label: string): Promise<number[]> {
  const { rows } = await env.pool.query<{ id: number }>(
    `INSERT INTO rooms (name, created_by, kind)
     SELECT $1 || ' ' || i, owner, 'public' FROM unnest($2::int[]) WITH ORDINALITY AS o(owner, i) ORDER BY i
     RETURNING id`,
    [label, rooms.map((members) => people[members[0]!]!.id)],
  );
  // Identity values are taken in insertion order, which follows the ORDER BY.
  const ids = rows.map((r) => r.id).sort((a, b) => a - b);
  const roomIds: number[] = [];
  const userIds: number[] = [];
  const roles: string[] = [];
  rooms.forEach((members, r) => {
    members.forEach((p, i) => {
      roomIds.push(ids[r]!);
      userIds.push(people[p]!.id);
      roles.push(i === 0 ? 'owner' : 'member');
    });
  });
  await env.pool.query('INSERT INTO room_members (room_id, user_id, role) SELECT * FROM unnest($1::int[], $2::int[], $3::text[])', [roomIds, userIds, roles]);
  return ids;
}

export async function buildStreamWorld(env: BenchEnv, shape: RoomLayoutShape, followers: number): Promise<StreamWorld> {
  checkLayout(shape);
  if (followers > shape.people) throw new Error(`followers (${followers}) must not exceed people (${shape.people})`);
  const step = timedSteps('stream data');
  const prefix = `st${Date.now()}`;
  const people = await step(`${shape.people.toLocaleString('en')} people`, () => env.bulkUsers(prefix, shape.people));
  const [author] = await env.bulkUsers(`${prefix}a`, 1);
  const tokens = await step('their tokens', () => env.issueTokens([...people, author!]));
  const authorToken = tokens.pop()!;
  const active = Array.from({ length: activeRoomCount(shape) }, (_, a) => {
    const { subscribers, watchers } = activeMembers(shape, a);
    return [...subscribers, ...watchers];
  });
  const quiet = Array.from({ length: quietRoomCount(shape) }, (_, r) => quietMembers(shape, r));
  const activeRoomIds = await step(`${active.length.toLocaleString('en')} active rooms`, () => createRooms(env, people, active, `${prefix} active`));
  const quietRoomIds = await step(`${quiet.length.toLocaleString('en')} quiet rooms`, () => createRooms(env, people, quiet, `${prefix} quiet`));
  const postIds = await step('a post by each person', async () => {
    const { rows } = await env.pool.query<{ id: string; author_id: number }>(
      `INSERT INTO posts (author_id, text) SELECT a, 'something to like' FROM unnest($1::int[]) AS a RETURNING id, author_id`,
      [people.map((p) => p.id)],
    );
    const byAuthor = new Map(rows.map((r) => [r.author_id, Number(r.id)]));
    return people.map((p) => byAuthor.get(p.id)!);
  });
  await step(`${followers.toLocaleString('en')} follows of the author`, () =>
    env.pool.query(
      `INSERT INTO follows (follower_id, followee_id)
       SELECT f, $2 FROM unnest($1::int[]) WITH ORDINALITY AS o(f, i) ORDER BY i`,
      [people.slice(0, followers).map((p) => p.id), author!.id],
    ),
  );
  // Vacuumed and flushed now, so that neither autovacuum nor the checkpointer works on these rows
  // during the first measurement (PostgreSQL's CPU is counted with its shared processes).
  await env.pool.query('VACUUM (ANALYZE) users, sessions, rooms, room_members, posts, follows');
  await env.pool.query('CHECKPOINT');
  return { people, tokens, activeRoomIds, quietRoomIds, postIds, author: author!, authorToken, followers };
}
