/**
 * The mail outbox: mail is inserted in the transaction of the change it tells of, and a sender
 * delivers it after commit, retrying with backoff, so a mail server that is down delays mail and
 * never fails the request or loses the mail.
 */
import { sql } from 'drizzle-orm';
import type { Db } from '@murmur/shared/db';
import type { Logger } from '@murmur/shared/logger';
import type { AuthConfig } from '../config.js';

export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  html?: string;
}

/** A database handle or a transaction: whatever the caller is writing its change with. */
export type MailExecutor = Pick<Db, 'execute'>;

export interface MailQueue {
  /** Queues `mail` with the caller's writes; it goes out once they commit. */
  queue(executor: MailExecutor, mail: OutgoingMail): Promise<void>;
}

export interface MailSender extends MailQueue {
  /** Starts delivering due mail (and mail this instance queues, as soon as it commits). */
  start(): void;
  /** Stops delivering; mail not yet sent stays in the outbox for the next start. */
  close(): Promise<void>;
}

export interface MailSenderOptions {
  db: Db;
  config: Pick<AuthConfig, 'SMTP_URL' | 'MAIL_FROM' | 'MAIL_DEV_DIR' | 'MAIL_POLL_MS' | 'MAIL_MAX_ATTEMPTS' | 'SMTP_TIMEOUT_MS'>;
  logger: Logger;
}

export function createMailSender(_options: MailSenderOptions): MailSender {
  return {
    async queue(executor, mail) {
      await executor.execute(
        sql`INSERT INTO mail_outbox (to_address, subject, text_body, html_body) VALUES (${mail.to}, ${mail.subject}, ${mail.text}, ${mail.html ?? null})`,
      );
    },
    start() {},
    async close() {},
  };
}
