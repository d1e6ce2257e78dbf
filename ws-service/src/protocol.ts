/**
 * The WebSocket protocol in one place: the frames a client may send (zod schemas), the events the
 * server sends, and their encoding. A frame from the server holds one or more events, one JSON
 * object per line; clients split on '\n'. A leaf module: it imports nothing of ws-service, so
 * any part of it (domain code included) may import it.
 */
import { z } from 'zod';
import { withoutNul } from '@murmur/shared/http';
import { mediaAttachmentSchema, mediaIdsSchema, type MediaAttachment } from '@murmur/shared/media';

/** Longest chat message, in characters (Unicode code points). */
export const MAX_MESSAGE_CHARS = 2000;
/** Longest client-chosen message id, echoed back so a client can match its acknowledgement. */
export const MAX_CLIENT_MSG_ID_CHARS = 64;

const codePoints = (value: string) => [...value].length;

const isBlank = (text: string) => text.trim().length === 0;
const BLANK_TEXT = 'text must not be blank';

/** A message's text as any message may have it: a message with pictures may leave it empty. */
const anyMessageText = z
  .string({ error: 'text must be a string' })
  .refine(withoutNul[0], 'text must not contain the NUL character')
  .refine((t) => codePoints(t) <= MAX_MESSAGE_CHARS, `text must be at most ${MAX_MESSAGE_CHARS} characters`);

/** The text of an edit: never blank. */
const messageText = z
  .string({ error: 'text must be a string' })
  .refine(withoutNul[0], 'text must not contain the NUL character')
  .refine((t) => !isBlank(t), BLANK_TEXT)
  .refine((t) => codePoints(t) <= MAX_MESSAGE_CHARS, `text must be at most ${MAX_MESSAGE_CHARS} characters`);

const messageFrameShape = z.strictObject({
  type: z.literal('message'),
  text: anyMessageText
    .optional()
    .describe(`1–${MAX_MESSAGE_CHARS} characters, not blank; may be left out (or blank) when \`mediaIds\` names a picture`),
  clientMsgId: z
    .string({ error: 'clientMsgId must be a string' })
    .min(1, 'clientMsgId must not be empty')
    .refine(withoutNul[0], 'clientMsgId must not contain the NUL character')
    .max(MAX_CLIENT_MSG_ID_CHARS, `clientMsgId must be at most ${MAX_CLIENT_MSG_ID_CHARS} characters`)
    .optional(),
  mediaIds: mediaIdsSchema.optional(),
});

/** A message says something: its text, or its pictures. */
const withTextOrPictures = <F extends z.ZodType<{ text?: string | undefined; mediaIds?: number[] | undefined }>>(frame: F): F =>
  frame.superRefine((message, ctx) => {
    if (message.mediaIds !== undefined && message.mediaIds.length > 0) return;
    if (message.text === undefined) ctx.addIssue({ code: 'custom', path: ['text'], message: 'text is required unless mediaIds names a picture' });
    else if (isBlank(message.text)) ctx.addIssue({ code: 'custom', path: ['text'], message: BLANK_TEXT });
  });

const messageFrame = withTextOrPictures(messageFrameShape);

const typingFrame = z.strictObject({ type: z.literal('typing') });

/** The seq of an event in the room's history. */
const seqField = z
  .number({ error: 'seq must be a number' })
  .int('seq must be an integer')
  .positive('seq must be at least 1')
  .max(Number.MAX_SAFE_INTEGER, 'seq is too large');

/** The caller has read the room up to `seq`. */
const readFrame = z.strictObject({ type: z.literal('read'), seq: seqField });
/** The author replaces the text of their message `seq`. */
const editFrame = z.strictObject({ type: z.literal('edit'), seq: seqField, text: messageText });
/** The author, a moderator or the owner deletes message `seq`. */
const deleteFrame = z.strictObject({ type: z.literal('delete'), seq: seqField });

/** The frames of `/ws/joinRoom/:roomId`: each acts on the socket's one room. */
export const clientFrame = z
  .discriminatedUnion('type', [messageFrame, typingFrame, readFrame, editFrame, deleteFrame], {
    error: 'type must be "message", "typing", "read", "edit" or "delete"',
  })
  .meta({ id: 'ClientFrame' });

export type ClientFrame = z.infer<typeof clientFrame>;

