/**
 * What of a post's text links where: its mentions to profiles, its hashtags to tag pages. Only
 * what the server recognised is linked (the post's `mentions` and `tags`), so an `@name` of no
 * account stays text. Pure, so it runs in Node tests as in the browser.
 */
import type { Post } from '../api/types.js';

/** A run of the text, and where it links if it does. */
export interface TextPart {
  text: string;
  href?: string;
}

/**
 * The server's patterns (user-service/src/services/post-text.ts): `@username` not inside a word or
 * an address and not followed by another `@domain`, or `#tag` not inside a word, nor after `&` or `#`.
 */
const MENTION_OR_TAG =
  /(?<![\p{L}\p{M}\p{N}_@./])@([A-Za-z0-9_]{3,30})(?![A-Za-z0-9_]|@[\p{L}\p{N}])|(?<![\p{L}\p{M}\p{N}_&#])#([\p{L}\p{M}\p{N}_]+)/gu;

/** A tag as the server stores it: NFKC, lower case. */
export const normaliseTag = (tag: string): string => tag.normalize('NFKC').toLowerCase();

export const tagPath = (tag: string): string => `/tags/${encodeURIComponent(normaliseTag(tag))}`;

/** `post.text` cut into plain runs and links, in order; joined, the parts give the text back. */
export function textParts(post: Pick<Post, 'text' | 'mentions' | 'tags'>): TextPart[] {
  const ids = new Map(post.mentions.map((m) => [m.username.toLowerCase(), m.id]));
  const tags = new Set(post.tags);
  const parts: TextPart[] = [];
  let from = 0;
  for (const match of post.text.matchAll(MENTION_OR_TAG)) {
    const [whole, name, tag] = match;
    const id = name === undefined ? undefined : ids.get(name.toLowerCase());
    const tagged = tag !== undefined && tags.has(normaliseTag(tag));
    if (id === undefined && !tagged) continue;
    if (match.index > from) parts.push({ text: post.text.slice(from, match.index) });
    parts.push({ text: whole, href: id === undefined ? tagPath(tag!) : `/users/${id}` });
    from = match.index + whole.length;
  }
  if (from < post.text.length) parts.push({ text: post.text.slice(from) });
  return parts;
}
