/**
 * Home: the compose box and the timeline, with the trending tags beside them. Posts that enter
 * the timeline while it is open wait behind "Show N new posts", so the list never moves under
 * the reader; a post that leaves it goes at once.
 */
import { useCallback, useState } from 'preact/hooks';
import type { Post } from '../api/types.js';
import { api } from '../app/api.js';
import { useLive } from '../app/live.js';
import { Compose } from '../components/compose.js';
import { PostList } from '../components/post-list.js';
import { TrendingTags } from '../components/trending-tags.js';
import { usePages } from '../components/use-pages.js';

export function HomePage() {
  const load = useCallback((cursor: string | null) => api.timeline({ cursor }), []);
  const pages = usePages<Post>(load, 'timeline');
  const [waiting, setWaiting] = useState<Post[]>([]);
  const { update } = pages;

  useLive(
    'timeline',
    useCallback((post: Post) => setWaiting((held) => [post, ...held.filter((p) => p.id !== post.id)]), []),
  );
  useLive(
    'timelineDelete',
    useCallback(
      (postId: number) => {
        setWaiting((held) => held.filter((p) => p.id !== postId));
        update((items) => items.filter((p) => p.id !== postId));
      },
      [update],
    ),
  );

  const showNew = () => {
    const shown = waiting;
    setWaiting([]);
    update((items) => [...shown, ...items.filter((item) => !shown.some((post) => post.id === item.id))]);
  };
  // The reader's own post is in the list already (Compose puts it there).
  const fresh = waiting.filter((post) => !pages.items.some((item) => item.id === post.id));

  return (
    <div class="columns">
      <div class="column-main">
        <h1>Home</h1>
        <Compose onPosted={(post) => update((items) => [post, ...items.filter((p) => p.id !== post.id)])} />
        {fresh.length > 0 && (
          <button type="button" class="new-posts" onClick={showNew}>
            {fresh.length === 1 ? 'Show 1 new post' : `Show ${fresh.length} new posts`}
          </button>
        )}
        <PostList pages={pages} label="Timeline" />
      </div>
      <TrendingTags />
    </div>
  );
}
