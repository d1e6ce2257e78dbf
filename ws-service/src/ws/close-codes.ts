/**
 * Every close code ws-service sends, in one table. 1000-1015 are the standard codes of RFC 6455;
 * 4000-4999 are private to murmur and tell a client why it was disconnected and whether to retry.
 */
export const CloseCode = {
  /** The server is shutting down or restarting; reconnect (with `?since=`) after a short delay. */
  GOING_AWAY: 1001,
  /**
   * The client broke the WebSocket framing (an unmasked frame, a bad opcode, a fragmented control
   * frame); sent by the ws library itself. A client bug: do not retry as is.
   */
  PROTOCOL_ERROR: 1002,
  /** The client sent a binary frame; the protocol is JSON text only. Do not retry as is. */
  UNSUPPORTED_DATA: 1003,
  /** A text frame that is not valid UTF-8; sent by the ws library itself. Do not retry as is. */
  INVALID_PAYLOAD: 1007,
  /** The client kept sending above the rate limit after being told (error RATE_LIMITED). */
  POLICY_VIOLATION: 1008,
  /** A frame over the maximum payload; sent by the ws library itself (maxPayload). */
  MESSAGE_TOO_BIG: 1009,
  /** An unexpected server failure on this connection; reconnect. */
  INTERNAL_ERROR: 1011,
  /** The session ended (logout, revoked token or deleted account); log in again before reconnecting. */
  SESSION_ENDED: 4001,
  /**
   * The user was removed from the room (by its owner or a moderator, or by leaving it on another
   * device), or banned from it. Do not reconnect to this room: the join would be refused.
   */
  REMOVED_FROM_ROOM: 4003,
  /** The client did not read its messages fast enough and its output passed the buffer bound. */
  SLOW_CONSUMER: 4008,
} as const;

export type CloseCodeValue = (typeof CloseCode)[keyof typeof CloseCode];
