/**
 * The WebSocket protocol as the client sees it, mirroring ws-service/src/protocol.ts (the
 * server's zod schemas): the frames a client sends and the events the server sends. Written by
 * hand so the browser bundle carries no schema library; test/protocol-types.test.ts holds these
 * types to the server's, so a change there fails the type-check here.
 */

import type { MediaAttachment, Notification, Post } from '../api/types.js';

export interface PublicUser {
  id: number;
  username: string;
}

/** A message's author; the picture beside their name where the server gives it. */
export interface MessageAuthor extends PublicUser {
  avatarUrl?: string | null;
}

/**
 * A chat message; a tombstone (deleted, or its author gone or suspended) has `deleted: true` and
 * null `user` and `text`. A message of an account the reader blocks keeps its seq and its author
 * but comes `hidden: true`, without its text or pictures.
 */
export interface ChatMessage {
  seq: number;
  id: number;
  roomId: number;
  user: MessageAuthor | null;
  /** May be empty when the message has pictures. */
  text: string | null;
  /** Its pictures, in the sender's order; empty when none (and on a tombstone). */
  media: MediaAttachment[];
  createdAt: string;
  editedAt?: string;
  clientMsgId?: string;
  deleted?: true;
  hidden?: true;
}

export interface MessageEdit {
  seq: number;
  roomId: number;
  target: number;
  text: string | null;
  editedAt: string;
  user: PublicUser | null;
  /** An edit by an account the reader blocks: no text. */
  hidden?: true;
}

export interface MessageDeletion {
  seq: number;
  roomId: number;
  target: number;
  user: PublicUser | null;
}

export type ServerEvent =
  | { type: 'history'; roomId: number; lastSeq: number; messages: ChatMessage[] }
  | ({ type: 'message' } & ChatMessage)
  | ({ type: 'message_edited' } & MessageEdit)
  | ({ type: 'message_deleted' } & MessageDeletion)
  | { type: 'read'; roomId: number; user: PublicUser; seq: number }
  | { type: 'participant_joined'; roomId: number; user: PublicUser }
  | { type: 'participant_left'; roomId: number; user: PublicUser }
  | { type: 'typing'; roomId: number; user: PublicUser }
  | { type: 'error'; code: string; message: string; clientMsgId?: string; seq?: number; roomId?: number }
  | { type: 'server_shutting_down' }
  | { type: 'ready'; unreadNotifications: number; lastNotificationId: number }
  | { type: 'notification'; notification: Notification }
  | { type: 'timeline'; item: Post }
  | { type: 'timeline_delete'; postId: number }
  | { type: 'room_activity'; roomId: number; lastSeq: number; unread: number; lastMessage: ChatMessage }
  | { type: 'unsubscribed'; roomId: number; reason: 'removed' };

/** The events of one room, as a `/ws/joinRoom` socket gets them and a stream gets them for each subscribed room. */
export type RoomEvent = Extract<
  ServerEvent,
  { type: 'history' | 'message' | 'message_edited' | 'message_deleted' | 'read' | 'participant_joined' | 'participant_left' | 'typing' }
>;

/** The frames of `/ws/joinRoom`. A message's `mediaIds` are pictures uploaded with the room's id; with them `text` may be empty. */
export type ClientFrame =
  | { type: 'message'; text: string; clientMsgId?: string; mediaIds?: number[] }
  | { type: 'typing' }
  | { type: 'read'; seq: number }
  | { type: 'edit'; seq: number; text: string }
  | { type: 'delete'; seq: number };

/** The frames of `/ws/stream`: subscriptions, and each room frame with its room. */
export type StreamFrame =
  | { type: 'subscribe'; roomId: number; since?: number }
  | { type: 'unsubscribe'; roomId: number }
  | (ClientFrame & { roomId: number });

/** Longest chat message, in characters (Unicode code points), as the server counts. */
export const MAX_MESSAGE_CHARS = 2000;
/** Pictures one message may carry. */
export const MAX_MEDIA_PER_MESSAGE = 4;

/** Close codes the client acts on (ws-service/src/ws/close-codes.ts). */
export const CLOSE_SESSION_ENDED = 4001;
export const CLOSE_REMOVED_FROM_ROOM = 4003;
/** A moderator suspended the account: its sessions are over, and logging in is refused. */
export const CLOSE_ACCOUNT_SUSPENDED = 4004;
/** Client bugs (bad framing, binary or invalid UTF-8, an oversized frame): retrying as is cannot help. */
export const CLOSE_CLIENT_FAULTS: readonly number[] = [1002, 1003, 1007, 1009];

/** Events separate by newlines within one frame; JSON never holds a raw newline. */
export function parseFrame(data: string): ServerEvent[] {
  return data
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line) as ServerEvent);
}
