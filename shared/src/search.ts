/**
 * What every search shares: the `q` parameter, the text search configuration, and the order in
 * which a search looks for the newest matches.
 */
import { sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import { withoutNul } from './http/validation.js';

/** Most characters of `q` (Unicode code points, so an emoji is one). */
export const MAX_SEARCH_CHARACTERS = 200;

/** `?q=`: 1–200 characters after trimming, at most once. */
export const searchText = z
  .string({ error: 'is required, once' })
  .trim()
  .refine(...withoutNul)
  .refine((q) => q.length > 0, 'must not be empty')
  .refine((q) => [...q].length <= MAX_SEARCH_CHARACTERS, `must be at most ${MAX_SEARCH_CHARACTERS} characters`);

/**
 * The words of a text and of a query, as search compares them: migration 0007's `murmur_search`
 * configuration (`simple` with accents removed: no stemming and no stop words, so every language
 * is split into the same lower-case words). It is written into each statement, never passed as a
 * parameter: only the literal makes `to_tsvector` the expression the indexes were built on.
 */
const CONFIG = sql.raw("'murmur_search'");

/** The words of `q` as a tsquery: words, "a phrase", `or`, `-word`; any other character is a separator. */
const queryOf = (q: string) => sql`websearch_to_tsquery(${CONFIG}, ${q})`;

/** `document` (an indexed text column) holds the words of `q`. */
export const matchesWords = (document: SQL, q: string): SQL => sql`to_tsvector(${CONFIG}, ${document}) @@ ${queryOf(q)}`;

/**
 * `q` has words to look for. A `q` of punctuation alone makes an empty query, which matches
 * nothing: a statement under this condition stops before it reads a row (a walk would read them all).
 */
export const hasWords = (q: string): SQL => sql`numnode(${queryOf(q)}) > 0`;

/** One look at the newest rows: the matches among them, and whether they were all the rows there are. */
export interface Walk<T> {
  matches: T[];
  /** The walk reached the oldest row: there is nothing older to find. */
  exhausted: boolean;
}

/** A row of a walkQuery: `id` is null in the row that only says how far the walk went. */
interface WalkRow {
  scanned: number;
  id: unknown;
}

/**
 * A walk as one statement: `newest` is the bounded run of rows in the list's order (at most
 * `LIMIT` rows), `hits` selects the matches among them from `newest`. Every answer has at least
 * one row, which says how many rows were walked; with no match its other columns are null.
 */
export function walkQuery(newest: SQL, hits: SQL): SQL {
  return sql`
    WITH newest AS MATERIALIZED (${newest})
    SELECT s.scanned, h.* FROM (SELECT count(*)::int AS scanned FROM newest) s
    LEFT JOIN LATERAL (${hits}) h ON true`;
}

/** The answer of a walkQuery that walked at most `walkRows` rows, each match made an item by `toItem`. */
export function walkOf<R extends WalkRow, T>(rows: R[], walkRows: number, toItem: (row: R) => T): Walk<T> {
  return { matches: rows.filter((row) => row.id !== null).map(toItem), exhausted: (rows[0]?.scanned ?? 0) < walkRows };
}

/**
 * The first `wanted` matches of a search in the list's order (newest first, or by name), the
 * cheap way for the query at hand. A common word is among the newest rows, so walking them in
 * order finds a page after a few hundred rows, while the word's index would hand over every one
 * of its (millions of) rows to be sorted. A rare word is the other way round: a walk would read
 * the whole table, its index finds it at once. So the walk goes first, over a bounded number of
 * rows, and only when it found too few does the index answer.
 */
export async function walkThenIndex<T>(wanted: number, walk: () => Promise<Walk<T>>, fromIndex: () => Promise<T[]>): Promise<T[]> {
  const walked = await walk();
  if (walked.matches.length >= wanted || walked.exhausted) return walked.matches;
  return fromIndex();
}
