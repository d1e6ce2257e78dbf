/** People: search by username; each result links to the profile. */
import { useCallback } from 'preact/hooks';
import type { Page, UserSearchResult } from '../api/types.js';
import { api } from '../app/api.js';
import { AccountLine } from '../components/account-line.js';
import { Alert } from '../components/field.js';
import { MoreButton } from '../components/more-button.js';
import { usePages } from '../components/use-pages.js';
import { SearchBox, useSearch } from '../components/search-box.js';

const EMPTY: Page<UserSearchResult> = { items: [], nextCursor: null };

export function PeoplePage() {
  const search = useSearch('/people');
  const load = useCallback((cursor: string | null) => (search.query ? api.searchUsers(search.query, { cursor }) : Promise.resolve(EMPTY)), [search.query]);
  const pages = usePages(load, search.query);

  return (
    <>
      <h1>People</h1>
      <SearchBox label="Search people" search={search} />
      <Alert message={pages.error} />
      <ul class="people" aria-label="Search results">
        {pages.items.map((user) => (
          <li key={user.id}>
            <AccountLine user={user} />{' '}
            <span class="muted">{user.followersCount === 1 ? '1 follower' : `${user.followersCount} followers`}</span>
          </li>
        ))}
      </ul>
      {search.query && !pages.loading && pages.items.length === 0 && !pages.error && <p>No one matches “{search.query}”.</p>}
      <MoreButton pages={pages} label="Show more people" />
    </>
  );
}
