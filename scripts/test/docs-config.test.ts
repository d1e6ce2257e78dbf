/**
 * docs/configuration.md is what the services' config schemas say, and its table of the scripts'
 * variables is what the scripts read.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { CONFIGURATION_COMMAND, CONFIGURATION_DOC, renderConfigurationDoc, SCRIPT_VARIABLES } from '../config-doc.js';
import { REPO_ROOT } from '../repo-paths.js';

/** The sources of `npm start`, `npm test`, `npm run bench` and the end-to-end tests' browser. */
const SCRIPT_SOURCES = ['scripts', 'bench', 'web/test/e2e'];
/** Tests read what scripts/test.ts hands them; that is not a variable a person sets. */
const NOT_SCRIPTS = /(^|\/)(test\/.*\.test\.ts|scripts\/test\/)/;
/** Variables of the system rather than of murmur. */
const SYSTEM_VARIABLES = new Set(['PATH']);

function sourceFiles(dir: string): string[] {
  return readdirSync(path.join(REPO_ROOT, dir), { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => path.relative(REPO_ROOT, path.join(entry.parentPath, entry.name)).split(path.sep).join('/'))
    .filter((file) => !NOT_SCRIPTS.test(file) && !file.includes('node_modules'));
}

/** Each variable the scripts read by name (`process.env.NAME`), with the files that read it. */
function variablesReadByScripts(): Map<string, string[]> {
  const read = new Map<string, string[]>();
  for (const file of SCRIPT_SOURCES.flatMap(sourceFiles)) {
    const source = readFileSync(path.join(REPO_ROOT, file), 'utf8');
    for (const match of source.matchAll(/process\.env(?:\.([A-Z][A-Z0-9_]*)|\[['"]([A-Z][A-Z0-9_]*)['"]\])/g)) {
      const name = (match[1] ?? match[2])!;
      if (!SYSTEM_VARIABLES.has(name)) read.set(name, [...(read.get(name) ?? []), file]);
    }
  }
  return read;
}

test('docs/configuration.md is the one the config schemas generate', () => {
  const onDisk = readFileSync(path.join(REPO_ROOT, CONFIGURATION_DOC), 'utf8');
  assert.ok(onDisk === renderConfigurationDoc(), `${CONFIGURATION_DOC} differs from the config schemas: run \`${CONFIGURATION_COMMAND}\` and commit the result`);
});

test('every variable the scripts read is documented in docs/configuration.md', () => {
  const documented = new Set([...readFileSync(path.join(REPO_ROOT, CONFIGURATION_DOC), 'utf8').matchAll(/^\| `([A-Z][A-Z0-9_]*)`/gm)].map((m) => m[1]));
  const undocumented = [...variablesReadByScripts()].filter(([name]) => !documented.has(name)).map(([name, files]) => `${name} (${files.join(', ')})`);
  assert.deepEqual(undocumented, [], `add these to SCRIPT_VARIABLES in scripts/config-doc.ts, then run \`${CONFIGURATION_COMMAND}\``);
});

test('every variable of the scripts table is read by a script', () => {
  const read = variablesReadByScripts();
  const unread = SCRIPT_VARIABLES.map((v) => v.name).filter((name) => !read.has(name));
  assert.deepEqual(unread, [], 'these are documented in scripts/config-doc.ts but no script reads them');
});
