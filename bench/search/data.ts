/**
 * The search benchmark's database, built in bulk: users, rooms, chat messages and posts stream in
 * with COPY, the search indexes are built once the rows are in (as pg_restore does: a build is
 * far cheaper than millions of inserts into a GIN index), then everything is vacuumed and analyzed.
 *
 * Texts are eight words from a vocabulary of invented words (consonant-vowel syllables, a few
 * accented; usernames are made of them too), so every word but the measured ones is about as
 * rare as the next. The measured
 * words cannot come out of the vocabulary: `COMMON_WORD` and `SECOND_COMMON_WORD` are each in a
 * tenth of the texts (never side by side: the phrase of the two is in none), the `BAND_WORDS` in
 * 1% and 0.1%, each of the `RARE_WORDS` in `RARE_HITS` texts spread through the table (all of
 * them start with a vowel or two consonants, as no invented word does).
 */
import type { BenchEnv, BenchUser } from '../lib/bench-env.js';
import { copyRows, type CopyValue } from '../lib/copy-rows.js';

export const COMMON_WORD = 'lunch';
/** Another word as common, four places after COMMON_WORD's: a phrase of common words that never matches. */
export const SECOND_COMMON_WORD = 'coffee';
/** The share of texts that hold COMMON_WORD, and SECOND_COMMON_WORD, drawn at random: in every room alike. */
const COMMON_SHARE = 0.1;
/** Words between common and rare, drawn at random like COMMON_WORD. */
export const BAND_WORDS = [
  { word: 'bread', share: 0.01 },
  { word: 'olive', share: 0.001 },
];
export const RARE_WORDS = ['aurora', 'ember', 'onyx', 'umbra', 'indigo', 'opal', 'azure', 'echo'];
export const RARE_HITS = 50;

const SYLLABLES = ['ka', 'lo', 'mi', 'nu', 'pe', 'ra', 'si', 'to', 've', 'zu', 'bé', 'da', 'fo', 'gi', 'ho', 'jé', 'ke', 'li', 'mo', 'ny'];
const VOCABULARY_SIZE = 30_000;
const WORDS_PER_TEXT = 8;

/** The invented word number `n`: its digits in base 20 as syllables (at least two), so every n has its own word. */
function inventedWord(n: number): string {
  let word = '';
  for (let rest = n, k = 0; rest > 0 || k < 2; rest = Math.floor(rest / SYLLABLES.length), k += 1) word += SYLLABLES[rest % SYLLABLES.length];
  return word;
}

const VOCABULARY = Array.from({ length: VOCABULARY_SIZE }, (_, n) => inventedWord(n));

/** A small deterministic generator (xorshift32): every run builds the same texts. */
function randomNumbers(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32;
  };
}

/** Text number `i` of `count`: vocabulary words, with the measured words where they belong. */
function textMaker(count: number, seed: number): (i: number) => string {
  const random = randomNumbers(seed);
  // A draw of its own, so every other word of every text is what it was before this word came.
  const secondCommon = randomNumbers(seed + 1_000);
  const rareEvery = Math.max(1, Math.floor(count / RARE_HITS));
  return (i) => {
    const words: string[] = [];
    for (let k = 0; k < WORDS_PER_TEXT; k += 1) words.push(VOCABULARY[Math.floor(random() * VOCABULARY_SIZE)]!);
    if (random() < COMMON_SHARE) words[3] = COMMON_WORD;
    if (secondCommon() < COMMON_SHARE) words[7] = SECOND_COMMON_WORD;
    for (const [k, band] of BAND_WORDS.entries()) if (random() < band.share) words[1 + 5 * k] = band.word;
    // Each rare word at its own offset, so no text holds two of them.
    const offset = i % rareEvery;
    if (offset < RARE_WORDS.length && Math.floor(i / rareEvery) < RARE_HITS) words[5] = RARE_WORDS[offset]!;
    if (i % 7 === 0) words[0] = words[0]!.charAt(0).toUpperCase() + words[0]!.slice(1);
    return words.join(' ');
  };
}

export interface SearchDataShape {
  messages: number;
  users: number;
  rooms: number;
  /** Private rooms among `rooms`; the searcher is a member of `searcherPrivateRooms` of them. */
  privateRooms: number;
  searcherPrivateRooms: number;
  posts: number;
}

export interface SearchData {
  /** Reads every public room and `searcherPrivateRooms` private ones. */
  searcher: BenchUser;
  /** A private room the searcher is a member of. */
  searcherRoom: number;
  /** Usernames sampled from the table, for the name searches. */
  sampleNames: string[];
  counts: { messages: number; posts: number; users: number };
}

