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
import { freePort } from '@murmur/shared/testing';
import { findChromium } from './chromium-probe.js';
import { databaseUrl, dropDatabase, startEmbeddedPostgres, withAdminClient, type LocalPostgres } from './local-postgres.js';
import { findNginx } from './nginx-probe.js';
import { DEFAULT_REDIS_URL, redisAnswers } from './redis-probe.js';
import { canStartRedisCluster, startRedisCluster, type LocalRedisCluster } from './redis-cluster.js';
import { REPO_ROOT } from './repo-paths.js';

const PACKAGES = ['shared', 'auth-service', 'user-service', 'ws-service', 'gateway'];
/**
 * Tests compiled elsewhere than `<pkg>/dist/test`: the benchmark's, the documentation's (in
 * scripts/test), and web's node-side ones (web/dist is the browser build, which Vite empties on
 * every build).
 */
const EXTRA_TEST_DIRS = ['dist-tools/bench/test', 'dist-tools/scripts/test', 'web/dist-test/test'];

function testFiles(): string[] {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.test.js')) files.push(full);
    }
  };
  const dirs = [...PACKAGES.map((pkg) => path.join(REPO_ROOT, pkg, 'dist/test')), ...EXTRA_TEST_DIRS.map((dir) => path.join(REPO_ROOT, dir))];
  for (const dir of dirs) if (existsSync(dir)) walk(dir);
  // Extra arguments narrow the run: `npm test -- follows` runs files whose path contains "follows".
  const filters = process.argv.slice(2);
  return files.filter((f) => filters.length === 0 || filters.some((word) => f.includes(word))).sort();
}

/** Tests that need a Redis server: several ws-service instances, and live events, through Redis. */
const REDIS_TEST_FILES = /(cluster|live-events|redis-cluster)\.test\.js$/;
/** Tests that also run on a three-master Redis Cluster (sharded pub/sub). */
const REDIS_CLUSTER_TEST_FILES = /(live-events|redis-cluster)\.test\.js$/;

/**
 * The Redis the cluster tests use. With TEST_REDIS_URL set it must answer (CI sets it, so the
 * cluster tests always run there); without it, a local Redis is used when one answers, and the
 * cluster tests are left out with a notice when none does, so `npm test` still works on a
 * machine with nothing but Node.js.
 */
async function resolveTestRedis(): Promise<string | undefined> {
  const configured = process.env.TEST_REDIS_URL;
  if (configured) {
    if (!(await redisAnswers(configured))) throw new Error(`TEST_REDIS_URL=${configured}: Redis does not answer`);
    return configured;
  }
  return (await redisAnswers(DEFAULT_REDIS_URL)) ? DEFAULT_REDIS_URL : undefined;
}

/**
 * The Redis Cluster the cluster tests use: TEST_REDIS_CLUSTER_NODES if set, else one started here
 * for the run (three masters on free ports). In CI (CI=true) it must start, so those tests always
 * run there; elsewhere, without redis-server, they are left out with a notice.
 */
async function resolveTestRedisCluster(): Promise<{ nodes: string; cluster?: LocalRedisCluster } | undefined> {
  const configured = process.env.TEST_REDIS_CLUSTER_NODES;
  if (configured) return { nodes: configured };
  if (!canStartRedisCluster()) {
    if (process.env.CI === 'true') throw new Error('CI is set but redis-server is not installed: a Redis Cluster cannot be started');
    return undefined;
  }
  const cluster = await startRedisCluster();
  return { nodes: cluster.nodes, cluster };
}

/** The test of the production gateway: real nginx with gateway/nginx.conf. */
const NGINX_TEST_FILES = /nginx\.test\.js$/;

/**
 * The nginx the production gateway's test runs: TEST_NGINX if set, else one on PATH or in
 * /usr/sbin. In CI (CI=true) it must be there, so that test always runs there.
 */
function resolveTestNginx(): string | undefined {
  const nginx = findNginx(process.env.TEST_NGINX, process.env.PATH);
  if (!nginx && process.env.CI === 'true') throw new Error('CI is set but nginx is not installed: .ci/run installs it');
  return nginx;
}

/** The end-to-end tests: the built web client in Chromium, through the development gateway. */
const E2E_TEST_FILES = /[\\/]e2e[\\/][^\\/]+\.test\.js$/;

/**
 * The Chromium the end-to-end tests drive: TEST_CHROMIUM if set, else Debian's. In CI
 * (CI=true) it must be there, so those tests always run there.
 */
function resolveTestChromium(): string | undefined {
  const chromium = findChromium(process.env.TEST_CHROMIUM);
  if (!chromium && process.env.CI === 'true') throw new Error('CI is set but Chromium is not installed: .ci/run installs it');
  return chromium;
}

/** `files` without those matching `pattern`, saying which were left out and why. */
function leaveOut(files: string[], pattern: RegExp, why: string, what: string): string[] {
  const left = files.filter((f) => pattern.test(f));
  if (left.length > 0) {
    console.log(`NOTICE: ${why};`);
    console.log(`NOTICE: left out ${left.map((f) => path.relative(REPO_ROOT, f)).join(', ')} (${what})`);
  }
  return files.filter((f) => !pattern.test(f));
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
  let redisCluster: LocalRedisCluster | undefined;
  try {
    await withAdminClient(adminUrl, (client) => client.query(`CREATE DATABASE ${name}`));
    const url = databaseUrl(adminUrl, name);
    await applyMigrations(url);
    const redisUrl = await resolveTestRedis();
    const cluster = redisUrl ? await resolveTestRedisCluster() : undefined;
    redisCluster = cluster?.cluster;
    const nginx = resolveTestNginx();
    const chromium = resolveTestChromium();
    let files = testFiles();
    if (!redisUrl) files = leaveOut(files, REDIS_TEST_FILES, `no Redis answers at ${DEFAULT_REDIS_URL} and TEST_REDIS_URL is not set`, 'ws-service across instances');
    if (redisUrl && !cluster) files = leaveOut(files, REDIS_CLUSTER_TEST_FILES, 'redis-server is not installed, so no Redis Cluster can be started', 'ws-service on a Redis Cluster');
    if (!nginx) files = leaveOut(files, NGINX_TEST_FILES, 'nginx is not installed (apt-get install nginx)', 'the production gateway');
    if (!chromium) files = leaveOut(files, E2E_TEST_FILES, 'Chromium is not installed (apt-get install chromium)', 'the web client in a browser');
    const tools = [nginx, chromium].filter(Boolean).join(' and ');
    const redis = `${redisUrl ? ` and Redis ${redisUrl}` : ''}${cluster ? ` and a Redis Cluster at ${cluster.nodes}` : ''}`;
    console.log(`running ${files.length} test files against database ${name}${redis}${tools ? ` with ${tools}` : ''}`);
    return await runNodeTest(files, {
      DATABASE_URL: url,
      NODE_ENV: 'test',
      ...(redisUrl ? { TEST_REDIS_URL: redisUrl } : {}),
      ...(cluster ? { TEST_REDIS_CLUSTER_NODES: cluster.nodes } : {}),
      ...(nginx ? { TEST_NGINX: nginx } : {}),
      ...(chromium ? { TEST_CHROMIUM: chromium } : {}),
    });
  } finally {
    await dropDatabase(adminUrl, name).catch((err: unknown) => console.error('could not drop the test database:', err));
    if (redisCluster) await redisCluster.stop();
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
