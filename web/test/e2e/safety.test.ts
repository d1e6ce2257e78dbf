/**
 * Blocks, reports and moderation, end to end: Chromium on the development gateway's origin, the
 * services behind it on the test database. Alice follows Bob, then blocks him from his profile;
 * Carol's post is reported by Alice and deleted by Mo, a moderator made by the `npm run admin`
 * command, who then suspends Carol; in chat, Bob's messages keep their place in Alice's room but
 * show nothing once she blocks him. Every wait is on something the page shows.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import type { Browser, Locator, Page } from 'playwright-core';
import { testDatabaseUrl, uniqueName } from '@murmur/shared/testing';
import {
  action,
  chatHistory,
  connected,
  connectionStatus,
  createRoom,
  follow,
  logIn,
  messageText,
  newPerson,
  openProfile,
  postIn,
  sendMessage,
  shows,
  signedUpPage,
  writePost,
  type Person,
} from './actions.js';
import { launchBrowser, screenshot } from './browser.js';
import { startStack, type Stack } from './stack.js';

/** The built `npm run admin` command (dist-tools, from `tsc -b`). */
const ADMIN_COMMAND = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../dist-tools/scripts/admin.js');

/** Makes `person` a moderator as an operator would: `npm run admin -- role <username> moderator`. */
async function makeModerator(person: Person): Promise<void> {
  await promisify(execFile)(process.execPath, [ADMIN_COMMAND, 'role', person.username, 'moderator'], {
    env: { ...process.env, DATABASE_URL: testDatabaseUrl() },
  });
}

