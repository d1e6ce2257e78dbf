/**
 * Every close code ws-service sends, in one table, with what it tells a client: why it was
 * disconnected and whether to retry. 1000-1015 are the standard codes of RFC 6455; 4000-4999 are
 * private to murmur. The OpenAPI document lists the table as it stands here.
 */
export const CLOSE_CODES = {
  GOING_AWAY: {
    code: 1001,
    meaning: 'The server is shutting down or restarting; reconnect (with `?since=`) after a short delay.',
  },
  PROTOCOL_ERROR: {
    code: 1002,
    meaning: 'The client broke the WebSocket framing (an unmasked frame, a bad opcode, a fragmented control frame); sent by the ws library itself. A client bug: do not retry as is.',
  },
  UNSUPPORTED_DATA: {
    code: 1003,
    meaning: 'The client sent a binary frame; the protocol is JSON text only. Do not retry as is.',
  },
  INVALID_PAYLOAD: {
    code: 1007,
    meaning: 'A text frame that is not valid UTF-8; sent by the ws library itself. Do not retry as is.',
  },
  POLICY_VIOLATION: {
    code: 1008,
    meaning: 'The client kept sending above the rate limit after being told (error RATE_LIMITED).',
  },
  MESSAGE_TOO_BIG: {
    code: 1009,
    meaning: 'A frame over the maximum payload; sent by the ws library itself (maxPayload).',
  },
  INTERNAL_ERROR: {
    code: 1011,
    meaning: 'An unexpected server failure on this connection; reconnect.',
  },
  SESSION_ENDED: {
    code: 4001,
    meaning: 'The session ended (logout, revoked token or deleted account); log in again before reconnecting.',
  },
  REMOVED_FROM_ROOM: {
    code: 4003,
    meaning: 'The user was removed from the room (by its owner or a moderator, or by leaving it on another device), or banned from it. Do not reconnect to this room: the join would be refused.',
  },
  ACCOUNT_SUSPENDED: {
    code: 4004,
    meaning: 'A moderator suspended the account; its sessions ended with it. Do not reconnect: logging in is refused while the suspension lasts.',
  },
  SLOW_CONSUMER: {
    code: 4008,
    meaning: 'The client did not read its messages fast enough and its output passed the buffer bound.',
  },
} as const;

type CloseCodeName = keyof typeof CLOSE_CODES;

/** The codes by name: `CloseCode.SLOW_CONSUMER` is 4008. */
export const CloseCode = Object.fromEntries(Object.entries(CLOSE_CODES).map(([name, { code }]) => [name, code])) as {
  [N in CloseCodeName]: (typeof CLOSE_CODES)[N]['code'];
};

export type CloseCodeValue = (typeof CloseCode)[keyof typeof CloseCode];
