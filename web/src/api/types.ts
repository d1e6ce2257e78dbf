/**
 * The REST answers the client reads, mirroring the zod schemas the services validate and
 * document with (auth-service/src/routes/auth.schemas.ts, user-service/src/routes/user.schemas.ts,
 * ws-service/src/routes/rooms.schemas.ts). Written by hand so the bundle carries no schema
 * library; test/types-match-server.ts holds them to the servers' schemas at type-check time.
 */
import type { ChatMessage, MessageAuthor, PublicUser } from '../protocol/events.js';

export type { ChatMessage, MessageAuthor, PublicUser };

/** Every list: `?limit=&cursor=` in, this out; `nextCursor` is null on the last page. */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface PageQuery {
  limit?: number;
  cursor?: string | null;
}

export interface Account {
  id: number;
  username: string;
  email: string;
  createdAt: string;
  /** The owner opened the link mailed to the address. */
  emailVerified: boolean;
  /** Logging in asks for a code from an authenticator app (or a recovery code). */
  totpEnabled: boolean;
}

export interface SignedIn {
  user: Account;
  token: string;
}

/** `POST /login`'s answer. */
export interface LoggedIn extends SignedIn {
  /** Failed logins against the account since its last successful one, so the owner is told. */
  failedLoginAttempts: number;
}

/** `POST /login`: by username or by email, and the second factor once the server asks for it. */
export type LoginBody = ({ username: string } | { email: string }) & {
  password: string;
  /** The authenticator app's 6 digits. */
  totp?: string;
  /** One of the recovery codes shown when two-factor authentication was turned on; each works once. */
  recoveryCode?: string;
};

/** The second factor a login sends after 401 TOTP_REQUIRED. */
export type SecondFactor = { totp: string } | { recoveryCode: string };

/** A session of the account that has not ended (`GET /sessions`), newest first. */
export interface ActiveSession {
  id: string;
  createdAt: string;
  /** Null for a session that has made no request since it began. */
  lastUsedAt: string | null;
  /** The browser's User-Agent when it logged in; null when it sent none. */
  userAgent: string | null;
  /** The session this browser is using. */
  current: boolean;
}

export interface TwoFactorStatus {
  totpEnabled: boolean;
  recoveryCodesLeft: number;
}

/** `POST /2fa/totp/setup`: a new secret, for the app to scan (`otpauthUrl`) or to type (`secret`). */
export interface TotpSetup {
  /** Base32. */
  secret: string;
  otpauthUrl: string;
}

/** `POST /2fa/totp/enable`: the recovery codes, shown once. */
export interface RecoveryCodes {
  recoveryCodes: string[];
}

/** A request taken whose effect the answer does not tell (a mail that may or may not go out). */
export interface Accepted {
  status: 'accepted';
}

export interface Profile {
  id: number;
  username: string;
  /** Shown instead of the username where set. */
  displayName: string | null;
  /** The picture beside the name; null when none is set. */
  avatarUrl: string | null;
  bio: string;
  createdAt: string;
  followersCount: number;
  followingCount: number;
  postsCount: number;
}

/** A profile as GET /users/:id answers it: with the caller's follows, null on one's own. */
export interface ViewedProfile extends Profile {
  relationship: Relationship | null;
}

export interface OwnProfile extends Profile {
  email: string;
  /** The owner opened the link mailed to the address. */
  emailVerified: boolean;
  /** What the account may do beyond posting and chatting: moderators and admins see `/admin`. */
  role: AccountRole;
}

/** `user` by default; moderators work the reports queue and suspend accounts; admins also set roles. */
export type AccountRole = 'user' | 'moderator' | 'admin';

/** An account as lists and posts name it. */
export interface UserSummary extends PublicUser {
  displayName: string | null;
  /** The picture beside the name; null when none is set. */
  avatarUrl: string | null;
}

/** A People search result (`GET /users/search?q=`). */
export interface UserSearchResult extends UserSummary {
  followersCount: number;
}

