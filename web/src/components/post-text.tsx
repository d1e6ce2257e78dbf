/** A post's text with its mentions and hashtags as links; built as nodes, never as HTML. */
import type { Post } from '../api/types.js';
import { textParts } from './post-links.js';

export function PostText({ post }: { post: Pick<Post, 'text' | 'mentions' | 'tags'> }) {
  return (
    <p class="text">
      {textParts(post).map((part, i) =>
        part.href === undefined ? (
          part.text
        ) : (
          <a key={i} href={part.href}>
            {part.text}
          </a>
        ),
      )}
    </p>
  );
}