const roomIdField = z
  .number({ error: 'roomId must be a number' })
  .int('roomId must be an integer')
  .positive('roomId must be at least 1')
  .max(2_147_483_647, 'roomId is too large');

/** A room frame of `/ws/stream`: the same frame, naming its room. */
const inRoom = <S extends z.ZodRawShape>(frame: z.ZodObject<S>) => frame.extend({ roomId: roomIdField });

/** `/ws/stream`: start receiving a room's events; `since` resumes after that seq as a join's `?since=` does. */
const subscribeFrame = z.strictObject({
  type: z.literal('subscribe'),
  roomId: roomIdField,
  since: z.number({ error: 'since must be a number' }).int('since must be an integer').min(0, 'since must be at least 0').max(Number.MAX_SAFE_INTEGER, 'since is too large').optional(),
});
const unsubscribeFrame = z.strictObject({ type: z.literal('unsubscribe'), roomId: roomIdField });

/** The frames of `/ws/stream`: subscriptions, and the room frames with the room they act on. */
export const streamFrame = z
  .discriminatedUnion('type', [subscribeFrame, unsubscribeFrame, withTextOrPictures(inRoom(messageFrameShape)), inRoom(typingFrame), inRoom(readFrame), inRoom(editFrame), inRoom(deleteFrame)], {
    error: 'type must be "subscribe", "unsubscribe", "message", "typing", "read", "edit" or "delete"',
  })
  .meta({ id: 'StreamFrame' });

export type StreamFrame = z.infer<typeof streamFrame>;
/** A frame that acts on one room, with the room it names. */
export type RoomFrame = ClientFrame & { roomId?: number };

export type ParsedFrame<F> = { ok: true; frame: F } | { ok: false; message: string; clientMsgId?: string; roomId?: number };

/**
 * An issue's message, naming the field it is about. The messages of this module name it already;
 * those of `mediaIdsSchema`, shared with the REST API (whose errors name the field apart), do not.
 */
function namingItsField(issue: z.core.$ZodIssue): string {
  const field = issue.path[0];
  return typeof field === 'string' && !issue.message.startsWith(field) ? `${field} ${issue.message}` : issue.message;
}

/** Parses one text frame of `/ws/joinRoom` (`clientFrame`) or `/ws/stream` (`streamFrame`); never throws. */
export function parseFrame<F>(schema: z.ZodType<F>, text: string): ParsedFrame<F> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, message: 'the frame is not valid JSON' };
  }
  const result = schema.safeParse(value);
  if (result.success) return { ok: true, frame: result.data };
  const issue = result.error.issues[0];
  const field = (name: string): unknown => (typeof value === 'object' && value !== null && name in value ? (value as Record<string, unknown>)[name] : undefined);
  const clientMsgId = field('clientMsgId');
  const roomId = field('roomId');
  return {
    ok: false,
    message: issue ? namingItsField(issue) : 'the frame is not valid',
    ...(typeof clientMsgId === 'string' && clientMsgId.length <= MAX_CLIENT_MSG_ID_CHARS ? { clientMsgId } : {}),
    ...(roomIdField.safeParse(roomId).success ? { roomId: roomId as number } : {}),
  };
}

/** Parses one text frame of `/ws/joinRoom`; never throws. */
export const parseClientFrame = (text: string): ParsedFrame<ClientFrame> => parseFrame(clientFrame, text);

/*
 * The events the server sends, as zod schemas: the types below are inferred from them, and the
 * OpenAPI document of ws-service describes the protocol from them (components ClientFrame and
 * ServerEvent). The server never parses its own events; the schemas are their description.
 */

const seq = z.number().int().positive();
const timestamp = z.iso.datetime();

export const publicUserSchema = z.object({ id: z.number().int(), username: z.string() }).meta({ id: 'PublicUser' });
export type PublicUser = z.infer<typeof publicUserSchema>;

/**
 * A message's pictures when it has none. One array, frozen, shared by every message without
 * pictures: showing one allocates nothing.
 */
export const NO_MEDIA: MediaAttachment[] = Object.freeze([]) as unknown as MediaAttachment[];

