/**
 * The database schema of the whole platform, in one place so that drizzle-kit can generate
 * migrations from it. Each table names the one service that writes it.
 */
import { sql } from 'drizzle-orm';
import { type AnyPgColumn, bigint, boolean, check, index, integer, jsonb, pgTable, primaryKey, smallint, text, timestamp, uniqueIndex, uuid, varchar } from 'drizzle-orm/pg-core';

/** A point in time, stored with its time zone, read as a Date. */
const instant = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });
/** When a row was made; the database fills it in. */
const createdAt = (name = 'created_at') => instant(name).notNull().defaultNow();

/** A reference to the user who owns the row: deleting the user deletes the row. */
const ownedBy = (name: string) =>
  integer(name)
    .notNull()
    .references(() => users.id, { onDelete: 'cascade' });

/** `column IN ('a', 'b')` for a check constraint over a fixed list of words. */
const oneOf = (column: unknown, values: readonly string[]) =>
  sql`${column} IN (${sql.raw(values.map((v) => `'${v}'`).join(', '))})`;

/** A count, read as a JS number (safe up to 2^53). */
const counter = (name: string) => bigint(name, { mode: 'number' });

/** A row id that also orders rows newest-last: lists page by it (`WHERE id < cursor`). */
const orderedId = () => bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity();

/** What an account may do on the platform: moderators work the report queue, admins also set roles. */
export const ACCOUNT_ROLES = ['user', 'moderator', 'admin'] as const;
export type AccountRole = (typeof ACCOUNT_ROLES)[number];

/**
 * Written by auth-service (register) and user-service (the profile's display name and bio, the
 * role and suspension a moderator sets, delete account).
 */
export const users = pgTable(
  'users',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    username: text('username').notNull(),
    email: text('email').notNull(),
    passwordHash: text('password_hash').notNull(),
    createdAt: createdAt(),
    /** The name shown beside the username; null until the user sets one. */
    displayName: text('display_name'),
    /** What the user says of themselves on their profile; empty until they write it. */
    bio: text('bio').notNull().default(''),
    /** The picture beside the user's name; null until they set one. */
    avatarMediaId: bigint('avatar_media_id', { mode: 'number' }).references((): AnyPgColumn => media.id, { onDelete: 'set null' }),
    /** `user`, `moderator` or `admin` (ACCOUNT_ROLES). */
    role: text('role').notNull().default('user'),
    /**
     * Set while a moderator has suspended the account: it cannot log in, and its profile, posts
     * and messages are hidden from everyone. Nothing is deleted; clearing it restores everything.
     */
    suspendedAt: instant('suspended_at'),
    /** When the owner proved they read mail at `email` (the link mailed at registration); null until then. */
    emailVerifiedAt: instant('email_verified_at'),
    /**
     * The TOTP secret (RFC 6238, base32). Set by setup; a second factor only once
     * `totpEnabledAt` is set, so a setup never finished changes nothing.
     */
    totpSecret: text('totp_secret'),
    totpEnabledAt: instant('totp_enabled_at'),
    /** The last TOTP time step a login accepted: a code is accepted once, so only later steps pass. */
    totpLastStep: bigint('totp_last_step', { mode: 'number' }),
    /**
     * Bumped by every change of the password or the second factor. Device cookies carry the
     * version they were issued under, and a login that checked the password starts its session
     * only if the version is still the one it read: a change voids both.
     */
    credentialsVersion: integer('credentials_version').notNull().default(0),
  },
  (t) => [
    // Usernames and emails are unique regardless of case: "Alice" and "alice" are one account.
    uniqueIndex('users_username_lower_key').on(sql`lower(${t.username})`),
    uniqueIndex('users_email_lower_key').on(sql`lower(${t.email})`),
    // User search, prefix matches: a range of this index, already in the order they are listed.
    index('users_username_prefix_idx').on(sql`lower(${t.username}) COLLATE "C"`),
    // User search, matches inside the name (3 characters or more): trigrams.
    index('users_username_trgm_idx').using('gin', sql`lower(${t.username}) gin_trgm_ops`),
    // User search, matches inside display names.
    index('users_display_name_trgm_idx').using('gin', sql`lower(${t.displayName}) gin_trgm_ops`),
    // A deleted picture finds the account it was the avatar of (the foreign key's SET NULL).
    index('users_avatar_media_idx').on(t.avatarMediaId).where(sql`${t.avatarMediaId} IS NOT NULL`),
    // The suspended accounts, for the moderators' lists: few, so a small partial index.
    index('users_suspended_idx').on(t.suspendedAt).where(sql`${t.suspendedAt} IS NOT NULL`),
    check('users_role_check', oneOf(t.role, ACCOUNT_ROLES)),
  ],
);

