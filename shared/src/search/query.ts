/** The `q` parameter of every search, and the words of `q` as the search indexes compare them. */
import { sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import { withoutNul } from '../http/validation.js';

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
export const queryOf = (q: string): SQL => sql`websearch_to_tsquery(${CONFIG}, ${q})`;

/** `document` (an indexed text column) holds the words of `q`. */
export const matchesWords = (document: SQL, q: string): SQL => sql`to_tsvector(${CONFIG}, ${document}) @@ ${queryOf(q)}`;

/**
 * `q` has words to look for. A `q` of punctuation alone makes an empty query, which matches
 * nothing: a statement under this condition stops before it reads a row (a walk would read them all).
 */
export const hasWords = (q: string): SQL => sql`numnode(${queryOf(q)}) > 0`;
