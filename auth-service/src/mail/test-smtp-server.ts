/**
 * A real SMTP server for tests: it accepts plain SMTP on 127.0.0.1 (no TLS, no login), keeps every
 * message it receives, and can be stopped and started again on the same port, so a test can make
 * the mail server really unreachable. Not used by production code.
 */
import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';
import { within } from '@murmur/shared/testing';

export interface ReceivedMail {
  /** The envelope's recipients (RCPT TO), as addresses. */
  to: string[];
  /** The From header, as written (`murmur <no-reply@localhost>`). */
  from: string;
  subject: string;
  /** The text/plain body, decoded. */
  text: string;
  /** The message as received, headers and all. */
  raw: string;
}

export interface TestSmtpServer {
  /** `smtp://127.0.0.1:<port>`, the same across restarts. */
  url: string;
  /** Every mail received so far, oldest first. */
  mails: ReceivedMail[];
  /**
   * The oldest mail matching `predicate` that no earlier call returned, whether it arrived before
   * this call or arrives within `timeoutMs`.
   */
  nextMail(predicate?: (mail: ReceivedMail) => boolean, timeoutMs?: number): Promise<ReceivedMail>;
  /** Closes the port: connections are refused until `restart`. Does nothing when stopped. */
  stop(): Promise<void>;
  /** Listens again on the same port. Does nothing when running. */
  restart(): Promise<void>;
  /** From now on, refuses mail to `address` for good: its RCPT TO gets 550. */
  refuseMailTo(address: string): void;
}

const DEFAULT_WAIT_MS = 5_000;
/** How long `stop` lets a session in progress finish before cutting it. */
const CLOSE_GRACE_MS = 500;
/** "Requested action not taken: mailbox unavailable", a permanent refusal. */
const MAILBOX_UNAVAILABLE = 550;

export async function startTestSmtpServer(): Promise<TestSmtpServer> {
  const mails: ReceivedMail[] = [];
  const handedOut = new Set<ReceivedMail>();
  const waiters = new Set<() => void>();
  const refused = new Set<string>();

  const receive = (raw: string, session: SMTPServerSession) => {
    mails.push(parseMail(raw, session.envelope.rcptTo.map((rcpt) => rcpt.address)));
    for (const wake of waiters) wake();
  };

  /** Undefined while stopped. */
  let server: SMTPServer | undefined = createServer(receive, refused);
  const port = await listen(server, 0);

  return {
    url: `smtp://127.0.0.1:${port}`,
    mails,
    nextMail(predicate = () => true, timeoutMs = DEFAULT_WAIT_MS) {
      let check = () => {};
      const found = new Promise<ReceivedMail>((resolve) => {
        let done = false;
        check = () => {
          const mail = done ? undefined : mails.find((m) => !handedOut.has(m) && predicate(m));
          if (!mail) return;
          done = true;
          handedOut.add(mail);
          resolve(mail);
        };
      });
      waiters.add(check);
      check();
      return within(found, timeoutMs, 'a mail').finally(() => waiters.delete(check));
    },
    async stop() {
      if (!server) return;
      const stopping = server;
      server = undefined;
      await close(stopping);
    },
    async restart() {
      if (server) return;
      server = createServer(receive, refused);
      await listen(server, port);
    },
    refuseMailTo(address) {
      refused.add(address);
    },
  };
}

/**
 * The first `http(s)://<anything>/<path>?token=…` link in the mail's text, e.g.
 * `linkIn(mail, 'reset-password')`; punctuation that ends a sentence after it is not part of it.
 */
export function linkIn(mail: ReceivedMail, path: string): URL {
  const escaped = path.replace(/^\/+/, '').replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const match = new RegExp(`https?://[^\\s"'<>()]*?/${escaped}\\?token=[^\\s"'<>()]+`).exec(mail.text);
  if (!match) throw new Error(`no /${path}?token= link in the mail ${JSON.stringify(mail.subject)}:\n${mail.text}`);
  return new URL(match[0].replace(/[.,;:!?]+$/, ''));
}