/**
 * One row per issued token (its `sid` claim). Written by auth-service. A token is accepted only
 * while its row exists, is unrevoked and unexpired, so deleting a user (which cascades here)
 * invalidates every token they held.
 */
export const sessions = pgTable(
  'sessions',
  {
    id: uuid('id').primaryKey(),
    userId: ownedBy('user_id'),
    createdAt: createdAt(),
    expiresAt: instant('expires_at').notNull(),
    revokedAt: instant('revoked_at'),
    /** When a request last came with the session's token, recorded at most every few minutes. */
    lastUsedAt: instant('last_used_at'),
    /** The browser or client that logged in (its User-Agent, truncated), for the owner's session list. */
    userAgent: text('user_agent'),
  },
  (t) => [index('sessions_user_id_idx').on(t.userId)],
);

/**
 * Written by auth-service: the single-use recovery codes of an account with a second factor,
 * stored as SHA-256 hashes (the codes are random, so a slow hash adds nothing). Enabling TOTP
 * again replaces them.
 */
export const recoveryCodes = pgTable(
  'recovery_codes',
  {
    id: orderedId(),
    userId: ownedBy('user_id'),
    codeHash: text('code_hash').notNull(),
    createdAt: createdAt(),
    usedAt: instant('used_at'),
  },
  (t) => [uniqueIndex('recovery_codes_user_code_key').on(t.userId, t.codeHash)],
);

/** What a mailed link proves: that the owner reads mail at the address, or may set a new password. */
export const ACCOUNT_TOKEN_PURPOSES = ['verify_email', 'reset_password'] as const;
export type AccountTokenPurpose = (typeof ACCOUNT_TOKEN_PURPOSES)[number];

/**
 * Written by auth-service: the single-use tokens of mailed links, stored as SHA-256 hashes so a
 * read of the table cannot use them. `email` is the address the link went to: a verification
 * counts only while the account still has that address.
 */
export const accountTokens = pgTable(
  'account_tokens',
  {
    id: orderedId(),
    userId: ownedBy('user_id'),
    purpose: text('purpose').notNull(),
    tokenHash: text('token_hash').notNull(),
    email: text('email').notNull(),
    createdAt: createdAt(),
    expiresAt: instant('expires_at').notNull(),
    usedAt: instant('used_at'),
  },
  (t) => [
    uniqueIndex('account_tokens_hash_key').on(t.tokenHash),
    index('account_tokens_user_idx').on(t.userId, t.purpose),
    check('account_tokens_purpose_check', oneOf(t.purpose, ACCOUNT_TOKEN_PURPOSES)),
  ],
);

/**
 * Written by auth-service: mail waiting to go out. A request inserts its mail in its own
 * transaction and answers; a sender delivers the rows over SMTP and retries with backoff, so a
 * mail server that is down delays mail and loses none. A sent row is deleted (its body may hold
 * a link that works until it expires).
 */
export const mailOutbox = pgTable(
  'mail_outbox',
  {
    id: orderedId(),
    toAddress: text('to_address').notNull(),
    subject: text('subject').notNull(),
    textBody: text('text_body').notNull(),
    htmlBody: text('html_body'),
    createdAt: createdAt(),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: instant('next_attempt_at').notNull().defaultNow(),
    lastError: text('last_error'),
  },
  (t) => [index('mail_outbox_due_idx').on(t.nextAttemptAt)],
);

/** Written by user-service. One row per follow; `id` orders the follower lists newest first. */
export const follows = pgTable(
  'follows',
  {
    id: orderedId(),
    followerId: ownedBy('follower_id'),
    followeeId: ownedBy('followee_id'),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('follows_pair_key').on(t.followerId, t.followeeId),
    // "Who follows X, newest first" and "whom does X follow, newest first", one index each.
    index('follows_followee_id_idx').on(t.followeeId, t.id.desc()),
    index('follows_follower_id_idx').on(t.followerId, t.id.desc()),
    check('follows_not_self', sql`${t.followerId} <> ${t.followeeId}`),
  ],
);

