/**
 * The client's own rules for blocks, mutes, reports and moderation: what a report sends, what the
 * profile says of a block or a mute, which resolutions and suspensions the moderation page offers
 * (only those the server would take), and how refusals and the audit log read.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { refusalText } from '../src/api/refusal-text.js';
import { MAX_REPORT_COMMENT_CHARACTERS, type ModeratedAccount, type Relationship, type Report } from '../src/api/types.js';
import { auditVerb, canSuspend, detailsText, resolveActions } from '../src/admin/moderation-rules.js';
import { relationshipNotice } from '../src/components/relationship-notice.js';
import { accountReport, commentFits, messageReport, postReport, reportBody, reportWording } from '../src/components/report-subject.js';

const alice = { id: 7, username: 'alice' };

describe('a report', () => {
  it('names the account, and the post or the message of it that is reported', () => {
    assert.deepEqual(accountReport(alice), { accountId: 7 });
    assert.deepEqual(postReport({ id: 90, author: alice }), { accountId: 7, postId: 90 });
    assert.deepEqual(messageReport({ roomId: 3, seq: 12 }, alice), { accountId: 7, roomId: 3, messageSeq: 12 });
  });

  it('sends the comment trimmed, and none when it is blank', () => {
    assert.deepEqual(reportBody({ accountId: 7, postId: 90 }, '  spam links  '), { accountId: 7, postId: 90, comment: 'spam links' });
    assert.deepEqual(reportBody({ accountId: 7 }, ' \n '), { accountId: 7 });
  });

  it('takes a comment of up to 1,000 characters, counted as the server counts them', () => {
    assert.equal(commentFits('x'.repeat(MAX_REPORT_COMMENT_CHARACTERS)), true);
    assert.equal(commentFits('x'.repeat(MAX_REPORT_COMMENT_CHARACTERS + 1)), false);
    // An emoji is one character, though two UTF-16 units; the spaces around are not counted.
    assert.equal(commentFits(` ${'🙂'.repeat(MAX_REPORT_COMMENT_CHARACTERS)} `), true);
  });

  it('words its dialog after what is reported', () => {
    assert.equal(reportWording(postReport({ id: 1, author: alice }), 'alice').title, 'Report alice’s post');
    assert.equal(reportWording(messageReport({ roomId: 1, seq: 1 }, alice), 'alice').title, 'Report alice’s message');
    assert.equal(reportWording(accountReport(alice), 'alice').title, 'Report alice');
  });
});

describe('what a profile says of a block or a mute', () => {
  const none: Relationship = { id: 7, following: false, followedBy: false, blocking: false, blockedBy: false, muting: false, mutingNotifications: false };

  it('says nothing when there is neither', () => {
    assert.equal(relationshipNotice(none, 'alice'), undefined);
  });

  it('says a block first, and whether a mute takes the notifications too', () => {
    assert.match(relationshipNotice({ ...none, blocking: true, muting: true }, 'alice') ?? '', /^You blocked alice/);
    assert.match(relationshipNotice({ ...none, muting: true, mutingNotifications: true }, 'alice') ?? '', /posts and notifications/);
    assert.match(relationshipNotice({ ...none, muting: true }, 'alice') ?? '', /notifications still come/);
  });
});

describe('the moderation page’s choices', () => {
  const account = (role: ModeratedAccount['role'], suspended = false): ModeratedAccount => ({ ...alice, displayName: null, avatarUrl: null, role, suspended });
  const moderator = { id: 1, role: 'moderator' as const };
  const admin = { id: 2, role: 'admin' as const };
  const post = { id: 90, text: 'buy now', createdAt: '2026-01-01T00:00:00.000Z', media: [] };
  const message = { roomId: 3, roomName: 'harbour', seq: 12, text: 'buy now', createdAt: '2026-01-01T00:00:00.000Z', media: [] };
  const report = (fields: Partial<Pick<Report, 'account' | 'post' | 'message'>>) => ({ account: account('user'), post: null, message: null, ...fields });

  it('offers to delete what the report is about, and to suspend its account', () => {
    assert.deepEqual(resolveActions(report({ post }), moderator), ['none', 'delete_post', 'suspend']);
    assert.deepEqual(resolveActions(report({ message }), moderator), ['none', 'delete_message', 'suspend']);
    assert.deepEqual(resolveActions(report({}), moderator), ['none', 'suspend']);
    assert.deepEqual(resolveActions(report({ account: null, post }), moderator), ['none', 'delete_post']);
  });

  it('offers a suspension only where the server takes it', () => {
    assert.equal(canSuspend(account('user', true), moderator), false, 'already suspended');
    assert.equal(canSuspend({ ...account('moderator'), id: moderator.id }, moderator), false, 'oneself');
    assert.equal(canSuspend(account('moderator'), moderator), false, 'a moderator by a moderator');
    assert.equal(canSuspend(account('admin'), moderator), false, 'an admin by a moderator');
    assert.equal(canSuspend(account('moderator'), admin), true, 'a moderator by an admin');
    assert.equal(canSuspend(account('user'), moderator), true);
  });
});

describe('the audit log and refusals, in words', () => {
  it('reads an entry’s details as key: value pairs, leaving out the empty ones', () => {
    assert.equal(detailsText({ note: 'spam', role: 'moderator', postId: 90, empty: '', gone: null }), 'note: spam; role: moderator; postId: 90');
    assert.equal(detailsText({}), '');
    assert.equal(detailsText(null), '');
    assert.equal(detailsText({ seqs: [1, 2] }), 'seqs: [1,2]');
  });

  it('names every action, and one it does not know yet by its code', () => {
    assert.equal(auditVerb('account_suspended'), 'suspended an account');
    assert.equal(auditVerb('account_warned'), 'account warned');
  });

  it('words a suspension and a block itself, and passes every other refusal on as the server says it', () => {
    assert.equal(refusalText('ACCOUNT_SUSPENDED', 'account suspended'), 'This account is suspended.');
    assert.equal(refusalText('BLOCKED', 'one of you has blocked the other'), 'One of you has blocked the other.');
    assert.equal(refusalText('TOO_MANY_REPORTS', 'at most 20 reports an hour'), 'at most 20 reports an hour');
  });
});