/** Logs how long each step of the build took: a full run's build takes many minutes. */
async function step<T>(label: string, work: () => Promise<T>): Promise<T> {
  const started = performance.now();
  const result = await work();
  console.log(`search data: ${label} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return result;
}

/** The search indexes of migration 0007, dropped before the load and built again after it from their own definitions. */
const SEARCH_INDEXES = ['messages_text_search_idx', 'posts_text_search_idx', 'users_username_prefix_idx', 'users_username_trgm_idx'];

async function withoutSearchIndexes(env: BenchEnv, load: () => Promise<void>): Promise<void> {
  const { rows } = await env.pool.query<{ definition: string }>(
    'SELECT pg_get_indexdef(indexrelid) AS definition FROM pg_index WHERE indexrelid::regclass::text = ANY($1::text[])',
    [SEARCH_INDEXES],
  );
  if (rows.length !== SEARCH_INDEXES.length) throw new Error(`found ${rows.length} of the ${SEARCH_INDEXES.length} search indexes`);
  for (const name of SEARCH_INDEXES) await env.pool.query(`DROP INDEX ${name}`);
  await load();
  const client = await env.pool.connect();
  try {
    // Room to sort a GIN index's entries in memory: the build then writes each posting list once.
    await client.query("SET maintenance_work_mem = '1GB'");
    for (const { definition } of rows) await step(definition.replace(/ ON .*/, ''), () => client.query(definition));
  } finally {
    client.release();
  }
}

function* userRows(count: number): Generator<CopyValue[]> {
  for (let i = 0; i < count; i += 1) {
    // Unique: the word cycles through the vocabulary, the number counts the cycles.
    const name = `${VOCABULARY[i % VOCABULARY_SIZE]!.replace(/é/g, 'e')}${Math.floor(i / VOCABULARY_SIZE)}`;
    yield [name, `${name}@bench.invalid`, 'not-a-hash'];
  }
}

function* messageRows(shape: SearchDataShape, roomIds: number[], userIds: { first: number; count: number }): Generator<CopyValue[]> {
  const text = textMaker(shape.messages, 1);
  const firstAt = Date.now() - shape.messages * 50;
  for (let i = 0; i < shape.messages; i += 1) {
    // Round robin over the rooms: message i is number i / rooms + 1 of its room.
    const room = roomIds[i % roomIds.length]!;
    const seq = Math.floor(i / roomIds.length) + 1;
    yield [room, seq, userIds.first + ((i * 7_919) % userIds.count), text(i), new Date(firstAt + i * 50)];
  }
}

function* postRows(count: number, userIds: { first: number; count: number }): Generator<CopyValue[]> {
  const text = textMaker(count, 2);
  const firstAt = Date.now() - count * 1000;
  for (let i = 0; i < count; i += 1) yield [userIds.first + ((i * 104_729) % userIds.count), text(i), new Date(firstAt + i * 1000)];
}

export async function buildSearchData(env: BenchEnv, shape: SearchDataShape): Promise<SearchData> {
  const { pool } = env;
  let searcher: BenchUser | undefined;
  let searcherRooms: number[] = [];
  await withoutSearchIndexes(env, async () => {
    await step(`${shape.users.toLocaleString('en')} users (COPY)`, () => copyRows(pool, 'users', ['username', 'email', 'password_hash'], userRows(shape.users)));
    [searcher] = await env.bulkUsers('searcher', 1);
    const { rows: ids } = await pool.query<{ first: number; last: number }>('SELECT min(id) AS first, max(id) AS last FROM users');
    const userIds = { first: ids[0]!.first, count: ids[0]!.last - ids[0]!.first + 1 };

    // Private rooms are spread among the public ones; the searcher belongs to the first few.
    const privateEvery = Math.floor(shape.rooms / shape.privateRooms);
    const { rows: rooms } = await pool.query<{ id: number; kind: string }>(
      `INSERT INTO rooms (name, kind, created_by)
       SELECT 'room ' || i, CASE WHEN i % $2 = 0 THEN 'private' ELSE 'public' END, $3 FROM generate_series(1, $1::int) AS i
       RETURNING id, kind`,
      [shape.rooms, privateEvery, userIds.first],
    );
    const roomIds = rooms.map((r) => r.id).sort((a, b) => a - b);
    searcherRooms = rooms.filter((r) => r.kind === 'private').slice(0, shape.searcherPrivateRooms).map((r) => r.id);
    await pool.query('INSERT INTO room_members (room_id, user_id) SELECT unnest($1::int[]), $2', [searcherRooms, searcher!.id]);

    const stored = await step(`${shape.messages.toLocaleString('en')} messages (COPY)`, () =>
      copyRows(pool, 'messages', ['room_id', 'seq', 'user_id', 'text', 'created_at'], messageRows(shape, roomIds, userIds), { trustForeignKeys: true }),
    );
    if (stored !== shape.messages) throw new Error(`stored ${stored} messages of ${shape.messages}`);
    await step("rooms' last seq", () =>
      pool.query('UPDATE rooms r SET last_seq = m.last FROM (SELECT room_id, max(seq) AS last FROM messages GROUP BY room_id) m WHERE r.id = m.room_id'),
    );
    await step(`${shape.posts.toLocaleString('en')} posts (COPY)`, () =>
      copyRows(pool, 'posts', ['author_id', 'text', 'created_at'], postRows(shape.posts, userIds), { trustForeignKeys: true }),
    );
  });
  // As in the timeline benchmark: measured requests should not meet autovacuum at work on the load.
  await step('VACUUM (ANALYZE), CHECKPOINT', async () => {
    await pool.query('VACUUM (ANALYZE)');
    await pool.query('CHECKPOINT').catch((err: unknown) => console.log(`search data: no CHECKPOINT (${String(err)})`));
  });
  const { rows: sample } = await pool.query<{ username: string }>(
    'SELECT username FROM users TABLESAMPLE SYSTEM (1) REPEATABLE (7) LIMIT 200',
  );
  return {
    searcher: searcher!,
    searcherRoom: searcherRooms[0]!,
    sampleNames: sample.map((r) => r.username),
    counts: { messages: shape.messages, posts: shape.posts, users: shape.users + 1 },
  };
}
