/**
 * What RoomConnection and StreamConnection share about a connection that dropped: what its close
 * code means, whether a connection that never opened still has a session, and the timer of the
 * next attempt with its backoff.
 */
import { backoffDelay, type BackoffOptions } from './backoff.js';
import { CLOSE_ACCOUNT_SUSPENDED, CLOSE_CLIENT_FAULTS, CLOSE_REMOVED_FROM_ROOM, CLOSE_SESSION_ENDED } from './events.js';

/** Why a connection ended for good: a reconnect would be refused, or could not help. */
export type FinalClose = 'session-ended' | 'suspended' | 'removed' | 'failed';

/** A close after which reconnecting cannot help, or undefined when it can. */
export function finalClose(code: number): FinalClose | undefined {
  if (code === CLOSE_SESSION_ENDED) return 'session-ended';
  if (code === CLOSE_ACCOUNT_SUSPENDED) return 'suspended';
  if (code === CLOSE_REMOVED_FROM_ROOM) return 'removed';
  if (CLOSE_CLIENT_FAULTS.includes(code)) return 'failed';
  return undefined;
}

/** What a connection tells `afterDrop` and lets it do. */
export interface DropHandling {
  /** The close that ends the connection for good, as the connection names it. */
  end(final: FinalClose): void;
  /** Shows that another attempt is coming. */
  reconnecting(): void;
  /** True while nothing else (a close, a newer socket) has taken over since the drop. */
  stillCurrent(): boolean;
  /** Schedules the next attempt. */
  reconnect(): void;
  /**
   * Asked after a connection that failed before opening (a browser learns nothing of a refused
   * upgrade, a 401 included): false when the session is gone. A check that fails says nothing.
   */
  checkSession?: (() => Promise<boolean>) | undefined;
}

/** Decides what follows a dropped connection: the end, or another attempt after the backoff. */
export async function afterDrop(code: number, opened: boolean, handling: DropHandling): Promise<void> {
  const final = finalClose(code);
  if (final) return handling.end(final);
  handling.reconnecting();
  const alive = opened || !handling.checkSession ? true : await handling.checkSession().catch(() => true);
  if (!handling.stillCurrent()) return;
  if (!alive) return handling.end('session-ended');
  handling.reconnect();
}

/** The next reconnect attempt: exponential backoff with jitter, starting over once a connection delivers. */
export class ReconnectTimer {
  private attempt = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly backoff: BackoffOptions) {}

  /** Runs `open` after the next delay. */
  schedule(open: () => void): void {
    const delay = backoffDelay(this.attempt, this.backoff);
    this.attempt += 1;
    clearTimeout(this.timer);
    this.timer = setTimeout(open, delay);
  }

  /** A connection delivered: the next drop starts the backoff over. */
  reset(): void {
    this.attempt = 0;
  }

  cancel(): void {
    clearTimeout(this.timer);
  }
}
