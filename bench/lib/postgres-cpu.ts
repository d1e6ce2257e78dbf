/**
 * PostgreSQL's CPU over a run, read from /proc: the server is a family of processes (postmaster,
 * one backend per connection, WAL writer, checkpointer, …), all named `postgres`, whether it is
 * the local server or the embedded one. Backends serving another database (someone else's tests
 * on a shared server) are left out; the shared processes are counted, as they work for everyone.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { commandName, cpuSeconds } from './process-stats.js';

const POSTGRES_COMMANDS = new Set(['postgres', 'postmaster']);
/**
 * A backend's process title: `postgres: [cluster: ]user database client activity`, the client
 * being `host(port)` or `[local]`. Auxiliary processes (`postgres: 15/main: walwriter`) do not match.
 */
const BACKEND_TITLE = /^postgres: (?:\S+: )?\S+ (\S+) (?:\S+\(\d+\)|\[local\])/;

/** CPU seconds so far of each PostgreSQL process that may work for `database`, by pid. */
export function postgresCpuByPid(database: string): Map<number, number> {
  const cpu = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || !POSTGRES_COMMANDS.has(commandName(pid) ?? '')) continue;
    try {
      const title = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').trim();
      const backendOf = BACKEND_TITLE.exec(title)?.[1];
      if (backendOf === undefined || backendOf === database) cpu.set(pid, cpuSeconds(pid));
    } catch {
      // exited while being read: its CPU is lost either way
    }
  }
  return cpu;
}

/**
 * CPU seconds PostgreSQL used since `before` was taken. Processes started since count in full;
 * those that exited in between (short-lived workers) are missed, so this is a lower bound.
 */
export function postgresCpuSince(before: ReadonlyMap<number, number>, database: string): number {
  let total = 0;
  for (const [pid, now] of postgresCpuByPid(database)) total += now - (before.get(pid) ?? 0);
  return total;
}
