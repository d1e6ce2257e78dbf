import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'drizzle-orm';
import { api } from '@murmur/shared/testing';
import { registerUser, type RegisteredUser } from '../src/testing.js';
import { linkToken, logIn, mailedLink, startMailingAuthService, untilRefused, type MailingAuthService } from './account-helpers.js';

const NEW_PASSWORD = 'a brand new passphrase';

describe('password reset by mail', () => {
  let s: MailingAuthService;
  before(async () => {
    s = await startMailingAuthService({ PASSWORD_RESET_MAX_PER_ADDRESS: '1000', PASSWORD_RESET_MAX_PER_ACCOUNT: '2', LOGIN_MAX_FAILURES_PER_ACCOUNT: '3' });
  });
  after(() => s.close());

  const forgot = (email: string, headers: Record<string, string> = {}) => api(s.auth.url, 'POST', '/password/forgot', { body: { email }, headers });
  const reset = (token: string, newPassword = NEW_PASSWORD) => api(s.auth.url, 'POST', '/password/reset', { body: { token, newPassword } });
  const login = (user: RegisteredUser, password: string) => api(s.auth.url, 'POST', '/login', { body: { email: user.email, password } });
  const resetTokensOf = async (user: RegisteredUser) => {
    const { rows } = await s.auth.deps.service.db.execute<{ n: number }>(
      sql`SELECT count(*)::int AS n FROM account_tokens WHERE user_id = ${user.id} AND purpose = 'reset_password'`,
    );
    return rows[0]!.n;
  };

  it('mails a link that sets a new password once, and every session of the account ends', async () => {
    const user = await registerUser(s.auth.url);
    const otherSession = await logIn(s.auth.url, user);
    const res = await forgot(user.email.toUpperCase());
    assert.equal(res.status, 202);
    assert.deepEqual(res.body, { status: 'accepted' });

    const { mail, link, token } = await mailedLink(s.smtp, user.email, 'reset-password');
    assert.equal(`${link.origin}${link.pathname}`, `${s.auth.deps.config.PUBLIC_URL}/reset-password`);
    assert.match(mail.text, /within 30 minutes/);
    assert.match(mail.text, /If you did not ask, you can ignore this mail/);

    assert.equal((await reset(token)).status, 204);
    for (const session of [user.token, otherSession]) await untilRefused(s.auth.url, session);
    assert.equal((await login(user, user.password)).status, 401);
    assert.equal((await login(user, NEW_PASSWORD)).status, 200);

    const again = await reset(token, 'and yet another passphrase');
    assert.equal(again.status, 400);
    assert.equal(again.body.error.code, 'TOKEN_INVALID');
  });

  it('mails the owner when the password is reset, and when it is changed', async () => {
    const user = await registerUser(s.auth.url);
    assert.equal((await reset(await linkToken(s.auth, user, 'reset_password'))).status, 204);
    const resetNotice = await s.smtp.nextMail((m) => m.to.includes(user.email) && /password was reset/.test(m.subject));
    assert.match(resetNotice.text, /Every session of\s+the account was logged out/);
    assert.match(resetNotice.text, /If this was not you/);

    const token = await logIn(s.auth.url, user, { password: NEW_PASSWORD });
    const changed = await api(s.auth.url, 'POST', '/password', { token, body: { currentPassword: NEW_PASSWORD, newPassword: 'and yet another passphrase' } });
    assert.equal(changed.status, 204);
    const changeNotice = await s.smtp.nextMail((m) => m.to.includes(user.email) && /password was changed/.test(m.subject));
    assert.match(changeNotice.text, /Every other session of\s+the account was logged out/);
    assert.match(changeNotice.text, /reset your password now/);
  });

  it('answers an unknown address 202 too, and mails nothing', async () => {
    const unknown = `nobody_${Date.now()}@example.com`;
    const res = await forgot(unknown);
    assert.equal(res.status, 202);
    assert.deepEqual(res.body, { status: 'accepted' });
    // Requests are worked through in order: once a later one's mail is out, the unknown one is done.
    const user = await registerUser(s.auth.url);
    assert.equal((await forgot(user.email)).status, 202);
    await mailedLink(s.smtp, user.email, 'reset-password');
    assert.equal(s.smtp.mails.filter((m) => m.to.includes(unknown)).length, 0);
    const { rows } = await s.auth.deps.service.db.execute(sql`SELECT 1 FROM account_tokens WHERE lower(email) = ${unknown}`);
    assert.equal(rows.length, 0);
  });

  it('refuses an expired link with 400 TOKEN_INVALID', async () => {
    const user = await registerUser(s.auth.url);
    assert.equal((await forgot(user.email)).status, 202);
    const { token } = await mailedLink(s.smtp, user.email, 'reset-password');
    await s.auth.deps.service.db.execute(sql`UPDATE account_tokens SET expires_at = now() - interval '1 second' WHERE user_id = ${user.id}`);
    const res = await reset(token);
    assert.equal(res.status, 400);
    assert.equal(res.body.error.code, 'TOKEN_INVALID');
    assert.equal((await login(user, user.password)).status, 200);
  });

  it('keeps earlier links working after a new request, and using one voids the others', async () => {
    const user = await registerUser(s.auth.url);
    assert.equal((await forgot(user.email)).status, 202);
    const first = await mailedLink(s.smtp, user.email, 'reset-password');
    assert.equal((await forgot(user.email)).status, 202);
    const second = await mailedLink(s.smtp, user.email, 'reset-password');
    assert.notEqual(first.token, second.token);
    assert.equal((await reset(first.token)).status, 204);
    assert.equal((await reset(second.token, 'and yet another passphrase')).body.error.code, 'TOKEN_INVALID');
  });

  it('answers 400 PASSWORD_TOO_WEAK to a weak new password, and the link still works', async () => {
    const user = await registerUser(s.auth.url);
    const token = await linkToken(s.auth, user, 'reset_password');
    const weak = await reset(token, 'password1234');
    assert.equal(weak.status, 400);
    assert.equal(weak.body.error.code, 'PASSWORD_TOO_WEAK');
    assert.equal((await reset(token)).status, 204);
  });

  it('answers 400 TOKEN_INVALID to a made-up token, a verification token, and a link to an address the account no longer has', async () => {
    const user = await registerUser(s.auth.url);
    for (const token of ['made-up', await linkToken(s.auth, user, 'verify_email')]) {
      const res = await reset(token);
      assert.equal(res.status, 400);
      assert.equal(res.body.error.code, 'TOKEN_INVALID');
    }
    const token = await linkToken(s.auth, user, 'reset_password');
    await s.auth.deps.service.db.execute(sql`UPDATE users SET email = ${`moved_${user.email}`} WHERE id = ${user.id}`);
    assert.equal((await reset(token)).body.error.code, 'TOKEN_INVALID');
  });

  it('lifts the lockout that failed logins put on the account', async () => {
    const user = await registerUser(s.auth.url);
    for (let i = 0; i < 3; i += 1) assert.equal((await login(user, 'a guess at it')).status, 401);
    assert.equal((await login(user, user.password)).status, 429);
    assert.equal((await reset(await linkToken(s.auth, user, 'reset_password'))).status, 204);
    assert.equal((await login(user, NEW_PASSWORD)).status, 200);
  });

  it('leaves the second factor on', async () => {
    const user = await registerUser(s.auth.url);
    await s.auth.deps.service.db.execute(sql`UPDATE users SET totp_secret = 'JBSWY3DPEHPK3PXP', totp_enabled_at = now() WHERE id = ${user.id}`);
    assert.equal((await reset(await linkToken(s.auth, user, 'reset_password'))).status, 204);
    const { rows } = await s.auth.deps.service.db.execute<{ on: boolean }>(sql`SELECT totp_enabled_at IS NOT NULL AS on FROM users WHERE id = ${user.id}`);
    assert.equal(rows[0]!.on, true);
  });

  it('mails a suspended account nothing', async () => {
    const suspended = await registerUser(s.auth.url);
    await s.auth.deps.service.db.execute(sql`UPDATE users SET suspended_at = now() WHERE id = ${suspended.id}`);
    assert.equal((await forgot(suspended.email)).status, 202);
    const user = await registerUser(s.auth.url);
    assert.equal((await forgot(user.email)).status, 202);
    await mailedLink(s.smtp, user.email, 'reset-password');
    assert.equal(await resetTokensOf(suspended), 0);
  });

  it('past PASSWORD_RESET_MAX_PER_ACCOUNT an hour, still answers 202 but mails nothing more', async () => {
    const user = await registerUser(s.auth.url);
    for (let i = 0; i < 3; i += 1) assert.equal((await forgot(user.email)).status, 202);
    const bystander = await registerUser(s.auth.url);
    assert.equal((await forgot(bystander.email)).status, 202);
    await mailedLink(s.smtp, bystander.email, 'reset-password');
    assert.equal(await resetTokensOf(user), 2);
    await mailedLink(s.smtp, user.email, 'reset-password');
    await mailedLink(s.smtp, user.email, 'reset-password');
  });

  it('refuses requests from another site’s pages with 403', async () => {
    const user = await registerUser(s.auth.url);
    const evil = { origin: 'https://evil.example' };
    assert.equal((await forgot(user.email, evil)).status, 403);
    const token = await linkToken(s.auth, user, 'reset_password');
    const res = await api(s.auth.url, 'POST', '/password/reset', { body: { token, newPassword: NEW_PASSWORD }, headers: evil });
    assert.equal(res.status, 403);
    assert.equal(res.body.error.code, 'CROSS_SITE_REQUEST');
    assert.equal((await reset(token)).status, 204);
  });

  it('answers 400 naming the field for a malformed address', async () => {
    const res = await forgot('not an address');
    assert.equal(res.status, 400);
    assert.equal(res.body.error.field, 'email');
  });
});

describe('password reset requests per address', () => {
  let s: MailingAuthService;
  before(async () => {
    s = await startMailingAuthService({ PASSWORD_RESET_MAX_PER_ADDRESS: '2' });
  });
  after(() => s.close());

  it('answers 429 with Retry-After past PASSWORD_RESET_MAX_PER_ADDRESS an hour, known address or not', async () => {
    const user = await registerUser(s.auth.url);
    for (const email of [user.email, 'nobody@example.com']) {
      assert.equal((await api(s.auth.url, 'POST', '/password/forgot', { body: { email } })).status, 202);
    }
    const res = await api(s.auth.url, 'POST', '/password/forgot', { body: { email: user.email } });
    assert.equal(res.status, 429);
    assert.equal(res.body.error.code, 'TOO_MANY_ATTEMPTS');
    assert.ok(Number(res.headers.get('retry-after')) > 0);
  });
});
