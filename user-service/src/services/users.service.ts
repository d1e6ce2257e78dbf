/** Profiles and account deletion. */
import type { Db } from '@murmur/shared/db';
import { unauthorized } from '@murmur/shared/errors';
import { findRelationship } from '../repos/follows.repo.js';
import { deleteUser, findProfile, updateProfile, type OwnProfile, type Profile, type ProfileChanges } from '../repos/users.repo.js';
import type { TimelineJobs } from '../timeline/timeline-jobs.js';
import { userNotFound, type Relationship } from './follows.service.js';

/**
 * A user's public profile (no email), with the viewer's relationship to them: whether the
 * viewer follows them and is followed back. Null for an anonymous viewer and on one's own profile.
 */
export async function getProfile(db: Db, userId: number, viewerId?: number): Promise<Profile & { relationship: Relationship | null }> {
  const [profile, relationship] = await Promise.all([
    findProfile(db, userId),
    viewerId === undefined || viewerId === userId ? undefined : findRelationship(db, viewerId, userId),
  ]);
  if (!profile) throw userNotFound(userId);
  const { email, ...publicProfile } = profile;
  return { ...publicProfile, relationship: relationship ? { id: userId, ...relationship } : null };
}

/** The caller's own profile, email included. */
export async function getOwnProfile(db: Db, userId: number): Promise<OwnProfile> {
  const profile = await findProfile(db, userId);
  // The session was valid a moment ago; the account has just been deleted.
  if (!profile) throw unauthorized('SESSION_REVOKED', 'the account no longer exists');
  return profile;
}

/** Changes the caller's display name and bio; answers their own profile. */
export async function editOwnProfile(db: Db, userId: number, changes: ProfileChanges): Promise<OwnProfile> {
  if (!(await updateProfile(db, userId, changes))) throw unauthorized('SESSION_REVOKED', 'the account no longer exists');
  return getOwnProfile(db, userId);
}

export async function deleteAccount(jobs: TimelineJobs, userId: number): Promise<void> {
  if (!(await deleteUser(jobs, userId))) throw unauthorized('SESSION_REVOKED', 'the account no longer exists');
}
