/**
 * The inputs and answers of user-service, as zod schemas: the routes validate requests with them,
 * and the OpenAPI document describes the API from them.
 */
import { z } from 'zod';
import { schema } from '@murmur/shared/db';
import { MAX_BIGINT_ID, bigintId, integerId, jsonIdSchema, withoutNul } from '@murmur/shared/http';
import { mediaAttachmentSchema, mediaIdsSchema } from '@murmur/shared/media';

export const MAX_POST_CHARACTERS = 280;

export const MAX_DISPLAY_NAME_CHARACTERS = 50;
export const MAX_BIO_CHARACTERS = 500;

/** Characters as a person counts them: Unicode code points, so an emoji is one, not two UTF-16 units. */
const characters = (text: string) => [...text].length;

/** A post's text: 1 to MAX_POST_CHARACTERS characters once trimmed. */
const postText = z
  .string({ error: 'is required and must be a string' })
  .trim()
  .refine(...withoutNul)
  .refine((t) => t.length > 0, 'must not be empty')
  .refine((t) => characters(t) <= MAX_POST_CHARACTERS, `must be at most ${MAX_POST_CHARACTERS} characters`)
  .describe(`1 to ${MAX_POST_CHARACTERS} characters; \`@username\` mentions an account and \`#tag\` tags the post`);

/** A new post's text may be empty when it carries pictures. */
const newPostText = z
  .string({ error: 'must be a string' })
  .trim()
  .refine(...withoutNul)
  .refine((t) => characters(t) <= MAX_POST_CHARACTERS, `must be at most ${MAX_POST_CHARACTERS} characters`)
  .default('')
  .describe(`up to ${MAX_POST_CHARACTERS} characters, and not empty unless the post has pictures; \`@username\` mentions an account and \`#tag\` tags the post`);

export const postBody = z
  .object({
    text: newPostText,
    inReplyToId: jsonIdSchema(MAX_BIGINT_ID).optional().describe('the post this one replies to'),
    mediaIds: mediaIdsSchema.default([]),
  })
  .refine((post) => post.text.length > 0 || post.mediaIds.length > 0, { path: ['text'], message: 'must not be empty (unless the post has pictures)' });

export const editPostBody = z.object({ text: postText });

