/**
 * What the tests of the account's lifecycle share: an auth-service that mails through a real SMTP
 * server, second logins, mailed links, and the calls that exercise the account routes for the
 * OpenAPI contract test.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { RouteCalls } from '@murmur/shared/api-contract';
import type { schema } from '@murmur/shared/db';
import { api, eventually } from '@murmur/shared/testing';
import { privateMailOutbox } from '../src/mail/test-outbox.js';
import { linkIn, startTestSmtpServer, type ReceivedMail, type TestSmtpServer } from '../src/mail/test-smtp-server.js';
import { issueMailedLink } from '../src/services/mailed-links.js';
import { registerUser, type AuthUnderTest, type RegisteredUser, startAuthService } from '../src/testing.js';

export interface MailingAuthService {
  auth: AuthUnderTest;
  smtp: TestSmtpServer;
  close(): Promise<void>;
}

/** An auth-service delivering its own outbox to a test SMTP server of its own; `env` overrides its settings. */
export async function startMailingAuthService(env: Record<string, string> = {}): Promise<MailingAuthService> {
  const smtp = await startTestSmtpServer();
  const auth = await startAuthService({ SMTP_URL: smtp.url, MAIL_POLL_MS: '100', DATABASE_URL: await privateMailOutbox(), ...env });
  return {
    auth,
    smtp,
    async close() {
      await auth.close();
      await smtp.stop();
    },
  };
}

/** Logs `user` in once more, with `password` (theirs by default): the token of a new session. */
export async function logIn(authUrl: string, user: RegisteredUser, options: { password?: string; headers?: Record<string, string> } = {}): Promise<string> {
  const res = await api(authUrl, 'POST', '/login', { body: { email: user.email, password: options.password ?? user.password }, headers: options.headers });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body.token as string;
}

/**
 * Resolves once `token` is refused with 401 `SESSION_REVOKED`. Its session ended a moment ago;
 * the services' session caches learn of it from the auth event, within the second the platform
 * promises.
 */
export async function untilRefused(authUrl: string, token: string): Promise<void> {
  await eventually(async () => {
    const res = await api(authUrl, 'GET', '/sessions', { token });
    assert.equal(res.status, 401);
    assert.equal(res.body.error.code, 'SESSION_REVOKED');
  }, 1_000);
}

/**
 * Runs `action` the next time `auth` checks a password, between the comparison and its result:
 * the request checking it then goes on as if `action` (another request, say) had committed just
 * after it read the account. Resolves what `action` resolved. Checks `action` makes itself run
 * as usual.
 */
export function duringNextPasswordCheck<T>(auth: AuthUnderTest, action: () => Promise<T>): Promise<T> {
  const passwords = auth.deps.service.passwords;
  const verify = passwords.verify.bind(passwords);
  return new Promise<T>((resolve, reject) => {
    passwords.verify = async (password, hash) => {
      passwords.verify = verify;
      const matches = await verify(password, hash);
      await action().then(resolve, reject);
      return matches;
    };
  });
}

/** The next mail to `to` with a link to `page` (`reset-password`, `verify-email`), and the link's token. */
export async function mailedLink(smtp: TestSmtpServer, to: string, page: string): Promise<{ mail: ReceivedMail; link: URL; token: string }> {
  const mail = await smtp.nextMail((m) => m.to.includes(to) && m.text.includes(`/${page}?token=`));
  const link = linkIn(mail, page);
  return { mail, link, token: link.searchParams.get('token') ?? '' };
}

/** A token of `purpose` for `user`, made as a mailed link's is, without the mail. */
export async function linkToken(auth: AuthUnderTest, user: { id: number; email: string }, purpose: schema.AccountTokenPurpose): Promise<string> {
  const link = await issueMailedLink(auth.deps.service.db, auth.deps.config, { user, purpose, page: 'page', ttlMs: 60_000 });
  return new URL(link).searchParams.get('token') ?? '';
}

/** For `checkContract`: calls that exercise the account routes, their successes and their errors. */
export function accountContractCalls(auth: AuthUnderTest): RouteCalls {
  const strongPassword = 'a long and unusual passphrase';
  return {
    'POST /password': async () => {
      const user = await registerUser(auth.url);
      const change = (currentPassword: string, newPassword: string, token?: string) =>
        api(auth.url, 'POST', '/password', { token, body: { currentPassword, newPassword } });
      return [
        await change('wrong password!', strongPassword, user.token),
        await change(user.password, 'short', user.token),
        await change(user.password, strongPassword),
        await change(user.password, strongPassword, user.token),
      ];
    },
    'GET /sessions': async () => {
      const user = await registerUser(auth.url);
      return [await api(auth.url, 'GET', '/sessions', { token: user.token }), await api(auth.url, 'GET', '/sessions')];
    },
    'DELETE /sessions/{id}': async () => {
      const user = await registerUser(auth.url);
      // The second session, as it sees itself.
      const seen = await api(auth.url, 'GET', '/sessions', { token: await logIn(auth.url, user) });
      const second = seen.body.items.find((s: { current: boolean }) => s.current).id as string;
      return [
        await api(auth.url, 'DELETE', `/sessions/${randomUUID()}`, { token: user.token }),
        await api(auth.url, 'DELETE', '/sessions/not-a-uuid', { token: user.token }),
        await api(auth.url, 'DELETE', `/sessions/${second}`, { token: user.token }),
      ];
    },
    'DELETE /sessions': async () => {
      const user = await registerUser(auth.url);
      return [await api(auth.url, 'DELETE', '/sessions', { token: user.token })];
    },
    'POST /password/forgot': async () => {
      const user = await registerUser(auth.url);
      return [
        await api(auth.url, 'POST', '/password/forgot', { body: { email: user.email } }),
        await api(auth.url, 'POST', '/password/forgot', { body: { email: 'not an address' } }),
        await api(auth.url, 'POST', '/password/forgot', { body: { email: user.email }, headers: { origin: 'https://evil.example' } }),
      ];
    },
    'POST /password/reset': async () => {
      const user = await registerUser(auth.url);
      const token = await linkToken(auth, user, 'reset_password');
      return [
        await api(auth.url, 'POST', '/password/reset', { body: { token, newPassword: 'short' } }),
        await api(auth.url, 'POST', '/password/reset', { body: { token, newPassword: strongPassword } }),
        await api(auth.url, 'POST', '/password/reset', { body: { token, newPassword: strongPassword } }),
      ];
    },
    'POST /email/verify': async () => {
      const user = await registerUser(auth.url);
      const token = await linkToken(auth, user, 'verify_email');
      return [await api(auth.url, 'POST', '/email/verify', { body: { token } }), await api(auth.url, 'POST', '/email/verify', { body: { token } })];
    },
    'POST /email/verify/resend': async () => {
      const user = await registerUser(auth.url);
      const resent = await api(auth.url, 'POST', '/email/verify/resend', { token: user.token });
      await api(auth.url, 'POST', '/email/verify', { body: { token: await linkToken(auth, user, 'verify_email') } });
      return [resent, await api(auth.url, 'POST', '/email/verify/resend', { token: user.token })];
    },
  };
}
