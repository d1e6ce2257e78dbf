/** Parsing of user ids from paths and query strings: positive integers only. */
import { z } from 'zod';
import { parseInput } from '@murmur/shared/http';

/** Ids are PostgreSQL `integer`s. */
const MAX_ID = 2_147_483_647;

const idSchema = z
  .string({ error: 'is required' })
  .regex(/^[0-9]+$/, 'must be a positive integer')
  .transform(Number)
  .refine((n) => n >= 1 && n <= MAX_ID, 'must be a positive integer');

/** Parses `value` as an id, or throws a 400 naming `field`. */
export function parseId(value: unknown, field: string): number {
  return parseInput(idSchema, value, field);
}
