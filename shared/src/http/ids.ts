/**
 * Ids in paths and query strings, parsed the same way everywhere: a decimal integer from 1 up to
 * the largest value the column holds, or a 400 saying "must be a positive integer id".
 */
import { z } from 'zod';

/** PostgreSQL `integer` columns: users, rooms. */
export const MAX_INTEGER_ID = 2_147_483_647;
/** PostgreSQL `bigint` columns (posts, messages), as far as a JavaScript number holds them exactly. */
export const MAX_BIGINT_ID = Number.MAX_SAFE_INTEGER;

export const ID_WORDING = 'must be a positive integer id';

/** The schema of an id whose column holds at most `max`. */
export function idSchema(max: number = MAX_INTEGER_ID) {
  return z
    .string({ error: 'is required' })
    .regex(/^[0-9]{1,16}$/, ID_WORDING)
    .transform(Number)
    .refine((n) => n >= 1 && n <= max, ID_WORDING);
}

/** An id of an `integer` column (a user, a room). */
export const integerId = idSchema(MAX_INTEGER_ID);
/** An id of a `bigint` column (a post, a message). */
export const bigintId = idSchema(MAX_BIGINT_ID);

/** An id in a JSON body: a number, not a string, with the same bounds and wording. */
export function jsonIdSchema(max: number = MAX_INTEGER_ID) {
  return z.number({ error: ID_WORDING }).int(ID_WORDING).min(1, ID_WORDING).max(max, ID_WORDING);
}
