/**
 * The kernel's count of connection handshakes dropped because a listening socket's accept queue
 * was full (Linux, /proc/net/netstat, machine-wide). When thousands connect at once faster than
 * the server accepts them, the queue overflows, even at the largest backlog the system allows
 * (net.core.somaxconn), and every dropped client waits for its SYN to be retried (after 1 s,
 * then 3 s, …): this, as much as the server's work, can set the time a join storm takes.
 */
import { readFileSync } from 'node:fs';

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
