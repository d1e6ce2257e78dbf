/** Client addresses as limits count them: where a request came from, and the key to count it under. */
import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';

/**
 * The address a request came from, for limits outside Express (WebSocket upgrades). It agrees
 * with Express's `req.ip` under `trust proxy` = `trustProxyHops`: each trusted proxy appended
 * the address it saw to X-Forwarded-For, so the client is the entry that many hops from the
 * right, counting the socket's own peer as the first.
 */
export function clientAddress(req: IncomingMessage, trustProxyHops: number): string {
  const peer = req.socket.remoteAddress ?? 'unknown';
  if (trustProxyHops === 0) return peer;
  const header = req.headers['x-forwarded-for'];
  const forwarded = (Array.isArray(header) ? header.join(',') : (header ?? '')).split(',').map((a) => a.trim()).filter(Boolean);
  // Nearest first: the peer, then what each proxy saw, from the last proxy back towards the client.
  const hops = [peer, ...forwarded.reverse()];
  return hops[Math.min(trustProxyHops, hops.length - 1)]!;
}

/** The bits of an IPv6 address that name its network: one /64 is what a single site or device is given. */
const IPV6_NETWORK_GROUPS = 4;

/**
 * The key a per-address limit should count `address` under. An IPv6 client is counted by its
 * /64 (`2001:db8:1:2::/64`): one subscriber gets a whole /64 and can pick any of its 2^64
 * addresses for each request, so counting single addresses would limit nothing. IPv4 addresses,
 * IPv4-mapped IPv6 ones (`::ffff:192.0.2.1`, how a dual-stack socket sees an IPv4 client) and
 * anything that is not an IP address are returned as they are.
 */
export function addressLimitKey(address: string): string {
  const groups = ipv6Groups(address);
  if (!groups || isIpv4Mapped(groups)) return address;
  return `${groups
    .slice(0, IPV6_NETWORK_GROUPS)
    .map((group) => group.toString(16))
    .join(':')}::/64`;
}

/** `::ffff:0:0/96`: the IPv4 address is in the last 32 bits. */
const isIpv4Mapped = (groups: number[]) => groups.slice(0, 5).every((group) => group === 0) && groups[5] === 0xffff;

/** The eight 16-bit groups of an IPv6 address (`::` expanded, a trailing dotted IPv4 and a `%zone` allowed); undefined for anything else. */
function ipv6Groups(address: string): number[] | undefined {
  let text = address.split('%')[0]!.toLowerCase();
  if (isIP(text) !== 6) return undefined;
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.split('::') as [string, string | undefined];
  const parse = (part: string | undefined) => (part ? part.split(':').map((group) => Number.parseInt(group, 16)) : []);
  const first = parse(head);
  const last = parse(tail);
  return tail === undefined ? first : [...first, ...Array<number>(8 - first.length - last.length).fill(0), ...last];
}