/**
 * Written by user-service. `id` orders posts newest first. A row is a post, or a repost: a row
 * with `repost_of_id` set and empty text, which reaches the reposter's followers through the same
 * timeline fan-out as a post (the API shows the original, with `repostedBy`). Its counts of
 * replies, likes and reposts are in `post_counts`.
 *
 * `in_reply_to_id` has no foreign key on purpose: a deleted post's replies stay, still naming it.
 */
export const posts = pgTable(
  'posts',
  {
    id: orderedId(),
    authorId: ownedBy('author_id'),
    text: text('text').notNull(),
    createdAt: createdAt(),
    inReplyToId: bigint('in_reply_to_id', { mode: 'number' }),
    /** The author of the post replied to, kept when that post or account is gone. */
    inReplyToUserId: integer('in_reply_to_user_id'),
    repostOfId: bigint('repost_of_id', { mode: 'number' }).references((): AnyPgColumn => posts.id, { onDelete: 'cascade' }),
    editedAt: instant('edited_at'),
  },
  (t) => [
    index('posts_author_id_idx').on(t.authorId, t.id.desc()),
    // Post search: the words of each post, in the `murmur_search` configuration (migration 0007).
    index('posts_text_search_idx').using('gin', sql`to_tsvector('murmur_search', ${t.text})`),
    // A post's replies, oldest first.
    index('posts_replies_idx').on(t.inReplyToId, t.id).where(sql`${t.inReplyToId} IS NOT NULL`),
    // One repost of a post per account, and "did I repost this?" in one probe.
    uniqueIndex('posts_repost_key').on(t.authorId, t.repostOfId).where(sql`${t.repostOfId} IS NOT NULL`),
    // The reposts of a post, which go with it.
    index('posts_repost_of_idx').on(t.repostOfId).where(sql`${t.repostOfId} IS NOT NULL`),
    check('posts_repost_has_no_text', sql`${t.repostOfId} IS NULL OR (${t.text} = '' AND ${t.inReplyToId} IS NULL)`),
  ],
);

/**
 * The counts of each post's replies, likes and reposts, kept by the triggers of migration 0009 in
 * the statement that adds or removes the reply, like or repost (cascades of a deleted post or
 * account included), so they are exact and never counted at read time. Each post's counts are
 * split over up to 8 rows (`shard`: the acting account's id modulo 8), which a read adds up:
 * concurrent likes of one post then update 8 rows, not queue on one, and the hot rows are these
 * narrow ones, not the post's own row with its text and search index.
 */
export const postCounts = pgTable(
  'post_counts',
  {
    postId: bigint('post_id', { mode: 'number' })
      .notNull()
      .references(() => posts.id, { onDelete: 'cascade' }),
    shard: smallint('shard').notNull(),
    repliesCount: counter('replies_count').notNull().default(0),
    likesCount: counter('likes_count').notNull().default(0),
    repostsCount: counter('reposts_count').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.postId, t.shard] })],
);

/** Written by user-service. `id` orders a post's likes newest first. */
export const likes = pgTable(
  'likes',
  {
    id: orderedId(),
    userId: ownedBy('user_id'),
    postId: bigint('post_id', { mode: 'number' })
      .notNull()
      .references(() => posts.id, { onDelete: 'cascade' }),
    createdAt: createdAt(),
  },
  (t) => [
    // One like per account and post, and "did I like this?" in one probe.
    uniqueIndex('likes_user_post_key').on(t.userId, t.postId),
    index('likes_post_idx').on(t.postId, t.id.desc()),
  ],
);

/**
 * Written by user-service: the accounts a post mentions, as resolved when it was written or last
 * edited, in the order the text names them.
 */
export const postMentions = pgTable(
  'post_mentions',
  {
    postId: bigint('post_id', { mode: 'number' })
      .notNull()
      .references(() => posts.id, { onDelete: 'cascade' }),
    userId: ownedBy('user_id'),
    position: smallint('position').notNull(),
  },
  (t) => [primaryKey({ columns: [t.postId, t.userId] }), index('post_mentions_user_idx').on(t.userId, t.postId.desc())],
);

/**
 * Written by user-service: the hashtags of each post, normalised (NFKC, lower case), in the order
 * the text names them. `author_id` and `created_at` are the post's, so trends read this table alone.
 */
