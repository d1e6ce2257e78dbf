/** CPU time, memory and limits of processes, read from /proc (Linux). */
import { readFileSync } from 'node:fs';

/** Kernel clock ticks per second for /proc/<pid>/stat times (USER_HZ, 100 on Linux). */
const CLOCK_TICKS_PER_SECOND = 100;

/** The command name and the fields after it in /proc/<pid>/stat (the name may contain spaces). */
function readStat(pid: number | 'self'): { command: string; fields: string[] } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const close = stat.lastIndexOf(')');
  return { command: stat.slice(stat.indexOf('(') + 1, close), fields: stat.slice(close + 2).split(' ') };
}

/** User + system CPU seconds the process has used so far. */
export function cpuSeconds(pid: number): number {
  const { fields } = readStat(pid);
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return (utime + stime) / CLOCK_TICKS_PER_SECOND;
}

/** The command name (`comm`) of a process, e.g. "postgres"; undefined once it has exited. */
export function commandName(pid: number): string | undefined {
  try {
    return readStat(pid).command;
  } catch {
    return undefined;
  }
}

/** CPU seconds of several processes (the instances of one service), summed. */
export function totalCpuSeconds(pids: readonly number[]): number {
  return pids.reduce((sum, pid) => sum + cpuSeconds(pid), 0);
}

/** Peak resident memory (VmHWM) in MiB. */
export function peakRssMiB(pid: number): number {
  const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) / 1024 : Number.NaN;
}

/** Current resident memory (VmRSS) in MiB. */
export function rssMiB(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) / 1024 : Number.NaN;
}

/** The soft limit on open files (`ulimit -n`): every socket takes one. */
export function openFilesLimit(pid: number | 'self'): number {
  const match = /^Max open files\s+(\d+|unlimited)/m.exec(readFileSync(`/proc/${pid}/limits`, 'utf8'));
  return !match || match[1] === 'unlimited' ? Number.POSITIVE_INFINITY : Number(match[1]);
}

/** Jiffies the whole machine has spent busy and in all since boot, from /proc/stat's `cpu` line. */
export function machineCpu(): { busy: number; total: number } {
  // user nice system idle iowait irq softirq steal (guest time is counted in user already).
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1, 9).map(Number);
  const total = fields.reduce((sum, n) => sum + n, 0);
  return { busy: total - fields[3]! - fields[4]!, total };
}

/**
 * The share of all the machine's cores that was busy since `before`, whoever used it: on a small
 * machine shared by server, database and load generator, near 1 means every figure meanwhile
 * includes waiting for a core.
 */
export function machineBusySince(before: { busy: number; total: number }): number {
  const now = machineCpu();
  return (now.busy - before.busy) / Math.max(1, now.total - before.total);
}
