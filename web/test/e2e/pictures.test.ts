/**
 * Pictures end to end: Chromium on the development gateway's origin, the services behind it on
 * the test database, the pictures made on the spot (real JPEGs) and picked through the page's
 * own file chooser. Bob follows Alice. Every wait is on something the page shows or loads.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Locator, Page } from 'playwright-core';
import { uniqueName } from '@murmur/shared/testing';
import { makeJpeg, makePhotoJpeg, makePng } from '@murmur/user-service/testing';
import {
  chatHistory,
  connected,
  follow,
  loaded,
  newPerson,
  openProfile,
  pickPictures,
  postIn,
  sendMessage,
  signedUpPage,
  type Person,
  type PickedFile,
} from './actions.js';
import { launchBrowser, screenshot } from './browser.js';
import { startStack, type Stack } from './stack.js';

describe('pictures in a browser: posts, descriptions, chat and avatars', () => {
  let stack: Stack;
  let browser: Browser;
  const alice = newPerson('alice');
  const bob = newPerson('bob');
  let alicePage: Page;
  let bobPage: Page;
  let photo: PickedFile;

  const timeline = (page: Page) => page.getByRole('region', { name: 'Timeline' });
  async function home(page: Page): Promise<void> {
    await page.goto('/');
    await timeline(page).waitFor();
  }

  /** Writes `text` on the Home page with `files` picked, each described as `descriptions` say. */
  async function compose(page: Page, text: string, files: PickedFile[], descriptions: string[] = []): Promise<void> {
    await home(page);
    await page.getByLabel("What's happening?").fill(text);
    await pickPictures(page, page, files);
    const fields = page.getByLabel('Image description');
    for (const [i, description] of descriptions.entries()) await fields.nth(i).fill(description);
  }

  before(async () => {
    stack = await startStack();
    browser = await launchBrowser();
    const signedUp = (person: Person) => signedUpPage(browser, stack.url, person);
    [alicePage, bobPage] = await Promise.all([signedUp(alice), signedUp(bob)]);
    await follow(bobPage, alice);
    photo = { name: 'harbour.jpg', mimeType: 'image/jpeg', buffer: await makeJpeg({ width: 800, height: 600 }) };
  });
  after(async () => {
    await browser?.close();
    await stack?.close();
  });

  it('a picture posted with its description shows in a follower’s timeline, described and loaded, and opens full size', async () => {
    const text = `Morning at the pier ${uniqueName('p')}`;
    const description = `A blue harbour wall with a red buoy in its corner ${uniqueName('d')}`;
    await compose(alicePage, text, [photo], [description]);
    await loaded(alicePage.getByRole('group', { name: 'Picture 1: harbour.jpg' }).locator('img'));
    await screenshot(alicePage, 'compose-picture');
    await alicePage.getByRole('button', { name: 'Post', exact: true }).click();
    await postIn(timeline(alicePage), alice, text).waitFor();
    // The box is empty again, ready for the next post.
    assert.equal(await alicePage.getByLabel('Image description').count(), 0);

    await home(bobPage);
    const post = postIn(timeline(bobPage), alice, text);
    const picture = post.getByRole('img', { name: description, exact: true });
    await loaded(picture);
    assert.match((await picture.getAttribute('src')) ?? '', /^\/media\//);
    await screenshot(bobPage, 'timeline-picture');

    // Full size over the page, with its description; Escape closes it and focus goes back.
    const open = post.getByRole('button', { name: 'View picture', exact: true });
    await open.click();
    const lightbox = bobPage.getByRole('dialog', { name: 'Picture' });
    await loaded(lightbox.getByRole('img', { name: description, exact: true }));
    await lightbox.getByText(description).waitFor();
    await screenshot(bobPage, 'picture-full-size');
    await bobPage.keyboard.press('Escape');
    await lightbox.waitFor({ state: 'hidden' });
    await open.and(bobPage.locator(':focus')).waitFor();
  });

  it('four pictures keep their order and their shapes, their space held before they load', async () => {
    const text = `Four views ${uniqueName('f')}`;
    const shapes = [
      { name: 'tall.jpg', mimeType: 'image/jpeg', buffer: await makeJpeg({ width: 600, height: 800 }) },
      { name: 'wide.jpg', mimeType: 'image/jpeg', buffer: await makeJpeg({ width: 800, height: 400 }) },
      { name: 'square.jpg', mimeType: 'image/jpeg', buffer: await makePhotoJpeg(500, 500) },
      { name: 'strip.png', mimeType: 'image/png', buffer: await makePng(400, 200) },
    ];
    const descriptions = shapes.map((shape) => `${shape.name} ${uniqueName('v')}`);
    await compose(alicePage, text, shapes, descriptions);
    await alicePage.getByRole('button', { name: 'Post', exact: true }).click();
    await postIn(timeline(alicePage), alice, text).waitFor();

    // Bob's pictures are held back: their places, and the placeholders in them, are there already.
    const held: Array<{ continue(): Promise<void> }> = [];
    let holding = true;
    await bobPage.route('**/media/**', (route) => (holding ? void held.push(route) : route.continue()));
    await home(bobPage);
    const post = postIn(timeline(bobPage), alice, text);
    const pictures = post.locator('.media-grid img');
    await pictures.nth(3).waitFor();
    assert.deepEqual(await pictures.evaluateAll((images) => images.map((image) => image.getAttribute('alt'))), descriptions);
    const tiles = post.locator('.media-tile');
    const before = await Promise.all([0, 1, 2, 3].map((i) => tiles.nth(i).boundingBox()));
    for (const [i, expected] of [0.75, 2, 1, 2].entries()) {
      const box = before[i]!;
      assert.ok(Math.abs(box.width / box.height - expected) < 0.05, `picture ${i + 1} is ${box.width}×${box.height}`);
    }
    await screenshot(bobPage, 'pictures-loading');
    holding = false;
    await Promise.all(held.map((route) => route.continue()));
    for (const i of [0, 1, 2, 3]) await loaded(pictures.nth(i));
    assert.deepEqual(await Promise.all([0, 1, 2, 3].map((i) => tiles.nth(i).boundingBox())), before, 'nothing moved as they loaded');
    await screenshot(bobPage, 'pictures-four');
  });

  it('a picture without a description is asked about once, then posted with an empty description', async () => {
    const text = `Gulls ${uniqueName('g')}`;
    await compose(alicePage, text, [photo]);
    await alicePage.getByRole('button', { name: 'Post', exact: true }).click();
    const question = alicePage.getByRole('alertdialog', { name: 'Post without an image description?' });
    await question.getByRole('button', { name: 'Add a description' }).and(alicePage.locator(':focus')).waitFor();
    await screenshot(alicePage, 'picture-description-asked');
    await question.getByRole('button', { name: 'Continue without one' }).click();
    const post = postIn(timeline(alicePage), alice, text);
    await loaded(post.locator('.media-grid img[alt=""]'));
  });

  it('a file that is not a picture is refused, and says so under it', async () => {
    const text = `Not a picture ${uniqueName('n')}`;
    const fake: PickedFile = { name: 'notes.png', mimeType: 'image/png', buffer: Buffer.from('these are words, not pixels') };
    await compose(alicePage, text, [fake], ['Nothing']);
    await alicePage.getByRole('button', { name: 'Post', exact: true }).click();
    const tile = alicePage.getByRole('group', { name: 'Picture 1: notes.png' });
    await tile.getByRole('alert').filter({ hasText: 'That file is not a picture murmur takes' }).waitFor();
    // Removed, the post goes without it.
    await tile.getByRole('button', { name: 'Remove picture' }).click();
    await alicePage.getByRole('button', { name: 'Post', exact: true }).click();
    await postIn(timeline(alicePage), alice, text).waitFor();
  });

  it('a picture sent in a direct conversation shows for the other member', async () => {
    await openProfile(alicePage, bob.username);
    await alicePage.getByRole('button', { name: `Message ${bob.username}` }).click();
    await connected(alicePage);
    const description = `The ferry timetable ${uniqueName('t')}`;
    await pickPictures(alicePage, alicePage, [photo]);
    await alicePage.getByLabel('Image description').fill(description);
    await sendMessage(alicePage, 'This one?');
    await loaded(chatHistory(alicePage).getByRole('img', { name: description, exact: true }));

    await bobPage.goto(new URL(alicePage.url()).pathname);
    await connected(bobPage);
    const picture: Locator = chatHistory(bobPage).getByRole('img', { name: description, exact: true });
    await loaded(picture);
    // A direct room's pictures are its members' alone.
    assert.match((await picture.getAttribute('src')) ?? '', /^\/media\/private\//);
    await screenshot(bobPage, 'chat-picture');
  });

  it('an avatar chosen in Settings shows beside the name, and Remove avatar takes it away', async () => {
    await alicePage.getByRole('link', { name: 'Settings', exact: true }).click();
    const section = alicePage.getByRole('region', { name: 'Avatar' });
    await pickPictures(alicePage, section, [photo], 'Choose avatar');
    await section.getByRole('status').filter({ hasText: 'Avatar saved' }).waitFor();
    await loaded(section.locator('img.avatar'));
    await screenshot(alicePage, 'settings-avatar');

    await openProfile(bobPage, alice.username);
    await loaded(bobPage.locator('.profile-head img.avatar'));
    await loaded(bobPage.getByRole('article', { name: `Post by ${alice.username}` }).first().locator('header img.avatar'));

    await section.getByRole('button', { name: 'Remove avatar' }).click();
    await section.getByRole('status').filter({ hasText: 'Avatar removed' }).waitFor();
    await section.locator('.avatar-initial').waitFor();
  });
});
