/**
 * Queries on reports: what a report keeps of its subject, the one open report per reporter and
 * subject, the moderators' queue and its resolution.
 */
import { sql, type SQL } from 'drizzle-orm';
import { runSql, type Db, type SqlExecutor } from '@murmur/shared/db';
import type { schema } from '@murmur/shared/db';
import type { PageRequest } from '@murmur/shared/http';
import { mediaJsonSql, type MediaAttachment } from '@murmur/shared/media';
import { summaryColumns, toSummary, type AccountSummary, type SummaryRow } from '../repos/account-summary.js';
import { moderatedColumns, toModeratedAccount, type ModeratedAccount } from './accounts.repo.js';

type ReportStatus = schema.ReportStatus;
type ReportAction = schema.ReportAction;

/** A post as it was when reported. */
export interface ReportedPost {
  id: number;
  text: string;
  createdAt: string;
  media: MediaAttachment[];
}

/** A chat message as it was when reported. */
export interface ReportedMessage {
  roomId: number;
  roomName: string;
  seq: number;
  text: string;
  createdAt: string;
  media: MediaAttachment[];
}

/** What a report keeps of its subject, as it was when reported: `reports.snapshot`. */
export interface ReportSnapshot {
  account: AccountSummary;
  post: ReportedPost | null;
  message: ReportedMessage | null;
}

/** The account's summary as it is now; undefined when there is no such account. */
export async function findAccountSummary(db: Db, userId: number): Promise<AccountSummary | undefined> {
  const { rows } = await db.execute<SummaryRow>(sql`SELECT ${summaryColumns('u')} FROM users u WHERE u.id = ${userId}`);
  return rows[0] && toSummary(rows[0]);
}

/** Post `postId` as it reads now, if it is a post (not a repost) of `authorId`'s. */
export async function findReportablePost(db: Db, postId: number, authorId: number): Promise<ReportedPost | undefined> {
  const { rows } = await db.execute<{ id: number; text: string; created_at: Date; media: MediaAttachment[] }>(sql`
    SELECT p.id, p.text, p.created_at,
      (SELECT coalesce(json_agg(${sql.raw(mediaJsonSql('pm'))} ORDER BY pm.position), '[]'::json) FROM media pm WHERE pm.post_id = p.id) AS media
    FROM posts p WHERE p.id = ${postId} AND p.author_id = ${authorId} AND p.repost_of_id IS NULL`);
  const row = rows[0];
  return row && { id: row.id, text: row.text, createdAt: new Date(row.created_at).toISOString(), media: row.media };
}

/**
 * Message `seq` of room `roomId` as it reads now, if it is a message of `authorId`'s that is not
 * deleted, and `readerId` may read the room: anyone a public room, members alone a private or
 * direct one (to anyone else such a message does not exist).
 */
export async function findReportableMessage(
  db: Db,
  message: { roomId: number; seq: number; authorId: number; readerId: number },
): Promise<ReportedMessage | undefined> {
  const { rows } = await db.execute<{ room_name: string; text: string; created_at: Date; media: MediaAttachment[] | null }>(sql`
    SELECT r.name AS room_name, m.text, m.created_at, m.media
    FROM messages m JOIN rooms r ON r.id = m.room_id
    WHERE m.room_id = ${message.roomId} AND m.seq = ${message.seq} AND m.kind = 'message'
      AND m.user_id = ${message.authorId} AND m.deleted_at IS NULL AND m.text IS NOT NULL
      AND (r.kind = 'public' OR EXISTS (SELECT 1 FROM room_members rm WHERE rm.room_id = r.id AND rm.user_id = ${message.readerId}))`);
  const row = rows[0];
  return (
    row && {
      roomId: message.roomId,
      roomName: row.room_name,
      seq: message.seq,
      text: row.text,
      createdAt: new Date(row.created_at).toISOString(),
      media: row.media ?? [],
    }
  );
}

export interface NewReport {
  reporterId: number;
  accountId: number;
  postId?: number;
  roomId?: number;
  messageSeq?: number;
  comment: string;
  snapshot: ReportSnapshot;
}

/**
 * Stores the report, unless the reporter has an open report of the same subject: then that one
 * stands (`reports_open_once_key` decides, a race included) and `created` is false.
 */
export async function insertReport(db: Db, report: NewReport): Promise<{ id: number; created: boolean }> {
  const { rows } = await db.execute<{ id: number; created: boolean }>(sql`
    INSERT INTO reports (reporter_id, account_id, post_id, room_id, message_seq, comment, snapshot)
    VALUES (${report.reporterId}, ${report.accountId}, ${report.postId ?? null}, ${report.roomId ?? null}, ${report.messageSeq ?? null},
      ${report.comment}, ${JSON.stringify(report.snapshot)}::jsonb)
    ON CONFLICT (reporter_id, account_id, coalesce(post_id, 0), coalesce(room_id, 0), coalesce(message_seq, 0)) WHERE status = 'open'
    DO UPDATE SET status = reports.status
    RETURNING id, (xmax = 0) AS created`);
  return rows[0]!;
}

