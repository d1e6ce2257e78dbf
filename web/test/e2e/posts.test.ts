/**
 * Conversations on posts, end to end: Chromium on the development gateway's origin, the services
 * behind it on the test database. Alice and Bob follow each other; Carol, whom neither follows,
 * writes what Bob reposts. Every wait is on something the page shows.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { uniqueName } from '@murmur/shared/testing';
import { action, follow, newPerson, openProfile, postIn, shows, signedUpPage, writePost, type Person } from './actions.js';
import { launchBrowser, screenshot } from './browser.js';
import { startStack, type Stack } from './stack.js';

/** A tag no other test uses (lower case, as tags are stored). */
const freshTag = () => `harbour${uniqueName('')}`;

describe('posts in a browser: replies, likes, reposts, edits and hashtags', () => {
  let stack: Stack;
  let browser: Browser;
  const alice = newPerson('alice');
  const bob = newPerson('bob');
  const carol = newPerson('carol');
  let alicePage: Page;
  let bobPage: Page;
  let carolPage: Page;

  const timeline = (page: Page) => page.getByRole('region', { name: 'Timeline' });
  /** The home page read afresh, with what others posted since it was last shown. */
  async function home(page: Page): Promise<void> {
    await page.goto('/');
    await timeline(page).waitFor();
  }

  before(async () => {
    // The services pass their environment on: trends computed on every read, so the home page's
    // list includes the tags posted a moment before.
    process.env.TRENDS_REFRESH_SECONDS = '0';
    stack = await startStack();
    browser = await launchBrowser();
    const signedUp = (person: Person) => signedUpPage(browser, stack.url, person);
    [alicePage, bobPage, carolPage] = await Promise.all([signedUp(alice), signedUp(bob), signedUp(carol)]);
    await follow(alicePage, bob);
    await follow(bobPage, alice);
  });
  after(async () => {
    await browser?.close();
    await stack?.close();
  });

  it('a reply written on a post’s page shows under the post, which counts it', async () => {
    const text = `Who else saw the lighthouse blink twice? ${uniqueName('q')}`;
    await writePost(alicePage, alice, text);

    await home(bobPage);
    await action(postIn(timeline(bobPage), alice, text), 'Reply').click();
    // The post's page, its reply box focused and starting with a mention of the author.
    const box = bobPage.getByLabel('Your reply');
    await box.and(bobPage.locator(':focus')).waitFor();
    assert.equal(await box.inputValue(), `@${alice.username} `);
    const reply = `@${alice.username} twice at nine, then nothing ${uniqueName('r')}`;
    await box.fill(reply);
    await bobPage.getByRole('button', { name: 'Send', exact: true }).click();

    await postIn(bobPage.getByRole('region', { name: 'Replies' }), bob, reply).waitFor();
    await shows(postIn(bobPage.locator('.main-post'), alice, text), '1 reply');

    // Alice opens her post's page from her timeline and answers Bob's reply on its own page,
    // under the thread above it.
    await home(alicePage);
    await action(postIn(timeline(alicePage), alice, text), 'Reply').click();
    await action(postIn(alicePage.getByRole('region', { name: 'Replies' }), bob, reply), 'Reply').click();
    await postIn(alicePage.getByRole('list', { name: 'Thread above' }), alice, text).waitFor();
    const answer = `@${bob.username} same here, from the pier ${uniqueName('a')}`;
    await alicePage.getByLabel('Your reply').fill(answer);
    await alicePage.getByRole('button', { name: 'Send', exact: true }).click();
    await postIn(alicePage.getByRole('region', { name: 'Replies' }), alice, answer).waitFor();
    await screenshot(alicePage, 'post');

    // Bob's reply mentions Alice: the mention is a link to her profile.
    const main = postIn(alicePage.locator('.main-post'), bob, reply);
    await shows(main, '1 reply');
    await main.getByRole('link', { name: `@${alice.username}`, exact: true }).click();
    await alicePage.getByRole('heading', { name: alice.username, exact: true }).waitFor();
  });

  it('like and unlike: the button and its count follow, and the author sees the like', async () => {
    const text = `Fresh bread at the corner bakery ${uniqueName('l')}`;
    await writePost(alicePage, alice, text);
    await home(bobPage);
    const post = postIn(timeline(bobPage), alice, text);
    await shows(post, '0 likes');

    await action(post, 'Like').click();
    await action(post, 'Unlike').waitFor();
    await shows(post, '1 like');
    await home(alicePage);
    await shows(postIn(timeline(alicePage), alice, text), '1 like');

    await action(post, 'Unlike').click();
    await action(post, 'Like').waitFor();
    await shows(post, '0 likes');
  });

  it('a repost reaches the reposter’s followers, saying who reposted it', async () => {
    const text = `The ferry is running again ${uniqueName('f')}`;
    await writePost(carolPage, carol, text);

    await openProfile(bobPage, carol.username);
    const carols = postIn(bobPage.getByRole('region', { name: `Posts by ${carol.username}` }), carol, text);
    await action(carols, 'Repost').click();
    await action(carols, 'Undo repost').waitFor();
    await shows(carols, '1 repost');

    // Alice follows Bob, not Carol: the post reaches her through Bob.
    await home(alicePage);
    await shows(postIn(timeline(alicePage), carol, text), `Reposted by ${bob.username}`);
    await screenshot(alicePage, 'home-repost');

    await action(carols, 'Undo repost').click();
    await action(carols, 'Repost').waitFor();
    await shows(carols, '0 reposts');
  });

  it('an edit shows the new text, marked edited, and keeps the earlier one', async () => {
    const before = `Meet at the pier at six ${uniqueName('e')}`;
    const after = before.replace('six', 'seven');
    await writePost(alicePage, alice, before);

    const post = postIn(timeline(alicePage), alice, before);
    await action(post, 'Edit').click();
    await alicePage.getByLabel('New text').fill(after);
    await alicePage.getByRole('button', { name: 'Save', exact: true }).click();
    const edited = postIn(timeline(alicePage), alice, after);
    await shows(edited, 'edited');

    // Bob's timeline reads the new text too.
    await home(bobPage);
    await shows(postIn(timeline(bobPage), alice, after), 'edited');
    assert.equal(await postIn(timeline(bobPage), alice, before).count(), 0);

    // The post's page keeps the earlier text.
    await action(edited, 'Reply').click();
    await alicePage.getByText('Earlier versions').click();
    await alicePage.locator('.versions').getByText(before, { exact: true }).waitFor();
  });

  it('a hashtag in a post links to the tag’s page, which lists the post; trending tags link there too', async () => {
    const tag = freshTag();
    const text = `Low tide this morning #${tag}`;
    await writePost(alicePage, alice, text);
    await writePost(bobPage, bob, `Seals on the sandbank #${tag.toUpperCase()}`);
    await home(bobPage);

    // Bob's own post names the tag in capitals; the link goes to the one tag, in lower case.
    await postIn(timeline(bobPage), alice, text).getByRole('link', { name: `#${tag}`, exact: true }).click();
    await bobPage.getByRole('heading', { name: `#${tag}`, exact: true }).waitFor();
    const tagged = bobPage.getByRole('region', { name: `Posts tagged #${tag}` });
    await postIn(tagged, alice, text).waitFor();
    await postIn(tagged, bob, 'Seals on the sandbank').waitFor();

    await home(alicePage);
    await alicePage.getByRole('complementary', { name: 'Trending tags' }).getByRole('link', { name: `#${tag}`, exact: true }).click();
    await alicePage.getByRole('heading', { name: `#${tag}`, exact: true }).waitFor();
  });

  it('a post found by Search can be liked from the results', async () => {
    const word = uniqueName('kelp').replace(/_/g, '');
    const text = `Kelp forest dive today ${word}`;
    await writePost(alicePage, alice, text);

    await bobPage.getByRole('link', { name: 'Search', exact: true }).click();
    await bobPage.getByLabel('Search posts').fill(word);
    const found = postIn(bobPage.getByRole('region', { name: 'Posts found' }), alice, text);
    await action(found, 'Like').click();
    await action(found, 'Unlike').waitFor();
    await shows(found, '1 like');
  });

  it('a display name and a bio set in Settings show on the profile', async () => {
    await carolPage.getByRole('link', { name: 'Settings', exact: true }).click();
    await carolPage.getByLabel('Display name').fill('Carol of the Harbour');
    await carolPage.getByLabel('Bio').fill('Ferry timetables and tide charts.');
    await carolPage.getByRole('button', { name: 'Save', exact: true }).click();
    await shows(carolPage.getByRole('status'), 'Saved');

    await bobPage.getByRole('link', { name: 'People', exact: true }).click();
    await bobPage.getByLabel('Search people').fill(carol.username);
    await bobPage.getByRole('link', { name: carol.username, exact: true }).click();
    await bobPage.getByRole('heading', { name: 'Carol of the Harbour', exact: true }).waitFor();
    await bobPage.getByText('Ferry timetables and tide charts.').waitFor();
    await bobPage.getByText(`@${carol.username}`, { exact: false }).first().waitFor();
  });
});
