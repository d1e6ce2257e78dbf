/**
 * The audit log: one row per moderation action, written in the transaction of the action itself,
 * so the log holds exactly what happened.
 */
import { sql } from 'drizzle-orm';
import { runSql, type Db, type SqlExecutor } from '@murmur/shared/db';
import type { PageRequest } from '@murmur/shared/http';
import { summaryColumns, toSummary, type AccountSummary, type SummaryRow } from '../repos/account-summary.js';

/** What the log records. */
export const AUDIT_ACTIONS = ['report_resolved', 'account_suspended', 'account_unsuspended', 'role_set', 'post_deleted', 'message_deleted'] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export interface AuditRecord {
  /** Null for the command line. */
  actorId: number | null;
  action: AuditAction;
  targetUserId: number | null;
  reportId?: number;
  details?: Record<string, unknown>;
}

export async function writeAudit(tx: SqlExecutor, record: AuditRecord): Promise<void> {
  await runSql(tx, sql`
    INSERT INTO audit_log (actor_id, action, target_user_id, report_id, details)
    VALUES (${record.actorId}, ${record.action}, ${record.targetUserId}, ${record.reportId ?? null}, ${JSON.stringify(record.details ?? {})}::jsonb)`);
}

export interface AuditEntry {
  id: number;
  actor: AccountSummary | null;
  action: AuditAction;
  targetUserId: number | null;
  reportId: number | null;
  details: Record<string, unknown>;
  createdAt: Date;
}

interface AuditRow extends Record<string, unknown> {
  id: number;
  action: AuditAction;
  target_user_id: number | null;
  report_id: number | null;
  details: Record<string, unknown>;
  created_at: Date;
  actor: SummaryRow | null;
}

/** A page of the log, newest first, `limit + 1` rows (the extra one says whether more exist). */
export async function listAudit(db: Db, page: PageRequest): Promise<AuditEntry[]> {
  const { rows } = await db.execute<AuditRow>(sql`
    SELECT a.id, a.action, a.target_user_id, a.report_id, a.details, a.created_at,
      (SELECT row_to_json(s) FROM (SELECT ${summaryColumns('u')} FROM users u WHERE u.id = a.actor_id) s) AS actor
    FROM audit_log a
    WHERE ${page.cursor === undefined ? sql`true` : sql`a.id < ${page.cursor}`}
    ORDER BY a.id DESC LIMIT ${page.limit + 1}`);
  return rows.map((row) => ({
    id: row.id,
    actor: row.actor && toSummary(row.actor),
    action: row.action,
    targetUserId: row.target_user_id,
    reportId: row.report_id,
    details: row.details,
    createdAt: new Date(row.created_at),
  }));
}
