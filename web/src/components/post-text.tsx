/**
 * A post's text with its mentions linked to profiles and its hashtags to tag pages. Only what the
 * server recognised is linked (the post's `mentions` and `tags`), so an `@name` of no account stays
 * text. Built as nodes, never as HTML: the text is the author's, shown as it is.
 */
import type { ComponentChildren } from 'preact';
import type { Post } from '../api/types.js';

/**
 * The server's patterns (user-service/src/services/post-text.ts): `@username` not inside a word or
 * an address and not followed by another `@domain`, or `#tag` not inside a word, nor after `&` or `#`.
 */
const MENTION_OR_TAG =
  /(?<![\p{L}\p{M}\p{N}_@./])@([A-Za-z0-9_]{3,30})(?![A-Za-z0-9_]|@[\p{L}\p{N}])|(?<![\p{L}\p{M}\p{N}_&#])#([\p{L}\p{M}\p{N}_]+)/gu;

/** A tag as the server stores it: NFKC, lower case. */
export const normaliseTag = (tag: string): string => tag.normalize('NFKC').toLowerCase();

export const tagPath = (tag: string): string => `/tags/${encodeURIComponent(normaliseTag(tag))}`;

export function PostText({ post }: { post: Pick<Post, 'text' | 'mentions' | 'tags'> }) {
  const ids = new Map(post.mentions.map((m) => [m.username.toLowerCase(), m.id]));
  const tags = new Set(post.tags);
  const parts: ComponentChildren[] = [];
  let from = 0;
  for (const match of post.text.matchAll(MENTION_OR_TAG)) {
    const [whole, name, tag] = match;
    const id = name === undefined ? undefined : ids.get(name.toLowerCase());
    const tagged = tag !== undefined && tags.has(normaliseTag(tag));
    if (id === undefined && !tagged) continue;
    parts.push(post.text.slice(from, match.index));
    parts.push(
      <a key={match.index} href={id === undefined ? tagPath(tag!) : `/users/${id}`}>
        {whole}
      </a>,
    );
    from = match.index + whole.length;
  }
  parts.push(post.text.slice(from));
  return <p class="text">{parts}</p>;
}
