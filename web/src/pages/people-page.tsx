/** People: search by username; each result links to the profile. */
import { useCallback, useEffect, useState } from 'preact/hooks';
import type { Page, UserSearchResult } from '../api/types.js';
import { api } from '../app/api.js';
import { Alert } from '../components/field.js';
import { MoreButton } from '../components/more-button.js';
import { usePages } from '../components/use-pages.js';

/** Wait for a pause in typing before asking the server. */
const SEARCH_DELAY_MS = 250;
const EMPTY: Page<UserSearchResult> = { items: [], nextCursor: null };

export function PeoplePage() {
  const initial = new URLSearchParams(location.search).get('q') ?? '';
  const [text, setText] = useState(initial);
  const [query, setQuery] = useState(initial.trim());

  useEffect(() => {
    const timer = setTimeout(() => setQuery(text.trim()), SEARCH_DELAY_MS);
    return () => clearTimeout(timer);
  }, [text]);

  useEffect(() => {
    // Keeps the search in the address, so Back and a reload bring it back.
    history.replaceState(null, '', query ? `/people?q=${encodeURIComponent(query)}` : '/people');
  }, [query]);

  const load = useCallback((cursor: string | null) => (query ? api.searchUsers(query, { cursor }) : Promise.resolve(EMPTY)), [query]);
  const pages = usePages(load, query);

  return (
    <>
      <h1>People</h1>
      <form role="search" onSubmit={(e) => (e.preventDefault(), setQuery(text.trim()))}>
        <label class="field">
          <span>Search people</span>
          <input type="search" value={text} onInput={(e) => setText(e.currentTarget.value)} autofocus />
        </label>
      </form>
      <Alert message={pages.error} />
      <ul class="people" aria-label="Search results">
        {pages.items.map((user) => (
          <li key={user.id}>
            <a href={`/users/${user.id}`}>{user.username}</a>
            {user.displayName !== null && <span class="muted"> · {user.displayName}</span>}{' '}
            <span class="muted">{user.followersCount === 1 ? '1 follower' : `${user.followersCount} followers`}</span>
          </li>
        ))}
      </ul>
      {query && !pages.loading && pages.items.length === 0 && !pages.error && <p>No one matches “{query}”.</p>}
      <MoreButton pages={pages} label="Show more people" />
    </>
  );
}
