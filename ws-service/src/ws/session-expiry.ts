/**
 * Ends sockets when their token expires: one timer for all clients checks every second, so a
 * socket outlives its token by less than a second (REST refuses the token at once; a socket must
 * not keep posting on it until the next ping). A frame that arrives after the expiry is refused
 * by the client itself, so nothing is stored on an expired token even between two checks.
 */
import { CloseCode } from './close-codes.js';

/** How often expiries are checked: the most a socket outlives its token. */
export const EXPIRY_CHECK_INTERVAL_MS = 1_000;

export interface ExpiringClient {
  readonly expiresAtMs: number;
  close(code: typeof CloseCode.SESSION_ENDED, reason: string, flushFirst: boolean): void;
}

export const TOKEN_EXPIRED_REASON = 'token expired';

/** Starts the checks; returns the function that stops them. */
export function closeExpiredSessions(clients: Iterable<ExpiringClient>, intervalMs = EXPIRY_CHECK_INTERVAL_MS): () => void {
  const timer = setInterval(() => {
    const nowMs = Date.now();
    for (const client of clients) {
      if (nowMs >= client.expiresAtMs) client.close(CloseCode.SESSION_ENDED, TOKEN_EXPIRED_REASON, true);
    }
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
