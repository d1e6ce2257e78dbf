/** What a person does in the client, by the accessible names docs/web.md lists. */
import type { Browser, Locator, Page } from 'playwright-core';
import { uniqueName } from '@murmur/shared/testing';
import { newUserContext } from './browser.js';

export interface Person {
  username: string;
  password: string;
}

/** A new person for this run: the test database is shared, so every name is fresh. */
export function newPerson(prefix: string): Person {
  return { username: uniqueName(prefix), password: 'correct horse battery' };
}

/** Waits until `locator` shows `text` (Playwright polls; nothing sleeps). */
export async function shows(locator: Locator, text: string): Promise<void> {
  await locator.filter({ hasText: text }).waitFor();
}

export async function signUp(page: Page, person: Person): Promise<void> {
  await page.goto('/signup');
  await page.getByLabel('Username', { exact: true }).fill(person.username);
  await page.getByLabel('Email').fill(`${person.username}@example.com`);
  await page.getByLabel('Password').fill(person.password);
  await page.getByRole('button', { name: 'Sign up' }).click();
  await page.getByRole('button', { name: 'Log out' }).waitFor();
}

/** A page of its own context (one person's cookies) on `baseURL`, signed up as `person`. */
export async function signedUpPage(browser: Browser, baseURL: string, person: Person): Promise<Page> {
  const page = await (await newUserContext(browser, baseURL)).newPage();
  await signUp(page, person);
  return page;
}

export async function logIn(page: Page, person: Person): Promise<void> {
  await page.goto('/login');
  await page.getByLabel('Username or email').fill(person.username);
  await page.getByLabel('Password').fill(person.password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('button', { name: 'Log out' }).waitFor();
}

/** Finds `username` under People and opens their profile. */
export async function openProfile(page: Page, username: string): Promise<void> {
  await page.getByRole('link', { name: 'People', exact: true }).click();
  await page.getByLabel('Search people').fill(username);
  await page.getByRole('link', { name: username, exact: true }).click();
  await page.getByRole('heading', { name: username, exact: true }).waitFor();
}

/** Follows `person` from their profile, which stays open. */
export async function follow(page: Page, person: Person): Promise<void> {
  await openProfile(page, person.username);
  await page.getByRole('button', { name: 'Follow', exact: true }).click();
  await page.getByRole('button', { name: 'Unfollow', exact: true }).waitFor();
}

/** Creates a public room from the Rooms page and waits until it is connected. */
export async function createRoom(page: Page, name: string): Promise<void> {
  await page.getByRole('link', { name: 'Rooms', exact: true }).click();
  await page.getByLabel('Room name').fill(name);
  await page.getByRole('button', { name: 'Create room' }).click();
  await page.getByRole('heading', { name, exact: true }).waitFor();
  await connected(page);
}

/** Opens a room listed on the Rooms page and waits until it is connected. */
export async function openRoom(page: Page, name: string): Promise<void> {
  await page.getByRole('link', { name: 'Rooms', exact: true }).click();
  await page.getByRole('list', { name: 'Your rooms' }).getByRole('link', { name, exact: true }).click();
  await connected(page);
}

export const chatHistory = (page: Page) => page.getByRole('log', { name: 'Chat history' });

export const connectionStatus = (page: Page) => page.getByRole('status', { name: 'Connection' });

export const connected = (page: Page) => shows(connectionStatus(page), 'Connected');

export async function sendMessage(page: Page, text: string): Promise<void> {
  await page.getByLabel('Message', { exact: true }).fill(text);
  await page.getByRole('button', { name: 'Send' }).click();
}

/** One message's text in the history, matched whole: its count is how many times it shows. */
export const messageText = (page: Page, text: string) => chatHistory(page).getByText(text, { exact: true });

/** Posts `text` from the Home page and waits until the timeline shows it. */
export async function writePost(page: Page, person: Person, text: string): Promise<void> {
  await page.getByRole('link', { name: 'Home', exact: true }).click();
  await page.getByLabel("What's happening?").fill(text);
  await page.getByRole('button', { name: 'Post', exact: true }).click();
  await postIn(page.getByRole('region', { name: 'Timeline' }), person, text).waitFor();
}

/** The post by `person` that shows `text`, within `scope` (a page or a region of one). */
export const postIn = (scope: Page | Locator, person: Person, text: string): Locator =>
  scope.getByRole('article', { name: `Post by ${person.username}` }).filter({ hasText: text });

/** A post's action button by its exact name (Like and Unlike, Repost and Undo repost hold each other). */
export const action = (post: Locator, name: string): Locator => post.getByRole('button', { name, exact: true });

/** A file as a file chooser is given it. */
export interface PickedFile {
  name: string;
  mimeType: string;
  buffer: Buffer;
}

/**
 * Picks `files` through the button `name` (`Add image`, `Choose avatar`) within `scope`: the
 * page's own file chooser, as a person would.
 */
export async function pickPictures(page: Page, scope: Page | Locator, files: PickedFile[], name = 'Add image'): Promise<void> {
  const chooser = page.waitForEvent('filechooser');
  await scope.getByRole('button', { name, exact: true }).click();
  await (await chooser).setFiles(files);
}

/** Resolves once the picture `image` shows has loaded (a broken or empty one never does). */
export async function loaded(image: Locator): Promise<void> {
  await image.waitFor();
  const handle = await image.elementHandle();
  // Run in the page (DOM types are not this package's): the element is an <img>.
  await image.page().waitForFunction((element) => {
    const picture = element as unknown as { complete: boolean; naturalWidth: number };
    return picture.complete && picture.naturalWidth > 0;
  }, handle);
}
