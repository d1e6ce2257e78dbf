/**
 * The mail outbox: mail is inserted in the transaction of the change it tells of, and a sender
 * delivers it after commit, retrying with backoff, so a mail server that is down delays mail and
 * never fails the request or loses the mail. docs/mail.md describes it for operators.
 */
import type { Db } from '@murmur/shared/db';
import type { Logger } from '@murmur/shared/logger';
import { createMailTransport, type MailTransportConfig } from './mail-transport.js';
import { insertMail, type MailExecutor, type OutgoingMail } from './outbox.repo.js';
import { OutboxSender, type OutboxSenderConfig } from './outbox-sender.js';

export type { MailExecutor, OutgoingMail };

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
  config: MailTransportConfig & OutboxSenderConfig;
  logger: Logger;
}

export function createMailSender(options: MailSenderOptions): MailSender {
  const transport = createMailTransport(options.config, options.logger);
  const sender = new OutboxSender(options.db, transport, options.config, options.logger);
  return {
    queue: insertMail,
    start: () => sender.start(),
    close: () => sender.close(),
  };
}
