/** Queries on mail_outbox: one row per mail not yet delivered. */
import { sql } from 'drizzle-orm';
import type { Db } from '@murmur/shared/db';

/** Told on commit of every transaction that queued mail, so senders need not wait for a poll. */
export const MAIL_QUEUED_CHANNEL = 'murmur_mail_queued';

/** A database handle or a transaction: whatever the caller is writing its change with. */
export type MailExecutor = Pick<Db, 'execute'>;

export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  html?: string;
}

export interface OutboxMail extends OutgoingMail {
  id: number;
  /** Failed deliveries so far. */
  attempts: number;
  /** How long ago it was queued, by the database's clock. */
  ageMs: number;
}

/**
 * Inserts the mail and announces it in one statement. PostgreSQL delivers a NOTIFY when its
 * transaction commits, and never if it rolls back, so senders hear of the mail exactly when they
 * can see it.
 */
export async function insertMail(executor: MailExecutor, mail: OutgoingMail): Promise<void> {
  await executor.execute(sql`
    WITH queued AS (
      INSERT INTO mail_outbox (to_address, subject, text_body, html_body)
      VALUES (${mail.to}, ${mail.subject}, ${mail.text}, ${mail.html ?? null})
      RETURNING id
    )
    SELECT pg_notify(${MAIL_QUEUED_CHANNEL}, id::text) FROM queued`);
}

/**
 * The due mail waiting longest, locked until the caller's transaction ends. SKIP LOCKED passes
 * over mail another sender holds, so each mail goes to one sender at a time.
 */
export async function claimDueMail(tx: MailExecutor): Promise<OutboxMail | undefined> {
  const { rows } = await tx.execute<{ id: number; to: string; subject: string; text: string; html: string | null; attempts: number; age_ms: number }>(sql`
    SELECT id, to_address AS "to", subject, text_body AS "text", html_body AS "html", attempts,
      extract(epoch FROM clock_timestamp() - created_at) * 1000 AS age_ms
    FROM mail_outbox
    WHERE next_attempt_at <= now()
    ORDER BY next_attempt_at, id
    LIMIT 1
    FOR UPDATE SKIP LOCKED`);
  const row = rows[0];
  if (!row) return undefined;
  const { age_ms: ageMs, ...mail } = row;
  return { ...mail, html: mail.html ?? undefined, ageMs: Number(ageMs) };
}

/** Forgets a mail: delivered (its text may hold a live link) or given up on. */
export async function deleteMail(tx: MailExecutor, id: number): Promise<void> {
  await tx.execute(sql`DELETE FROM mail_outbox WHERE id = ${id}`);
}

/** Records a failed delivery and when to try again, counted from now (not the transaction's start). */
export async function rescheduleMail(tx: MailExecutor, id: number, failure: { attempts: number; error: string; retryInMs: number }): Promise<void> {
  await tx.execute(sql`
    UPDATE mail_outbox
    SET attempts = ${failure.attempts},
        last_error = ${failure.error},
        next_attempt_at = clock_timestamp() + ${failure.retryInMs} * interval '1 millisecond'
    WHERE id = ${id}`);
}
