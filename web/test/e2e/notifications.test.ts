/**
 * Notifications and the home timeline live, end to end: Chromium on the development gateway's
 * origin, the services behind it on the test database, each page holding its one live
 * connection. Bob follows Alice, mentions and likes her post; Alice's navigation counts each as
 * it happens, with no reload; her notifications page lists them, and opening it marks them read.
 * Alice's post reaches Bob's open home page behind "Show 1 new post". Every wait is on something
 * the page shows.
 */
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { uniqueName } from '@murmur/shared/testing';
import { action, follow, newPerson, openProfile, postIn, signedUpPage, writePost } from './actions.js';
import { launchBrowser, screenshot } from './browser.js';
import { startStack, type Stack } from './stack.js';

describe('notifications in a browser', () => {
  let stack: Stack;
  let browser: Browser;
  const alice = newPerson('alice');
  const bob = newPerson('bob');
  let alicePage: Page;
  let bobPage: Page;

  const navLink = (page: Page, name: string) => page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true });

  before(async () => {
    stack = await startStack();
    browser = await launchBrowser();
    [alicePage, bobPage] = await Promise.all([signedUpPage(browser, stack.url, alice), signedUpPage(browser, stack.url, bob)]);
  });
  after(async () => {
    await browser?.close();
    await stack?.close();
  });

  it('a follow, a mention and a like light the count in the other person\'s navigation live, show on the notifications page, and opening it marks them read', async () => {
    const text = `Tea on the harbour wall ${uniqueName('n')}`;
    await writePost(alicePage, alice, text);
    await navLink(alicePage, 'Notifications').waitFor();

    // Alice stays on her home page: the count changes under her eyes.
    await follow(bobPage, alice);
    await navLink(alicePage, 'Notifications (1)').waitFor();
    await writePost(bobPage, bob, `@${alice.username} see you at the harbour`);
    await navLink(alicePage, 'Notifications (2)').waitFor();
    await openProfile(bobPage, alice.username);
    const post = postIn(bobPage.getByRole('region', { name: `Posts by ${alice.username}` }), alice, text);
    await action(post, 'Like').click();
    await action(post, 'Unlike').waitFor();
    await navLink(alicePage, 'Notifications (3)').click();
    await alicePage.getByRole('heading', { name: 'Notifications', exact: true }).waitFor();
    await alicePage.getByText(`${bob.username} followed you`).waitFor();
    await alicePage.getByText(`${bob.username} mentioned you`).waitFor();
    await alicePage.getByText(`${bob.username} liked your post`).waitFor();
    await alicePage.getByRole('link', { name: text, exact: true }).waitFor();
    await navLink(alicePage, 'Notifications').waitFor();
    await screenshot(alicePage, 'notifications');

    // The like links to the post's page.
    await alicePage.getByRole('link', { name: text, exact: true }).click();
    await postIn(alicePage.locator('.main-post'), alice, text).waitFor();
  });

  it("a followed author's new post waits behind Show 1 new post on the reader's open home page", async () => {
    await bobPage.getByRole('link', { name: 'Home', exact: true }).click();
    const timeline = bobPage.getByRole('region', { name: 'Timeline' });
    await timeline.waitFor();
    const text = `Ferry at nine ${uniqueName('t')}`;
    await writePost(alicePage, alice, text);
    await bobPage.getByRole('button', { name: 'Show 1 new post', exact: true }).click();
    await postIn(timeline, alice, text).waitFor();
    await screenshot(bobPage, 'new-posts');
  });
});
