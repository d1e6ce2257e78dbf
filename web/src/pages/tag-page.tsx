/** A hashtag's posts, newest first. */
import { useCallback } from 'preact/hooks';
import type { Post } from '../api/types.js';
import { api } from '../app/api.js';
import { PostList } from '../components/post-list.js';
import { normaliseTag } from '../components/post-links.js';
import { usePages } from '../components/use-pages.js';

export function TagPage({ tag }: { tag: string }) {
  const shown = normaliseTag(tag);
  const load = useCallback((cursor: string | null) => api.tagPosts(shown, { cursor }), [shown]);
  const pages = usePages<Post>(load, shown);
  return (
    <>
      <h1>#{shown}</h1>
      <PostList pages={pages} label={`Posts tagged #${shown}`} empty="No posts with this tag yet." />
    </>
  );
}
