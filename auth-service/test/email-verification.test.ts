import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'drizzle-orm';
import { api } from '@murmur/shared/testing';
import { registerUser, type RegisteredUser } from '../src/testing.js';
import { linkToken, mailedLink, startMailingAuthService, type MailingAuthService } from './account-helpers.js';

describe('email verification', () => {
  let s: MailingAuthService;
  before(async () => {
    s = await startMailingAuthService({ EMAIL_VERIFY_RESEND_MAX_PER_ACCOUNT: '2' });
  });
  after(() => s.close());

  const verify = (token: string, headers: Record<string, string> = {}) => api(s.auth.url, 'POST', '/email/verify', { body: { token }, headers });
  const resend = (user: RegisteredUser) => api(s.auth.url, 'POST', '/email/verify/resend', { token: user.token });
  const isVerified = async (user: RegisteredUser) => {
    const { rows } = await s.auth.deps.service.db.execute<{ verified: boolean }>(
      sql`SELECT email_verified_at IS NOT NULL AS verified FROM users WHERE id = ${user.id}`,
    );
    return rows[0]!.verified;
  };

  it('mails a link at registration that verifies the address once', async () => {
    const user = await registerUser(s.auth.url);
    const { mail, link, token } = await mailedLink(s.smtp, user.email, 'verify-email');
    assert.equal(`${link.origin}${link.pathname}`, `${s.auth.deps.config.PUBLIC_URL}/verify-email`);
    assert.match(mail.text, /within 72 hours/);
    assert.equal(await isVerified(user), false);

    assert.equal((await verify(token)).status, 204);
    assert.equal(await isVerified(user), true);
    const login = await api(s.auth.url, 'POST', '/login', { body: { email: user.email, password: user.password } });
    assert.equal(login.body.user.emailVerified, true);

    const again = await verify(token);
    assert.equal(again.status, 400);
    assert.equal(again.body.error.code, 'TOKEN_INVALID');
  });

  it('refuses an expired link with 400 TOKEN_INVALID', async () => {
    const user = await registerUser(s.auth.url);
    const { token } = await mailedLink(s.smtp, user.email, 'verify-email');
    await s.auth.deps.service.db.execute(sql`UPDATE account_tokens SET expires_at = now() - interval '1 second' WHERE user_id = ${user.id}`);
    assert.equal((await verify(token)).body.error.code, 'TOKEN_INVALID');
    assert.equal(await isVerified(user), false);
  });

  it('refuses a link mailed to an address the account no longer has', async () => {
    const user = await registerUser(s.auth.url);
    const { token } = await mailedLink(s.smtp, user.email, 'verify-email');
    await s.auth.deps.service.db.execute(sql`UPDATE users SET email = ${`moved_${user.email}`} WHERE id = ${user.id}`);
    assert.equal((await verify(token)).body.error.code, 'TOKEN_INVALID');
    assert.equal(await isVerified(user), false);
  });

  it('refuses a made-up token and a password-reset token', async () => {
    const user = await registerUser(s.auth.url);
    for (const token of ['made-up', await linkToken(s.auth, user, 'reset_password')]) {
      const res = await verify(token);
      assert.equal(res.status, 400);
      assert.equal(res.body.error.code, 'TOKEN_INVALID');
    }
    assert.equal(await isVerified(user), false);
  });

  it('resend mails a new link that works, answering 202', async () => {
    const user = await registerUser(s.auth.url);
    const first = await mailedLink(s.smtp, user.email, 'verify-email');
    const res = await resend(user);
    assert.equal(res.status, 202);
    assert.deepEqual(res.body, { status: 'accepted' });
    const second = await mailedLink(s.smtp, user.email, 'verify-email');
    assert.notEqual(second.token, first.token);
    assert.equal((await verify(second.token)).status, 204);
    assert.equal(await isVerified(user), true);
  });

  it('resend answers 409 EMAIL_ALREADY_VERIFIED once the address is verified', async () => {
    const user = await registerUser(s.auth.url);
    assert.equal((await verify((await mailedLink(s.smtp, user.email, 'verify-email')).token)).status, 204);
    const res = await resend(user);
    assert.equal(res.status, 409);
    assert.equal(res.body.error.code, 'EMAIL_ALREADY_VERIFIED');
  });

  it('resend answers 429 past EMAIL_VERIFY_RESEND_MAX_PER_ACCOUNT an hour, and 401 without a token', async () => {
    const user = await registerUser(s.auth.url);
    assert.equal((await resend(user)).status, 202);
    assert.equal((await resend(user)).status, 202);
    const limited = await resend(user);
    assert.equal(limited.status, 429);
    assert.equal(limited.body.error.code, 'TOO_MANY_ATTEMPTS');
    assert.equal((await api(s.auth.url, 'POST', '/email/verify/resend')).status, 401);
  });

  it('refuses a verification from another site’s page with 403', async () => {
    const user = await registerUser(s.auth.url);
    const { token } = await mailedLink(s.smtp, user.email, 'verify-email');
    const res = await verify(token, { origin: 'https://evil.example' });
    assert.equal(res.status, 403);
    assert.equal(res.body.error.code, 'CROSS_SITE_REQUEST');
    assert.equal((await verify(token)).status, 204);
  });
});
