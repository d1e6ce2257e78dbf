/** Posts, newest first, with "Show older" and a delete button on the reader's own. */
import type { Post } from '../api/types.js';
import { api } from '../app/api.js';
import { useSession } from '../app/session.js';
import { useFailure } from '../app/use-failure.js';
import { Alert } from './field.js';
import { MoreButton } from './more-button.js';
import { TimeAgo } from './time-ago.js';
import type { Pages } from './use-pages.js';

export function PostList({ pages, label }: { pages: Pages<Post>; label: string }) {
  const { me, refresh } = useSession();
  const [error, fail] = useFailure();

  const remove = async (post: Post) => {
    try {
      await api.deletePost(post.id);
      pages.update((items) => items.filter((p) => p.id !== post.id));
      refresh();
    } catch (err) {
      fail(err);
    }
  };

  return (
    <section aria-label={label}>
      <Alert message={pages.error ?? error} />
      <ol class="posts">
        {pages.items.map((post) => (
          <li key={post.id}>
            <article aria-label={`Post by ${post.author.username}`}>
              <header>
                <a href={`/users/${post.author.id}`}>{post.author.username}</a> <TimeAgo iso={post.createdAt} />
              </header>
              <p class="text">{post.text}</p>
              {post.author.id === me.id && (
                // Named plainly, inside the article named after its author: a name holding "post" would also match the Post button.
                <button type="button" class="link" onClick={() => void remove(post)}>
                  Delete
                </button>
              )}
            </article>
          </li>
        ))}
      </ol>
      {!pages.loading && pages.items.length === 0 && <p>No posts yet.</p>}
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
