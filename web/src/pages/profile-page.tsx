/** A profile: counts, Follow / Unfollow, a direct conversation, and the user's posts. */
import { useCallback, useEffect, useState } from 'preact/hooks';
import type { Post, ViewedProfile } from '../api/types.js';
import { api } from '../app/api.js';
import { navigate } from '../app/router.js';
import { useSession } from '../app/session.js';
import { useFailure } from '../app/use-failure.js';
import { Avatar } from '../components/avatar.js';
import { Alert } from '../components/field.js';
import { nameOf } from '../components/post-item.js';
import { PostList } from '../components/post-list.js';
import { usePages } from '../components/use-pages.js';

export function ProfilePage({ userId }: { userId: number }) {
  const { me, refresh } = useSession();
  const [profile, setProfile] = useState<ViewedProfile>();
  const [busy, setBusy] = useState(false);
  const [error, fail] = useFailure();
  const self = userId === me.id;

  useEffect(() => {
    api.profile(userId).then(setProfile, fail);
  }, [userId, fail]);
  const following = profile?.relationship?.following;

  const load = useCallback((cursor: string | null) => api.userPosts(userId, { cursor }), [userId]);
  const pages = usePages<Post>(load, userId);

  const toggleFollow = async () => {
    setBusy(true);
    try {
      await (following ? api.unfollow(userId) : api.follow(userId));
      setProfile(await api.profile(userId));
      refresh();
    } catch (err) {
      fail(err);
    } finally {
      setBusy(false);
    }
  };

  const message = async () => {
    try {
      const room = await api.directRoom(userId);
      navigate(`/rooms/${room.id}`);
    } catch (err) {
      fail(err);
    }
  };

  if (!profile) return error ? <Alert message={error} /> : <p>Loading…</p>;
  return (
    <>
      <div class="profile-head">
        <Avatar user={profile} size="large" />
        <h1>{nameOf(profile)}</h1>
      </div>
      <p class="muted">
        {profile.displayName !== null && <>@{profile.username} · </>}Joined {new Date(profile.createdAt).toLocaleDateString()}
      </p>
      {profile.bio && <p class="bio">{profile.bio}</p>}
      <ul class="counts" aria-label="Counts">
        <li>{count(profile.postsCount, 'post', 'posts')}</li>
        <li>
          <a href={`/users/${userId}/followers`}>{count(profile.followersCount, 'follower', 'followers')}</a>
        </li>
        <li>
          <a href={`/users/${userId}/following`}>{profile.followingCount} following</a>
        </li>
      </ul>
      {!self && (
        <div class="row">
          <button type="button" onClick={() => void toggleFollow()} disabled={busy || following === undefined} aria-pressed={following}>
            {following ? 'Unfollow' : 'Follow'}
          </button>
          <button type="button" onClick={() => void message()}>
            Message {profile.username}
          </button>
        </div>
      )}
      <Alert message={error} />
      <h2>Posts</h2>
      <PostList pages={pages} label={`Posts by ${profile.username}`} />
    </>
  );
}

const count = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;
