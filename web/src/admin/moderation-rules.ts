/**
 * What the moderation page offers for a report and how it words what was done: pure, so the
 * rules the server holds moderators to (a moderator cannot suspend a moderator or an admin, nor
 * anyone themselves) are offered only where they would be taken.
 */
import type { AccountRole, AuditAction, ModeratedAccount, Report, ReportAction } from '../api/types.js';

/** The moderator acting. */
export interface Moderator {
  id: number;
  role: AccountRole;
}

/** Whether `moderator` may suspend `account` now. */
export function canSuspend(account: Pick<ModeratedAccount, 'id' | 'role' | 'suspended'>, moderator: Moderator): boolean {
  if (account.suspended || account.id === moderator.id) return false;
  return moderator.role === 'admin' || account.role === 'user';
}

/** The ways an open report can be resolved: deleting what it is about, suspending its account, or nothing. */
export function resolveActions(report: Pick<Report, 'account' | 'post' | 'message'>, moderator: Moderator): ReportAction[] {
  const actions: ReportAction[] = ['none'];
  if (report.post) actions.push('delete_post');
  if (report.message) actions.push('delete_message');
  if (report.account && canSuspend(report.account, moderator)) actions.push('suspend');
  return actions;
}

/** A resolve action, as the choice names it. */
export const ACTION_CHOICES: Record<ReportAction, string> = {
  none: 'Take no action',
  delete_post: 'Delete the post',
  delete_message: 'Delete the message',
  suspend: 'Suspend the account',
};

/** A resolve action, as a resolved report says what was done. */
export const ACTION_DONE: Record<ReportAction, string> = {
  none: 'no action taken',
  delete_post: 'post deleted',
  delete_message: 'message deleted',
  suspend: 'account suspended',
};

/** An audit log line's verb, after the moderator's name. */
export const AUDIT_VERBS: Record<AuditAction, string> = {
  report_resolved: 'resolved a report',
  account_suspended: 'suspended an account',
  account_unsuspended: 'unsuspended an account',
  role_set: 'set an account’s role',
  post_deleted: 'deleted a post',
  message_deleted: 'deleted a message',
};

/** An action the server may add later still reads as something. */
export const auditVerb = (action: string): string => AUDIT_VERBS[action as AuditAction] ?? action.replaceAll('_', ' ');

const valueText = (value: unknown): string => (typeof value === 'string' ? value : JSON.stringify(value));

/** What an audit entry recorded besides its action, as `key: value` pairs; empty when nothing. */
export function detailsText(details: unknown): string {
  if (details === null || details === undefined || details === '') return '';
  if (typeof details !== 'object' || Array.isArray(details)) return valueText(details);
  return Object.entries(details)
    .filter(([, value]) => value !== null && value !== undefined && value !== '')
    .map(([key, value]) => `${key}: ${valueText(value)}`)
    .join('; ');
}
