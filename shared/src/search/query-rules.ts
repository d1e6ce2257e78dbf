/**
 * The queries a search for words refuses, because no index can bound what they cost. Each rule
 * is asked of PostgreSQL itself (the tsquery it makes of `q`, and the planner's estimate), so it
 * judges the very query the search would run, whatever the punctuation of `q`.
 *
 * - Nothing every match must hold (`-word`, `word or -other`): an index looks rows up by the
 *   words they hold, so such a query reads every row of the index, about 4 s a million rows.
 * - More different words than `maxWords`: the index reads every word's list, so `a or b or …`
 *   of 40 words (as many as `q` holds) fetches the rows of 40 words.
 * - A phrase whose words the planner finds in more than `maxPhraseRows` rows: the index finds
 *   the rows holding the words, not the words side by side, so each of them must be read and
 *   split again to check their positions (about 4 µs a row: 2 s for a phrase of two common
 *   words in 3,000,000 posts). Asked only once the walks fell short: a phrase common enough
 *   to fill a page among the newest rows is answered by them, however common its words.
 */
import { sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { badRequest } from '../errors.js';
import { matchesWords, queryOf } from './query.js';
import { walkThenIndex, type WalkLimits, type Walker } from './walk.js';

export interface QueryRules {
  /** Most different words in `q`, whether looked for, or'ed or left out (SEARCH_MAX_TERMS). */
  maxWords: number;
  /**
   * Most rows the planner may estimate to hold the words of a query with a phrase, for the index
   * to check each of them for the phrase (SEARCH_MAX_PHRASE_ROWS).
   */
  maxPhraseRows: number;
}

/** What the search makes of `q`, once the rules let it through. */
export interface QueryShape {
  /** `q` has words (a `q` of punctuation alone has none, and finds nothing). */
  hasWords: boolean;
  /** `q` holds a phrase (`"red apple"`, or a word the parser splits, such as `e-mail`). */
  hasPhrase: boolean;
}

/** The 400s of a search for words whose query the rules refuse. */
export const WORD_SEARCH_REFUSALS = ['SEARCH_QUERY_TOO_BROAD', 'SEARCH_TOO_MANY_WORDS', 'SEARCH_PHRASE_TOO_COMMON'];

/** The rules as the API reference states them, after what the words of q mean. */
export const describeWordRules = (rules: QueryRules): string =>
  `A q is refused with 400 when no word is there that every match must hold (\`-word\` alone, \`word or -other\`: SEARCH_QUERY_TOO_BROAD), when it holds more than ${rules.maxWords} different words (SEARCH_TOO_MANY_WORDS), and when it holds a phrase the newest rows did not answer whose words are in more than ${rules.maxPhraseRows.toLocaleString('en')} rows (SEARCH_PHRASE_TOO_COMMON).`;

/** A lexeme in a tsquery's text: in single quotes, a quote inside doubled. */
const LEXEME = /'(?:[^']|'')*'/g;
/** What `querytree` answers for a tsquery no index can look up. */
const NOTHING_TO_LOOK_UP = 'T';

/** The shape of `q`, or a 400 naming the rule it breaks. */
export async function inspectQuery(db: Db, q: string, rules: QueryRules): Promise<QueryShape> {
  const { rows } = await db.execute<{ query: string; indexable: string }>(
    sql`SELECT ${queryOf(q)}::text AS query, querytree(${queryOf(q)}) AS indexable`,
  );
  const { query, indexable } = rows[0]!;
  const words = new Set(query.match(LEXEME));
  if (words.size > rules.maxWords) {
    throw badRequest('SEARCH_TOO_MANY_WORDS', `q holds ${words.size} different words; a search takes at most ${rules.maxWords}`);
  }
  if (words.size > 0 && indexable === NOTHING_TO_LOOK_UP) {
    throw badRequest(
      'SEARCH_QUERY_TOO_BROAD',
      'q must hold a word that every match has: -word only leaves out, so "-word" or "word or -other" would read every row',
    );
  }
  // Phrase operators (<-> and <N>) are the only ones with a '<' once the lexemes are taken out.
  return { hasWords: words.size > 0, hasPhrase: query.replace(LEXEME, '').includes('<') };
}

/** A table with a search index on `to_tsvector('murmur_search', text)`. */
export type SearchedTable = 'posts' | 'messages';

/** The planner's estimate of the rows of `table` that hold the words of `q`. */
async function estimatedRows(db: Db, table: SearchedTable, q: string): Promise<number> {
  const { rows } = await db.execute<{ 'QUERY PLAN': Array<{ Plan: { 'Plan Rows': number } }> }>(
    sql`EXPLAIN (FORMAT JSON) SELECT 1 FROM ${sql.identifier(table)} WHERE ${matchesWords(sql`text`, q)}`,
  );
  return rows[0]!['QUERY PLAN'][0]!.Plan['Plan Rows'];
}

/**
 * Refuses `q` when the rows that hold the words of its phrases are more than the index may check
 * for their positions. The planner counts a phrase as its words together (it has no statistics of
 * positions), so its estimate is the rows the index would hand over.
 */
async function refuseCommonPhrase(db: Db, table: SearchedTable, q: string, maxRows: number): Promise<void> {
  const rows = await estimatedRows(db, table, q);
  if (rows > maxRows) {
    throw badRequest(
      'SEARCH_PHRASE_TOO_COMMON',
      `the words of the phrase in q are in about ${Math.round(rows).toLocaleString('en')} ${table}, too many to check each for the phrase (at most ${maxRows.toLocaleString('en')}); add a rarer word`,
    );
  }
}

/** One search for the words of a query: where, how many, and its two ways to them (see walkThenIndex). */
export interface WordSearch<T, P> {
  table: SearchedTable;
  wanted: number;
  limits: WalkLimits;
  walk: Walker<T, P>;
  fromIndex: () => Promise<T[]>;
}

/**
 * The first `wanted` matches of `q`, by the rules: a query they refuse is a 400 before any row is
 * read, one without words finds nothing, and a phrase is checked for its words' frequency only
 * when the index is about to be asked.
 */
export async function findWords<T, P>(db: Db, q: string, rules: QueryRules, search: WordSearch<T, P>): Promise<T[]> {
  const shape = await inspectQuery(db, q, rules);
  if (!shape.hasWords) return [];
  return walkThenIndex(search.wanted, search.limits, search.walk, async () => {
    if (shape.hasPhrase) await refuseCommonPhrase(db, search.table, q, rules.maxPhraseRows);
    return search.fromIndex();
  });
}
