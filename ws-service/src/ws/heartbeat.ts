/**
 * Detects dead peers (websockets/ws docs): one interval pings every client; a client that has not
 * answered the previous ping by the next tick is terminated, so a dead peer is gone within two
 * intervals. One timer for all clients, none per client.
 */
export interface HeartbeatTarget {
  heartbeat(): void;
}

/** Starts the heartbeat; returns the function that stops it. */
export function startHeartbeat(clients: Iterable<HeartbeatTarget>, pingIntervalMs: number): () => void {
  const timer = setInterval(() => {
    for (const client of clients) client.heartbeat();
  }, pingIntervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
