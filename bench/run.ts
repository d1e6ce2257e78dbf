/**
 * `npm run bench`: every hot path against its baseline, in one run on one machine, so each
 * figure is a ratio that holds on a noisy machine. `--quick` runs a reduced version.
 */
import path from 'node:path';
import { REPO_ROOT } from '../scripts/repo-paths.js';
import { BenchEnv } from './lib/bench-env.js';
import { machineDescription, printTable, writeResults, type ResultRow } from './lib/report.js';
import { fanoutScenario, idleScenario } from './scenarios/fanout.js';
import { followScenario } from './scenarios/follows.js';
import { loginScenario } from './scenarios/logins.js';
import { timelineScenario } from './scenarios/timeline.js';
import { tokenCheckScenario } from './scenarios/token-check.js';

const quick = process.argv.includes('--quick');
const profileFlag = process.argv.indexOf('--profile');
const profileDir = profileFlag >= 0 ? process.argv[profileFlag + 1] : undefined;

async function main(): Promise<void> {
  console.log(`murmur benchmark${quick ? ' (quick)' : ''} on ${machineDescription()}\n`);
  const rows: ResultRow[] = [];
  const env = await BenchEnv.open();
  env.profileDir = profileDir;
  try {
    rows.push(...(await tokenCheckScenario(env, quick ? 2_000 : 20_000)));
    rows.push(...(await loginScenario(env, { durationMs: quick ? 2_000 : 10_000, concurrency: 8 })));
    rows.push(...(await followScenario(env, { durationMs: quick ? 2_000 : 10_000, connections: 50, users: 2_000 })));
    rows.push(
      ...(await timelineScenario(
        env,
        quick ? { posts: 50_000, authors: 2_000, followed: 200, requests: 200 } : { posts: 1_000_000, authors: 10_000, followed: 1_000, requests: 2_000 },
      )),
    );
    rows.push(
      ...(await fanoutScenario(
        env,
        quick
          ? { connections: 200, senders: 10, messagesPerSecondPerSender: 10, durationMs: 2_000 }
          : { connections: 1_000, senders: 40, messagesPerSecondPerSender: 10, durationMs: 20_000 },
      )),
    );
    rows.push(...(await idleScenario(env, quick ? 1_000 : 15_000)));
  } finally {
    await env.close();
  }
  console.log('');
  printTable(rows);
  const file = writeResults(path.join(REPO_ROOT, 'bench/results'), rows, { quick, command: `npm run bench${quick ? ' -- --quick' : ''}` });
  console.log(`\nresults written to ${path.relative(REPO_ROOT, file)}`);
}

main().catch((err: unknown) => {
  console.error('benchmark failed:', err);
  process.exit(1);
});
