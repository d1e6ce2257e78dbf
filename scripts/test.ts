/**
 * `npm test` (after type-check and lint): runs every package's tests against a real PostgreSQL.
 * Uses TEST_DATABASE_URL if set, else an embedded server in a temporary folder; either way the
 * tests get a fresh database, migrated, which is dropped afterwards.
 */
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { applyMigrations } from '@murmur/shared/db';
import { databaseUrl, dropDatabase, freePort, startEmbeddedPostgres, withAdminClient, type LocalPostgres } from './local-postgres.js';
import { REPO_ROOT } from './repo-paths.js';

const PACKAGES = ['shared', 'auth-service', 'user-service', 'ws-service'];

function testFiles(): string[] {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.test.js')) files.push(full);
    }
  };
  const dirs = [...PACKAGES.map((pkg) => path.join(REPO_ROOT, pkg, 'dist/test')), path.join(REPO_ROOT, 'dist-tools/bench/test')];
  for (const dir of dirs) if (existsSync(dir)) walk(dir);
  // Extra arguments narrow the run: `npm test -- follows` runs files whose path contains "follows".
  const filters = process.argv.slice(2);
  return files.filter((f) => filters.length === 0 || filters.some((word) => f.includes(word))).sort();
}

function runNodeTest(files: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--test', '--test-reporter=spec', ...files], {
      env: { ...process.env, ...env },
      stdio: 'inherit',
    });
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

async function main(): Promise<number> {
  let embedded: LocalPostgres | undefined;
  let tempDir: string | undefined;
  let adminUrl = process.env.TEST_DATABASE_URL;
  if (!adminUrl) {
    tempDir = mkdtempSync(path.join(os.tmpdir(), 'murmur-test-pg-'));
    chmodSync(tempDir, 0o755); // the server may run as another user, who must reach its data dir
    embedded = await startEmbeddedPostgres({ dataDir: path.join(tempDir, 'data'), port: await freePort(), persistent: false });
    adminUrl = embedded.adminUrl;
  }
  const name = `murmur_test_${Date.now()}_${process.pid}`;
  try {
    await withAdminClient(adminUrl, (client) => client.query(`CREATE DATABASE ${name}`));
    const url = databaseUrl(adminUrl, name);
    await applyMigrations(url);
    const files = testFiles();
    console.log(`running ${files.length} test files against database ${name}`);
    return await runNodeTest(files, { DATABASE_URL: url, NODE_ENV: 'test' });
  } finally {
    await dropDatabase(adminUrl, name).catch((err: unknown) => console.error('could not drop the test database:', err));
    if (embedded) await embedded.stop();
    if (tempDir) rmSync(tempDir, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error('test run failed:', err);
    process.exit(1);
  },
);
