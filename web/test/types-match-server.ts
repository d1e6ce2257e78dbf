/**
 * Compile-time only: the client's hand-written types must accept what the services' zod schemas
 * describe (the protocol's events, and the REST answers as the OpenAPI documents give them), so a
 * change to the server fails `tsc -b` here instead of in a browser.
 */
import type { z } from 'zod';
import type { accountSchema, loggedInResponse, loginBody } from '@murmur/auth-service/api-schemas';
import type {
  acceptedResponse,
  changePasswordBody,
  forgotPasswordBody,
  resetPasswordBody,
  sessionsResponse,
  verifyEmailBody,
} from '@murmur/auth-service/account-schemas';
import type {
  recoveryCodesResponse,
  totpDisableBody,
  totpEnableBody,
  totpSetupResponse,
  twoFactorStatusResponse,
} from '@murmur/auth-service/two-factor-schemas';
import type { mediaAttachmentSchema } from '@murmur/shared/media';
import type {
  blockedAccountSchema,
  editPostBody,
  muteBody,
  mutedAccountSchema,
  notificationSchema,
  ownProfileSchema,
  postBody,
  postEditSchema,
  postSchema,
  profileChangesBody,
  relationshipSchema,
  trendingTagsSchema,
  userSummarySchema,
  viewedProfileSchema,
} from '@murmur/user-service/api-schemas';
import type { userHitSchema } from '@murmur/user-service/search-schemas';
import type { auditEntrySchema, moderatedAccountResponse, moderatedAccountSchema, reportBody, reportSchema, resolveBody } from '@murmur/user-service/moderation-schemas';
import type { memberSchema, roomSchema, roomSummarySchema } from '@murmur/ws-service/api-schemas';
import type {
  ChatMessage as ServerChatMessage,
  ServerEvent as ServerServerEvent,
  ClientFrame as ServerClientFrame,
  StreamFrame as ServerStreamFrame,
} from '@murmur/ws-service/protocol';
import type {
  Accepted as AcceptedAnswer,
  Account,
  ActiveSession,
  AuditEntry,
  RecoveryCodes,
  TotpSetup,
  TwoFactorStatus,
  LoggedIn,
  LoginBody,
  BlockedAccount,
  ListedAccount,
  ModeratedAccount,
  NewReport,
  Report,
  ReportAction,
  MediaAttachment,
  Member,
  MutedAccount,
  MuteOptions,
  NewPost,
  Notification,
  OwnProfile,
  Post,
  PostVersion,
  ProfileChanges,
  Relationship,
  Room,
  RoomSummary,
  TrendingTags,
  UserSearchResult,
  UserSummary,
  ViewedProfile,
} from '../src/api/types.js';
import type { CLOSE_CODES } from '@murmur/ws-service/close-codes';
import type {
  CLOSE_ACCOUNT_SUSPENDED,
  CLOSE_REMOVED_FROM_ROOM,
  CLOSE_SESSION_ENDED,
  ChatMessage,
  ClientFrame,
  ServerEvent,
  StreamFrame,
} from '../src/protocol/events.js';

/** What the server answers, as the client reads it: JSON, so dates arrive as strings. */
type Answer<S extends z.ZodType> = z.output<S>;
/** What a request body may hold for the server to parse it. */
type Accepted<S extends z.ZodType> = z.input<S>;

type Assignable<From, To> = [From] extends [To] ? true : false;
/**
 * Every field the client may send is one the server reads: plain assignability lets an object
 * carry fields its target does not name, which the server would ignore or refuse.
 */
type KnownFields<Sent, Read> = Assignable<keyof Sent, keyof Read>;
type MessageFrame<F> = Extract<F, { type: 'message' }>;
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type ServerCloseCode<N extends keyof typeof CLOSE_CODES> = (typeof CLOSE_CODES)[N]['code'];
const check = <T extends true>(value: T): T => value;