/**
 * A message as clients see it. `seq` numbers the room's history 1, 2, 3, … with no gap: the
 * order of delivery, history and resume (`?since=<seq>`). It carries its current text, with
 * `editedAt` once edited, and its pictures. A deleted message, or one whose author deleted their
 * account or is suspended, is a tombstone: it keeps its seq, `deleted` is true, `user` and `text`
 * are null and `media` is empty. A message by an account the reader blocks is `hidden`: it keeps
 * its seq and author, and loses its text and pictures, for that reader alone.
 */
export const chatMessageSchema = z
  .object({
    seq: seq.describe('its place in the room’s history'),
    id: z.number().int().describe('unique across all rooms'),
    roomId: z.number().int(),
    user: publicUserSchema.nullable(),
    text: z.string().nullable().describe('empty when the message is only pictures'),
    media: z.array(mediaAttachmentSchema).describe('its pictures, in the order sent; empty when none (and for a tombstone)'),
    createdAt: timestamp,
    editedAt: timestamp.optional(),
    clientMsgId: z.string().optional().describe('the id the sender chose, echoed back'),
    deleted: z.literal(true).optional(),
    hidden: z.literal(true).optional().describe('by an account the reader blocks: `text` is null and `media` empty'),
  })
  .meta({ id: 'ChatMessage' });
export type ChatMessage = z.infer<typeof chatMessageSchema>;

/**
 * An edit, stored in the room's history at its own `seq`: message `target` now reads `text`.
 * Once the message is deleted (or the editor's account, or while it is suspended), `text` and
 * `user` are null. An edit by an account the reader blocks is `hidden`, with a null `text`.
 */
export const messageEditSchema = z.object({
  seq,
  roomId: z.number().int(),
  target: seq.describe('the seq of the edited message'),
  text: z.string().nullable(),
  editedAt: timestamp,
  user: publicUserSchema.nullable(),
  hidden: z.literal(true).optional(),
});
export type MessageEdit = z.infer<typeof messageEditSchema>;

/** A deletion, stored at its own `seq`: message `target` is a tombstone now; `user` deleted it. */
export const messageDeletionSchema = z.object({
  seq,
  roomId: z.number().int(),
  target: seq.describe('the seq of the deleted message'),
  user: publicUserSchema.nullable(),
});
export type MessageDeletion = z.infer<typeof messageDeletionSchema>;

const event = <T extends string, S extends z.ZodRawShape>(type: T, shape: S, description: string) =>
  z.object({ type: z.literal(type), ...shape }).describe(description);

const roomId = z.number().int();

/**
 * What user-service answers for these (a notification as `GET /notifications` lists it, a post as
 * timelines show it); ws-service passes them on as they were made.
 */
const userServiceObject = (name: string) => z.record(z.string(), z.unknown()).describe(`${name}, as user-service's REST API shows it`);


/** Why a subscription ended (`unsubscribed`). */
export const UNSUBSCRIBE_REASONS = ['removed'] as const;

export const serverEventSchema = z
  .discriminatedUnion('type', [
    event('history', { roomId, lastSeq: z.number().int(), messages: z.array(chatMessageSchema) }, 'first after joining: the recent history and the room’s last seq'),
    chatMessageSchema.extend({ type: z.literal('message') }).describe('a new message (or, to its sender, the acknowledgement of theirs)'),
    messageEditSchema.extend({ type: z.literal('message_edited') }).describe('a message was edited'),
    messageDeletionSchema.extend({ type: z.literal('message_deleted') }).describe('a message was deleted'),
    event('read', { roomId, user: publicUserSchema, seq }, 'a member read the room up to seq'),
    event('participant_joined', { roomId, user: publicUserSchema }, 'a user connected to the room'),
    event('participant_left', { roomId, user: publicUserSchema }, 'a user’s last connection to the room closed'),
    event('typing', { roomId, user: publicUserSchema }, 'a user is typing'),
    event(
      'error',
      { code: z.string(), message: z.string(), clientMsgId: z.string().optional(), seq: seq.optional(), roomId: roomId.optional() },
      'a frame was refused (BAD_FRAME, RATE_LIMITED, MEDIA_NOT_FOUND, BLOCKED, …) or a resume left a gap (RESUME_GAP); on /ws/stream, `roomId` names the room it concerns',
    ),
    event('server_shutting_down', {}, 'the server is restarting; the socket closes with 1001'),
    event(
      'ready',
      { unreadNotifications: z.number().int(), lastNotificationId: z.number().int() },
      '/ws/stream: first, once the connection is set up (after the notifications replayed for `?since=`)',
    ),
    event('notification', { notification: userServiceObject('the notification') }, '/ws/stream: a notification was made'),
    event('timeline', { item: userServiceObject('the post') }, '/ws/stream: a post entered the home timeline (with `repostedBy` when a repost)'),
    event('timeline_delete', { postId: z.number().int() }, '/ws/stream: a post left the home timeline'),
    event(
      'room_activity',
      { roomId, lastSeq: seq, unread: z.number().int(), lastMessage: chatMessageSchema },
      '/ws/stream: a room the person is a member of, and not subscribed to on this connection, has a new message',
    ),
    event('unsubscribed', { roomId, reason: z.enum(UNSUBSCRIBE_REASONS) }, '/ws/stream: the subscription ended: the person was removed or banned from the room (or left it elsewhere)'),
  ])
  .meta({ id: 'ServerEvent' });
