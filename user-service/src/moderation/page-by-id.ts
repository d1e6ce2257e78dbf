/** The moderators' lists are ordered by row id, newest first: their cursor is the last item's id. */
import { toPage, type Page } from '@murmur/shared/http';

/** `limit + 1` rows, the newest first, as a page whose cursor is the last item's id. */
export const pageById = <T extends { id: number }>(rows: T[], limit: number): Page<T> =>
  toPage(
    rows,
    limit,
    (row) => row.id,
    (row) => row,
  );
