import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import net, { type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { sql } from 'drizzle-orm';
import { openDatabase, type Db } from '@murmur/shared/db';
import { createLogger, type Logger } from '@murmur/shared/logger';
import { eventually, startFaultProxy, testEnv, uniqueName } from '@murmur/shared/testing';
import { loadConfig } from '../src/config.js';
import { createMailSender, type MailSender, type OutgoingMail } from '../src/mail/outbox.js';
import { retryDelayMs } from '../src/mail/outbox-sender.js';
import { privateMailOutbox } from '../src/mail/test-outbox.js';
import { linkIn, parseMail, startTestSmtpServer, type TestSmtpServer } from '../src/mail/test-smtp-server.js';

/** A mail like the ones murmur sends: its link is long enough to be folded by quoted-printable. */
function resetMail(): OutgoingMail & { link: string } {
  const link = `http://localhost:8080/reset-password?token=${randomBytes(32).toString('base64url')}`;
  const to = `${uniqueName('mail')}@example.com`;
  return { to, subject: 'Reset your murmur password', text: `Someone asked to reset your password.\n\nOpen ${link} to choose a new one.\n`, link };
}

interface LoggedWarning {
  fields: unknown;
  message: string;
}

/** A silent logger that keeps what is logged at warn, for tests of what the sender reports. */
function recordingLogger(): { logger: Logger; warnings: LoggedWarning[] } {
  const logger = createLogger('test', 'silent');
  const warnings: LoggedWarning[] = [];
  logger.warn = (...args: unknown[]) => {
    const [fields, message] = typeof args[0] === 'string' ? [undefined, args[0]] : [args[0], String(args[1])];
    warnings.push({ fields, message });
  };
  return { logger, warnings };
}

interface SenderUnderTest {
  sender: MailSender;
  db: Db;
  close(): Promise<void>;
}

/**
 * A mail sender alone, on its own pool, as auth-service builds it from `env`; not yet started.
 * Closing it twice is harmless.
 */
function openSender(env: Record<string, string>, logger = createLogger('test', 'silent')): SenderUnderTest {
  const config = loadConfig(testEnv({ MAIL_POLL_MS: '100', SMTP_TIMEOUT_MS: '2000', ...env }));
  const database = openDatabase({ url: config.DATABASE_URL, logger });
  const sender = createMailSender({ db: database.db, config, logger });
  let closing: Promise<void> | undefined;
  return {
    sender,
    db: database.db,
    close() {
      closing ??= sender.close().then(() => database.close());
      return closing;
    },
  };
}

type OutboxRow = {
  attempts: number;
  lastError: string | null;
  /** How long until the next attempt, by the database's clock. */
  dueInMs: number;
};

async function outboxRows(db: Db, to: string): Promise<OutboxRow[]> {
  const { rows } = await db.execute<OutboxRow>(sql`
    SELECT attempts, last_error AS "lastError", extract(epoch FROM next_attempt_at - now()) * 1000 AS "dueInMs"
    FROM mail_outbox WHERE to_address = ${to}`);
  return rows.map((row) => ({ ...row, dueInMs: Number(row.dueInMs) }));
}

/** The mail's row once its failed attempts reach `attempts`. */
function afterAttempts(db: Db, to: string, attempts: number): Promise<OutboxRow> {
  return eventually(async () => {
    const [row] = await outboxRows(db, to);
    assert.equal(row?.attempts, attempts);
    return row;
  });
}

/** Brings the mail's next attempt to now, as if its backoff had passed. */
async function makeDue(db: Db, to: string): Promise<void> {
  await db.execute(sql`UPDATE mail_outbox SET next_attempt_at = now() WHERE to_address = ${to}`);
}

const addressedTo = (address: string) => (mail: { to: string[] }) => mail.to.includes(address);

describe('mail outbox', () => {
  let smtp: TestSmtpServer;
  before(async () => {
    smtp = await startTestSmtpServer();
  });
  after(async () => {
    await smtp.stop();
  });

  it('retries after 10 s, doubling per failure up to an hour', () => {
    assert.deepEqual(
      [1, 2, 3, 9, 10, 30].map((failures) => retryDelayMs(failures, 10_000)),
      [10_000, 20_000, 40_000, 2_560_000, 3_600_000, 3_600_000],
    );
  });

  describe('with one sender', () => {
    let running: SenderUnderTest;
    before(async () => {
      // A poll too slow to matter: mail must go out because its transaction committed.
      running = openSender({ DATABASE_URL: await privateMailOutbox(), SMTP_URL: smtp.url, MAIL_POLL_MS: '600000' });
      running.sender.start();
    });
    after(() => running.close());

    it('delivers a queued mail as soon as it is queued and forgets it', async () => {
      const mail = resetMail();
      await running.sender.queue(running.db, mail);
      const received = await smtp.nextMail(addressedTo(mail.to));
      assert.equal(received.from, 'murmur <no-reply@localhost>');
      assert.equal(received.subject, mail.subject);
      assert.equal(received.text, mail.text.trimEnd());
      assert.equal(linkIn(received, 'reset-password').href, mail.link);
      await eventually(async () => assert.deepEqual(await outboxRows(running.db, mail.to), []));
    });

    it('holds mail queued in a transaction until it commits, then sends it at once', async () => {
      const held = resetMail();
      const other = resetMail();
      await running.db.transaction(async (tx) => {
        await running.sender.queue(tx, held);
        // Mail committed meanwhile goes out; the held one, not yet visible, must wait.
        await running.sender.queue(running.db, other);
        await smtp.nextMail(addressedTo(other.to));
        assert.ok(!smtp.mails.some(addressedTo(held.to)), 'mail went out before its transaction committed');
      });
      await smtp.nextMail(addressedTo(held.to));
    });

    it('never sends mail queued in a transaction that rolls back', async () => {
      const doomed = resetMail();
      await assert.rejects(
        running.db.transaction(async (tx) => {
          await running.sender.queue(tx, doomed);
          throw new Error('the change failed');
        }),
        /the change failed/,
      );
      // Mail goes out oldest first, one at a time: once a later mail arrived, the doomed one
      // would have too.
      const later = resetMail();
      await running.sender.queue(running.db, later);
      await smtp.nextMail(addressedTo(later.to));
      assert.ok(!smtp.mails.some(addressedTo(doomed.to)));
      assert.deepEqual(await outboxRows(running.db, doomed.to), []);
    });
  });

  describe('with two senders on one outbox', () => {
    let first: SenderUnderTest;
    let second: SenderUnderTest;
    before(async () => {
      const url = await privateMailOutbox();
      first = openSender({ DATABASE_URL: url, SMTP_URL: smtp.url, MAIL_FROM: 'first <first@localhost>' });
      second = openSender({ DATABASE_URL: url, SMTP_URL: smtp.url, MAIL_FROM: 'second <second@localhost>' });
    });
    after(async () => {
      await first.close();
      await second.close();
    });

    it('delivers each mail once', async () => {
      first.sender.start();
      second.sender.start();
      const mails = Array.from({ length: 20 }, resetMail);
      const recipients = new Set(mails.map((mail) => mail.to));
      await first.db.transaction(async (tx) => {
        for (const mail of mails) await first.sender.queue(tx, mail);
      });
      await Promise.all(mails.map(() => smtp.nextMail((mail) => recipients.has(mail.to[0]!))));
      // Stopped, neither can send anything more: every copy that went out is in by now.
      await first.close();
      await second.close();
      const delivered = smtp.mails.filter((mail) => recipients.has(mail.to[0]!));
      assert.equal(delivered.length, mails.length);
      assert.equal(new Set(delivered.map((mail) => mail.to[0])).size, mails.length);
    });
  });

  it('passes over a mail another sender is delivering', async () => {
    const url = await privateMailOutbox();
    const running = openSender({ DATABASE_URL: url, SMTP_URL: smtp.url });
    const holder = openDatabase({ url, logger: createLogger('test', 'silent') });
    const busy = resetMail();
    await running.sender.queue(holder.db, busy);
    try {
      await holder.db.transaction(async (tx) => {
        // What a sender holds while it talks to the mail server.
        await tx.execute(sql`SELECT id FROM mail_outbox WHERE to_address = ${busy.to} FOR UPDATE`);
        running.sender.start();
        const next = resetMail();
        await running.sender.queue(running.db, next);
        await smtp.nextMail(addressedTo(next.to));
        assert.ok(!smtp.mails.some(addressedTo(busy.to)));
        // The holder lets go without sending (its delivery failed, say): the mail is still due.
      });
      await smtp.nextMail(addressedTo(busy.to));
    } finally {
      await running.close();
      await holder.close();
    }
    assert.equal(smtp.mails.filter(addressedTo(busy.to)).length, 1);
  });

  it('retries an unreachable server with doubling backoff, however many times, until the mail is MAIL_MAX_AGE_HOURS old', async () => {
    const down = await startTestSmtpServer();
    await down.stop();
    const { logger, warnings } = recordingLogger();
    const running = openSender({ DATABASE_URL: await privateMailOutbox(), SMTP_URL: down.url, MAIL_RETRY_DELAY_MS: '60000', MAIL_MAX_AGE_HOURS: '72' }, logger);
    running.sender.start();
    const mail = resetMail();
    try {
      await running.sender.queue(running.db, mail);
      const first = await afterAttempts(running.db, mail.to, 1);
      assert.match(first.lastError ?? '', /ECONNREFUSED/);
      assert.ok(first.dueInMs > 55_000 && first.dueInMs <= 60_000, `next attempt in ${first.dueInMs} ms`);

      await makeDue(running.db, mail.to);
      const second = await afterAttempts(running.db, mail.to, 2);
      assert.ok(second.dueInMs > 115_000 && second.dueInMs <= 120_000, `next attempt in ${second.dueInMs} ms`);

      // As if it had failed through a day of outage: still queued, tried again within the hour.
      await running.db.execute(sql`UPDATE mail_outbox SET attempts = 40, created_at = now() - interval '71 hours' WHERE to_address = ${mail.to}`);
      await makeDue(running.db, mail.to);
      const later = await afterAttempts(running.db, mail.to, 41);
      assert.ok(later.dueInMs > 3_590_000 && later.dueInMs <= 3_600_000, `next attempt in ${later.dueInMs} ms`);
      assert.ok(!warnings.some((warning) => warning.message.startsWith('mail dropped')));

      await running.db.execute(sql`UPDATE mail_outbox SET created_at = now() - interval '72 hours' WHERE to_address = ${mail.to}`);
      await makeDue(running.db, mail.to);
      await eventually(async () => assert.deepEqual(await outboxRows(running.db, mail.to), []));
      const dropped = warnings.find((warning) => warning.message.startsWith('mail dropped'));
      assert.ok(dropped, 'the drop is logged');
      assert.match(dropped.message, /MAIL_MAX_AGE_HOURS/);
      assert.match(JSON.stringify(dropped.fields), new RegExp(mail.to));
      const token = new URL(mail.link).searchParams.get('token')!;
      assert.ok(!JSON.stringify(warnings).includes(token), 'no log holds the mail text');
    } finally {
      await running.close();
    }
    assert.equal(down.mails.length, 0);
  });

  it('drops at once, and logs, a mail the server refuses for good (a 5xx to its recipient)', async () => {
    const { logger, warnings } = recordingLogger();
    const running = openSender({ DATABASE_URL: await privateMailOutbox(), SMTP_URL: smtp.url }, logger);
    running.sender.start();
    try {
      const refused = resetMail();
      smtp.refuseMailTo(refused.to);
      await running.sender.queue(running.db, refused);
      await eventually(async () => assert.deepEqual(await outboxRows(running.db, refused.to), []));
      const dropped = warnings.find((warning) => warning.message.startsWith('mail dropped'));
      assert.ok(dropped, 'the drop is logged');
      assert.match(dropped.message, /refused/);
      assert.match(JSON.stringify(dropped.fields), new RegExp(refused.to));
      // The sender goes on with the next mail.
      const next = resetMail();
      await running.sender.queue(running.db, next);
      await smtp.nextMail(addressedTo(next.to));
      assert.ok(!smtp.mails.some(addressedTo(refused.to)));
    } finally {
      await running.close();
    }
  });

  it('counts a mail server that never answers as a failure after SMTP_TIMEOUT_MS', async () => {
    // Accepts the connection and says nothing, as a hung server or a black hole would.
    const silent = net.createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as AddressInfo;
    const running = openSender({
      DATABASE_URL: await privateMailOutbox(),
      SMTP_URL: `smtp://127.0.0.1:${port}`,
      SMTP_TIMEOUT_MS: '200',
      MAIL_RETRY_DELAY_MS: '60000',
    });
    running.sender.start();
    try {
      const mail = resetMail();
      await running.sender.queue(running.db, mail);
      const row = await afterAttempts(running.db, mail.to, 1);
      assert.match(row.lastError ?? '', /SMTP_TIMEOUT_MS \(200 ms\)/);
    } finally {
      await running.close();
      silent.close();
    }
  });

  it('keeps running through a database outage and sends what was queued meanwhile', async () => {
    const url = await privateMailOutbox();
    const proxy = await startFaultProxy(url);
    const { logger, warnings } = recordingLogger();
    const running = openSender({ DATABASE_URL: proxy.url, SMTP_URL: smtp.url }, logger);
    const direct = openDatabase({ url, logger: createLogger('test', 'silent') });
    running.sender.start();
    try {
      proxy.cut();
      await eventually(() => Promise.resolve(assert.ok(warnings.some((warning) => warning.message.includes('cannot read the outbox')))));
      const mail = resetMail();
      await running.sender.queue(direct.db, mail);
      proxy.restore();
      await smtp.nextMail(addressedTo(mail.to), 10_000);
    } finally {
      await running.close();
      await direct.close();
      await proxy.close();
    }
  });

  it('without SMTP_URL writes each mail as an .eml file and forgets it', async () => {
    const dir = path.join(await mkdtemp(path.join(os.tmpdir(), 'murmur-mail-')), 'mail');
    const running = openSender({ DATABASE_URL: await privateMailOutbox(), MAIL_DEV_DIR: dir });
    running.sender.start();
    try {
      const mail = resetMail();
      await running.sender.queue(running.db, mail);
      const [file] = await eventually(async () => {
        const files = await readdir(dir);
        assert.equal(files.length, 1);
        return files;
      });
      assert.match(file!, /\.eml$/);
      const raw = await readFile(path.join(dir, file!), 'utf8');
      assert.match(raw, /\r\n/, 'lines end with CRLF, as RFC 822 has them');
      const written = parseMail(raw);
      assert.deepEqual(written.to, [mail.to]);
      assert.equal(written.subject, mail.subject);
      assert.equal(linkIn(written, 'reset-password').href, mail.link);
      await eventually(async () => assert.deepEqual(await outboxRows(running.db, mail.to), []));
    } finally {
      await running.close();
      await rm(path.dirname(dir), { recursive: true, force: true });
    }
  });
});