export type ServerEvent = z.infer<typeof serverEventSchema>;

/** An event ready to send: its JSON once, and its size, computed once for every recipient. */
export interface EncodedEvent {
  json: string;
  bytes: number;
  /** Events stored in the room's history carry their seq: delivery orders them by it. */
  seq?: number;
  /**
   * A passing event's typist, read from its JSON the first time a reader who blocks someone is
   * given it (null: not a `typing` event); never read for anyone else.
   */
  typist?: number | null;
}

/** What a stored event is: a message, or an edit or a deletion of one. */
export type SequencedKind = 'message' | 'edit' | 'delete';

/**
 * An event stored in the room's history (a message, an edit or a deletion), encoded: what the
 * room's recent history keeps, what the broker carries between instances and what is delivered live.
 */
export interface SequencedEvent extends EncodedEvent {
  seq: number;
  kind: SequencedKind;
  /** The author (of an edit or deletion: who made it), or null for a tombstone: an account deletion finds its events by it. */
  userId: number | null;
  /** The seq of the message an edit or deletion acts on. */
  target?: number;
  /**
   * The suspended author this tombstone stands for: their account is kept, and unsuspending
   * shows the event again.
   */
  withheldAuthor?: number;
  /** The event as a reader who blocks its author gets it, made the first time one is given it. */
  hiddenCopy?: SequencedEvent;
}

export function encodeEvent(event: ServerEvent): EncodedEvent {
  const json = JSON.stringify(event);
  return { json, bytes: Buffer.byteLength(json) };
}

/** Every encoded `message` event starts with this; the history event reuses the rest of the JSON as it is. */
const MESSAGE_EVENT_PREFIX = '{"type":"message",';

export function encodeMessage(message: ChatMessage): SequencedEvent {
  const json = JSON.stringify({ type: 'message', ...message });
  return { json, bytes: Buffer.byteLength(json), seq: message.seq, kind: 'message', userId: message.user?.id ?? null };
}

export function encodeEdit(edit: MessageEdit): SequencedEvent {
  const json = JSON.stringify({ type: 'message_edited', ...edit });
  return { json, bytes: Buffer.byteLength(json), seq: edit.seq, kind: 'edit', userId: edit.user?.id ?? null, target: edit.target };
}

export function encodeDeletion(deletion: MessageDeletion): SequencedEvent {
  const json = JSON.stringify({ type: 'message_deleted', ...deletion });
  return { json, bytes: Buffer.byteLength(json), seq: deletion.seq, kind: 'delete', userId: deletion.user?.id ?? null, target: deletion.target };
}

/**
 * The `history` event, built from already encoded messages (oldest first) without encoding them
 * again: each message's JSON, less its `"type":"message"`, is spliced into the array.
 */
export function encodeHistory(roomId: number, messages: readonly SequencedEvent[], lastSeq: number): EncodedEvent {
  const items = messages.map((m) => `{${m.json.slice(MESSAGE_EVENT_PREFIX.length)}`);
  const json = `{"type":"history","roomId":${roomId},"lastSeq":${lastSeq},"messages":[${items.join(',')}]}`;
  return { json, bytes: Buffer.byteLength(json) };
}

/** Separates events inside one frame. JSON.stringify never emits a raw newline. */
export const EVENT_SEPARATOR = '\n';