/** The caller's display name and bio; an absent field stays as it is. */
export const profileChangesBody = z.object({
  displayName: z
    .string({ error: 'must be a string or null' })
    .trim()
    .refine(...withoutNul)
    .refine((t) => characters(t) <= MAX_DISPLAY_NAME_CHARACTERS, `must be at most ${MAX_DISPLAY_NAME_CHARACTERS} characters`)
    .nullable()
    .optional()
    .transform((name) => (name === '' ? null : name))
    .describe(`at most ${MAX_DISPLAY_NAME_CHARACTERS} characters; empty or null removes it`),
  bio: z
    .string({ error: 'must be a string' })
    .trim()
    .refine(...withoutNul)
    .refine((t) => characters(t) <= MAX_BIO_CHARACTERS, `must be at most ${MAX_BIO_CHARACTERS} characters`)
    .optional()
    .describe(`at most ${MAX_BIO_CHARACTERS} characters`),
  avatarMediaId: jsonIdSchema(MAX_BIGINT_ID)
    .nullable()
    .optional()
    .describe('an upload of the caller’s (`POST /media`) to show beside their name; null removes the avatar, whose picture is then deleted'),
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

const avatarUrl = z.string().nullable().describe('the picture beside the name (a square-ish preview); null when none is set');

export const userSummarySchema = z
  .object({ id: z.number().int(), username: z.string(), displayName: z.string().nullable(), avatarUrl })
  .meta({ id: 'UserSummary' });

export const profileSchema = z
  .object({
    id: z.number().int(),
    username: z.string(),
    displayName: z.string().nullable(),
    avatarUrl,
    bio: z.string(),
    createdAt: z.iso.datetime(),
    followersCount: z.number().int(),
    followingCount: z.number().int(),
    postsCount: z.number().int().describe('posts and reposts'),
  })
  .meta({ id: 'Profile' });

export const ownProfileSchema = profileSchema
  .extend({
    email: z.string(),
    emailVerified: z.boolean().describe('whether the owner has opened the verification link mailed to `email`'),
    role: z.enum(schema.ACCOUNT_ROLES).describe('`moderator` and `admin` may work the reports queue; admins also set roles'),
  })
  .meta({ id: 'OwnProfile' });

export const relationshipSchema = z
  .object({
    id: z.number().int().describe('the other user'),
    following: z.boolean(),
    followedBy: z.boolean(),
    blocking: z.boolean().describe('the caller blocks this user'),
    blockedBy: z.boolean().describe('this user blocks the caller'),
    muting: z.boolean().describe('the caller muted this user’s posts'),
    mutingNotifications: z.boolean().describe('the caller’s mute hides this user’s notifications too'),
  })
  .meta({ id: 'Relationship' });

/** A profile as another user sees it: `relationship` is null for an anonymous caller and on one's own profile. */
export const viewedProfileSchema = profileSchema
  .extend({ relationship: relationshipSchema.nullable().describe('the caller’s follows, blocks and mutes with this user') })
  .meta({ id: 'ViewedProfile' });

/** `PUT /users/:id/mute`: an empty body mutes notifications too. */
export const muteBody = z
  .object({
    notifications: z
      .boolean({ error: 'must be true or false' })
      .default(true)
      .describe('false mutes the account’s posts only: its notifications still come'),
  })
  .default({ notifications: true });

export const blockedAccountSchema = userSummarySchema
  .extend({ blockedAt: z.iso.datetime() })
  .meta({ id: 'BlockedAccount' });

export const mutedAccountSchema = userSummarySchema
  .extend({ mutedAt: z.iso.datetime(), notifications: z.boolean().describe('whether the mute hides the account’s notifications too') })
  .meta({ id: 'MutedAccount' });

export const relationshipResponse = z.object({ relationship: relationshipSchema });

export const postSchema = z
  .object({
    id: z.number().int(),
    author: userSummarySchema,
    text: z.string(),
    createdAt: z.iso.datetime(),
    editedAt: z.iso.datetime().nullable().describe('null until the first edit'),
    inReplyToId: z.number().int().nullable().describe('the post this one answers (it may since have been deleted)'),
    inReplyToUserId: z.number().int().nullable().describe('the author of the post this one answers'),
    mentions: z
      .array(z.object({ id: z.number().int(), username: z.string() }))
      .describe('the accounts the text mentions, once each, in the order it names them'),
    tags: z.array(z.string()).describe('the hashtags of the text, normalised (NFKC, lower case), once each'),
    media: z.array(mediaAttachmentSchema).describe('its pictures, in the order the author gave them; empty when none'),
    repliesCount: z.number().int(),
    likesCount: z.number().int(),
    repostsCount: z.number().int(),
    liked: z.boolean().describe('whether the caller likes it; false when anonymous'),
    reposted: z.boolean().describe('whether the caller reposted it; false when anonymous'),
    repostedBy: userSummarySchema.optional().describe('on timeline and profile items that are reposts: who reposted it'),
  })
  .meta({ id: 'Post' });

export const postEditSchema = z
  .object({ text: z.string(), editedAt: z.iso.datetime().describe('when this version was written') })
  .meta({ id: 'PostVersion' });

export const tagParams = z.object({
  tag: z.string().min(1, 'must not be empty').max(200, 'must be at most 200 characters').describe('the tag, any case, without #'),
});

export const trendingTagsSchema = z.object({
  items: z.array(
    z.object({
      tag: z.string(),
      posts: z.number().int().describe('posts with the tag in the window'),
      accounts: z.number().int().describe('distinct accounts that used it in the window'),
    }),
  ),
});

export const notificationSchema = z
  .object({
    id: z.number().int().describe('increasing: a newer notification has a larger id'),
    type: z.enum(schema.NOTIFICATION_TYPES),
    createdAt: z.iso.datetime(),
    read: z.boolean(),
    account: userSummarySchema.describe('who acted'),
    post: postSchema.optional().describe('the post it is about: the reply, the mention, the post liked or reposted; absent for a follow'),
    room: z
      .object({ id: z.number().int(), name: z.string(), kind: z.enum(['public', 'private', 'direct']) })
      .optional()
      .describe('the room of a room_invite, room_mention or direct_message'),
    message: z
      .object({ seq: z.number().int(), text: z.string() })
      .optional()
      .describe('the message of a room_mention or direct_message, as it reads now'),
  })
  .meta({ id: 'Notification' });
