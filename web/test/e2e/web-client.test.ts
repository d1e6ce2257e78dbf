/**
 * The web client end to end: Chromium on the development gateway's origin, the services behind it
 * on the test database, two people in two browser contexts (two cookie jars). Every wait is on
 * something the page shows, so a feature that breaks fails its test on WAIT_MS.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { uniqueName } from '@murmur/shared/testing';
import {
  chatHistory,
  connected,
  connectionStatus,
  createRoom,
  logIn,
  messageText,
  newPerson,
  openProfile,
  sendMessage,
  shows,
  signUp,
} from './actions.js';
import { launchBrowser, newUserContext, screenshot } from './browser.js';
import { cutNetwork } from './network.js';
import { startStack, type Stack } from './stack.js';

describe('the web client in a browser, two people through the gateway', () => {
  let stack: Stack;
  let browser: Browser;
  const alice = newPerson('alice');
  const bob = newPerson('bob');
  let aliceContext: BrowserContext;
  let bobContext: BrowserContext;
  let alicePage: Page;
  let bobPage: Page;

  before(async () => {
    // One after the other, so that a failed start leaves nothing that after() cannot close.
    stack = await startStack();
    browser = await launchBrowser();
    aliceContext = await newUserContext(browser, stack.url);
    // Bob's network is the one a test cuts.
    bobContext = await newUserContext(browser, stack.cuttable.origin);
    alicePage = await aliceContext.newPage();
    bobPage = await bobContext.newPage();
    await signUp(alicePage, alice);
    await signUp(bobPage, bob);
  });
  after(async () => {
    await browser?.close();
    await stack?.close();
  });

  /** Alice creates a public room and Bob follows her there by its address; both are connected. */
  async function bothInNewRoom(): Promise<void> {
    await createRoom(alicePage, uniqueName('room'));
    await bobPage.goto(new URL(alicePage.url()).pathname);
    await connected(bobPage);
  }

  it('a post by someone followed appears in the follower’s timeline', async () => {
    await openProfile(alicePage, bob.username);
    await alicePage.getByRole('button', { name: 'Follow', exact: true }).click();
    await alicePage.getByRole('button', { name: 'Unfollow' }).waitFor();
    await screenshot(alicePage, 'profile');

    const text = `First light over the harbour ${uniqueName('p')}`;
    await bobPage.getByRole('link', { name: 'Home' }).click();
    await bobPage.getByLabel("What's happening?").fill(text);
    await bobPage.getByRole('button', { name: 'Post', exact: true }).click();
    await shows(bobPage.getByRole('article', { name: `Post by ${bob.username}` }), text);

    await alicePage.getByRole('link', { name: 'Home' }).click();
    await shows(alicePage.getByRole('region', { name: 'Timeline' }).getByRole('article', { name: `Post by ${bob.username}` }), text);
    await screenshot(alicePage, 'home');
  });

  it('in one room: messages both ways, who is typing, who is here and how far each has read', async () => {
    await bothInNewRoom();

    const here = (page: Page) => page.getByRole('region', { name: 'Who is here' });
    for (const page of [alicePage, bobPage]) {
      await here(page).getByRole('link', { name: alice.username, exact: true }).waitFor();
      await here(page).getByRole('link', { name: bob.username, exact: true }).waitFor();
    }

    await sendMessage(alicePage, 'Anyone up for the ferry at nine?');
    await messageText(bobPage, 'Anyone up for the ferry at nine?').waitFor();
    await alicePage.getByRole('group', { name: 'Sent by you: Anyone up for the ferry at nine?' }).waitFor();

    // Bob sees the bottom of the log, so he has read it: Alice's copy says so under her message.
    await shows(chatHistory(alicePage).getByRole('listitem').filter({ hasText: 'Anyone up for the ferry' }), `Read by ${bob.username}`);

    await bobPage.getByLabel('Message', { exact: true }).pressSequentially('Count me');
    await shows(alicePage.getByRole('status', { name: 'Typing' }), `${bob.username} is typing…`);
    await bobPage.getByRole('button', { name: 'Send' }).click();
    await messageText(alicePage, 'Count me').waitFor();
    await shows(chatHistory(bobPage).getByRole('listitem').filter({ hasText: 'Count me' }), `Read by ${alice.username}`);
    await screenshot(bobPage, 'chat-room');
  });

  it('after a cut network the room shows every message exactly once', async () => {
    await bothInNewRoom();
    await sendMessage(alicePage, 'Before the tunnel');
    await messageText(bobPage, 'Before the tunnel').waitFor();

    const missed = ['In the tunnel 1', 'In the tunnel 2', 'In the tunnel 3'];
    const restore = await cutNetwork(stack, bobContext);
    try {
      await shows(connectionStatus(bobPage), 'Connection lost. Reconnecting…');
      for (const text of missed) {
        await sendMessage(alicePage, text);
        await alicePage.getByRole('group', { name: `Sent by you: ${text}` }).waitFor();
      }
      // Written while offline: it waits as pending and goes once the connection is back.
      await sendMessage(bobPage, 'Lost you for a second');
      await shows(chatHistory(bobPage).getByRole('listitem').filter({ hasText: 'Lost you for a second' }), 'Sending…');
      await screenshot(bobPage, 'chat-room-reconnecting');
    } finally {
      await restore();
    }
    await connected(bobPage);
    await bobPage.getByRole('group', { name: 'Sent by you: Lost you for a second' }).waitFor();
    await messageText(alicePage, 'Lost you for a second').waitFor();
    // One more from Alice: once Bob has it, anything resent or replayed before it has arrived too.
    await sendMessage(alicePage, 'Out of the tunnel');
    await messageText(bobPage, 'Out of the tunnel').waitFor();
    for (const text of ['Before the tunnel', ...missed, 'Lost you for a second', 'Out of the tunnel']) {
      assert.equal(await messageText(bobPage, text).count(), 1, `${text} on Bob's page`);
      assert.equal(await messageText(alicePage, text).count(), 1, `${text} on Alice's page`);
    }
  });

  it("the rooms list counts another room's new messages and shows the newest, live", async () => {
    await bothInNewRoom();
    const roomPath = new URL(alicePage.url()).pathname;
    // Bob looks at his rooms list while Alice writes in the room.
    await bobPage.getByRole('link', { name: 'Rooms', exact: true }).click();
    const listed = bobPage.getByRole('list', { name: 'Your rooms' }).getByRole('listitem').filter({ has: bobPage.locator(`a[href="${roomPath}"]`) });
    await listed.waitFor();
    await sendMessage(alicePage, 'Ferry moved to ten');
    await shows(listed, '1 unread');
    await shows(listed, `${alice.username}: Ferry moved to ten`);
    await sendMessage(alicePage, 'Bring coffee');
    await shows(listed, '2 unread');
    await screenshot(bobPage, 'rooms-live');
  });

  it('a direct conversation started from a profile', async () => {
    await openProfile(alicePage, bob.username);
    await alicePage.getByRole('button', { name: `Message ${bob.username}` }).click();
    await connected(alicePage);
    await sendMessage(alicePage, 'Just between us');
    await alicePage.getByRole('group', { name: 'Sent by you: Just between us' }).waitFor();

    // Bob finds it among his rooms, named after the two of them.
    await bobPage.getByRole('link', { name: 'Rooms', exact: true }).click();
    const direct = bobPage.getByRole('list', { name: 'Your rooms' }).getByRole('listitem').filter({ hasText: 'direct' }).filter({ hasText: alice.username });
    await direct.waitFor();
    await screenshot(bobPage, 'rooms');
    await direct.getByRole('link').click();
    await messageText(bobPage, 'Just between us').waitFor();
  });

  it('logging out in one tab takes the other tab of the same person to the login page', async () => {
    const carol = newPerson('carol');
    const context = await newUserContext(browser, stack.url);
    try {
      const first = await context.newPage();
      await signUp(first, carol);
      const second = await context.newPage();
      await second.goto('/');
      await second.getByRole('button', { name: 'Log out' }).waitFor();

      await first.getByRole('button', { name: 'Log out' }).click();
      await first.getByRole('button', { name: 'Log in' }).waitFor();
      await second.getByRole('button', { name: 'Log in' }).waitFor();
      await screenshot(second, 'login');
      // And the session is gone, not just the page: logging in again works.
      await logIn(second, carol);
    } finally {
      await context.close();
    }
  });
});
