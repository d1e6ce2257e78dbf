/**
 * The account's security end to end: Chromium on the development gateway's origin, auth-service
 * writing its mail to files. One person signs up, verifies the address by the mailed link, finds
 * their sessions on the Security page, changes the password (which ends their other device's
 * session), turns two-factor authentication on with the key the page shows (the codes computed
 * here, as an authenticator app does) and the password, logs in with a code, then forgets the
 * password and sets a new one by the mailed link, logging in with a recovery code. Every wait is
 * on the page.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Locator, Page, Request } from 'playwright-core';
import { Secret, TOTP } from 'otpauth';
import { privateMailOutbox } from '@murmur/auth-service/testing';
import { newPerson, shows, signUp, type Person } from './actions.js';
import { launchBrowser, newUserContext, screenshot } from './browser.js';
import { mailedLink } from './mail.js';
import { startStack, type Stack } from './stack.js';

const TOTP_PERIOD_MS = 30_000;

/** The authenticator app: the code of `secret` for the time step of `timestampMs`. */
const codeAt = (secret: string, timestampMs: number) =>
  new TOTP({ secret: Secret.fromBase32(secret), algorithm: 'SHA1', digits: 6, period: TOTP_PERIOD_MS / 1000 }).generate({ timestamp: timestampMs });
const stepOf = (timestampMs: number) => Math.floor(timestampMs / TOTP_PERIOD_MS);

