/**
 * A profile: counts, Follow / Unfollow, a direct conversation, Mute, Block and Report, and the
 * user's posts. A profile one blocks says so and shows no posts; one that is gone, suspended or
 * blocks the caller answers 404, shown as not found.
 */
import { useCallback, useEffect, useState } from 'preact/hooks';
import type { Page, Post, Relationship, ViewedProfile } from '../api/types.js';
import { api, unlessNotFound } from '../app/api.js';
import { navigate } from '../app/router.js';
import { useSession } from '../app/session.js';
import { useFailure } from '../app/use-failure.js';
import { Avatar } from '../components/avatar.js';
import { Alert } from '../components/field.js';
import { nameOf } from '../components/post-item.js';
import { PostList } from '../components/post-list.js';
import { relationshipNotice } from '../components/relationship-notice.js';
import { SafetyActions } from '../components/safety-actions.js';
import { usePages } from '../components/use-pages.js';
import { NotFoundPage } from './not-found-page.js';

const NO_POSTS: Page<Post> = { items: [], nextCursor: null };

export function ProfilePage({ userId }: { userId: number }) {
  const { me, refresh } = useSession();
  // undefined while looking, null when there is no profile to see.
  const [profile, setProfile] = useState<ViewedProfile | null>();
  const [busy, setBusy] = useState(false);
  const [error, fail] = useFailure();
  const self = userId === me.id;

  const reload = useCallback(async () => setProfile((await unlessNotFound(api.profile(userId))) ?? null), [userId]);
  useEffect(() => {
    reload().catch(fail);
  }, [reload, fail]);
  const relationship = profile?.relationship ?? undefined;
  const following = relationship?.following;
  const blocking = relationship?.blocking === true;

  // A blocked account's posts are not read at all; unblocking reads them again.
  const load = useCallback((cursor: string | null) => (blocking ? Promise.resolve(NO_POSTS) : api.userPosts(userId, { cursor })), [userId, blocking]);
  const pages = usePages<Post>(load, `${userId}:${blocking}`);

  const toggleFollow = async () => {
    setBusy(true);
    try {
      await (following ? api.unfollow(userId) : api.follow(userId));
      await reload();
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

  const blockChanged = useCallback(async () => {
    await reload();
    // Follows between the two ended: the caller's own counts changed.
    refresh();
  }, [reload, refresh]);

  if (profile === null) return <NotFoundPage />;
  if (!profile) return error ? <Alert message={error} /> : <p>Loading…</p>;
  const notice = relationship && relationshipNotice(relationship, profile.username);
  const apart = relationship !== undefined && (relationship.blocking || relationship.blockedBy);
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
        <div class="profile-actions">
          {!apart && (
            <div class="row">
              <button type="button" onClick={() => void toggleFollow()} disabled={busy || following === undefined} aria-pressed={following}>
                {following ? 'Unfollow' : 'Follow'}
              </button>
              <button type="button" onClick={() => void message()}>
                Message {profile.username}
              </button>
            </div>
          )}
          {notice && (
            <p class="notice" role="status">
              {notice}
            </p>
          )}
          {relationship && (
            <SafetyActions
              profile={{ ...profile, relationship }}
              onRelationship={(next: Relationship) => setProfile({ ...profile, relationship: next })}
              onBlockChanged={blockChanged}
            />
          )}
        </div>
      )}
      <Alert message={error} />
      {!blocking && (
        <>
          <h2>Posts</h2>
          <PostList pages={pages} label={`Posts by ${profile.username}`} />
        </>
      )}
    </>
  );
}

const count = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;
