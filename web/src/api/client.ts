/**
 * Every REST call of the platform, typed. In the browser the services sit behind one origin
 * (`/api/auth`, `/api/users`, `/api/chat`) and the HttpOnly cookie authenticates; tests and
 * other clients pass each service's own base URL and a bearer header instead.
 */
import { newClientMsgId } from '../protocol/client-msg-id.js';
import { apiErrorOf } from './api-error.js';
import type {
  Accepted,
  AccountRole,
  ActiveSession,
  AuditEntry,
  BlockedAccount,
  ChatMessage,
  ListedAccount,
  LoggedIn,
  LoginBody,
  MediaAttachment,
  Member,
  ModeratedAccount,
  MutedAccount,
  MuteOptions,
  NewPost,
  NewReport,
  Notification,
  NotificationType,
  OwnProfile,
  Page,
  PageQuery,
  Post,
  PostVersion,
  ProfileChanges,
  PublicUser,
  RecoveryCodes,
  Relationship,
  Report,
  ReportAction,
  ReportStatus,
  Room,
  RoomRole,
  RoomSummary,
  SecondFactor,
  SignedIn,
  TotpSetup,
  TrendingTags,
  TwoFactorStatus,
  UnreadCount,
  UploadOptions,
  UserSearchResult,
  UserSummary,
  ViewedProfile,
} from './types.js';

export interface ServiceBases {
  auth: string;
  users: string;
  chat: string;
}

/** The gateway's prefixes: the browser's default. */
export const GATEWAY_BASES: ServiceBases = { auth: '/api/auth', users: '/api/users', chat: '/api/chat' };

export interface ApiClientOptions {
  bases?: ServiceBases;
  /** Headers sent with every request, such as `authorization: Bearer …` outside a browser. */
  headers?: Record<string, string>;
  fetch?: (url: string, init: RequestInit) => Promise<Response>;
}

type Query = Record<string, string | number | null | undefined>;

function queryString(query: Query): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value !== undefined && value !== null) params.set(key, String(value));
  const text = params.toString();
  return text ? `?${text}` : '';
}

const page = (query: PageQuery = {}): Query => ({ limit: query.limit, cursor: query.cursor });

export type ApiClient = ReturnType<typeof createApiClient>;

