/**
 * The order in which a search looks for its first matches: a bounded walk along the list (newest
 * first, or by name), then the index when the walk found too few.
 */
import { sql, type SQL } from 'drizzle-orm';

/** How far a search walks its list before it asks the index. */
export interface WalkLimits {
  /** Rows of the first walk. */
  walkRows: number;
  /** Most rows of a second walk, taken when the first found some matches but not a page. */
  maxWalkRows: number;
}

/** One walk along a list: the matches met, and where it stopped. */
export interface Walk<T, P> {
  matches: T[];
  /** The walk reached the end of the list: there is nothing further to find. */
  exhausted: boolean;
  /** The position of the last row walked (undefined when none was): a further walk starts after it. */
  end: P | undefined;
  /** The rows of the table walked, as its statistics estimate them (undefined before its first ANALYZE). */
  tableRows: number | undefined;
}

/** The columns a walkQuery adds to its rows: rows walked, and the position of the last (`P`). */
export interface WalkColumns<P> {
  scanned: number;
  walk_end: P | null;
  table_rows: number;
}

/** A row of a walkQuery: `id` is null in the row that only says how far the walk went. */
interface WalkRow extends WalkColumns<unknown> {
  id: unknown;
}

/**
 * A walk as one statement: `rows` is the bounded run of rows of `table` in the list's order (at
 * most `LIMIT` rows), `hits` selects the matches among them from `newest`, and `end` (an
 * aggregate over `newest`) is the position of the last of them. Every answer has at least one
 * row, which says how many rows were walked, where the walk ended and how many rows the table
 * has (its statistics' estimate: no count); with no match its other columns are null.
 */
export function walkQuery(table: string, rows: SQL, hits: SQL, end: SQL): SQL {
  return sql`
    WITH newest AS MATERIALIZED (${rows})
    SELECT s.scanned, s.walk_end, s.table_rows, h.* FROM (
      SELECT count(*)::int AS scanned, ${end} AS walk_end,
        (SELECT reltuples::float8 FROM pg_class WHERE oid = ${table}::regclass) AS table_rows
      FROM newest
    ) s
    LEFT JOIN LATERAL (${hits}) h ON true`;
}

/** The answer of a walkQuery that walked at most `walkRows` rows, each match made an item by `toItem`. */
export function walkOf<R extends WalkRow, T>(rows: R[], walkRows: number, toItem: (row: R) => T): Walk<T, NonNullable<R['walk_end']>> {
  const first = rows[0];
  return {
    matches: rows.filter((row) => row.id !== null).map(toItem),
    exhausted: (first?.scanned ?? 0) < walkRows,
    end: first?.walk_end ?? undefined,
    // -1: never analyzed.
    tableRows: first && first.table_rows >= 0 ? first.table_rows : undefined,
  };
}

/**
 * A walk of at most `rows` rows from position `from` (the request's own position when undefined)
 * that keeps the first `wanted` matches.
 */
export type Walker<T, P> = (from: P | undefined, rows: number, wanted: number) => Promise<Walk<T, P>>;

/**
 * The first `wanted` matches of a search in the list's order (newest first, or by name), the
 * cheap way for the query at hand. A common word is among the first rows, so walking them in
 * order finds a page after a few hundred rows, while the word's index would hand over every one
 * of its (millions of) rows to be fetched and sorted. A rare word is the other way round: a walk
 * would read the whole table, its index finds it at once.
 *
 * So a walk of `walkRows` goes first. If it found a page, that is the answer. If it found some
 * matches, their share of the rows walked tells how far the rest of the page is (twice that, for
 * safety) and how many matches the whole table holds. A row walked and a match fetched through
 * the index cost about the same (a few microseconds), so when the rest of the page is nearer
 * than the table's matches are many, and within `maxWalkRows`, a second walk goes on from where
 * the first stopped. Otherwise, and when the walks fall short (a rare word), the index answers.
 */
export async function walkThenIndex<T, P>(wanted: number, limits: WalkLimits, walk: Walker<T, P>, fromIndex: () => Promise<T[]>): Promise<T[]> {
  const first = await walk(undefined, limits.walkRows, wanted);
  const found = first.matches.length;
  if (found >= wanted || first.exhausted) return first.matches;
  if (found > 0) {
    const share = found / limits.walkRows;
    const rows = Math.ceil((2 * (wanted - found)) / share);
    if (rows <= limits.maxWalkRows && rows <= share * (first.tableRows ?? Infinity)) {
      const second = await walk(first.end, rows, wanted - found);
      if (second.matches.length >= wanted - found || second.exhausted) return [...first.matches, ...second.matches];
    }
  }
  return fromIndex();
}
