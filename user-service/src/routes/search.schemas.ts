/** Inputs and answers of user and post search, as zod schemas (they also document the API). */
import { z } from 'zod';
import { BAD_CURSOR, numericCursor, pageQuery } from '@murmur/shared/http';
import { searchText } from '@murmur/shared/search';
import type { UserSearchPosition } from '../services/search.service.js';

const position = z.tuple([z.enum(['prefix', 'contains']), z.string().min(1).max(200)]);

/** `?cursor=` of a user search: a nextCursor that encodeUserCursor made (base64url JSON). */
const userCursor = z
  .string()
  .max(400, BAD_CURSOR)
  .regex(/^[A-Za-z0-9_-]+$/, BAD_CURSOR)
  .transform((cursor, ctx): UserSearchPosition => {
    let decoded: unknown;
    try {
      decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    } catch {
      decoded = undefined;
    }
    const parsed = position.safeParse(decoded);
    if (!parsed.success) {
      ctx.addIssue({ code: 'custom', message: BAD_CURSOR });
      return z.NEVER;
    }
    return { phase: parsed.data[0], after: parsed.data[1] };
  });

/** `GET /users/search?q=&limit=&cursor=`. */
export const userSearchQuery = pageQuery(userCursor).extend({ q: searchText });

/** `GET /posts/search?q=&limit=&cursor=`: the cursor is the id of the last post listed. */
export const postSearchQuery = pageQuery(numericCursor).extend({ q: searchText });

export const userHitSchema = z
  .object({ id: z.number().int(), username: z.string(), displayName: z.string().nullable(), avatarUrl: z.string().nullable(), followersCount: z.number().int() })
  .meta({ id: 'UserSearchHit' });
