/** Parsing of user ids from paths and query strings: positive integers only. */
import { z } from 'zod';
import { parseInput } from '@murmur/shared/http';

/** User ids are PostgreSQL `integer`s. */
const MAX_USER_ID = 2_147_483_647;

const idSchema = (max: number) =>
  z
    .string({ error: 'is required' })
    .regex(/^[0-9]{1,16}$/, 'must be a positive integer')
    .transform(Number)
    .refine((n) => n >= 1 && n <= max, 'must be a positive integer');

const userIdSchema = idSchema(MAX_USER_ID);
/** Post ids are `bigint`s; JavaScript numbers hold them exactly up to 2^53 - 1. */
const postIdSchema = idSchema(Number.MAX_SAFE_INTEGER);

/** Parses `value` as a user id, or throws a 400 naming `field`. */
export function parseId(value: unknown, field: string): number {
  return parseInput(userIdSchema, value, field);
}

/** Parses `value` as a post id, or throws a 400 naming `field`. */
export function parsePostId(value: unknown, field: string): number {
  return parseInput(postIdSchema, value, field);
}
