/**
 * The documentation stays true to the repository: every relative link (and its #anchor) resolves,
 * every repository path it names in backticks exists, and it stays readable (README.md a front
 * door, lines within 100 characters outside tables).
 */
import assert from 'node:assert/strict';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { REPO_ROOT } from '../repo-paths.js';
import { anchors, codeSpans, docFiles, links, readDoc, repositoryPaths, splitFences } from './markdown.js';

const README_MAX_LINES = 150;
const MAX_LINE_CHARS = 100;

/** Extensions that make a backticked name a file of the repository. */
const FILE_EXTENSIONS = /\.(ts|tsx|js|mjs|json|md|conf|ya?ml|html|css|sql|png|sh)$/;
/** Folders that hold what a build or a run writes, never tracked: a path through them is not checked. */
const GENERATED = /^(dist[\w-]*|node_modules|\.data)$/;

const repo = repositoryPaths();
const topLevel = new Set([...repo.files, ...repo.dirs].map((p) => p.split('/')[0]!));

/**
 * The repository path a code span names, if it names one: a path under one of the repository's
 * top-level entries (`gateway/nginx.conf`, `.ci/run`), a file name with a known extension
 * (`hub.ts`, `ws/close-codes.ts`), or a folder (`routes/`). Commands, URLs, placeholders and
 * paths through build output are not paths to check.
 */
export function namedPath(span: string): string | undefined {
  const value = span.replace(/^\.\//, '');
  if (!/^[\w.@-]+(\/[\w.@-]+)*\/?$/.test(value) || value.startsWith('@')) return undefined;
  const segments = value.replace(/\/$/, '').split('/');
  if (segments.some((segment) => GENERATED.test(segment))) return undefined;
  const underTopLevel = topLevel.has(segments[0]!) && (segments.length > 1 || value.endsWith('/') || FILE_EXTENSIONS.test(value));
  if (underTopLevel || FILE_EXTENSIONS.test(value) || (value.endsWith('/') && !value.startsWith('.'))) return value;
  return undefined;
}

/** Whether `named` exists: exactly, from the root, when it starts at a top-level entry; else as the end of a path. */
export function pathExists(named: string): boolean {
  const wanted = named.replace(/\/$/, '');
  const isDir = named.endsWith('/');
  const pool = isDir ? repo.dirs : new Set([...repo.files, ...repo.dirs]);
  if (topLevel.has(wanted.split('/')[0]!)) return pool.has(wanted) || (!isDir && repo.files.has(wanted));
  const ends = (p: string) => p === wanted || p.endsWith(`/${wanted}`);
  if ([...pool].some(ends)) return true;
  // A compiled module is named by its output (`main.js`): its source is the .ts beside it.
  return wanted.endsWith('.js') && [...repo.files].some((p) => ends(p.replace(/\.tsx?$/, '.js')));
}

test('every relative link in README.md and docs/ reaches an existing file, and its #anchor a heading there', () => {
  const broken: string[] = [];
  for (const file of docFiles()) {
    for (const { line, value } of links(readDoc(file))) {
      if (/^[a-z]+:/i.test(value)) continue; // http:, https:, mailto:
      const [target = '', anchor] = value.split('#');
      const resolved = target === '' ? file : path.posix.normalize(path.posix.join(path.posix.dirname(file), target));
      const full = path.join(REPO_ROOT, resolved);
      if (!existsSync(full)) {
        broken.push(`${file}:${line}: ${value} (no ${resolved})`);
        continue;
      }
      if (anchor !== undefined && statSync(full).isFile() && resolved.endsWith('.md') && !anchors(readDoc(resolved)).has(anchor)) {
        broken.push(`${file}:${line}: ${value} (no heading #${anchor} in ${resolved})`);
      }
    }
  }
  assert.deepEqual(broken, [], `broken links:\n  ${broken.join('\n  ')}`);
});

test('every repository path named in backticks in README.md and docs/ exists', () => {
  const missing: string[] = [];
  for (const file of docFiles()) {
    const markdown = readDoc(file);
    const named: { line: number; value: string }[] = codeSpans(markdown).flatMap(({ line, value }) => {
      const p = namedPath(value);
      return p ? [{ line, value: p }] : [];
    });
    // In code blocks (layouts, commands), the words that start at a top-level folder.
    for (const { line, text } of splitFences(markdown).code) {
      for (const word of text.split(/[\s"'`(),;:]+/)) {
        const p = namedPath(word);
        if (p && topLevel.has(p.split('/')[0]!) && p.includes('/')) named.push({ line, value: p });
      }
    }
    for (const { line, value } of named) if (!pathExists(value)) missing.push(`${file}:${line}: ${value}`);
  }
  assert.deepEqual(missing, [], `paths that do not exist:\n  ${missing.join('\n  ')}`);
});

test('the path check recognises repository paths and leaves commands, URLs and build output alone', () => {
  assert.equal(namedPath('ws-service/src/protocol.ts'), 'ws-service/src/protocol.ts');
  assert.equal(namedPath('gateway/nginx.conf'), 'gateway/nginx.conf');
  assert.equal(namedPath('routes/'), 'routes/');
  assert.equal(namedPath('hub.ts'), 'hub.ts');
  for (const notAPath of ['npm test', 'application/json', '/api/auth/login', 'web/dist/assets', 'bench/results/<date>.json', '@murmur/shared/auth', 'ws://x']) {
    assert.equal(namedPath(notAPath), undefined, notAPath);
  }
  assert.equal(pathExists('ws-service/src/protocol.ts'), true);
  assert.equal(pathExists('ws/close-codes.ts'), true);
  assert.equal(pathExists('ws-service/src/no-such-file.ts'), false);
  assert.equal(pathExists('gateway/no-such-folder/'), false);
});

test(`README.md stays a front door of at most ${README_MAX_LINES} lines`, () => {
  const lines = readDoc('README.md').trimEnd().split('\n').length;
  assert.ok(lines <= README_MAX_LINES, `README.md has ${lines} lines; move detail into docs/`);
});

test(`lines of README.md and docs/ stay within ${MAX_LINE_CHARS} characters, tables and images aside`, () => {
  const long: string[] = [];
  for (const file of docFiles()) {
    readDoc(file)
      .split('\n')
      .forEach((text, i) => {
        if (/^\s*\||^!\[/.test(text)) return;
        if ([...text].length > MAX_LINE_CHARS) long.push(`${file}:${i + 1} (${[...text].length})`);
      });
  }
  assert.deepEqual(long, [], `lines over ${MAX_LINE_CHARS} characters:\n  ${long.join('\n  ')}`);
});