export interface Report {
  id: number;
  status: ReportStatus;
  createdAt: Date;
  comment: string;
  reporter: AccountSummary | null;
  account: ModeratedAccount | null;
  post: ReportedPost | null;
  message: ReportedMessage | null;
  resolution: { action: ReportAction; note: string; moderator: AccountSummary | null; resolvedAt: Date } | null;
}

interface ReportRow extends Record<string, unknown> {
  id: number;
  status: ReportStatus;
  created_at: Date;
  comment: string;
  snapshot: ReportSnapshot;
  action: ReportAction | null;
  note: string | null;
  resolved_at: Date | null;
  reporter: SummaryRow | null;
  account: (SummaryRow & { role: schema.AccountRole; suspended_at: string | null }) | null;
  moderator: SummaryRow | null;
}

/** The JSON of a users row through `columns`, for the account `idColumn` names; null when there is none. */
const accountJson = (columns: SQL, idColumn: string): SQL =>
  sql`(SELECT row_to_json(s) FROM (SELECT ${columns} FROM users u WHERE u.id = ${sql.raw(idColumn)}) s)`;

const reportColumns = sql`r.id, r.status, r.created_at, r.comment, r.snapshot, r.action, r.note, r.resolved_at,
  ${accountJson(summaryColumns('u'), 'r.reporter_id')} AS reporter,
  ${accountJson(moderatedColumns('u'), 'r.account_id')} AS account,
  ${accountJson(summaryColumns('u'), 'r.resolved_by')} AS moderator`;

function toReport(row: ReportRow): Report {
  return {
    id: row.id,
    status: row.status,
    createdAt: new Date(row.created_at),
    comment: row.comment,
    reporter: row.reporter && toSummary(row.reporter),
    account: row.account && toModeratedAccount(row.account),
    post: row.snapshot.post,
    message: row.snapshot.message,
    resolution:
      row.action === null || row.resolved_at === null
        ? null
        : { action: row.action, note: row.note ?? '', moderator: row.moderator && toSummary(row.moderator), resolvedAt: new Date(row.resolved_at) },
  };
}

export async function findReport(executor: SqlExecutor, reportId: number): Promise<Report | undefined> {
  const [row] = await runSql<ReportRow>(executor, sql`SELECT ${reportColumns} FROM reports r WHERE r.id = ${reportId}`);
  return row && toReport(row);
}

/** A page of the queue, newest first, `limit + 1` rows (the extra one says whether more exist). */
export async function listReports(db: Db, status: ReportStatus, page: PageRequest): Promise<Report[]> {
  const { rows } = await db.execute<ReportRow>(sql`
    SELECT ${reportColumns} FROM reports r
    WHERE r.status = ${status} ${page.cursor === undefined ? sql`` : sql`AND r.id < ${page.cursor}`}
    ORDER BY r.id DESC LIMIT ${page.limit + 1}`);
  return rows.map(toReport);
}

/** What a report is about, and whether it is still open. */
export interface ReportSubject {
  id: number;
  status: ReportStatus;
  accountId: number | null;
  postId: number | null;
  roomId: number | null;
  messageSeq: number | null;
}

interface SubjectRow {
  id: number;
  status: ReportStatus;
  account_id: number | null;
  post_id: number | null;
  room_id: number | null;
  message_seq: number | null;
}

/**
 * Report `reportId` and the other open reports of the same subject (the same account, post or
 * message, from any reporter), locked until `tx` ends, in id order so that two moderators
 * resolving reports of one subject wait for each other rather than deadlock. `others` is empty
 * when the account reported is deleted: reports of different deleted accounts look alike.
 */
export async function lockReportAndSubject(tx: SqlExecutor, reportId: number): Promise<{ report: ReportSubject; others: number[] } | undefined> {
  const sameSubject = sql`
    r.status = 'open' AND r.account_id = target.account_id
    AND r.post_id IS NOT DISTINCT FROM target.post_id
    AND r.room_id IS NOT DISTINCT FROM target.room_id
    AND r.message_seq IS NOT DISTINCT FROM target.message_seq`;
  const rows = await runSql<SubjectRow>(tx, sql`
    SELECT r.id, r.status, r.account_id, r.post_id, r.room_id, r.message_seq
    FROM reports r, (SELECT account_id, post_id, room_id, message_seq FROM reports WHERE id = ${reportId}) target
    WHERE r.id = ${reportId} OR (${sameSubject})
    ORDER BY r.id FOR UPDATE OF r`);
  const row = rows.find((candidate) => candidate.id === reportId);
  if (!row) return undefined;
  const report = { id: row.id, status: row.status, accountId: row.account_id, postId: row.post_id, roomId: row.room_id, messageSeq: row.message_seq };
  const others = rows.filter((candidate) => candidate.id !== reportId && candidate.status === 'open').map((candidate) => candidate.id);
  return { report, others };
}

/** Marks reports `ids` resolved by `moderatorId` with `action`. */
export async function markResolved(tx: SqlExecutor, ids: number[], resolution: { action: ReportAction; note: string; moderatorId: number }): Promise<void> {
  await runSql(tx, sql`
    UPDATE reports SET status = 'resolved', action = ${resolution.action}, note = ${resolution.note},
      resolved_by = ${resolution.moderatorId}, resolved_at = now()
    WHERE id = ANY(${sql.param(ids)}::bigint[])`);
}
