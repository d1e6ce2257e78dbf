/** An account in a list: its avatar, its username linking to its profile, and its display name. */
import type { UserSummary } from '../api/types.js';
import { Avatar } from './avatar.js';

export function AccountLine({ user }: { user: UserSummary }) {
  return (
    <>
      <Avatar user={user} /> <a href={`/users/${user.id}`}>{user.username}</a>
      {user.displayName !== null && <span class="muted"> · {user.displayName}</span>}
    </>
  );
}
