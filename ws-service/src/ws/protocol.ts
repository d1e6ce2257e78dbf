/**
 * The WebSocket protocol in one place: the frames a client may send (zod schemas), the events the
 * server sends, and their encoding. A frame from the server holds one or more events, one JSON
 * object per line; clients split on '\n'.
 */
import { z } from 'zod';
import { withoutNul } from '@murmur/shared/http';

/** Longest chat message, in characters (Unicode code points). */
export const MAX_MESSAGE_CHARS = 2000;
/** Longest client-chosen message id, echoed back so a client can match its acknowledgement. */
export const MAX_CLIENT_MSG_ID_CHARS = 64;

const codePoints = (value: string) => [...value].length;

const messageFrame = z.strictObject({
  type: z.literal('message'),
  text: z
    .string({ error: 'text must be a string' })
    .refine(withoutNul[0], 'text must not contain the NUL character')
    .refine((t) => t.trim().length > 0, 'text must not be blank')
    .refine((t) => codePoints(t) <= MAX_MESSAGE_CHARS, `text must be at most ${MAX_MESSAGE_CHARS} characters`),
  clientMsgId: z
    .string({ error: 'clientMsgId must be a string' })
    .min(1, 'clientMsgId must not be empty')
    .refine(withoutNul[0], 'clientMsgId must not contain the NUL character')
    .max(MAX_CLIENT_MSG_ID_CHARS, `clientMsgId must be at most ${MAX_CLIENT_MSG_ID_CHARS} characters`)
    .optional(),
});

const typingFrame = z.strictObject({ type: z.literal('typing') });

export const clientFrame = z.discriminatedUnion('type', [messageFrame, typingFrame], {
  error: 'type must be "message" or "typing"',
});

export type ClientFrame = z.infer<typeof clientFrame>;

export type ParsedFrame = { ok: true; frame: ClientFrame } | { ok: false; message: string; clientMsgId?: string };

/** Parses one text frame; never throws. */
export function parseClientFrame(text: string): ParsedFrame {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, message: 'the frame is not valid JSON' };
  }
  const result = clientFrame.safeParse(value);
  if (result.success) return { ok: true, frame: result.data };
  const issue = result.error.issues[0];
  const clientMsgId = typeof value === 'object' && value !== null && 'clientMsgId' in value ? value.clientMsgId : undefined;
  return {
    ok: false,
    message: issue?.message ?? 'the frame is not valid',
    ...(typeof clientMsgId === 'string' && clientMsgId.length <= MAX_CLIENT_MSG_ID_CHARS ? { clientMsgId } : {}),
  };
}

export interface PublicUser {
  id: number;
  username: string;
}

export interface ChatMessage {
  id: number;
  roomId: number;
  user: PublicUser;
  text: string;
  createdAt: string;
  clientMsgId?: string;
}

export type ServerEvent =
  | { type: 'history'; messages: ChatMessage[] }
  | ({ type: 'message' } & ChatMessage)
  | { type: 'participant_joined'; user: PublicUser }
  | { type: 'participant_left'; user: PublicUser }
  | { type: 'typing'; user: PublicUser }
  | { type: 'error'; code: string; message: string; clientMsgId?: string }
  | { type: 'server_shutting_down' };

/** An event ready to send: its JSON once, and its size, computed once for every recipient. */
export interface EncodedEvent {
  json: string;
  bytes: number;
  /** For `message` events: the message id, so a joining client can drop what its history holds. */
  messageId?: number;
}

export function encodeEvent(event: ServerEvent): EncodedEvent {
  const json = JSON.stringify(event);
  const encoded: EncodedEvent = { json, bytes: Buffer.byteLength(json) };
  if (event.type === 'message') encoded.messageId = event.id;
  return encoded;
}

/** Separates events inside one frame. JSON.stringify never emits a raw newline. */
export const EVENT_SEPARATOR = '\n';