export const postTags = pgTable(
  'post_tags',
  {
    postId: bigint('post_id', { mode: 'number' })
      .notNull()
      .references(() => posts.id, { onDelete: 'cascade' }),
    tag: text('tag').notNull(),
    authorId: ownedBy('author_id'),
    createdAt: instant('created_at').notNull(),
    position: smallint('position').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.postId, t.tag] }),
    // A tag's posts, newest first.
    index('post_tags_tag_idx').on(t.tag, t.postId.desc()),
    // Trends: the tags of the last hours.
    index('post_tags_created_idx').on(t.createdAt),
  ],
);

/**
 * Written by user-service: each earlier version of an edited post, with the time it was written
 * (the post's creation for the first).
 */
export const postEdits = pgTable(
  'post_edits',
  {
    id: orderedId(),
    postId: bigint('post_id', { mode: 'number' })
      .notNull()
      .references(() => posts.id, { onDelete: 'cascade' }),
    text: text('text').notNull(),
    writtenAt: instant('written_at').notNull(),
  },
  (t) => [index('post_edits_post_idx').on(t.postId, t.id)],
);

/**
 * Written by user-service: each reader's home timeline, materialized. A post is written into the
 * feed of its author at once and into its author's followers' feeds by the fan-out jobs; a follow
 * brings in the followee's recent posts. Reading a page walks the primary key backwards from the
 * cursor, so its cost depends on the page size, never on the size of `posts`.
 *
 * No foreign keys, on purpose: a post with 100,000 followers or a deleted account would otherwise
 * delete that many rows inside the request. Readers join `posts` and `follows`, so a deleted post,
 * account or follow vanishes from timelines at once; jobs remove the rows afterwards. User and post
 * ids are identities, never reused, so a leftover row can never point at someone else's post.
 */
export const homeFeed = pgTable(
  'home_feed',
  {
    readerId: integer('reader_id').notNull(),
    /** Whose row of `posts` this is: the post's author, or the reposter. */
    authorId: integer('author_id').notNull(),
    /** The row of `posts`, a post or a repost; its order is the timeline's. */
    postId: bigint('post_id', { mode: 'number' }).notNull(),
    /** The post shown: the post itself, or the one a repost passes on. */
    originalId: bigint('original_id', { mode: 'number' }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.readerId, t.postId] }),
    // A post enters a timeline once: a repost of a post the reader has (or an earlier repost of it) is skipped.
    uniqueIndex('home_feed_reader_original_key').on(t.readerId, t.originalId),
    // Unfollowing removes one author from one feed; deleting an account removes it from all.
    index('home_feed_author_reader_idx').on(t.authorId, t.readerId),
  ],
);

/**
 * Written by user-service. Remembers which post an `Idempotency-Key` created, so a retried
 * POST /posts returns the first post instead of a duplicate.
 */
export const postIdempotencyKeys = pgTable(
  'post_idempotency_keys',
  {
    userId: ownedBy('user_id'),
    key: text('key').notNull(),
    postId: bigint('post_id', { mode: 'number' })
      .notNull()
      .references(() => posts.id, { onDelete: 'cascade' }),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.key] })],
);

/** Who may see a room: anyone signed in, its members only, or exactly two users. */
export const ROOM_KINDS = ['public', 'private', 'direct'] as const;
export type RoomKind = (typeof ROOM_KINDS)[number];
/** A member's powers in a room: the owner (its creator) and moderators manage members and delete messages. */
export const MEMBER_ROLES = ['owner', 'moderator', 'member'] as const;
export type MemberRole = (typeof MEMBER_ROLES)[number];
/** What a row of a room's history is: a message, or an edit or deletion of one (each with its own seq). */
export const EVENT_KINDS = ['message', 'edit', 'delete'] as const;
export type EventKind = (typeof EVENT_KINDS)[number];

/**
 * Written by ws-service. A room outlives its creator: `created_by` becomes null. `last_seq` is
 * the seq of the newest event in the room's history; the statement that stores events raises it
 * under the row's lock, so seqs are contiguous per room whichever instance writes.
 */
export const rooms = pgTable(
  'rooms',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    name: text('name').notNull(),
    createdBy: integer('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
    lastSeq: counter('last_seq').notNull().default(0),
    kind: text('kind', { enum: ROOM_KINDS }).notNull().default('public'),
  },
  (t) => [
    check('rooms_kind_check', oneOf(t.kind, ROOM_KINDS)),
    // getRooms walks the public rooms in id order without reading anyone's private ones.
    index('rooms_public_idx').on(t.id).where(sql`${t.kind} = 'public'`),
  ],
);