/** `PATCH /me`: an absent field stays as it is; an empty or null display name removes it. */
export interface ProfileChanges {
  displayName?: string | null;
  bio?: string;
  /** An upload's id (`POST /media`) becomes the avatar; null removes it. */
  avatarMediaId?: number | null;
}

/** One picture of a post or a message, or an upload's answer (`POST /media`). */
export interface MediaAttachment {
  id: number;
  type: 'image';
  /** The picture at its own size. */
  url: string;
  /** The picture at most 640 pixels on its longest side. */
  previewUrl: string;
  /** The picture's size in pixels: the space to keep for it before it loads. */
  width: number;
  height: number;
  /** A blurred placeholder to draw while the picture loads (blurha.sh). */
  blurhash: string;
  /** Its description, read out in its place; empty when none was given. */
  alt: string;
}

/** `POST /media`'s form fields besides the file. */
export interface UploadOptions {
  /** The description, at most MAX_ALT_CHARACTERS. */
  alt?: string;
  /** The chat room the picture is for: in a private or direct room, its members alone see it. */
  roomId?: number;
}

export interface Relationship {
  id: number;
  following: boolean;
  followedBy: boolean;
  /** The caller blocks this account; it blocks the caller. */
  blocking: boolean;
  blockedBy: boolean;
  /** The caller muted this account's posts, and (`mutingNotifications`) its notifications too. */
  muting: boolean;
  mutingNotifications: boolean;
}

/** An account a post's text mentions (`@username`). */
export interface Mention {
  id: number;
  username: string;
}

export interface Post {
  id: number;
  author: UserSummary;
  text: string;
  createdAt: string;
  /** Null until the first edit. */
  editedAt: string | null;
  /** The post this one answers (it may since have been deleted). */
  inReplyToId: number | null;
  inReplyToUserId: number | null;
  /** Once each, in the order the text names them. */
  mentions: Mention[];
  /** The text's hashtags, normalised (NFKC, lower case), without `#`. */
  tags: string[];
  /** Its pictures, in the author's order; empty when none. */
  media: MediaAttachment[];
  repliesCount: number;
  likesCount: number;
  repostsCount: number;
  /** Whether the caller likes it, and reposted it. */
  liked: boolean;
  reposted: boolean;
  /** On timeline and profile items that are reposts: who reposted it. */
  repostedBy?: UserSummary;
}

/** `POST /posts`: a post, or a reply to the post `inReplyToId`; the text may be empty when it has pictures. */
export interface NewPost {
  text: string;
  inReplyToId?: number;
  /** The caller's own uploads, at most MAX_MEDIA_PER_ITEM, shown in this order. */
  mediaIds?: number[];
}

/** An earlier version of an edited post (`GET /posts/:id/edits`). */
export interface PostVersion {
  text: string;
  /** When this version was written. */
  editedAt: string;
}

export interface TrendingTag {
  tag: string;
  /** Posts with the tag, and distinct accounts that used it, in the trends' window. */
  posts: number;
  accounts: number;
}

export interface TrendingTags {
  items: TrendingTag[];
}

export type NotificationType = 'follow' | 'mention' | 'reply' | 'like' | 'repost' | 'room_invite' | 'room_mention' | 'direct_message';

/** What someone did that concerns the caller (`GET /notifications`, docs/notifications.md). */
export interface Notification {
  /** Increasing: a newer notification has a larger id. */
  id: number;
  type: NotificationType;
  createdAt: string;
  read: boolean;
  /** Who acted. */
  account: UserSummary;
  /** The post it is about (the reply, the mention, the post liked or reposted); absent for a follow. */
  post?: Post;
  /** The room of a room_invite, room_mention or direct_message. */
  room?: { id: number; name: string; kind: RoomKind };
  /** The message of a room_mention or direct_message, as it reads now. */
  message?: { seq: number; text: string };
}

export interface UnreadCount {
  count: number;
}

export type RoomKind = 'public' | 'private' | 'direct';