function createServer(receive: (raw: string, session: SMTPServerSession) => void, refused: ReadonlySet<string>): SMTPServer {
  return new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    closeTimeout: CLOSE_GRACE_MS,
    disableReverseLookup: true,
    logger: false,
    onRcptTo(address, _session, callback) {
      if (!refused.has(address.address)) return callback();
      callback(Object.assign(new Error('mailbox unavailable'), { responseCode: MAILBOX_UNAVAILABLE }));
    },
    onData(stream: SMTPServerDataStream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('error', callback);
      stream.on('end', () => {
        receive(Buffer.concat(chunks).toString('utf8'), session);
        callback();
      });
    },
  });
}

function listen(server: SMTPServer, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.server.off('error', reject);
      resolve((server.server.address() as AddressInfo).port);
    });
  });
}

function close(server: SMTPServer): Promise<void> {
  return new Promise((resolve) => server.close(resolve));
}

// Just enough MIME to read what nodemailer writes: headers, multipart/alternative, and the
// quoted-printable or base64 text part.

interface MimeEntity {
  headers: Map<string, string>;
  body: string;
}

/**
 * Reads a message as nodemailer writes it (received, or an `.eml` file); `to` defaults to the
 * addresses of its To header.
 */
export function parseMail(raw: string, to?: string[]): ReceivedMail {
  const message = parseEntity(raw);
  return {
    to: to ?? (message.headers.get('to') ?? '').match(/[^\s<>,"]+@[^\s<>,"]+/g) ?? [],
    from: decodeHeader(message.headers.get('from') ?? ''),
    subject: decodeHeader(message.headers.get('subject') ?? ''),
    text: textOf(message) ?? '',
    raw,
  };
}

function parseEntity(raw: string): MimeEntity {
  const text = raw.replace(/\r\n/g, '\n');
  const split = text.indexOf('\n\n');
  const head = split === -1 ? text : text.slice(0, split);
  const headers = new Map<string, string>();
  // A header continues on lines that start with whitespace (folding).
  for (const line of head.replace(/\n[ \t]+/g, ' ').split('\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return { headers, body: split === -1 ? '' : text.slice(split + 2) };
}

/** The decoded text/plain of an entity: itself, or its first text/plain part. */
function textOf(entity: MimeEntity): string | undefined {
  const contentType = entity.headers.get('content-type') ?? 'text/plain';
  const boundary = /boundary="?([^";]+)"?/i.exec(contentType)?.[1];
  if (/^multipart\//i.test(contentType) && boundary) {
    const parts = entity.body.split(`--${boundary}`).slice(1, -1);
    for (const part of parts) {
      const text = textOf(parseEntity(part.replace(/^\n/, '')));
      if (text !== undefined) return text;
    }
    return undefined;
  }
  if (!/^text\/plain/i.test(contentType)) return undefined;
  return decodeBody(entity.body, entity.headers.get('content-transfer-encoding') ?? '7bit').replace(/\n$/, '');
}

function decodeBody(body: string, encoding: string): string {
  switch (encoding.toLowerCase()) {
    case 'quoted-printable':
      return decodeQuotedPrintable(body);
    case 'base64':
      return Buffer.from(body, 'base64').toString('utf8');
    default:
      return body;
  }
}

function decodeQuotedPrintable(text: string): string {
  // Quoted-printable is 7-bit ASCII: each character is one byte, or `=XX` stands for one.
  const encoded = text.replace(/=\n/g, '');
  const bytes: number[] = [];
  for (let i = 0; i < encoded.length; i += 1) {
    const hex = encoded.slice(i + 1, i + 3);
    if (encoded[i] === '=' && /^[0-9A-F]{2}$/i.test(hex)) {
      bytes.push(Number.parseInt(hex, 16));
      i += 2;
    } else {
      bytes.push(encoded.charCodeAt(i));
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/** Decodes RFC 2047 encoded words (`=?UTF-8?Q?...?=`), which nodemailer uses for non-ASCII headers. */
function decodeHeader(value: string): string {
  return value
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?([^?]+)\?([BQ])\?([^?]*)\?=/gi, (_word, _charset: string, encoding: string, data: string) =>
      encoding.toUpperCase() === 'B' ? Buffer.from(data, 'base64').toString('utf8') : decodeQuotedPrintable(data.replace(/_/g, ' ')),
    );
}
