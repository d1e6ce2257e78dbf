/** Home: the compose box and the timeline, with the trending tags beside them. */
import { useCallback } from 'preact/hooks';
import type { Post } from '../api/types.js';
import { api } from '../app/api.js';
import { Compose } from '../components/compose.js';
import { PostList } from '../components/post-list.js';
import { TrendingTags } from '../components/trending-tags.js';
import { usePages } from '../components/use-pages.js';

export function HomePage() {
  const load = useCallback((cursor: string | null) => api.timeline({ cursor }), []);
  const pages = usePages<Post>(load, 'timeline');
  return (
    <div class="columns">
      <div class="column-main">
        <h1>Home</h1>
        <Compose onPosted={(post) => pages.update((items) => [post, ...items.filter((p) => p.id !== post.id)])} />
        <PostList pages={pages} label="Timeline" />
      </div>
      <TrendingTags />
    </div>
  );
}
