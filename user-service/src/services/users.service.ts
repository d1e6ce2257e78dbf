/** Profiles and account deletion. */
import { inTransaction, poolExecutor, type Db } from '@murmur/shared/db';
import { claimMedia } from '@murmur/shared/media';
import { deleteMedia } from '../media/media.repo.js';
import { unauthorized } from '@murmur/shared/errors';
import { findRelationship, type Relationship } from '../repos/safety.repo.js';
import { deleteUser, findProfile, lockAvatarId, updateProfile, type OwnProfile, type Profile, type ProfileChanges } from '../repos/users.repo.js';
import type { TimelineJobs } from '../timeline/timeline-jobs.js';
import { userNotFound } from './follows.service.js';

/**
 * A user's public profile (no email, no role), with the viewer's relationship to them (follows,
 * blocks and mutes both ways); the relationship is null for an anonymous viewer and on one's own
 * profile. A profile not shown to the viewer (`profileShownTo`: a suspended account, to anyone;
 * one that blocks the viewer, to the viewer logged in) is not found. The blocker still sees whom
 * they block, so that they can unblock.
 */
export async function getProfile(db: Db, userId: number, viewerId?: number): Promise<Profile & { relationship: Relationship | null }> {
  const [profile, relationship] = await Promise.all([
    findProfile(db, userId, viewerId),
    viewerId === undefined || viewerId === userId ? undefined : findRelationship(poolExecutor(db.$client), viewerId, userId),
  ]);
  if (!profile?.shown) throw userNotFound(userId);
  const { email, emailVerified, role, shown, ...publicProfile } = profile;
  return { ...publicProfile, relationship: relationship ?? null };
}

/** The caller's own profile, email and role included. */
export async function getOwnProfile(db: Db, userId: number): Promise<OwnProfile> {
  const profile = await findProfile(db, userId);
  // The session was valid a moment ago; the account has just been deleted.
  if (!profile) throw unauthorized('SESSION_REVOKED', 'the account no longer exists');
  const { shown, ...own } = profile;
  return own;
}

/**
 * Changes the caller's display name, bio and avatar; answers their own profile. A new avatar
 * must be an unattached upload of theirs; the one it replaces is deleted with its files.
 */
export async function editOwnProfile(db: Db, userId: number, changes: ProfileChanges): Promise<OwnProfile> {
  const updated = await inTransaction(db.$client, async (tx) => {
    const avatar = changes.avatarMediaId;
    // Setting the avatar one already has changes nothing (and is no conflict); the row stays
    // locked, so a concurrent change waits for this one.
    if (avatar != null && (await lockAvatarId(tx, userId)) !== avatar) {
      await claimMedia(tx, { ownerId: userId, ids: [avatar], use: 'avatar' });
    }
    const result = await updateProfile(tx, userId, changes);
    if (result?.replacedAvatarId != null) await deleteMedia(tx, result.replacedAvatarId);
    return result;
  });
  if (!updated) throw unauthorized('SESSION_REVOKED', 'the account no longer exists');
  return getOwnProfile(db, userId);
}


export async function deleteAccount(jobs: TimelineJobs, userId: number): Promise<void> {
  if (!(await deleteUser(jobs, userId))) throw unauthorized('SESSION_REVOKED', 'the account no longer exists');
}
