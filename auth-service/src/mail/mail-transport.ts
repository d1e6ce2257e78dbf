/**
 * Where the outbox hands its mail: a real SMTP server (`SMTP_URL`), or, without one, the
 * development sink, which writes each mail as an `.eml` file and logs it, so that a developer can
 * open the link it holds.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import nodemailer, { type SendMailOptions } from 'nodemailer';
import type { Logger } from '@murmur/shared/logger';
import type { AuthConfig } from '../config.js';
import type { OutboxMail } from './outbox.repo.js';

export interface MailTransport {
  /**
   * Resolves once the mail is accepted (by the SMTP server, or written); rejects otherwise, with
   * a `MailRefused` when the server refused this mail for good.
   */
  deliver(mail: OutboxMail): Promise<void>;
  close(): void;
}

/**
 * The mail server refused this mail for good: a 5xx reply to its sender, a recipient or its
 * content. Sending it again would get the same answer. (A 5xx to the login, or to the
 * connection, is about the server's settings, not the mail: that waits like an outage.)
 */
export class MailRefused extends Error {
  constructor(
    readonly responseCode: number,
    options: { cause: unknown },
  ) {
    super(`the mail server refused the mail (${responseCode})`, options);
    this.name = 'MailRefused';
  }
}

/** nodemailer's codes of a reply to the envelope (MAIL FROM, RCPT TO) and to the message (DATA). */
const ABOUT_THE_MAIL = new Set(['EENVELOPE', 'EMESSAGE']);

/** The reply code of a permanent refusal of the mail itself, if `err` is one (see MailRefused). */
function permanentRefusalCode(err: unknown): number | undefined {
  const { code, responseCode } = (err ?? {}) as { code?: unknown; responseCode?: unknown };
  const refusedForGood = typeof code === 'string' && ABOUT_THE_MAIL.has(code) && typeof responseCode === 'number' && responseCode >= 500;
  return refusedForGood ? responseCode : undefined;
}

export type MailTransportConfig = Pick<AuthConfig, 'NODE_ENV' | 'SMTP_URL' | 'MAIL_FROM' | 'MAIL_DEV_DIR' | 'SMTP_TIMEOUT_MS'>;

export function createMailTransport(config: MailTransportConfig, logger: Logger): MailTransport {
  if (config.SMTP_URL) return smtpTransport(config.SMTP_URL, config.MAIL_FROM, config.SMTP_TIMEOUT_MS);
  // A production log often travels further than the server's disk: mailed links are live
  // credentials (a reset link takes over the account), so there they stay in the files.
  const logText = config.NODE_ENV !== 'production';
  if (!logText) logger.warn({ dir: config.MAIL_DEV_DIR }, 'SMTP_URL is unset: mail is only written to files, and nobody receives it');
  return devSinkTransport(config.MAIL_DEV_DIR, config.MAIL_FROM, logger, logText);
}

function messageOf(mail: OutboxMail, from: string): SendMailOptions {
  return { from, to: mail.to, subject: mail.subject, text: mail.text, html: mail.html };
}

/**
 * `smtp://` speaks plain SMTP and upgrades with STARTTLS when the server offers it; `smtps://`
 * is TLS from the start. Options such as `?requireTLS=true` may follow in the URL.
 */
function smtpTransport(url: string, from: string, timeoutMs: number): MailTransport {
  const transporter = nodemailer.createTransport({ url });
  return {
    async deliver(mail) {
      // One deadline over the whole exchange: connecting, the greeting, every command, the data.
      const signal = AbortSignal.timeout(timeoutMs);
      try {
        await transporter.sendMail({ ...messageOf(mail, from), signal });
      } catch (err) {
        if (signal.aborted) throw new Error(`the mail server did not finish within SMTP_TIMEOUT_MS (${timeoutMs} ms)`, { cause: err });
        const refusal = permanentRefusalCode(err);
        throw refusal === undefined ? err : new MailRefused(refusal, { cause: err });
      }
    },
    close: () => transporter.close(),
  };
}

function devSinkTransport(dir: string, from: string, logger: Logger, logText: boolean): MailTransport {
  // Builds the RFC 822 message, with the CRLF line ends mail clients expect, and sends nothing.
  const composer = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'windows' });
  return {
    async deliver(mail) {
      const { message } = await composer.sendMail(messageOf(mail, from));
      await mkdir(dir, { recursive: true });
      const file = path.join(dir, `${new Date().toISOString().replace(/[:.]/g, '-')}-${mail.id}.eml`);
      await writeFile(file, message as Buffer);
      const text = logText ? mail.text : undefined;
      logger.info({ to: mail.to, subject: mail.subject, text, file }, 'mail written to a file, as SMTP_URL is unset');
    },
    close: () => composer.close(),
  };
}
