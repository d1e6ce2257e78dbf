/**
 * Delivers the outbox, one mail at a time: when a transaction that queued mail commits (NOTIFY),
 * and every MAIL_POLL_MS, which also brings failed mail back when its retry is due and covers
 * notifications missed while the database was away.
 */
import type pg from 'pg';
import { drizzle } from 'drizzle-orm/node-postgres';
import { PgListener, type Db } from '@murmur/shared/db';
import type { Logger } from '@murmur/shared/logger';
import type { AuthConfig } from '../config.js';
import { MailRefused, type MailTransport } from './mail-transport.js';
import { claimDueMail, deleteMail, MAIL_QUEUED_CHANNEL, rescheduleMail, type MailExecutor, type OutboxMail } from './outbox.repo.js';

/** However often a mail fails, it is tried again at least hourly until it is MAIL_MAX_AGE_HOURS old. */
const MAX_RETRY_DELAY_MS = 60 * 60_000;
const HOUR_MS = 60 * 60_000;
/** `last_error` keeps the start of the error: enough to diagnose, bounded whatever a server says. */
const MAX_ERROR_LENGTH = 500;

export type OutboxSenderConfig = Pick<AuthConfig, 'DATABASE_URL' | 'MAIL_POLL_MS' | 'MAIL_MAX_AGE_HOURS' | 'MAIL_RETRY_DELAY_MS'>;

/** The wait after the `failures`-th failed delivery: `firstDelayMs`, doubled per failure, capped. */
export function retryDelayMs(failures: number, firstDelayMs: number): number {
  return Math.min(MAX_RETRY_DELAY_MS, firstDelayMs * 2 ** Math.max(0, failures - 1));
}

/** What became of the mail a delivery took: `refused` (for good, and dropped) says the server answers. */
type Outcome = 'sent' | 'refused' | 'failed' | 'none';

export class OutboxSender {
  private readonly listener: PgListener;
  private pollTimer: NodeJS.Timeout | undefined;
  /** The pass under way, if any; at most one runs, so delivery is one mail at a time. */
  private pass: Promise<void> | undefined;
  /** A wake-up came during a pass: mail it announced may have committed after that pass looked. */
  private wokenDuringPass = false;
  private closed = false;

  constructor(
    private readonly db: Db,
    private readonly transport: MailTransport,
    private readonly config: OutboxSenderConfig,
    private readonly logger: Logger,
  ) {
    this.listener = new PgListener(config.DATABASE_URL, [MAIL_QUEUED_CHANNEL], logger);
    this.listener.on('notification', () => this.wake());
    this.listener.on('connected', () => this.wake());
  }

  start(): void {
    // A first failure is retried by the listener itself; until then the poll delivers.
    this.listener.start().catch((err: unknown) => this.logger.warn({ err }, 'mail sender: cannot listen for queued mail yet'));
    this.pollTimer = setInterval(() => this.wake(), this.config.MAIL_POLL_MS);
    this.pollTimer.unref();
    this.wake();
  }

  /** Stops waking, waits for the mail being delivered, if any; the rest stays queued. */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.pollTimer);
    await this.listener.stop();
    await this.pass;
    this.transport.close();
  }

  private wake(): void {
    if (this.closed) return;
    if (this.pass) {
      this.wokenDuringPass = true;
      return;
    }
    this.pass = this.deliverDue().finally(() => {
      this.pass = undefined;
      if (this.wokenDuringPass) {
        this.wokenDuringPass = false;
        this.wake();
      }
    });
  }

  /**
   * Delivers due mail until none is left or one fails. A failure most often means the mail
   * server is unreachable: the rest waits for the next poll rather than each mail spending
   * SMTP_TIMEOUT_MS on it now. A mail refused for good says nothing about the others.
   */
  private async deliverDue(): Promise<void> {
    try {
      while (!this.closed) {
        const outcome = await this.deliverOne();
        if (outcome === 'failed' || outcome === 'none') return;
      }
    } catch (err) {
      // The database is away: nothing is lost, the mail is still queued.
      this.logger.warn({ err }, 'mail sender: cannot read the outbox; trying again at the next poll');
    }
  }

  /**
   * Claims one due mail and delivers it inside the claiming transaction, so no other sender
   * takes it meanwhile, and deletes it once the server accepted it. Should the database fail
   * after the server accepted it, the mail goes out again later: at least once, never lost.
   */
  private deliverOne(): Promise<Outcome> {
    return inOwnTransaction(this.db.$client, async (tx) => {
      const mail = await claimDueMail(tx);
      if (!mail) return 'none';
      try {
        await this.transport.deliver(mail);
      } catch (err) {
        return this.recordFailure(tx, mail, err);
      }
      await deleteMail(tx, mail.id);
      return 'sent';
    });
  }

  /**
   * A mail the server refused for good is dropped at once. Any other failure (the server
   * unreachable, timing out, answering 4xx) is retried, however many times, until the mail is
   * MAIL_MAX_AGE_HOURS old: a long outage of the mail server delays mail, and loses only what has
   * waited so long it is no use any more (its link expired long ago).
   */
  private async recordFailure(tx: MailExecutor, mail: OutboxMail, err: unknown): Promise<'refused' | 'failed'> {
    const attempts = mail.attempts + 1;
    // The mail's recipient and subject identify it; its text may hold a live link and is never logged.
    const about = { mailId: mail.id, to: mail.to, subject: mail.subject, attempts, err };
    if (err instanceof MailRefused) {
      await deleteMail(tx, mail.id);
      this.logger.warn(about, 'mail dropped: the mail server refused it');
      return 'refused';
    }
    if (mail.ageMs >= this.config.MAIL_MAX_AGE_HOURS * HOUR_MS) {
      await deleteMail(tx, mail.id);
      this.logger.warn(about, 'mail dropped: it could not be delivered within MAIL_MAX_AGE_HOURS');
      return 'failed';
    }
    const retryInMs = retryDelayMs(attempts, this.config.MAIL_RETRY_DELAY_MS);
    const error = (err instanceof Error ? err.message : String(err)).slice(0, MAX_ERROR_LENGTH);
    await rescheduleMail(tx, mail.id, { attempts, error, retryInMs });
    this.logger.warn({ ...about, retryInMs }, 'mail delivery failed; it will be tried again');
    return 'failed';
  }
}

/**
 * Runs `work` in a transaction on a connection taken from `pool` for it. The connection stays
 * checked out while the mail server is talked to, and a checked-out connection that the database
 * drops emits 'error', which would end the process with no listener: here it only fails the
 * transaction. A connection whose transaction failed is closed, never reused.
 */
async function inOwnTransaction<T>(pool: pg.Pool, work: (tx: MailExecutor) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let failure: Error | undefined;
  const onConnectionLost = (err: Error) => (failure = err);
  client.on('error', onConnectionLost);
  try {
    return await drizzle(client).transaction(work);
  } catch (err) {
    failure ??= err instanceof Error ? err : new Error(String(err));
    throw err;
  } finally {
    client.off('error', onConnectionLost);
    client.release(failure);
  }
}
