/**
 * What of a post's text links where: its mentions to profiles, its hashtags to tag pages. Only
 * what the server recognised is linked (the post's `mentions` and `tags`), so an `@name` of no
 * account stays text. Pure, so it runs in Node tests as in the browser.
 */
import { HASHTAG, MENTION, normaliseTag } from '@murmur/shared/text-links';
import type { Post } from '../api/types.js';

/** A run of the text, and where it links if it does. */
export interface TextPart {
  text: string;
  href?: string;
}

/** The server's own patterns, in one: a mention (group 1, the name) or a hashtag (group 2). */
const MENTION_OR_TAG = new RegExp(`${MENTION.source}|${HASHTAG.source}`, 'gu');

export { normaliseTag };

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
