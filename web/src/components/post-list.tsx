/** Posts, newest first, each with its actions, and "Show older". */
import type { Post } from '../api/types.js';
import { MoreButton } from './more-button.js';
import { Alert } from './field.js';
import { PostItem } from './post-item.js';
import type { Pages } from './use-pages.js';

/**
 * A list item's key: a profile lists a post and its author's repost of it side by side, so the
 * id alone is not unique.
 */
const itemKey = (post: Post): string => `${post.repostedBy?.id ?? ''}:${post.id}`;

/** Puts the server's newer answer for a post in every item that shows it, each keeping who reposted it. */
export function withPost(items: Post[], changed: Post): Post[] {
  return items.map((item) => (item.id === changed.id ? { ...changed, repostedBy: item.repostedBy } : item));
}

export function PostList({ pages, label, empty = 'No posts yet.' }: { pages: Pages<Post>; label: string; empty?: string }) {
  return (
    <section aria-label={label}>
      <Alert message={pages.error} />
      <ol class="posts">
        {pages.items.map((post) => (
          <li key={itemKey(post)}>
            <PostItem
              post={post}
              onChange={(changed) => pages.update((items) => withPost(items, changed))}
              onRemoved={() => pages.update((items) => items.filter((p) => p.id !== post.id))}
            />
          </li>
        ))}
      </ol>
      {!pages.loading && pages.items.length === 0 && !pages.error && <p>{empty}</p>}
      <MoreButton pages={pages} label="Show older" />
    </section>
  );
}

/** The start of a text, to name a control after what it acts on. */
export function snippet(text: string | null, max = 40): string {
  if (!text) return '';
  const chars = [...text];
  return chars.length > max ? `${chars.slice(0, max).join('')}…` : text;
}