/**
 * Written by ws-service: the members of each room and their roles (presence itself lives in
 * memory). Joining a public room makes you a member; private and direct rooms admit members only.
 * `read_seq` is the member's read marker: it only moves forward. When an owner's row goes (they
 * left, or their account was deleted), the trigger `room_members_pass_ownership` (migration 0006)
 * makes the oldest moderator, else the oldest member, the owner.
 */
export const roomMembers = pgTable(
  'room_members',
  {
    roomId: integer('room_id')
      .notNull()
      .references(() => rooms.id, { onDelete: 'cascade' }),
    userId: ownedBy('user_id'),
    joinedAt: createdAt('joined_at'),
    role: text('role', { enum: MEMBER_ROLES }).notNull().default('member'),
    readSeq: counter('read_seq').notNull().default(0),
  },
  (t) => [
    primaryKey({ columns: [t.roomId, t.userId] }),
    // "The rooms I belong to, in id order": getRooms and account deletion.
    index('room_members_user_room_idx').on(t.userId, t.roomId),
    // A room has at most one owner.
    uniqueIndex('room_members_owner_key').on(t.roomId).where(sql`${t.role} = 'owner'`),
    check('room_members_role_check', oneOf(t.role, MEMBER_ROLES)),
  ],
);

/**
 * Written by ws-service: the one room of each pair of users, `user_low` < `user_high`, so both
 * sides find the same room. The row goes with either account; the room stays for the other.
 */
export const directRooms = pgTable(
  'direct_rooms',
  {
    userLow: ownedBy('user_low'),
    userHigh: ownedBy('user_high'),
    roomId: integer('room_id')
      .notNull()
      .references(() => rooms.id, { onDelete: 'cascade' }),
  },
  (t) => [
    primaryKey({ columns: [t.userLow, t.userHigh] }),
    uniqueIndex('direct_rooms_room_id_key').on(t.roomId),
    check('direct_rooms_ordered', sql`${t.userLow} < ${t.userHigh}`),
  ],
);

