/**
 * The tabs of one browser share the auth cookie, so a logout in one ends the session in all:
 * the tab that logs out says so on a BroadcastChannel (which never echoes to its sender), and
 * the others go to the login page at once instead of at their next failed request.
 */
const CHANNEL = 'murmur-session';
const LOGGED_OUT = 'logged-out';

const channel = typeof BroadcastChannel === 'undefined' ? undefined : new BroadcastChannel(CHANNEL);

export function announceLogout(): void {
  channel?.postMessage(LOGGED_OUT);
}

/** Calls `listener` when another tab logs out; returns the unsubscribe. */
export function onLogoutElsewhere(listener: () => void): () => void {
  const handle = (event: MessageEvent) => {
    if (event.data === LOGGED_OUT) listener();
  };
  channel?.addEventListener('message', handle);
  return () => channel?.removeEventListener('message', handle);
}
