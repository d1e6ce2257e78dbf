/** Search posts by their words; each result is a post with its actions. */
import { useCallback } from 'preact/hooks';
import type { Page, Post } from '../api/types.js';
import { api } from '../app/api.js';
import { PostList } from '../components/post-list.js';
import { usePages } from '../components/use-pages.js';
import { SearchBox, useSearch } from '../components/search-box.js';

const EMPTY: Page<Post> = { items: [], nextCursor: null };

export function SearchPage() {
  const search = useSearch('/search');
  const load = useCallback((cursor: string | null) => (search.query ? api.searchPosts(search.query, { cursor }) : Promise.resolve(EMPTY)), [search.query]);
  const pages = usePages<Post>(load, search.query);

  return (
    <>
      <h1>Search</h1>
      <SearchBox label="Search posts" search={search} />
      {search.query && <PostList pages={pages} label="Posts found" empty={`No posts match “${search.query}”.`} />}
    </>
  );
}
