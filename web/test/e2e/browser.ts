/**
 * The browser: the machine's Chromium (TEST_CHROMIUM, which the test runner sets, else Debian's),
 * never a downloaded one, headless and without its sandbox, which refuses to run as root (CI).
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

/** Git-ignored: the run's pictures of the main pages, to look at, never compared. */
export const SCREENSHOT_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../.data/screenshots');

export const VIEWPORT = { width: 1280, height: 800 };

/** Long enough for a busy two-core machine; Playwright's own default (30 s) would hide a hang. */
export const WAIT_MS = 10_000;

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: process.env.TEST_CHROMIUM ?? '/usr/bin/chromium', headless: true, args: ['--no-sandbox'] });
}

/** A fresh context (its own cookies: one user) on the gateway's origin. */
export async function newUserContext(browser: Browser, baseURL: string): Promise<BrowserContext> {
  const context = await browser.newContext({ baseURL, viewport: VIEWPORT });
  context.setDefaultTimeout(WAIT_MS);
  return context;
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`) });
}
