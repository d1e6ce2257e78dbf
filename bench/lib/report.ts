/** The benchmark's table and its JSON record. */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface ResultRow {
  scenario: string;
  /** What was measured: murmur's code path or a baseline. */
  subject: string;
  throughputPerSecond?: number;
  /** Unit of the throughput, e.g. "req/s", "deliveries/s". */
  unit?: string;
  p50Ms?: number;
  p99Ms?: number;
  cpuSeconds?: number;
  peakRssMiB?: number;
  /** murmur's figure divided by the baseline's, where a ratio makes sense. */
  ratio?: number;
  /** What the ratio or figure is measured against, e.g. "throughput vs raw pg". */
  ratioOf?: string;
  goal?: string;
  goalMet?: boolean;
  notes?: string[];
}

const fmt = (value: number | undefined, digits = 1) => (value === undefined || Number.isNaN(value) ? '' : value.toFixed(digits));

export function printTable(rows: ResultRow[]): void {
  const header = ['scenario', 'subject', 'throughput', 'p50 ms', 'p99 ms', 'cpu s', 'peak MiB', 'ratio', 'goal'];
  const lines = rows.map((r) => [
    r.scenario,
    r.subject,
    r.throughputPerSecond === undefined ? '' : `${fmt(r.throughputPerSecond, 0)} ${r.unit ?? '/s'}`,
    fmt(r.p50Ms, 2),
    fmt(r.p99Ms, 2),
    fmt(r.cpuSeconds, 2),
    fmt(r.peakRssMiB, 0),
    r.ratio === undefined ? '' : `${r.ratio.toFixed(2)}× ${r.ratioOf ?? ''}`.trim(),
    r.goal ? `${r.goalMet ? 'met' : 'NOT met'}: ${r.goal}` : '',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const format = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  console.log(format(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const line of lines) console.log(format(line));
  for (const r of rows) for (const note of r.notes ?? []) console.log(`note (${r.scenario}, ${r.subject}): ${note}`);
}

export function machineDescription(): string {
  const cpus = os.cpus();
  return `${cpus.length} × ${cpus[0]?.model.trim() ?? 'unknown CPU'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`;
}

/**
 * Writes bench/results/<date>[-partial][-quick].json and returns its path: a quick or partial
 * run (`--only`) never replaces a full run's record. Quick records end in -quick.json, which
 * git ignores.
 */
export function writeResults(resultsDir: string, rows: ResultRow[], extra: Record<string, unknown>): string {
  mkdirSync(resultsDir, { recursive: true });
  const date = new Date().toISOString().slice(0, 10);
  const file = path.join(resultsDir, `${date}${extra.partial ? '-partial' : ''}${extra.quick ? '-quick' : ''}.json`);
  writeFileSync(file, `${JSON.stringify({ date: new Date().toISOString(), machine: machineDescription(), ...extra, rows }, null, 2)}\n`);
  return file;
}
