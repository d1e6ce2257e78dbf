/**
 * The kernel's count of connection handshakes dropped because a listening socket's accept queue
 * was full (Linux, /proc/net/netstat, machine-wide). When thousands connect at once, a server
 * that listens with Node's default backlog (511) overflows it, and every dropped client waits
 * for its SYN to be retried (after 1 s, then 3 s, …): this, not the server's work, can set the
 * time a join storm takes.
 */
import { readFileSync } from 'node:fs';

/** The backlog Node's server.listen uses unless given one. */
export const NODE_DEFAULT_BACKLOG = 511;

/** TcpExt ListenOverflows since boot. */
export function listenOverflows(): number {
  const lines = readFileSync('/proc/net/netstat', 'utf8').split('\n');
  const header = lines.findIndex((line) => line.startsWith('TcpExt:'));
  const names = lines[header]!.split(' ');
  const values = lines[header + 1]!.split(' ');
  return Number(values[names.indexOf('ListenOverflows')] ?? Number.NaN);
}

/** The system's cap on any listen backlog (net.core.somaxconn). */
export function listenBacklogCap(): number {
  return Number(readFileSync('/proc/sys/net/core/somaxconn', 'utf8').trim());
}
