/**
 * The address a request came from, for limits outside Express (WebSocket upgrades). It agrees
 * with Express's `req.ip` under `trust proxy` = `trustProxyHops`: each trusted proxy appended
 * the address it saw to X-Forwarded-For, so the client is the entry that many hops from the
 * right, counting the socket's own peer as the first.
 */
import type { IncomingMessage } from 'node:http';

export function clientAddress(req: IncomingMessage, trustProxyHops: number): string {
  const peer = req.socket.remoteAddress ?? 'unknown';
  if (trustProxyHops === 0) return peer;
  const header = req.headers['x-forwarded-for'];
  const forwarded = (Array.isArray(header) ? header.join(',') : (header ?? '')).split(',').map((a) => a.trim()).filter(Boolean);
  // Nearest first: the peer, then what each proxy saw, from the last proxy back towards the client.
  const hops = [peer, ...forwarded.reverse()];
  return hops[Math.min(trustProxyHops, hops.length - 1)]!;
}