describe('account security in a browser: sessions, password, two-factor, mailed links', () => {
  let stack: Stack;
  let browser: Browser;
  const person: Person = newPerson('sec');
  const email = `${person.username}@example.com`;
  let page: Page;
  /** The person's other device, logged in too until the password changes. */
  let otherDevice: Page;
  let totpSecret = '';
  /** The time step of the last code the server accepted: each step works once. */
  let lastStep = 0;
  let recoveryCodes: string[] = [];

  const button = (scope: Page | Locator, name: string) => scope.getByRole('button', { name, exact: true });
  const sessionsList = () => page.getByRole('list', { name: 'Sessions' });
  const openSecurity = async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings', exact: true }).click();
    await page.getByRole('link', { name: 'Password, sessions and two-factor authentication' }).click();
    await page.getByRole('heading', { name: 'Security', exact: true }).waitFor();
  };
  const logOut = async () => {
    await button(page, 'Log out').click();
    await page.getByRole('heading', { name: 'Log in to murmur' }).waitFor();
  };
  const enterPassword = async (password: string) => {
    await page.getByLabel('Username or email').fill(person.username);
    await page.getByLabel('Password').fill(password);
    await button(page, 'Log in').click();
  };

  before(async () => {
    // Its own outbox: the test run's other auth-services would otherwise deliver its mail.
    stack = await startStack({ DATABASE_URL: await privateMailOutbox() });
    browser = await launchBrowser();
    page = await (await newUserContext(browser, stack.url)).newPage();
    otherDevice = await (await newUserContext(browser, stack.url)).newPage();
    await signUp(page, person);
  });
  after(async () => {
    await browser?.close();
    await stack?.close();
  });

  it('the Security page lists the sessions and verifies the address by the mailed link', async () => {
    await openSecurity();
    await shows(page.getByRole('region', { name: 'Email address' }), 'is not verified yet');
    const thisDevice = sessionsList().getByRole('listitem').filter({ hasText: 'This device' });
    await shows(thisDevice, 'Chrome on Linux');
    await button(thisDevice, 'End session').waitFor();

    const link = await mailedLink(stack.mailDir, email, 'verify-email');
    assert.equal(link.origin, new URL(stack.url).origin, 'the link opens the client the mail came from');
    await page.goto(link.href);
    await shows(page.getByRole('status'), 'Your email address is verified.');
    assert.equal(new URL(page.url()).search, '', 'the token is gone from the address bar');
    await openSecurity();
    await shows(page.getByRole('region', { name: 'Email address' }), 'is verified');
  });

  it('changing the password needs the current one and a strong one, and ends the other sessions', async () => {
    await otherDevice.goto('/login');
    await otherDevice.getByLabel('Username or email').fill(person.username);
    await otherDevice.getByLabel('Password').fill(person.password);
    await button(otherDevice, 'Log in').click();
    await button(otherDevice, 'Log out').waitFor();
    await page.reload();
    await sessionsList().getByRole('listitem').nth(1).waitFor();

    const form = page.getByRole('region', { name: 'Change password' });
    const change = async (current: string, next: string) => {
      await form.getByLabel('Current password').fill(current);
      await form.getByLabel('New password').fill(next);
      await form.getByLabel('Confirm password').fill(next);
      await button(form, 'Change password').click();
    };
    await change('not my password at all', 'a brand new passphrase');
    await shows(form.getByRole('alert'), 'That is not your current password.');
    await change(person.password, 'qwerty123456');
    await shows(form.getByRole('alert'), 'most common passwords');
    await change(person.password, 'short');
    await shows(form.getByRole('alert'), 'at least 12 characters');

    const oldPassword = person.password;
    person.password = 'tide tables at the harbour wall';
    await change(oldPassword, person.password);
    await shows(form.getByRole('status'), 'Every other session has ended');
    // The list, read again, has this device alone; the other is logged out at its next request.
    const rows = sessionsList().getByRole('listitem');
    await rows.nth(1).waitFor({ state: 'detached' });
    assert.equal(await rows.count(), 1);
    await shows(rows, 'This device');
    await screenshot(page, 'security');
    await otherDevice.goto('/settings');
    await otherDevice.getByRole('heading', { name: 'Log in to murmur' }).waitFor();
  });

  it('two-factor authentication: set up from the key shown, recovery codes shown once, a code asked at login', async () => {
    const section = page.getByRole('region', { name: 'Two-factor authentication' });
    await button(section, 'Set up two-factor authentication').click();
    await section.getByRole('img', { name: 'QR code for your authenticator app' }).waitFor();
    totpSecret = (await section.getByLabel('Setup key').inputValue()).replace(/\s/g, '');
    await screenshot(page, 'two-factor-setup');

    const now = Date.now();
    await section.getByLabel('Code from the app').fill(codeAt(totpSecret, now));
    // Turning it on takes the password again, so a session left open is not enough.
    await section.getByLabel('Your password').fill(person.password);
    await button(section, 'Turn on two-factor authentication').click();
    lastStep = stepOf(now);
    const codes = section.getByRole('list', { name: 'Recovery codes' }).getByRole('listitem');
    await codes.first().waitFor();
    recoveryCodes = (await codes.allTextContents()).map((code) => code.trim());
    assert.equal(recoveryCodes.length, 10);
    assert.equal(new Set(recoveryCodes).size, 10);
    await section.getByRole('link', { name: 'Download codes' }).waitFor();
    await button(section, 'I have saved my codes').click();
    await shows(section, 'You have 10 recovery codes left.');
    assert.equal(await section.getByRole('list', { name: 'Recovery codes' }).count(), 0, 'the codes are shown once');

    // A wrong password first: the owner is told of the failures at the next login.
    await logOut();
    await enterPassword('a wrong guess at the password');
    await shows(page.getByRole('alert'), 'wrong login or password');
    await enterPassword(person.password);
    const code = page.getByLabel('Authentication code');
    await code.waitFor();
    assert.equal(await code.getAttribute('inputmode'), 'numeric');
    assert.equal(await code.getAttribute('autocomplete'), 'one-time-code');
    // The field the person was just asked for has the focus.
    await code.and(page.locator(':focus')).waitFor();
    await screenshot(page, 'login-code');

    // A code of none of the accepted steps is refused, and counts as a failure too.
    const accepted = [-1, 0, 1].map((skew) => codeAt(totpSecret, Date.now() + skew * TOTP_PERIOD_MS));
    const wrong = ['000000', '111111', '222222', '333333'].find((guess) => !accepted.includes(guess))!;
    await code.fill(wrong);
    await button(page, 'Log in').click();
    await shows(page.getByRole('alert'), 'That code did not work');

    // The app's next code: the step the setup used is spent, and the server accepts one step ahead.
    lastStep += 1;
    await code.fill(codeAt(totpSecret, lastStep * TOTP_PERIOD_MS));
    await button(page, 'Log in').click();
    await button(page, 'Log out').waitFor();
    // The wrong current password on the Security page, the wrong password and the wrong code.
    await shows(page.getByRole('alert'), '3 failed login attempts since your last login.');
  });

  it('a forgotten password: the mailed link sets a new one, once; a recovery code stands in for the app', async () => {
    await logOut();
    await page.getByRole('link', { name: 'Forgot password?' }).click();
    await page.getByLabel('Email').fill(email);
    await button(page, 'Send reset link').click();
    await shows(page.getByRole('status'), `If an account has the address ${email}`);

    const link = await mailedLink(stack.mailDir, email, 'reset-password');
    const token = link.searchParams.get('token')!;
    // Nothing the page asks for after opening the link carries the token, in its address or Referer.
    const leaks: string[] = [];
    const watch = async (request: Request) => {
      if (request.isNavigationRequest() && request.frame() === page.mainFrame() && request.url() === link.href) return;
      const referer = (await request.headerValue('referer')) ?? '';
      if (request.url().includes(token) || referer.includes(token)) leaks.push(request.url());
    };
    page.on('request', watch);
    await page.goto(link.href);
    await page.getByRole('heading', { name: 'Set a new password' }).waitFor();
    assert.equal(new URL(page.url()).search, '', 'the token is gone from the address bar');

    person.password = 'a quiet street by the river';
    await page.getByLabel('New password').fill(person.password);
    await page.getByLabel('Confirm password').fill(person.password);
    await button(page, 'Set new password').click();
    await shows(page.getByRole('status'), 'Your new password is set');
    page.off('request', watch);
    assert.deepEqual(leaks, []);

    // The same link again: spent.
    await page.goto(link.href);
    await page.getByLabel('New password').fill('another new passphrase');
    await page.getByLabel('Confirm password').fill('another new passphrase');
    await button(page, 'Set new password').click();
    await shows(page.getByRole('alert'), 'This link does not work');
    await page.getByRole('link', { name: 'Ask for a new link' }).waitFor();

    await page.goto('/login');
    await enterPassword(person.password);
    await button(page, 'Use a recovery code instead').click();
    await page.getByLabel('Recovery code').fill(recoveryCodes[0]!);
    await button(page, 'Log in').click();
    await button(page, 'Log out').waitFor();
    await openSecurity();
    await shows(page.getByRole('region', { name: 'Two-factor authentication' }), 'You have 9 recovery codes left.');
  });
});
