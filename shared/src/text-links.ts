/**
 * What a text names: the accounts it mentions (`@alice`) and its hashtags (`#murmur`), in a post
 * (user-service) or a chat message (ws-service, which notifies the members it mentions). Pure
 * functions of the text, with no imports, so the web client bundles this module too and links
 * exactly what the server found; which mentioned names are real accounts is the database's answer.
 */

/**
 * `@name` where the name is a possible username (3-30 of A-Z, a-z, 0-9, _, as auth-service
 * registers them), not inside a word or an address (`bob@alice.com`), and not followed by
 * another `@domain` (`@alice@example.com` names an account on another server, not a local one).
 */
export const MENTION = /(?<![\p{L}\p{M}\p{N}_@./])@([A-Za-z0-9_]{3,30})(?![A-Za-z0-9_]|@[\p{L}\p{N}])/gu;

/**
 * `#tag`: Unicode letters (with their combining marks), digits and `_`, not inside a word or
 * after `&` (an HTML entity such as `&#38;`), nor after another `#`.
 */
export const HASHTAG = /(?<![\p{L}\p{M}\p{N}_&#])#([\p{L}\p{M}\p{N}_]+)/gu;

/** A tag of digits alone (`#1`, `#2024`) is a number, not a tag. */
const DIGITS_ONLY = /^\p{N}+$/u;

/** Longest tag kept; a post holds at most 280 characters, so this only bounds odd input. */
export const MAX_TAG_CHARACTERS = 100;

/** The lower-case usernames `text` mentions, once each, in the order it first names them. */
export function mentionedNames(text: string): string[] {
  const names = new Set<string>();
  for (const match of text.matchAll(MENTION)) names.add(match[1]!.toLowerCase());
  return [...names];
}

/**
 * A tag as it is stored and compared: NFKC (so compatibility forms such as full-width letters
 * become the ordinary ones) and lower case, so `#Murmur`, `#murmur` and `#ｍｕｒｍｕｒ` are one tag.
 */
export function normaliseTag(tag: string): string {
  return tag.normalize('NFKC').toLowerCase();
}

/** The hashtags of `text`, normalised, once each, in the order it first names them. */
export function hashtags(text: string): string[] {
  const tags = new Set<string>();
  for (const match of text.normalize('NFKC').matchAll(HASHTAG)) {
    const tag = normaliseTag(match[1]!);
    if (!DIGITS_ONLY.test(tag) && [...tag].length <= MAX_TAG_CHARACTERS) tags.add(tag);
  }
  return [...tags];
}

/** Whether `tag` (as a path gives it, without `#`) could be a tag at all. */
export function isTag(tag: string): boolean {
  const normalised = normaliseTag(tag);
  return /^[\p{L}\p{M}\p{N}_]+$/u.test(normalised) && !DIGITS_ONLY.test(normalised) && [...normalised].length <= MAX_TAG_CHARACTERS;
}