describe('safety in a browser: blocks, reports and moderation', () => {
  let stack: Stack;
  let browser: Browser;
  const alice = newPerson('alice');
  const bob = newPerson('bob');
  const carol = newPerson('carol');
  const mo = newPerson('mo');
  let alicePage: Page;
  let bobPage: Page;
  let carolPage: Page;
  let moPage: Page;

  const timeline = (page: Page) => page.getByRole('region', { name: 'Timeline' });
  const navLink = (page: Page, name: string) => page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true });
  const button = (scope: Page | Locator, name: string) => scope.getByRole('button', { name, exact: true });
  /** The signed-in account's own id, as the API answers it (the page's cookie). */
  const idOf = async (page: Page): Promise<number> => ((await (await page.request.get('/api/users/me')).json()) as { id: number }).id;

  before(async () => {
    stack = await startStack();
    browser = await launchBrowser();
    const signedUp = (person: Person) => signedUpPage(browser, stack.url, person);
    [alicePage, bobPage, carolPage, moPage] = await Promise.all([signedUp(alice), signedUp(bob), signedUp(carol), signedUp(mo)]);
  });
  after(async () => {
    await browser?.close();
    await stack?.close();
  });

  it('a block from the profile, confirmed, takes the blocked account’s posts out of the timeline; Settings lists it and unblocks, and a mute the same', async () => {
    await follow(alicePage, bob);
    const bobsPost = `Low tide at six ${uniqueName('b')}`;
    await writePost(bobPage, bob, bobsPost);
    await alicePage.goto('/');
    await postIn(timeline(alicePage), bob, bobsPost).waitFor();

    await openProfile(alicePage, bob.username);
    await button(alicePage, 'Block').click();
    const dialog = alicePage.getByRole('dialog', { name: `Block ${bob.username}?` });
    await shows(dialog, 'will not be able to follow you');
    await screenshot(alicePage, 'block-dialog');
    await button(dialog, `Block ${bob.username}`).click();
    await shows(alicePage.getByRole('status'), `You blocked ${bob.username}`);
    await button(alicePage, 'Unblock').waitFor();
    // The follow ended with the block, and the profile shows none of Bob's posts.
    assert.equal(await button(alicePage, 'Follow').count(), 0);
    assert.equal(await alicePage.getByRole('region', { name: `Posts by ${bob.username}` }).count(), 0);

    // Alice's timeline, read afresh once it holds her newer post, has nothing of Bob's.
    const alicesPost = `Ferry at nine ${uniqueName('a')}`;
    await writePost(alicePage, alice, alicesPost);
    await alicePage.goto('/');
    await postIn(timeline(alicePage), alice, alicesPost).waitFor();
    assert.equal(await postIn(timeline(alicePage), bob, bobsPost).count(), 0);

    // Logged in, Bob finds no profile of Alice's.
    await bobPage.goto(`/users/${await idOf(alicePage)}`);
    await bobPage.getByRole('heading', { name: 'Not found' }).waitFor();

    await navLink(alicePage, 'Settings').click();
    await alicePage.getByRole('link', { name: 'Blocked accounts' }).click();
    const blocked = alicePage.getByRole('list', { name: 'Blocked accounts' });
    await blocked.getByRole('link', { name: bob.username, exact: true }).waitFor();
    await screenshot(alicePage, 'blocked-accounts');
    await button(blocked, `Unblock ${bob.username}`).click();
    await alicePage.getByText('You block no one.').waitFor();
    await openProfile(alicePage, bob.username);
    await button(alicePage, 'Block').waitFor();
    await button(alicePage, 'Follow').waitFor();

    // A mute of his posts alone, listed under Muted accounts, where it is undone.
    await button(alicePage, 'Mute').click();
    const mute = alicePage.getByRole('dialog', { name: `Mute ${bob.username}?` });
    await mute.getByRole('checkbox', { name: 'Mute their notifications too' }).uncheck();
    await button(mute, `Mute ${bob.username}`).click();
    await shows(alicePage.getByRole('status'), 'their notifications still come');
    await navLink(alicePage, 'Settings').click();
    await alicePage.getByRole('link', { name: 'Muted accounts' }).click();
    const muted = alicePage.getByRole('list', { name: 'Muted accounts' }).getByRole('listitem').filter({ hasText: bob.username });
    await shows(muted, 'posts only');
    await button(muted, `Unmute ${bob.username}`).click();
    await alicePage.getByText('You mute no one.').waitFor();
  });

  it('a post reported with a comment reaches the moderators’ queue, where a moderator deletes it', async () => {
    const carolsPost = `Cheap watches, click here ${uniqueName('c')}`;
    await writePost(carolPage, carol, carolsPost);

    await openProfile(alicePage, carol.username);
    const post = postIn(alicePage, carol, carolsPost);
    await action(post, 'Report').click();
    const dialog = alicePage.getByRole('dialog', { name: `Report ${carol.username}’s post` });
    const comment = `Spam, posted in every thread ${uniqueName('r')}`;
    await dialog.getByLabel('Comment').fill(comment);
    await shows(dialog, `${1000 - comment.length} of 1000 characters left`);
    await button(dialog, 'Send report').click();
    await shows(dialog.getByRole('status'), 'The moderators have your report');
    await button(dialog, 'Close').click();
    await dialog.waitFor({ state: 'hidden' });

    // Someone who is no moderator is offered no moderation page, and refused it.
    assert.equal(await navLink(alicePage, 'Moderation').count(), 0);
    await alicePage.goto('/admin');
    await alicePage.getByRole('heading', { name: 'Not allowed' }).waitFor();

    await makeModerator(mo);
    await moPage.reload();
    await navLink(moPage, 'Moderation').click();
    const report = moPage.getByRole('region', { name: 'Open reports' }).getByRole('article').filter({ hasText: comment });
    await shows(report, carolsPost);
    await report.getByRole('link', { name: carol.username, exact: true }).waitFor();
    await report.getByRole('link', { name: alice.username, exact: true }).waitFor();
    await screenshot(moPage, 'moderation-queue');
    await report.getByRole('radio', { name: 'Delete the post' }).check();
    await report.getByLabel('Note').fill('Spam');
    await button(report, 'Resolve').click();
    await shows(report, 'post deleted');

    // The log is the whole platform's: Carol's entries are those that name her account.
    await moPage.getByRole('link', { name: 'Audit log' }).click();
    const carolsEntries = moPage
      .getByRole('region', { name: 'Audit log' })
      .getByRole('listitem')
      .filter({ has: moPage.getByRole('link', { name: String(await idOf(carolPage)), exact: true }) });
    await shows(carolsEntries, `${mo.username} deleted a post`);
    await shows(carolsEntries, `${mo.username} resolved a report`);

    await openProfile(alicePage, carol.username);
    await alicePage.getByText('No posts yet.').waitFor();
  });

  it('a moderator’s suspension ends the account’s session at once and refuses its login, until it is lifted', async () => {
    await openProfile(alicePage, carol.username);
    await button(alicePage, 'Report').click();
    const dialog = alicePage.getByRole('dialog', { name: `Report ${carol.username}` });
    await button(dialog, 'Send report').click();
    await shows(dialog.getByRole('status'), 'The moderators have your report');
    await alicePage.keyboard.press('Escape');

    await carolPage.goto('/');
    await timeline(carolPage).waitFor();
    await moPage.goto('/admin');
    const report = moPage
      .getByRole('region', { name: 'Open reports' })
      .getByRole('article')
      .filter({ hasText: 'The account as a whole is reported' })
      .filter({ has: moPage.getByRole('link', { name: carol.username, exact: true }) });
    await button(report, `Suspend ${carol.username}`).click();
    const confirm = moPage.getByRole('dialog', { name: `Suspend ${carol.username}?` });
    await confirm.getByLabel('Note').fill('Spam after a warning');
    await button(confirm, 'Suspend the account').click();
    await button(report, `Unsuspend ${carol.username}`).waitFor();

    // Carol's open page learns it from its live connection, closed with 4004.
    await shows(carolPage.getByRole('status'), 'This account is suspended.');
    await carolPage.getByLabel('Username or email').fill(carol.username);
    await carolPage.getByLabel('Password').fill(carol.password);
    await button(carolPage, 'Log in').click();
    await shows(carolPage.getByRole('alert'), 'This account is suspended.');
    await screenshot(carolPage, 'login-suspended');

    // Lifted from the report, Carol logs in again.
    await button(report, `Unsuspend ${carol.username}`).click();
    await button(report, `Suspend ${carol.username}`).waitFor();
    await logIn(carolPage, carol);
  });

  it('in chat, the blocked account’s messages keep their place but show nothing, and the direct room between them closes', async () => {
    // Bob's direct conversation with Alice, open in a tab of its own, and a public room both are in.
    const bobsDirect = await bobPage.context().newPage();
    await bobsDirect.goto('/');
    await openProfile(bobsDirect, alice.username);
    await button(bobsDirect, `Message ${alice.username}`).click();
    await connected(bobsDirect);
    await createRoom(alicePage, uniqueName('room'));
    await bobPage.goto(new URL(alicePage.url()).pathname);
    await connected(bobPage);
    await sendMessage(bobPage, 'Before the block');
    await messageText(alicePage, 'Before the block').waitFor();

    // Alice blocks Bob from his profile in another tab, her room still open.
    const profileTab = await alicePage.context().newPage();
    await profileTab.goto('/');
    await openProfile(profileTab, bob.username);
    await button(profileTab, 'Block').click();
    await button(profileTab.getByRole('dialog'), `Block ${bob.username}`).click();
    await button(profileTab, 'Unblock').waitFor();
    await profileTab.close();

    const hidden = chatHistory(alicePage).getByText('Message from an account you blocked', { exact: true });
    await sendMessage(bobPage, 'After the block');
    await bobPage.getByRole('group', { name: 'Sent by you: After the block' }).waitFor();
    await hidden.waitFor();
    assert.equal(await messageText(alicePage, 'After the block').count(), 0);
    // Read again, the history hides the earlier one too, each in its place.
    await alicePage.reload();
    await connected(alicePage);
    await shows(chatHistory(alicePage).getByRole('listitem').nth(1), 'Message from an account you blocked');
    assert.equal(await hidden.count(), 2);
    assert.equal(await messageText(alicePage, 'Before the block').count(), 0);
    await screenshot(alicePage, 'chat-blocked');

    // The direct room Bob still has open refuses his message; opened again, it is closed.
    await sendMessage(bobsDirect, 'Still there?');
    await shows(bobsDirect.getByRole('group', { name: 'Not sent: Still there?' }), 'One of you has blocked the other.');
    await bobsDirect.reload();
    await shows(connectionStatus(bobsDirect), 'One of you has blocked the other: this conversation is closed.');
    assert.equal(await button(bobsDirect, 'Send').isDisabled(), true);
    await bobsDirect.close();
  });
});
