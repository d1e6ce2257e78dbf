/**
 * What `docker build .` sends: the build context holds everything the Dockerfile builds from, and
 * nothing secret. No docker is needed: the context is computed as docker computes it, by applying
 * .dockerignore (with @balena/dockerignore, a port of docker's own matcher) to every file of the
 * working tree, tracked or not, and to the secrets a deployment keeps beside the sources.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import dockerignoreModule from '@balena/dockerignore';
import { REPO_ROOT } from '../repo-paths.js';

/**
 * Files a deployment or a developer keeps in the tree, present or not on this machine: the signing
 * keys docker-compose.yml mounts, git's own files, `npm start`'s state (its development keys and
 * database), environment files, and keys dropped into a package.
 */
const PLANTED_SECRETS = [
  'keys/jwt-private.pem',
  'keys/jwt-public.pem',
  '.git/config',
  '.git/HEAD',
  '.data/keys/jwt-private.pem',
  '.data/postgres/PG_VERSION',
  '.data/screenshots/login.png',
  '.env',
  '.env.production',
  'auth-service/.env',
  'auth-service/.env.local',
  'auth-service/keys/jwt-private.pem',
  'shared/src/auth/dev.pem',
  'gateway/tls/murmur.key',
];

/** What no image may hold, wherever it sits in the tree. */
const SECRET = /(^|\/)(\.git|\.data|keys)\/|(^|\/)\.env(\.[^/]*)?$|\.(pem|key)$/;
/** What the build makes or installs again: a copy from the tree would be stale or the wrong platform's. */
const GENERATED = /(^|\/)(node_modules|dist|dist-test|dist-tools)\//;

/** Tracked files the image's build does not need, each for its reason. */
const LEFT_OUT_ON_PURPOSE: Array<{ path: RegExp; why: string }> = [
  { path: /^(README\.md|docs\/)/, why: 'documentation, for people' },
  { path: /^\.ci\//, why: 'the CI script, run on the CI machine' },
  { path: /^bench\/results\//, why: 'benchmark results' },
  { path: /^(Dockerfile|\.dockerignore|docker-compose\.yml)$/, why: 'how images are built and run (docker reads the first two itself)' },
  { path: /^(\.gitignore|eslint\.config\.js|drizzle\.config\.ts)$/, why: 'development tools that the build does not run' },
];

/** What the Dockerfile's RUN steps read beside what it COPYs: the page nginx serves when the web client is not built. */
const READ_BY_THE_BUILD = ['gateway/not-built.html'];

function gitFiles(...args: string[]): string[] {
  const listed = execFileSync('git', ['ls-files', '-z', ...args], { cwd: REPO_ROOT, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  return listed.split('\0').filter((file) => file && existsSync(path.join(REPO_ROOT, file)));
}

/** Every file of the working tree, tracked or untracked, ignored by git or not, and the planted secrets. */
function treeFiles(): string[] {
  return [...new Set([...gitFiles('--cached', '--others'), ...PLANTED_SECRETS])].sort();
}

// A CommonJS package typed as an ES module: under NodeNext its factory is the default's `default`
// (the package sets both, so this is the same function at run time).
const matcher = dockerignoreModule.default().add(readFileSync(path.join(REPO_ROOT, '.dockerignore'), 'utf8').split('\n'));
const inContext = (file: string) => !matcher.ignores(file);
const context = treeFiles().filter(inContext);

/** The sources of the Dockerfile's COPY instructions that copy from the context (not `--from` a stage). */
function dockerfileCopySources(): string[] {
  const instructions = readFileSync(path.join(REPO_ROOT, 'Dockerfile'), 'utf8')
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => /^COPY\s/i.test(line));
  return instructions.flatMap((instruction) => {
    const args = instruction.split(/\s+/).slice(1);
    if (args.some((arg) => arg.startsWith('--from='))) return [];
    const paths = args.filter((arg) => !arg.startsWith('--'));
    return paths.slice(0, -1);
  });
}

/** The context folded by folder, two levels deep, for the test's output. */
function contextOutline(files: string[]): string[] {
  const counts = new Map<string, number>();
  for (const file of files) {
    const parts = file.split('/');
    const key = parts.length === 1 ? file : `${parts.slice(0, Math.min(2, parts.length - 1)).join('/')}/`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].map(([key, count]) => (key.endsWith('/') ? `${key} (${count} ${count === 1 ? 'file' : 'files'})` : key));
}

test('the build context holds no key, no .git, no .data and no environment file', (t) => {
  t.diagnostic(`the build context: ${context.length} files`);
  for (const line of contextOutline(context)) t.diagnostic(`  ${line}`);
  for (const secret of PLANTED_SECRETS) assert.ok(!inContext(secret), `${secret} is left out`);
  assert.deepEqual(
    context.filter((file) => SECRET.test(file)),
    [],
  );
});

test('the build context holds nothing the build installs or makes again', () => {
  assert.deepEqual(
    context.filter((file) => GENERATED.test(file)),
    [],
  );
});

test('the build context holds every tracked file but those the image does not need', () => {
  const tracked = gitFiles('--cached');
  const missing = tracked.filter((file) => !inContext(file) && !LEFT_OUT_ON_PURPOSE.some(({ path: left }) => left.test(file)));
  assert.deepEqual(missing, [], 'tracked files left out of the context: the build would not see them');
  for (const { path: left, why } of LEFT_OUT_ON_PURPOSE) {
    assert.deepEqual(
      tracked.filter((file) => left.test(file) && inContext(file)),
      [],
      `left out: ${why}`,
    );
  }
});

test('every COPY of the Dockerfile, and every file its build reads, is inside the context', () => {
  const sources = dockerfileCopySources();
  assert.ok(sources.includes('.'), 'the Dockerfile copies the context');
  assert.ok(sources.some((source) => source.endsWith('package.json')), 'the Dockerfile copies the package files before `npm ci`');
  for (const source of [...sources, ...READ_BY_THE_BUILD]) {
    const normalized = path.posix.normalize(source).replace(/\/$/, '');
    const covered = normalized === '.' ? context.length > 0 : context.some((file) => file === normalized || file.startsWith(`${normalized}/`));
    assert.ok(covered, `${source} is in the build context`);
  }
  // The workspaces the first COPY lines name are the ones package.json declares.
  const { workspaces } = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { workspaces: string[] };
  for (const workspace of workspaces) assert.ok(sources.includes(`${workspace}/package.json`), `the Dockerfile copies ${workspace}/package.json`);
});

test('docker-compose.yml gives the private signing key to auth-service alone', () => {
  const compose = readFileSync(path.join(REPO_ROOT, 'docker-compose.yml'), 'utf8');
  // A service's block runs from its name, indented by two spaces under `services:`, to the next one.
  const services = compose.slice(compose.indexOf('\nservices:\n'));
  const blocks = services.split(/\n(?= {2}[\w-]+:\n)/).slice(1);
  const holders = blocks.filter((block) => /jwt-private|JWT_PRIVATE_KEY/.test(block)).map((block) => block.trim().split(':')[0]);
  assert.deepEqual(holders, ['auth-service']);
  assert.doesNotMatch(compose.slice(0, compose.indexOf('\nservices:\n')), /jwt-private|JWT_PRIVATE_KEY/, 'nothing shared names it');
  const verifiers = blocks.filter((block) => /jwt-public\.pem:\/run\/keys/.test(block)).map((block) => block.trim().split(':')[0]);
  assert.deepEqual(verifiers.sort(), ['user-service', 'ws-service']);
});
