/** Who follows a user, or whom they follow. */
import { useCallback, useEffect, useState } from 'preact/hooks';
import type { Profile } from '../api/types.js';
import { api } from '../app/api.js';
import { AccountLine } from '../components/account-line.js';
import { Alert } from '../components/field.js';
import { MoreButton } from '../components/more-button.js';
import { usePages } from '../components/use-pages.js';

export function RelationsPage({ userId, direction }: { userId: number; direction: 'followers' | 'following' }) {
  const [profile, setProfile] = useState<Profile>();
  useEffect(() => {
    api.profile(userId).then(setProfile, () => undefined);
  }, [userId]);
  const load = useCallback((cursor: string | null) => api[direction](userId, { cursor }), [userId, direction]);
  const pages = usePages(load, `${direction}${userId}`);
  const name = profile ? <a href={`/users/${userId}`}>{profile.username}</a> : 'This user';
  return (
    <>
      <h1>{direction === 'followers' ? 'Followers' : 'Following'}</h1>
      <p>{direction === 'followers' ? <>Who follows {name}</> : <>Whom {name} follows</>}</p>
      <Alert message={pages.error} />
      <ul class="people">
        {pages.items.map((user) => (
          <li key={user.id}>
            <AccountLine user={user} />
          </li>
        ))}
      </ul>
      {!pages.loading && pages.items.length === 0 && <p>No one yet.</p>}
      <MoreButton pages={pages} label="Show more" />
    </>
  );
}
