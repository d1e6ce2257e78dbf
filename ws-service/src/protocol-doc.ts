/**
 * The WebSocket protocol as the OpenAPI document describes it: the join URL's description, and the
 * frame schemas as named components. Built from protocol.ts and the close-code table, the modules
 * the server itself runs on, so the description follows the code.
 */
import { MAX_MEDIA_PER_ITEM } from '@murmur/shared/media';
import { clientFrame, EVENT_SEPARATOR, MAX_MESSAGE_CHARS, serverEventSchema, streamFrame } from './protocol.js';
import { CLOSE_CODES } from './ws/close-codes.js';

export const protocolComponents = { ClientFrame: clientFrame, StreamFrame: streamFrame, ServerEvent: serverEventSchema };

const closeCodeRows = Object.entries(CLOSE_CODES)
  .map(([name, { code, meaning }]) => `| ${code} | ${name} | ${meaning} |`)
  .join('\n');

export const JOIN_DESCRIPTION = `Open this URL as a WebSocket to join the room (authenticate with the auth cookie or an \`Authorization: Bearer\` header; the page's Origin must be allowed). \`?since=<seq>\` resumes after a reconnect: the server sends exactly the events after that seq.

**Frames.** The client sends one JSON object per text frame (schema \`ClientFrame\`): \`message\` (text up to ${MAX_MESSAGE_CHARS} characters, optional \`clientMsgId\` for a safe resend, optional \`mediaIds\`: up to ${MAX_MEDIA_PER_ITEM} of the sender's uploads from \`POST /media\`, uploaded with the room's \`roomId\` when the room is private or direct; with pictures the text may be empty), \`typing\`, \`read\` (\`seq\`), \`edit\` (\`seq\`, \`text\`), \`delete\` (\`seq\`). The server sends events (schema \`ServerEvent\`), several per frame, separated by ${JSON.stringify(EVENT_SEPARATOR)}; the first is \`history\`.

**Blocks.** Messages and edits by an account the reader blocks arrive marked \`hidden: true\`, with no text and no pictures (same seq, same author), in \`history\`, on resume and live; its typing does not arrive. A direct room between two people one of whom blocks the other is refused: the join with 403 \`BLOCKED\`, a message or edit in it with an \`error\` event \`BLOCKED\`. A suspended account's messages are tombstones, as deleted ones.

**Close codes.**

| code | name | meaning |
|---|---|---|
${closeCodeRows}
`;

export const STREAM_DESCRIPTION = `Open this URL as a WebSocket for the person's one connection (authentication, Origin, caps and close codes as for \`/ws/joinRoom/{roomId}\`). The first event is \`ready\` (\`unreadNotifications\`, \`lastNotificationId\`); \`?since=<notification id>\` replays the notifications made after that id, oldest first, before anything live. Then come \`notification\`, \`timeline\`, \`timeline_delete\` and \`room_activity\` events.

**Frames** (schema \`StreamFrame\`): \`subscribe\` (\`roomId\`, optional \`since\`: answered with the room's \`history\`, or its events after that seq), \`unsubscribe\` (\`roomId\`), and the room frames of \`ClientFrame\`, each with \`roomId\`. Every room event carries its \`roomId\`. A refused subscription or frame is an \`error\` event naming \`roomId\` (\`ROOM_NOT_FOUND\`, \`BANNED_FROM_ROOM\`, \`BLOCKED\`, \`TOO_MANY_SUBSCRIPTIONS\`, \`ALREADY_SUBSCRIBED\`, \`NOT_SUBSCRIBED\`); a removal from a subscribed room is \`unsubscribed\`. The connection stays open.
`;
