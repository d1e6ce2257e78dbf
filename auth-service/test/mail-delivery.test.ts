import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'drizzle-orm';
import { eventually, uniqueName } from '@murmur/shared/testing';
import { privateMailOutbox } from '../src/mail/test-outbox.js';
import { linkIn, startTestSmtpServer, type TestSmtpServer } from '../src/mail/test-smtp-server.js';
import { startAuthService, type AuthUnderTest } from '../src/testing.js';

describe('auth-service mail delivery', () => {
  let smtp: TestSmtpServer;
  let auth: AuthUnderTest;
  before(async () => {
    smtp = await startTestSmtpServer();
    auth = await startAuthService({
      SMTP_URL: smtp.url,
      MAIL_POLL_MS: '100',
      MAIL_RETRY_DELAY_MS: '200',
      DATABASE_URL: await privateMailOutbox(),
    });
  });
  after(async () => {
    await auth.close();
    await smtp.stop();
  });

  /** Queues a mail the way the account routes do, with the service's own queue and database. */
  async function queueVerificationMail(): Promise<string> {
    const to = `${uniqueName('verify')}@example.com`;
    const { db, mail } = auth.deps.service;
    await mail.queue(db, { to, subject: 'Confirm your email', text: 'Open http://localhost:8080/verify-email?token=abc123 to confirm.' });
    return to;
  }

  async function attemptsFor(to: string): Promise<number | undefined> {
    const { rows } = await auth.deps.service.db.execute<{ attempts: number }>(sql`SELECT attempts FROM mail_outbox WHERE to_address = ${to}`);
    return rows[0]?.attempts;
  }

  it('sends queued mail through SMTP_URL', async () => {
    const to = await queueVerificationMail();
    const mail = await smtp.nextMail((m) => m.to.includes(to));
    assert.equal(linkIn(mail, 'verify-email').searchParams.get('token'), 'abc123');
  });

  it('keeps mail queued while the mail server is down and sends it once it is back', async () => {
    await smtp.stop();
    try {
      const to = await queueVerificationMail();
      // The server really refused it: the mail has failed at least once and is still queued.
      await eventually(async () => assert.ok(((await attemptsFor(to)) ?? 0) >= 1));
      await smtp.restart();
      await smtp.nextMail((m) => m.to.includes(to));
      await eventually(async () => assert.equal(await attemptsFor(to), undefined));
    } finally {
      await smtp.restart();
    }
  });
});
