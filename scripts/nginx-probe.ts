/**
 * Where nginx is, for the test of the production gateway (gateway/nginx.conf run by real nginx).
 * The test runner leaves that test out with a notice when there is none, as it does the Redis
 * tests, so `npm test` still runs on a machine with nothing but Node.js; CI installs nginx.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { executable } from './executable.js';

/** Debian installs nginx in /usr/sbin, which is not on every user's PATH. */
const EXTRA_DIRS = ['/usr/sbin', '/usr/local/sbin'];

const runs = (binary: string) => spawnSync(binary, ['-v'], { stdio: 'ignore' }).status === 0;

/** The nginx binary: `configured` (TEST_NGINX) when given, which must run; otherwise the first on PATH or in /usr/sbin. */
export function findNginx(configured: string | undefined, searchPath = ''): string | undefined {
  if (configured) {
    if (!runs(configured)) throw new Error(`TEST_NGINX=${configured}: it does not run`);
    return configured;
  }
  const dirs = [...searchPath.split(path.delimiter).filter(Boolean), ...EXTRA_DIRS];
  return dirs.map((dir) => path.join(dir, 'nginx')).find((file) => executable(file) && runs(file));
}