export function createApiClient(options: ApiClientOptions = {}) {
  const bases = options.bases ?? GATEWAY_BASES;
  const doFetch = options.fetch ?? ((input: string, init?: RequestInit) => fetch(input, init));

  async function request<T>(method: string, url: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
    const init: RequestInit = { method, headers: { ...options.headers, ...headers }, credentials: 'same-origin' };
    // A form sets its own content type, with the boundary of its parts.
    if (body instanceof FormData) init.body = body;
    else if (body !== undefined) {
      init.body = JSON.stringify(body);
      init.headers = { ...init.headers, 'content-type': 'application/json' };
    }
    const res = await doFetch(url, init);
    if (!res.ok) throw await apiErrorOf(res);
    if (res.status === 204) return undefined as T;
    return (await res.json()) as T;
  }

  const auth = (path: string) => `${bases.auth}${path}`;
  const users = (path: string, query: Query = {}) => `${bases.users}${path}${queryString(query)}`;
  const chat = (path: string, query: Query = {}) => `${bases.chat}${path}${queryString(query)}`;

  return {
    register: (body: { username: string; email: string; password: string }) => request<SignedIn>('POST', auth('/register'), body),
    /**
     * By username or by email: an `@` makes it an email, as usernames hold none. With two-factor
     * authentication on, the first try answers 401 TOTP_REQUIRED and the second sends `factor`.
     */
    login: (login: string, password: string, factor?: SecondFactor) => {
      const body: LoginBody = { ...(login.includes('@') ? { email: login } : { username: login }), password, ...factor };
      return request<LoggedIn>('POST', auth('/login'), body);
    },
    logout: () => request<{ status: 'logged_out' }>('POST', auth('/logout')),

    /** Ends every other session; 400 INVALID_CREDENTIALS when `currentPassword` is wrong. */
    changePassword: (currentPassword: string, newPassword: string) => request<void>('POST', auth('/password'), { currentPassword, newPassword }),
    /** Answers alike whether or not an account has the address, so nobody learns which do. */
    forgotPassword: (email: string) => request<Accepted>('POST', auth('/password/forgot'), { email }),
    /** With the token of a mailed link; every session of the account ends. */
    resetPassword: (token: string, newPassword: string) => request<void>('POST', auth('/password/reset'), { token, newPassword }),
    verifyEmail: (token: string) => request<void>('POST', auth('/email/verify'), { token }),
    resendVerification: () => request<Accepted>('POST', auth('/email/verify/resend')),

    /** The account's sessions that have not ended, newest first. */
    sessions: () => request<{ items: ActiveSession[] }>('GET', auth('/sessions')),
    /** Ending the current session is logging out. */
    endSession: (id: string) => request<void>('DELETE', auth(`/sessions/${encodeURIComponent(id)}`)),
    endOtherSessions: () => request<void>('DELETE', auth('/sessions')),

    twoFactor: () => request<TwoFactorStatus>('GET', auth('/2fa')),
    /** A new secret; two-factor authentication is on only once `enableTotp` proves the app has it. */
    setUpTotp: () => request<TotpSetup>('POST', auth('/2fa/totp/setup')),
    /** Takes the password again; 400 INVALID_CREDENTIALS when it is wrong, TOTP_INVALID when the code is. */
    enableTotp: (code: string, password: string) => request<RecoveryCodes>('POST', auth('/2fa/totp/enable'), { code, password }),
    disableTotp: (password: string) => request<void>('POST', auth('/2fa/totp/disable'), { password }),

    me: () => request<OwnProfile>('GET', users('/me')),
    editProfile: (changes: ProfileChanges) => request<OwnProfile>('PATCH', users('/me'), changes),
    deleteAccount: () => request<void>('DELETE', users('/delete')),
    profile: (id: number) => request<ViewedProfile>('GET', users(`/users/${id}`)),
    followers: (id: number, query?: PageQuery) => request<Page<UserSummary>>('GET', users(`/users/${id}/followers`, page(query))),
    following: (id: number, query?: PageQuery) => request<Page<UserSummary>>('GET', users(`/users/${id}/following`, page(query))),
    follow: (id: number) => request<{ relationship: Relationship }>('POST', users('/follow', { toFollowId: id })),
    unfollow: (id: number) => request<{ relationship: Relationship }>('POST', users('/unfollow', { toUnfollowId: id })),
    searchUsers: (q: string, query?: PageQuery) => request<Page<UserSearchResult>>('GET', users('/users/search', { q, ...page(query) })),

    /** Blocking and muting answer the relationship as it now stands; doing either twice keeps one. */
    block: (id: number) => request<{ relationship: Relationship }>('PUT', users(`/users/${id}/block`)),
    unblock: (id: number) => request<{ relationship: Relationship }>('DELETE', users(`/users/${id}/block`)),
    /** `{notifications: false}` mutes the account's posts alone; a second mute changes that choice. */
    mute: (id: number, options: MuteOptions = {}) => request<{ relationship: Relationship }>('PUT', users(`/users/${id}/mute`), options),
    unmute: (id: number) => request<{ relationship: Relationship }>('DELETE', users(`/users/${id}/mute`)),
    /** Newest first. */
    blocks: (query?: PageQuery) => request<Page<BlockedAccount>>('GET', users('/blocks', page(query))),
    mutes: (query?: PageQuery) => request<Page<MutedAccount>>('GET', users('/mutes', page(query))),
    /** Reporting the same thing again while its report is open answers that report's id. */
    report: (report: NewReport) => request<{ id: number }>('POST', users('/reports'), report),

    /** The moderators' routes: anyone else gets 403 NOT_A_MODERATOR. Newest first. */
    moderationReports: (status: ReportStatus, query?: PageQuery) => request<Page<Report>>('GET', users('/admin/reports', { status, ...page(query) })),
    resolveReport: (id: number, action: ReportAction, note?: string) =>
      request<Report>('POST', users(`/admin/reports/${id}/resolve`), note ? { action, note } : { action }),
    suspendedAccounts: (query?: PageQuery) => request<Page<ListedAccount>>('GET', users('/admin/accounts', { suspended: 'true', ...page(query) })),
    suspend: (id: number, note?: string) => request<{ account: ModeratedAccount }>('POST', users(`/admin/accounts/${id}/suspend`), note ? { note } : {}),
    unsuspend: (id: number) => request<{ account: ModeratedAccount }>('POST', users(`/admin/accounts/${id}/unsuspend`), {}),
    /** Admins only (403 NOT_AN_ADMIN for moderators). */
    setRole: (id: number, role: AccountRole) => request<{ account: ModeratedAccount }>('PUT', users(`/admin/accounts/${id}/role`), { role }),
    auditLog: (query?: PageQuery) => request<Page<AuditEntry>>('GET', users('/admin/audit', page(query))),

    /**
     * Uploads a picture, with its description (it cannot be changed later) and, for a chat room,
     * the room; a post, a message or the avatar then takes its id.
     */
    uploadMedia: (file: Blob, upload: UploadOptions = {}) => {
      const form = new FormData();
      if (upload.alt) form.set('alt', upload.alt);
      if (upload.roomId !== undefined) form.set('roomId', String(upload.roomId));
      form.set('file', file);
      return request<MediaAttachment>('POST', users('/media'), form);
    },

    timeline: (query?: PageQuery) => request<Page<Post>>('GET', users('/timeline', page(query))),
    userPosts: (id: number, query?: PageQuery) => request<Page<Post>>('GET', users(`/users/${id}/posts`, page(query))),
    /**
     * `idempotencyKey` makes a retry after a lost answer return the first post instead of a
     * second; `mediaIds` are the caller's uploads (`uploadMedia`), and with them the text may be empty.
     */
    createPost: (text: string, options: { inReplyToId?: number; idempotencyKey?: string; mediaIds?: number[] } = {}) => {
      const body: NewPost = { text };
      if (options.inReplyToId !== undefined) body.inReplyToId = options.inReplyToId;
      if (options.mediaIds?.length) body.mediaIds = options.mediaIds;
      return request<Post>('POST', users('/posts'), body, { 'Idempotency-Key': options.idempotencyKey ?? newClientMsgId() });
    },
    post: (id: number) => request<Post>('GET', users(`/posts/${id}`)),
    /** The author's only; the earlier text stays readable through postEdits. */
    editPost: (id: number, text: string) => request<Post>('PATCH', users(`/posts/${id}`), { text }),
    /** Earlier versions, oldest first. */
    postEdits: (id: number, query?: PageQuery) => request<Page<PostVersion>>('GET', users(`/posts/${id}/edits`, page(query))),
    deletePost: (id: number) => request<void>('DELETE', users(`/posts/${id}`)),
    /** The thread above a post, root first. */
    ancestors: (id: number) => request<{ items: Post[] }>('GET', users(`/posts/${id}/ancestors`)),
    /** The direct replies, oldest first. */
    replies: (id: number, query?: PageQuery) => request<Page<Post>>('GET', users(`/posts/${id}/replies`, page(query))),
    /** Like and repost answer the post as the caller now sees it; doing either twice keeps one. */
    like: (id: number) => request<Post>('PUT', users(`/posts/${id}/like`)),
    unlike: (id: number) => request<Post>('DELETE', users(`/posts/${id}/like`)),
    repost: (id: number) => request<Post>('PUT', users(`/posts/${id}/repost`)),
    unrepost: (id: number) => request<Post>('DELETE', users(`/posts/${id}/repost`)),
    likers: (id: number, query?: PageQuery) => request<Page<UserSummary>>('GET', users(`/posts/${id}/likes`, page(query))),
    /** Any case, without `#`; newest first. */
    tagPosts: (tag: string, query?: PageQuery) => request<Page<Post>>('GET', users(`/tags/${encodeURIComponent(tag)}/posts`, page(query))),
    trendingTags: () => request<TrendingTags>('GET', users('/tags/trending')),
    searchPosts: (q: string, query?: PageQuery) => request<Page<Post>>('GET', users('/posts/search', { q, ...page(query) })),

    /** Newest first; `types` keeps only those. */
    notifications: (query?: PageQuery & { types?: NotificationType[] }) =>
      request<Page<Notification>>('GET', users('/notifications', { ...page(query), types: query?.types?.length ? query.types.join(',') : undefined })),
    unreadNotifications: () => request<UnreadCount>('GET', users('/notifications/unread_count')),
    /** That notification and every older one are read. */
    markNotificationsRead: (upToId: number) => request<void>('POST', users('/notifications/read'), { upToId }),

    rooms: (query?: PageQuery) => request<Page<RoomSummary>>('GET', chat('/ws/getRooms', page(query))),
    room: (roomId: number) => request<RoomSummary>('GET', chat(`/ws/rooms/${roomId}`)),
    createRoom: (name: string, visibility: 'public' | 'private') => request<Room>('POST', chat('/ws/createRoom'), { name, visibility }),
    directRoom: (userId: number) => request<Room>('POST', chat(`/ws/direct/${userId}`)),
    roomClients: (roomId: number) => request<PublicUser[]>('GET', chat(`/ws/getClients/${roomId}`)),
    /** Newest first; the cursor is a seq, and a page holds the messages before it. */
    roomMessages: (roomId: number, query?: PageQuery) => request<Page<ChatMessage>>('GET', chat(`/ws/rooms/${roomId}/messages`, page(query))),
    roomMembers: (roomId: number, query?: PageQuery) => request<Page<Member>>('GET', chat(`/ws/rooms/${roomId}/members`, page(query))),
    addMember: (roomId: number, userId: number, role?: Exclude<RoomRole, 'owner'>) =>
      request<Member>('PUT', chat(`/ws/rooms/${roomId}/members/${userId}`), role ? { role } : {}),
    removeMember: (roomId: number, userId: number) => request<void>('DELETE', chat(`/ws/rooms/${roomId}/members/${userId}`)),

    /** The WebSocket URL of a room's join, on the origin `base` resolves against (the page's in a browser). */
    joinUrl(roomId: number, origin: string): string {
      const url = new URL(chat(`/ws/joinRoom/${roomId}`), origin);
      url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
      return url.toString();
    },
    /** The person's live connection: notifications, timeline, room activity and the rooms open. */
    streamUrl(origin: string): string {
      const url = new URL(chat('/ws/stream'), origin);
      url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
      return url.toString();
    },
  };
}