export const typesMatchServer = [
  check<Assignable<ServerChatMessage, ChatMessage>>(true),
  // ws-service passes user-service's notifications and posts on as they are (its schema says
  // only "an object"); those are held to user-service's schemas below.
  check<Assignable<Exclude<ServerServerEvent, { type: 'notification' | 'timeline' }>, ServerEvent>>(true),
  // Every frame the client builds is one the server parses.
  check<Assignable<ClientFrame, ServerClientFrame>>(true),
  check<KnownFields<MessageFrame<ClientFrame>, MessageFrame<ServerClientFrame>>>(true),
  check<Assignable<StreamFrame, ServerStreamFrame>>(true),
  // The close codes the client acts on are the server's.
  check<Same<typeof CLOSE_SESSION_ENDED, ServerCloseCode<'SESSION_ENDED'>>>(true),
  check<Same<typeof CLOSE_REMOVED_FROM_ROOM, ServerCloseCode<'REMOVED_FROM_ROOM'>>>(true),
  check<Same<typeof CLOSE_ACCOUNT_SUSPENDED, ServerCloseCode<'ACCOUNT_SUSPENDED'>>>(true),
  check<Assignable<Answer<typeof accountSchema>, Account>>(true),
  check<Assignable<Answer<typeof loggedInResponse>, LoggedIn>>(true),
  check<Assignable<LoginBody, Accepted<typeof loginBody>>>(true),
  check<Assignable<Answer<typeof sessionsResponse>, { items: ActiveSession[] }>>(true),
  check<Assignable<Answer<typeof acceptedResponse>, AcceptedAnswer>>(true),
  check<Assignable<Answer<typeof twoFactorStatusResponse>, TwoFactorStatus>>(true),
  check<Assignable<Answer<typeof totpSetupResponse>, TotpSetup>>(true),
  check<Assignable<Answer<typeof recoveryCodesResponse>, RecoveryCodes>>(true),
  check<Assignable<{ currentPassword: string; newPassword: string }, Accepted<typeof changePasswordBody>>>(true),
  check<Assignable<{ email: string }, Accepted<typeof forgotPasswordBody>>>(true),
  check<Assignable<{ token: string; newPassword: string }, Accepted<typeof resetPasswordBody>>>(true),
  check<Assignable<{ token: string }, Accepted<typeof verifyEmailBody>>>(true),
  check<Assignable<{ code: string; password: string }, Accepted<typeof totpEnableBody>>>(true),
  check<Assignable<{ password: string }, Accepted<typeof totpDisableBody>>>(true),
  check<Assignable<Answer<typeof ownProfileSchema>, OwnProfile>>(true),
  check<Assignable<Answer<typeof viewedProfileSchema>, ViewedProfile>>(true),
  check<Assignable<Answer<typeof relationshipSchema>, Relationship>>(true),
  check<Assignable<Answer<typeof postSchema>, Post>>(true),
  check<Assignable<Answer<typeof notificationSchema>, Notification>>(true),
  check<Assignable<Answer<typeof postEditSchema>, PostVersion>>(true),
  check<Assignable<Answer<typeof userSummarySchema>, UserSummary>>(true),
  check<Assignable<Answer<typeof trendingTagsSchema>, TrendingTags>>(true),
  // Every body the client sends is one the server parses.
  check<Assignable<NewPost, Accepted<typeof postBody>>>(true),
  check<KnownFields<NewPost, Accepted<typeof postBody>>>(true),
  check<Assignable<{ text: string }, Accepted<typeof editPostBody>>>(true),
  check<Assignable<ProfileChanges, Accepted<typeof profileChangesBody>>>(true),
  check<KnownFields<ProfileChanges, Accepted<typeof profileChangesBody>>>(true),
  check<Assignable<Answer<typeof mediaAttachmentSchema>, MediaAttachment>>(true),
  check<Assignable<Answer<typeof userHitSchema>, UserSearchResult>>(true),
  check<Assignable<Answer<typeof roomSchema>, Room>>(true),
  check<Assignable<Answer<typeof roomSummarySchema>, RoomSummary>>(true),
  check<Assignable<Answer<typeof memberSchema>, Member>>(true),
  check<Assignable<Answer<typeof blockedAccountSchema>, BlockedAccount>>(true),
  check<Assignable<Answer<typeof mutedAccountSchema>, MutedAccount>>(true),
  check<Assignable<MuteOptions, Accepted<typeof muteBody>>>(true),
  check<KnownFields<MuteOptions, NonNullable<Accepted<typeof muteBody>>>>(true),
  check<Assignable<Answer<typeof reportSchema>, Report>>(true),
  check<Assignable<Answer<typeof auditEntrySchema>, AuditEntry>>(true),
  check<Assignable<Answer<typeof moderatedAccountSchema>, ListedAccount>>(true),
  check<Assignable<Answer<typeof moderatedAccountResponse>, { account: ModeratedAccount }>>(true),
  check<Assignable<NewReport, Accepted<typeof reportBody>>>(true),
  check<KnownFields<NewReport, Accepted<typeof reportBody>>>(true),
  check<Assignable<{ action: ReportAction; note?: string }, Accepted<typeof resolveBody>>>(true),
] as const;
