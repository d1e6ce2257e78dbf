/**
 * Paging, the same for every list in every service: `?limit=` (1–100, default 20) and an opaque
 * `?cursor=` that is the previous page's `nextCursor`; the answer is
 * `{"items": [...], "nextCursor": string | null}`. Lists walk an index from the cursor (keyset
 * paging), so a page costs the same however deep it is, and rows added during a walk never shift
 * the pages after it.
 */
import { z } from 'zod';

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** A parsed `?limit=&cursor=`; `cursor` is undefined on the first page. */
export interface PageRequest<C = number> {
  limit: number;
  cursor?: C;
}

/** The wording of every cursor that is not one this API handed out. */
export const BAD_CURSOR = 'must be a nextCursor from a previous page';

/** `?limit=`: a decimal integer from 1 to MAX_PAGE_SIZE, DEFAULT_PAGE_SIZE when absent. */
export const pageLimit = z
  .string()
  .regex(/^[0-9]{1,4}$/, 'must be an integer')
  .transform(Number)
  .pipe(z.number().int().min(1, 'must be at least 1').max(MAX_PAGE_SIZE, `must be at most ${MAX_PAGE_SIZE}`))
  .optional()
  .transform((limit) => limit ?? DEFAULT_PAGE_SIZE);

/** The cursor of a list ordered by one numeric key (a row id, a seq): the key of the last item. */
export const numericCursor = z.string().regex(/^[0-9]{1,15}$/, BAD_CURSOR).transform(Number);

/** The `?limit=&cursor=` query of a list whose cursor parses with `cursor`. */
export function pageQuery<C extends z.ZodType<unknown, string>>(cursor: C) {
  return z.object({ limit: pageLimit, cursor: cursor.optional() });
}

/** The query of a list ordered by one numeric key. */
export const numericPageQuery = pageQuery(numericCursor);

/** The JSON schema of a page of `item`s, for responses and their documentation. */
export function pageOf<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), nextCursor: z.string().nullable() });
}

/**
 * Turns `limit + 1` rows, fetched to learn whether more exist, into a page. `cursorOf` gives the
 * last row's position, which becomes the cursor of the next page.
 */
export function toPage<R, T>(rows: R[], limit: number, cursorOf: (row: R) => number | string, toItem: (row: R) => T): Page<T> {
  const hasMore = rows.length > limit;
  const pageRows = hasMore ? rows.slice(0, limit) : rows;
  const last = pageRows[pageRows.length - 1];
  return { items: pageRows.map(toItem), nextCursor: hasMore && last !== undefined ? String(cursorOf(last)) : null };
}
