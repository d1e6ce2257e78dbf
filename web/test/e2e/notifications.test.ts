/**
 * Notifications end to end: Chromium on the development gateway's origin, the services behind it
 * on the test database. Bob follows Alice and likes her post; Alice's navigation counts both, her
 * notifications page lists them, and opening it marks them read. Every wait is on something the
 * page shows.
 */
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { uniqueName } from '@murmur/shared/testing';
import { action, follow, newPerson, postIn, signedUpPage, writePost } from './actions.js';
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

  it('a follow and a like count in the navigation, show on the notifications page, and opening it marks them read', async () => {
    const text = `Tea on the harbour wall ${uniqueName('n')}`;
    await writePost(alicePage, alice, text);
    await navLink(alicePage, 'Notifications').waitFor();

    await follow(bobPage, alice);
    const post = postIn(bobPage.getByRole('region', { name: `Posts by ${alice.username}` }), alice, text);
    await action(post, 'Like').click();
    await action(post, 'Unlike').waitFor();

    // No live connection: Alice's next page load reads the count.
    await alicePage.reload();
    await navLink(alicePage, 'Notifications (2)').click();
    await alicePage.getByRole('heading', { name: 'Notifications', exact: true }).waitFor();
    await alicePage.getByText(`${bob.username} followed you`).waitFor();
    await alicePage.getByText(`${bob.username} liked your post`).waitFor();
    await alicePage.getByRole('link', { name: text, exact: true }).waitFor();
    await navLink(alicePage, 'Notifications').waitFor();
    await screenshot(alicePage, 'notifications');

    // The like links to the post's page.
    await alicePage.getByRole('link', { name: text, exact: true }).click();
    await postIn(alicePage.locator('.main-post'), alice, text).waitFor();
  });
});
