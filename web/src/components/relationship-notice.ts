/** What a profile says of a block or a mute of its account, for the eye and for screen readers. */
import type { Relationship } from '../api/types.js';

export function relationshipNotice(relationship: Relationship, username: string): string | undefined {
  if (relationship.blocking) return `You blocked ${username}: you do not see each other’s posts, and they cannot follow, mention or message you.`;
  if (relationship.muting) {
    return relationship.mutingNotifications
      ? `You muted ${username}: their posts and notifications are hidden from you.`
      : `You muted ${username}’s posts; their notifications still come.`;
  }
  return undefined;
}
