/**
 * The inputs and answers of user-service, as zod schemas: the routes validate requests with them,
 * and the OpenAPI document describes the API from them.
 */
import { z } from 'zod';
import { bigintId, integerId, withoutNul } from '@murmur/shared/http';

export const MAX_POST_CHARACTERS = 280;

/** Counted in Unicode code points, so an emoji is one character, not two UTF-16 units. */
export const postBody = z.object({
  text: z
    .string({ error: 'is required and must be a string' })
    .trim()
    .refine(...withoutNul)
    .refine((t) => t.length > 0, 'must not be empty')
    .refine((t) => [...t].length <= MAX_POST_CHARACTERS, `must be at most ${MAX_POST_CHARACTERS} characters`)
    .describe(`1 to ${MAX_POST_CHARACTERS} characters`),
});

/** Printable ASCII, as clients generate keys (UUIDs, random tokens). */
export const postHeaders = z.object({
  'Idempotency-Key': z
    .string()
    .regex(/^[\x21-\x7e]{1,255}$/, 'must be 1-255 printable ASCII characters')
    .optional()
    .describe('a key of the client’s choice: a retry with the same key within 24 hours answers the first post instead of posting twice'),
});

export const userIdParams = z.object({ id: integerId });
export const postIdParams = z.object({ id: bigintId });
export const followQuery = z.object({ toFollowId: integerId });
export const unfollowQuery = z.object({ toUnfollowId: integerId });

export const userSummarySchema = z.object({ id: z.number().int(), username: z.string() }).meta({ id: 'UserSummary' });

export const profileSchema = z
  .object({
    id: z.number().int(),
    username: z.string(),
    createdAt: z.iso.datetime(),
    followersCount: z.number().int(),
    followingCount: z.number().int(),
    postsCount: z.number().int(),
  })
  .meta({ id: 'Profile' });

export const ownProfileSchema = profileSchema.extend({ email: z.string() }).meta({ id: 'OwnProfile' });

export const relationshipSchema = z
  .object({ id: z.number().int().describe('the other user'), following: z.boolean(), followedBy: z.boolean() })
  .meta({ id: 'Relationship' });

/** A profile as another user sees it: `relationship` is null for an anonymous caller and on one's own profile. */
export const viewedProfileSchema = profileSchema
  .extend({ relationship: relationshipSchema.nullable().describe('the caller’s follows with this user') })
  .meta({ id: 'ViewedProfile' });

export const relationshipResponse = z.object({ relationship: relationshipSchema });

export const postSchema = z
  .object({ id: z.number().int(), author: userSummarySchema, text: z.string(), createdAt: z.iso.datetime() })
  .meta({ id: 'Post' });
