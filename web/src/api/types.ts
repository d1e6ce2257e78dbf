/**
 * The REST answers the client reads, mirroring the zod schemas the services validate and
 * document with (auth-service/src/routes/auth.schemas.ts, user-service/src/routes/user.schemas.ts,
 * ws-service/src/routes/rooms.schemas.ts). Written by hand so the bundle carries no schema
 * library; test/api-types.test.ts holds them to the servers' schemas at type-check time.
 */
import type { ChatMessage, PublicUser } from '../protocol/events.js';

export type { ChatMessage, PublicUser };

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
}

export interface SignedIn {
  user: Account;
  token: string;
}

export interface Profile {
  id: number;
  username: string;
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
}

export type UserSummary = PublicUser;

/** A People search result (`GET /users/search?q=`). */
export interface UserSearchResult {
  id: number;
  username: string;
  followersCount: number;
}

export interface Relationship {
  id: number;
  following: boolean;
  followedBy: boolean;
}

export interface Post {
  id: number;
  author: UserSummary;
  text: string;
  createdAt: string;
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

/** The limits the servers hold input to, for forms that say so before sending. */
export const MAX_POST_CHARACTERS = 280;
export const MAX_ROOM_NAME_CHARACTERS = 64;
