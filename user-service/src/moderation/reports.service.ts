/**
 * The rules of reports: what may be reported by whom, what a report keeps of its subject, and
 * how a moderator resolves it. A resolution, the action it takes and their audit entries commit
 * in one transaction, and it resolves every open report of the same subject with it.
 */
import { poolExecutor, type Db, type SqlExecutor } from '@murmur/shared/db';
import { badRequest, conflict, notFound } from '@murmur/shared/errors';
import type { Page, PageRequest } from '@murmur/shared/http';
import { removeMessageAsModerator } from '@murmur/shared/message-changes';
import type { schema } from '@murmur/shared/db';
import type { Enqueue } from '../timeline/job-queue.js';
import type { TimelineJob } from '../timeline/timeline-jobs.js';
import { deletePostWithEffects, postNotFound, type Delivery } from '../services/posts.service.js';
import { userNotFound } from '../services/follows.service.js';
import { changeSuspension } from './accounts.service.js';
import { writeAudit } from './audit.repo.js';
import type { Moderator } from './roles.js';
import { pageById } from './page-by-id.js';
import type { ReportInput } from './moderation.schemas.js';
import {
  findAccountSummary,
  findReport,
  findReportableMessage,
  findReportablePost,
  insertReport,
  listReports,
  lockReportAndSubject,
  markResolved,
  type Report,
  type ReportSubject,
} from './reports.repo.js';

const messageNotFound = (roomId: number, seq: number) => notFound('MESSAGE_NOT_FOUND', `no message ${seq} of that account in room ${roomId}`);
const reportNotFound = (id: number) => notFound('REPORT_NOT_FOUND', `no report with id ${id}`);

/**
 * Files a report of `input.accountId`, or of one of its posts or chat messages, keeping them as
 * they read now. While the reporter's report of the same subject is open, that one is answered
 * (`created` false) and nothing new is stored.
 */
export async function createReport(db: Db, reporterId: number, input: ReportInput): Promise<{ id: number; created: boolean }> {
  const { accountId, postId, roomId, messageSeq, comment } = input;
  if (accountId === reporterId) throw badRequest('CANNOT_REPORT_SELF', 'you cannot report yourself');
  const account = await findAccountSummary(db, accountId);
  if (!account) throw userNotFound(accountId);
  const post = postId === undefined ? undefined : await findReportablePost(db, postId, accountId);
  if (postId !== undefined && !post) throw postNotFound(postId);
  const inRoom = roomId !== undefined && messageSeq !== undefined ? { roomId, seq: messageSeq } : undefined;
  const message = inRoom && (await findReportableMessage(db, { ...inRoom, authorId: accountId, readerId: reporterId }));
  if (inRoom && !message) throw messageNotFound(inRoom.roomId, inRoom.seq);
  return insertReport(db, {
    reporterId,
    accountId,
    postId,
    roomId,
    messageSeq,
    comment,
    snapshot: { account, post: post ?? null, message: message ?? null },
  });
}

export async function reportQueue(db: Db, status: schema.ReportStatus, page: PageRequest): Promise<Page<Report>> {
  return pageById(await listReports(db, status, page), page.limit);
}

export interface Resolution {
  action: schema.ReportAction;
  note: string;
}

/** What a resolution did that must be told to the live streams once it has committed. */
interface Done {
  postLeft?: { postId: number; readerIds: number[] };
}

/** Deletes the reported post as its author's own deletion does; a post already gone is no error. */
async function deleteReportedPost(tx: SqlExecutor, enqueue: Enqueue<TimelineJob>, delivery: Delivery, postId: number, authorId: number): Promise<Done> {
  const { result, readers } = await deletePostWithEffects(tx, enqueue, delivery, postId, authorId);
  return result === 'deleted' ? { postLeft: { postId, readerIds: readers } } : {};
}

/** Takes the action of `resolution` on the report's subject, in `tx`, with its audit entry. */
async function takeAction(
  tx: SqlExecutor,
  enqueue: Enqueue<TimelineJob>,
  delivery: Delivery,
  moderator: Moderator,
  report: ReportSubject,
  resolution: Resolution,
): Promise<Done> {
  const audit = { actorId: moderator.id, targetUserId: report.accountId, reportId: report.id };
  switch (resolution.action) {
    case 'none':
      return {};
    case 'delete_post': {
      if (report.postId === null) throw badRequest('NO_POST_TO_DELETE', 'the report names no post');
      // The account is gone, and its posts with it.
      if (report.accountId === null) return {};
      const done = await deleteReportedPost(tx, enqueue, delivery, report.postId, report.accountId);
      if (done.postLeft) await writeAudit(tx, { ...audit, action: 'post_deleted', details: { postId: report.postId } });
      return done;
    }
    case 'delete_message': {
      if (report.roomId === null || report.messageSeq === null) throw badRequest('NO_MESSAGE_TO_DELETE', 'the report names no chat message');
      const removal = await removeMessageAsModerator(tx, { roomId: report.roomId, seq: report.messageSeq, moderator: { id: moderator.id, username: moderator.username } });
      if (removal) await writeAudit(tx, { ...audit, action: 'message_deleted', details: { roomId: report.roomId, seq: report.messageSeq, deletionSeq: removal.seq } });
      return {};
    }
    case 'suspend':
      // A deleted account has nothing left to suspend.
      if (report.accountId !== null) await changeSuspension(tx, moderator, report.accountId, true, { note: resolution.note, reportId: report.id });
      return {};
  }
}

/**
 * Resolves report `reportId` with `resolution`, and with it the other open reports of the same
 * subject; each gets its `report_resolved` audit entry, the action one of its own. A resolved
 * report answers 409 `REPORT_RESOLVED`.
 */
export async function resolveReport(db: Db, delivery: Delivery, moderator: Moderator, reportId: number, resolution: Resolution): Promise<Report> {
  const done = await delivery.jobs.write(async (tx, enqueue) => {
    const locked = await lockReportAndSubject(tx, reportId);
    if (!locked) throw reportNotFound(reportId);
    const { report, others } = locked;
    if (report.status !== 'open') throw conflict('REPORT_RESOLVED', `report ${reportId} is resolved already`);
    const result = await takeAction(tx, enqueue, delivery, moderator, report, resolution);
    const resolved = [report.id, ...others];
    await markResolved(tx, resolved, { ...resolution, moderatorId: moderator.id });
    for (const id of resolved) {
      const details = { action: resolution.action, note: resolution.note, ...(id === report.id ? {} : { resolvedWith: report.id }) };
      await writeAudit(tx, { actorId: moderator.id, action: 'report_resolved', targetUserId: report.accountId, reportId: id, details });
    }
    return result;
  });
  if (done.postLeft) delivery.live.postsLeft([done.postLeft]);
  const report = await findReport(poolExecutor(db.$client), reportId);
  if (!report) throw reportNotFound(reportId);
  return report;
}
