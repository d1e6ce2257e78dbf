/**
 * Keyset pagination shared by every list in user-service: `?limit=` (1–100, default 20) and an
 * opaque `?cursor=` that is the previous page's `nextCursor`. Lists are ordered by a row id,
 * newest first, so a page is `WHERE id < cursor ORDER BY id DESC LIMIT n`: one indexed query,
 * and rows added during a walk never shift the pages after it.
 */
import { z } from 'zod';
import { parseInput } from '@murmur/shared/http';

export { toPage, type Page } from '@murmur/shared/http';

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

const pageQuery = z.object({
  limit: z.coerce
    .number({ error: 'must be an integer' })
    .int('must be an integer')
    .min(1, 'must be at least 1')
    .max(MAX_PAGE_SIZE, `must be at most ${MAX_PAGE_SIZE}`)
    .default(DEFAULT_PAGE_SIZE),
  cursor: z
    .string()
    .regex(/^[1-9][0-9]{0,14}$/, 'must be a nextCursor from a previous page')
    .transform(Number)
    .optional(),
});

export interface PageRequest {
  limit: number;
  /** Only rows with a smaller id; undefined for the first page. */
  before?: number;
}

export function parsePageQuery(query: unknown): PageRequest {
  const { limit, cursor } = parseInput(pageQuery, query, 'query');
  return { limit, before: cursor };
}
