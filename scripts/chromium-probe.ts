/**
 * Where Chromium is, for the end-to-end tests (web/test/e2e: the built client in a browser,
 * driven by playwright-core, which never downloads one). The test runner leaves those tests out
 * with a notice when there is none, as it does the Redis and nginx tests; CI installs Debian's.
 */
import { spawnSync } from 'node:child_process';
import { executable } from './executable.js';

/** Debian's package; other names are for a machine where it came from elsewhere. */
const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

const runs = (binary: string) => spawnSync(binary, ['--headless', '--version'], { stdio: 'ignore', timeout: 20_000 }).status === 0;

/** The browser: `configured` (TEST_CHROMIUM) when given, which must run; otherwise the first candidate that does. */
export function findChromium(configured: string | undefined): string | undefined {
  if (configured) {
    if (!runs(configured)) throw new Error(`TEST_CHROMIUM=${configured}: it does not run`);
    return configured;
  }
  return CANDIDATES.find((file) => executable(file) && runs(file));
}
