/** The page shape of every list in the API: `{"items": [...], "nextCursor": string | null}`. */

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/**
 * Turns `limit + 1` rows, fetched to learn whether more exist, into a page. `keyOf` gives a row's
 * ordering id, which becomes the cursor of the next page.
 */
export function toPage<R, T>(rows: R[], limit: number, keyOf: (row: R) => number, toItem: (row: R) => T): Page<T> {
  const hasMore = rows.length > limit;
  const pageRows = hasMore ? rows.slice(0, limit) : rows;
  const last = pageRows[pageRows.length - 1];
  return { items: pageRows.map(toItem), nextCursor: hasMore && last !== undefined ? String(keyOf(last)) : null };
}
