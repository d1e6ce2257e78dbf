/**
 * Detects dead peers (websockets/ws docs): every client is pinged once per interval, and a client
 * that has not answered its previous ping by its next one is terminated, so a dead peer is gone
 * within two intervals. One timer for all clients, none per client.
 *
 * The pings of a round are spread over the interval, a slice per tick, not sent in one turn of
 * the event loop: with ten thousand sockets, pinging all at once and taking ten thousand pongs
 * back together stalls every message behind them for a noticeable moment once per interval.
 */
export interface HeartbeatTarget {
  heartbeat(): void;
}

/** How often a slice of the round is pinged. */
export const PING_TICK_MS = 100;

/** Starts the heartbeat; returns the function that stops it. */
export function startHeartbeat(clients: ReadonlySet<HeartbeatTarget>, pingIntervalMs: number): () => void {
  const ticksPerRound = Math.max(1, Math.round(pingIntervalMs / PING_TICK_MS));
  // A Set's iterator stays valid while the set changes: clients that leave are skipped, clients
  // that arrive are visited at the end. Insertion order keeps each client's place from round to
  // round, so its pings stay about an interval apart.
  let round = clients.values();
  let ticksLeft = 0;
  let leftThisRound = 0;
  const timer = setInterval(() => {
    if (ticksLeft === 0) {
      round = clients.values();
      ticksLeft = ticksPerRound;
      leftThisRound = clients.size;
    }
    const slice = Math.ceil(leftThisRound / ticksLeft);
    ticksLeft -= 1;
    for (let i = 0; i < slice; i += 1) {
      const next = round.next();
      if (next.done) break;
      next.value.heartbeat();
      leftThisRound -= 1;
    }
  }, pingIntervalMs / ticksPerRound);
  timer.unref();
  return () => clearInterval(timer);
}