/** Written by ws-service: users a moderator removed from a public room; they cannot join it again. */
export const roomBans = pgTable(
  'room_bans',
  {
    roomId: integer('room_id')
      .notNull()
      .references(() => rooms.id, { onDelete: 'cascade' }),
    userId: ownedBy('user_id'),
    bannedBy: integer('banned_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.roomId, t.userId] })],
);

/**
 * Written by ws-service. A room's history: `seq` numbers its events 1, 2, 3, … with no gap, and
 * is the order of history, delivery and the `?since=` cursor. An event is a message, or an edit or
 * a deletion of the message at `target_seq`; the message row itself always holds the current text
 * (`edited_at` once edited). A deleted message stays as a tombstone: `deleted_at` is set and
 * `text` becomes null, so the seq keeps its place. The same happens when the author's account is
 * deleted: the foreign key sets `user_id` to null and the trigger `messages_tombstone` (migration
 * 0002) clears the text in the same statement.
 */
export const messages = pgTable(
  'messages',
  {
    id: orderedId(),
    roomId: integer('room_id')
      .notNull()
      .references(() => rooms.id, { onDelete: 'cascade' }),
    seq: counter('seq').notNull(),
    /** The author (of an edit or deletion: who made it); null once their account is deleted. */
    userId: integer('user_id').references(() => users.id, { onDelete: 'set null' }),
    /** The message's current text, or an edit's new text; null in a tombstone and a deletion. */
    text: text('text'),
    /** The sender's id for the message; a resend with the same one within 24 hours is not stored again. */
    clientMsgId: text('client_msg_id'),
    createdAt: createdAt(),
    kind: text('kind', { enum: EVENT_KINDS }).notNull().default('message'),
    /** The seq of the message an edit or deletion acts on; null for a message. */
    targetSeq: counter('target_seq'),
    /** When a message was last edited. */
    editedAt: instant('edited_at'),
    /**
     * When a message was deleted: it is a tombstone from then on. Its author and clientMsgId are
     * kept (never shown), so a resend of it is recognised and refused rather than stored again.
     */
    deletedAt: instant('deleted_at'),
    /**
     * The message's pictures as every answer shows them (`@murmur/shared/media`), copied from
     * their media rows when it was stored, so history is read without a join; null when none.
     * The media rows go when the message becomes a tombstone (trigger of migration 0012).
     */
    media: jsonb('media'),
  },
  (t) => [
    uniqueIndex('messages_room_seq_key').on(t.roomId, t.seq),
    index('messages_user_id_idx').on(t.userId),
    // Finds a resent message (same author, room and clientMsgId) so it is not stored twice.
    index('messages_resend_idx').on(t.roomId, t.userId, t.clientMsgId).where(sql`${t.clientMsgId} IS NOT NULL`),
    // Edits and deletions alone (they are rare): unread counts skip them, a deletion finds the edits it erases.
    index('messages_room_changes_idx').on(t.roomId, t.seq).where(sql`${t.kind} <> 'message'`),
    // Message search: the words of each row's current text (searches keep to messages). Not a
    // partial index on purpose: the planner ignores the word statistics of a partial index, and
    // would then take a word in 50 messages for one in 50,000 and plan a search for it as such.
    index('messages_text_search_idx').using('gin', sql`to_tsvector('murmur_search', ${t.text})`),
    check('messages_kind_check', oneOf(t.kind, EVENT_KINDS)),
    check('messages_target_check', sql`(${t.kind} = 'message') = (${t.targetSeq} IS NULL)`),
  ],
);

/** What a notification tells: someone followed you, mentioned you, replied to, liked or reposted your post. */
/** What user-service notifies of (the social half). */
export const SOCIAL_NOTIFICATION_TYPES = ['follow', 'mention', 'reply', 'like', 'repost'] as const;
/** What ws-service notifies of (chat). */
export const CHAT_NOTIFICATION_TYPES = ['room_invite', 'room_mention', 'direct_message'] as const;
export const NOTIFICATION_TYPES = [...SOCIAL_NOTIFICATION_TYPES, ...CHAT_NOTIFICATION_TYPES] as const;
export type NotificationType = (typeof NOTIFICATION_TYPES)[number];

/**
 * Each person's notifications; `id` orders them. Written by user-service (the social types) and
 * by ws-service (the chat types), both through one statement (`@murmur/shared/notifications`),
 * so the rules of making one have one owner. A notification goes with its recipient, the account
 * that acted, its post and its room (foreign keys), so one whose post, room or account is gone is
 * never shown. At most one per (recipient, type, account, post, room, message): like, unlike and
 * like again notifies once.
 */
export const notifications = pgTable(
  'notifications',
  {
    id: orderedId(),
    recipientId: ownedBy('recipient_id'),
    type: text('type', { enum: NOTIFICATION_TYPES }).notNull(),
    /** Who acted. */
    accountId: ownedBy('account_id'),
    postId: bigint('post_id', { mode: 'number' }).references(() => posts.id, { onDelete: 'cascade' }),
    roomId: integer('room_id').references(() => rooms.id, { onDelete: 'cascade' }),
    /** The seq, in `room_id`, of the message a room_mention or direct_message is about. */
    messageSeq: bigint('message_seq', { mode: 'number' }),
    createdAt: createdAt(),
  },
  (t) => [
    // A person's notifications newest first, of every type or of one.
    index('notifications_recipient_idx').on(t.recipientId, t.id.desc()),
    index('notifications_recipient_type_idx').on(t.recipientId, t.type, t.id.desc()),
    uniqueIndex('notifications_once_key').on(
      t.recipientId,
      t.type,
      t.accountId,
      sql`coalesce(${t.postId}, 0)`,
      sql`coalesce(${t.roomId}, 0)`,
      sql`coalesce(${t.messageSeq}, 0)`,
    ),
    check('notifications_type_check', oneOf(t.type, NOTIFICATION_TYPES)),
  ],
);

/** Written by user-service: how far each person has read their notifications (every id up to it). */
export const notificationMarkers = pgTable('notification_markers', {
  userId: ownedBy('user_id').primaryKey(),
  readUpTo: bigint('read_up_to', { mode: 'number' }).notNull().default(0),
});

/**
 * Counters of the rate limits every instance shares (failed logins, registrations, posts, rooms
 * created), in the layout rate-limiter-flexible's PostgreSQL store reads and writes: one row
 * per key, `expire` in epoch milliseconds. Expired rows are reused by the next count and swept.
 */
export const rateLimits = pgTable('rate_limits', {
  key: varchar('key', { length: 255 }).primaryKey(),
  points: integer('points').notNull().default(0),
  expire: bigint('expire', { mode: 'number' }),
});

/** Who may fetch a picture: anyone with its URL, or the members of its room (and its owner). */
export const MEDIA_VISIBILITIES = ['public', 'private'] as const;
export type MediaVisibility = (typeof MEDIA_VISIBILITIES)[number];
/** What an upload became part of; null while it is unattached. */
export const MEDIA_USES = ['post', 'message', 'avatar'] as const;
export type MediaUse = (typeof MEDIA_USES)[number];

/**
 * Written by user-service (uploads, posts, avatars, the sweeper) and ws-service (a message's
 * pictures). One row per uploaded picture: its two stored files (the re-encoded original and the
 * preview, named at random) and what the API shows of it. A row is `processing` while its files
 * are being stored and `ready` once they are. It goes with its owner, its post, its message or
 * its room (foreign keys), and every deleted row queues its files' removal in
 * `media_file_deletions` (trigger of migration 0012), so the files follow the rows however they go.
 */
export const media = pgTable(
  'media',
  {
    id: orderedId(),
    ownerId: ownedBy('owner_id'),
    createdAt: createdAt(),
    ready: boolean('ready').notNull().default(false),
    visibility: text('visibility', { enum: MEDIA_VISIBILITIES }).notNull(),
    /** The room it was uploaded for; for a private one, whose members may see it. */
    roomId: integer('room_id').references(() => rooms.id, { onDelete: 'cascade' }),
    /** The stored names of the original and the preview: random, never derived from the id. */
    file: text('file').notNull(),
    previewFile: text('preview_file').notNull(),
    width: integer('width').notNull(),
    height: integer('height').notNull(),
    blurhash: text('blurhash').notNull(),
    alt: text('alt').notNull().default(''),
    /** Bytes of both files, as stored. */
    bytes: integer('bytes').notNull(),
    usedAs: text('used_as', { enum: MEDIA_USES }),
    attachedAt: instant('attached_at'),
    postId: bigint('post_id', { mode: 'number' }).references(() => posts.id, { onDelete: 'cascade' }),
    messageId: bigint('message_id', { mode: 'number' }).references(() => messages.id, { onDelete: 'cascade' }),
    /** Its place among the pictures of its post or message, from 0. */
    position: smallint('position'),
    /** The clientMsgId of the message that claimed it: a resend of that message may claim it again. */
    claimKey: text('claim_key'),
  },
  (t) => [
    uniqueIndex('media_file_key').on(t.file),
    uniqueIndex('media_preview_file_key').on(t.previewFile),
    index('media_post_idx').on(t.postId, t.position).where(sql`${t.postId} IS NOT NULL`),
    index('media_message_idx').on(t.messageId).where(sql`${t.messageId} IS NOT NULL`),
    // The sweeper's work: uploads never attached, rows left processing, claims never stored.
    index('media_unattached_idx').on(t.createdAt).where(sql`${t.postId} IS NULL AND ${t.messageId} IS NULL AND ${t.usedAs} IS DISTINCT FROM 'avatar'`),
    index('media_owner_idx').on(t.ownerId),
    check('media_visibility_check', oneOf(t.visibility, MEDIA_VISIBILITIES)),
    check('media_used_as_check', sql`${t.usedAs} IS NULL OR ${oneOf(t.usedAs, MEDIA_USES)}`),
    check('media_private_has_room', sql`${t.visibility} = 'public' OR ${t.roomId} IS NOT NULL`),
  ],
);

/**
 * Files whose media row is gone, waiting to be removed from storage by user-service's sweeper.
 * Filled by the trigger of migration 0012 in the statement that deletes the row, so a file is
 * never forgotten, whichever service or cascade deleted it.
 */
export const mediaFileDeletions = pgTable('media_file_deletions', {
  id: orderedId(),
  visibility: text('visibility', { enum: MEDIA_VISIBILITIES }).notNull(),
  file: text('file').notNull(),
  queuedAt: createdAt('queued_at'),
});

/**
 * Written by user-service: who blocks whom. A block ends the follows both ways and keeps the two
 * apart everywhere (timelines, replies, search, notifications, rooms, direct messages); the
 * triggers of migration 0013 refuse, under the pair's lock, every follow, reply, like, repost,
 * mention and direct room between them, so a write racing a block never lands after it.
 */
export const blocks = pgTable(
  'blocks',
  {
    id: orderedId(),
    blockerId: ownedBy('blocker_id'),
    blockedId: ownedBy('blocked_id'),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('blocks_pair_key').on(t.blockerId, t.blockedId),
    // "Is the viewer blocked by this author?": the other direction of the pair, one probe.
    index('blocks_blocked_idx').on(t.blockedId, t.blockerId),
    // The blocker's list, newest first.
    index('blocks_blocker_list_idx').on(t.blockerId, t.id.desc()),
    check('blocks_not_self', sql`${t.blockerId} <> ${t.blockedId}`),
  ],
);

/**
 * Written by user-service: who mutes whom. A mute keeps the follow and hides the muted account's
 * posts and reposts from the muter's timeline and, while `notifications` is true, its
 * notifications to them. The muted account is never told.
 */
export const mutes = pgTable(
  'mutes',
  {
    id: orderedId(),
    muterId: ownedBy('muter_id'),
    mutedId: ownedBy('muted_id'),
    /** Whether the mute also hides the muted account's notifications (Mastodon's default: yes). */
    notifications: boolean('notifications').notNull().default(true),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('mutes_pair_key').on(t.muterId, t.mutedId),
    index('mutes_muter_list_idx').on(t.muterId, t.id.desc()),
    check('mutes_not_self', sql`${t.muterId} <> ${t.mutedId}`),
  ],
);

export const REPORT_STATUSES = ['open', 'resolved'] as const;
export type ReportStatus = (typeof REPORT_STATUSES)[number];
/** How a moderator resolves a report. */
export const REPORT_ACTIONS = ['none', 'delete_post', 'delete_message', 'suspend'] as const;
export type ReportAction = (typeof REPORT_ACTIONS)[number];

/**
 * Written by user-service: what people report to the moderators. `snapshot` keeps the account,
 * the post or the message as it was when reported, so a moderator sees what the reporter saw
 * even after an edit or a deletion. The post and room ids have no foreign keys on purpose: the
 * report outlives them. One open report per reporter and subject: reporting again while it is
 * open answers the same report.
 */
export const reports = pgTable(
  'reports',
  {
    id: orderedId(),
    reporterId: integer('reporter_id').references(() => users.id, { onDelete: 'set null' }),
    accountId: integer('account_id').references(() => users.id, { onDelete: 'set null' }),
    postId: bigint('post_id', { mode: 'number' }),
    roomId: integer('room_id'),
    messageSeq: integer('message_seq'),
    comment: text('comment').notNull().default(''),
    snapshot: jsonb('snapshot').notNull(),
    status: text('status').notNull().default('open'),
    /** The moderator's decision, once resolved. */
    action: text('action'),
    note: text('note'),
    resolvedBy: integer('resolved_by').references(() => users.id, { onDelete: 'set null' }),
    resolvedAt: instant('resolved_at'),
    createdAt: createdAt(),
  },
  (t) => [
    // The queue, newest first, per status.
    index('reports_status_idx').on(t.status, t.id.desc()),
    // The open reports of one account, resolved together with the one a moderator acts on.
    index('reports_open_account_idx').on(t.accountId).where(sql`${t.status} = 'open'`),
    // "Was this message reported?": a moderator may see a reported private message's pictures.
    index('reports_message_idx').on(t.roomId, t.messageSeq).where(sql`${t.messageSeq} IS NOT NULL`),
    uniqueIndex('reports_open_once_key')
      .on(t.reporterId, t.accountId, sql`coalesce(${t.postId}, 0)`, sql`coalesce(${t.roomId}, 0)`, sql`coalesce(${t.messageSeq}, 0)`)
      .where(sql`${t.status} = 'open'`),
    check('reports_status_check', oneOf(t.status, REPORT_STATUSES)),
    check('reports_action_check', sql`${t.action} IS NULL OR ${oneOf(t.action, REPORT_ACTIONS)}`),
    check('reports_message_in_room', sql`${t.messageSeq} IS NULL OR ${t.roomId} IS NOT NULL`),
  ],
);

/**
 * Written by user-service: every moderation action (a report resolved, an account suspended or
 * restored, a role set, a message or post deleted by a moderator), for `GET /admin/audit`. The
 * target's id has no foreign key: the log outlives the account.
 */
export const auditLog = pgTable(
  'audit_log',
  {
    id: orderedId(),
    actorId: integer('actor_id').references(() => users.id, { onDelete: 'set null' }),
    action: text('action').notNull(),
    targetUserId: integer('target_user_id'),
    reportId: bigint('report_id', { mode: 'number' }),
    details: jsonb('details').notNull().default({}),
    createdAt: createdAt(),
  },
);