export interface Room {
  id: number;
  name: string;
  kind: RoomKind;
  createdBy: number | null;
  createdAt: string;
}

export interface RoomSummary {
  id: number;
  name: string;
  kind: RoomKind;
  clients: number;
  lastSeq: number;
  readSeq: number | null;
  unread: number | null;
  lastMessage: ChatMessage | null;
}

export type RoomRole = 'owner' | 'moderator' | 'member';

export interface Member {
  id: number;
  username: string;
  role: RoomRole;
  /** They have read the room up to this seq. */
  readSeq: number;
}

/** An account the caller blocks (`GET /blocks`), newest block first. */
export interface BlockedAccount extends UserSummary {
  blockedAt: string;
}

/** An account the caller muted (`GET /mutes`), newest mute first. */
export interface MutedAccount extends UserSummary {
  mutedAt: string;
  /** False when only its posts are muted: its notifications still come. */
  notifications: boolean;
}

/** `PUT /users/:id/mute`: without `notifications` (or with true) the account's notifications are muted too. */
export interface MuteOptions {
  notifications?: boolean;
}

/**
 * `POST /reports`: an account, and what of it is reported: one of its posts, or one of its
 * messages (`roomId` and `messageSeq`), or the account as a whole.
 */
export interface NewReport {
  accountId: number;
  postId?: number;
  roomId?: number;
  messageSeq?: number;
  /** At most MAX_REPORT_COMMENT_CHARACTERS. */
  comment?: string;
}

export type ReportStatus = 'open' | 'resolved';

export type ReportAction = 'none' | 'delete_post' | 'delete_message' | 'suspend';

/** An account as moderators see it. */
export interface ModeratedAccount extends UserSummary {
  suspended: boolean;
  role: AccountRole;
}

/** `GET /admin/accounts`: with when it was suspended (null when it is not). */
export interface ListedAccount extends ModeratedAccount {
  suspendedAt: string | null;
}

/** A report in the moderators' queue, with the post or message as it was when reported. */
export interface Report {
  id: number;
  status: ReportStatus;
  createdAt: string;
  comment: string | null;
  /** Null once the reporter's account is deleted. */
  reporter: UserSummary | null;
  /** The account reported; null once it is deleted. */
  account: ModeratedAccount | null;
  post: { id: number; text: string; createdAt: string; media: MediaAttachment[] } | null;
  message: { roomId: number; roomName: string; seq: number; text: string | null; createdAt: string; media: MediaAttachment[] } | null;
  resolution: { action: ReportAction; note: string | null; moderator: UserSummary | null; resolvedAt: string } | null;
}

export type AuditAction = 'report_resolved' | 'account_suspended' | 'account_unsuspended' | 'role_set' | 'post_deleted' | 'message_deleted';

/** One line of the moderators' audit log (`GET /admin/audit`), newest first. */
export interface AuditEntry {
  id: number;
  /** Who acted; null once their account is deleted. */
  actor: UserSummary | null;
  action: AuditAction;
  targetUserId: number | null;
  reportId: number | null;
  /** What else the action recorded (a note, a role, a post's id), as the server stored it. */
  details: unknown;
  createdAt: string;
}

/** The limits the servers hold input to, for forms that say so before sending. */
export const MAX_POST_CHARACTERS = 280;
export const MAX_DISPLAY_NAME_CHARACTERS = 50;
export const MAX_BIO_CHARACTERS = 500;
export const MAX_ROOM_NAME_CHARACTERS = 64;
/** Pictures one post or message may carry. */
export const MAX_MEDIA_PER_ITEM = 4;
/** Longest description of a picture, in characters. */
export const MAX_ALT_CHARACTERS = 1500;
/** Longest comment of a report, in characters. */
export const MAX_REPORT_COMMENT_CHARACTERS = 1000;
/** New passwords (sign-up, change, reset), in characters; the server also refuses common ones. */
export const MIN_PASSWORD_CHARACTERS = 12;
export const MAX_PASSWORD_CHARACTERS = 128;
