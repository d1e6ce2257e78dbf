import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Secret, TOTP } from 'otpauth';
import { createLogger } from '@murmur/shared/logger';
import { subscribeAuthEvents, type AuthEvent, type AuthEventsSubscriber } from '@murmur/shared/auth';
import { api, eventually, testDatabaseUrl } from '@murmur/shared/testing';
import { registerUser, startAuthService, type AuthUnderTest, type RegisteredUser } from '../src/testing.js';
import { linkToken, logIn, untilRefused } from './account-helpers.js';

const NEW_PASSWORD = 'a much better passphrase';

describe('POST /password', () => {
  let auth: AuthUnderTest;
  /** What ws-service and every service's session cache listen to. */
  let events: AuthEventsSubscriber;
  const seen: AuthEvent[] = [];
  before(async () => {
    auth = await startAuthService({ LOGIN_MAX_FAILURES_PER_ACCOUNT: '3' });
    events = await subscribeAuthEvents(testDatabaseUrl(), createLogger('test', 'silent'));
    events.on('auth_event', (event) => seen.push(event));
  });
  after(async () => {
    await events.stop();
    await auth.close();
  });

  const change = (user: RegisteredUser, body: Record<string, unknown>, token = user.token) => api(auth.url, 'POST', '/password', { token, body });
  const login = (user: RegisteredUser, password: string) => api(auth.url, 'POST', '/login', { body: { email: user.email, password } });

  it('answers 204, and from then on only the new password logs in', async () => {
    const user = await registerUser(auth.url);
    const res = await change(user, { currentPassword: user.password, newPassword: NEW_PASSWORD });
    assert.equal(res.status, 204, JSON.stringify(res.body));
    assert.equal((await login(user, user.password)).status, 401);
    assert.equal((await login(user, NEW_PASSWORD)).status, 200);
  });

  it('ends every other session of the account, each with a session_revoked event, and keeps this one', async () => {
    const user = await registerUser(auth.url);
    const others = [await logIn(auth.url, user), await logIn(auth.url, user)];
    const bystander = await registerUser(auth.url);
    const sessions = async (token: string) => (await api(auth.url, 'GET', '/sessions', { token })).body.items as Array<{ id: string; current: boolean }>;
    const before = await sessions(user.token);
    const current = before.find((s) => s.current)!.id;
    const rest = before.filter((s) => !s.current).map((s) => s.id);
    assert.equal(rest.length, 2);

    assert.equal((await change(user, { currentPassword: user.password, newPassword: NEW_PASSWORD })).status, 204);

    for (const token of others) await untilRefused(auth.url, token);
    assert.deepEqual((await sessions(user.token)).map((s) => s.id), [current]);
    assert.equal((await api(auth.url, 'GET', '/sessions', { token: bystander.token })).status, 200);
    const revoked = () => seen.flatMap((e) => (e.type === 'session_revoked' && e.userId === user.id ? [e.sessionId] : []));
    await eventually(() => Promise.resolve(assert.deepEqual(revoked().sort(), rest.sort())));
  });

  it('answers 400 INVALID_CREDENTIALS to a wrong current password, counted against the session up to 429', async () => {
    const user = await registerUser(auth.url);
    for (let i = 0; i < 3; i += 1) {
      const wrong = await change(user, { currentPassword: 'not my password', newPassword: NEW_PASSWORD });
      assert.equal(wrong.status, 400);
      assert.equal(wrong.body.error.code, 'INVALID_CREDENTIALS');
    }
    const limited = await change(user, { currentPassword: user.password, newPassword: NEW_PASSWORD });
    assert.equal(limited.status, 429);
    assert.equal(limited.body.error.code, 'TOO_MANY_ATTEMPTS');
    assert.ok(Number(limited.headers.get('retry-after')) > 0);
    // The account is not locked by them, and they are failures its owner is told of.
    const next = await login(user, user.password);
    assert.equal(next.status, 200);
    assert.equal(next.body.failedLoginAttempts, 3);
    assert.equal((await change(user, { currentPassword: user.password, newPassword: NEW_PASSWORD }, next.body.token)).status, 204, 'another session has its own');
  });

  it("lets the logged-in owner change the password, and turn two-factor login on and off, while strangers' failures lock the account", async () => {
    const user = await registerUser(auth.url);
    for (let i = 0; i < 3; i += 1) assert.equal((await login(user, 'a guess at it')).status, 401);
    assert.equal((await login(user, user.password)).status, 429, 'unknown devices are locked out');

    assert.equal((await change(user, { currentPassword: user.password, newPassword: NEW_PASSWORD })).status, 204);
    const { secret } = (await api(auth.url, 'POST', '/2fa/totp/setup', { token: user.token })).body as { secret: string };
    const code = new TOTP({ secret: Secret.fromBase32(secret) }).generate();
    const enabled = await api(auth.url, 'POST', '/2fa/totp/enable', { token: user.token, body: { code, password: NEW_PASSWORD } });
    assert.equal(enabled.status, 200, JSON.stringify(enabled.body));
    assert.equal((await api(auth.url, 'POST', '/2fa/totp/disable', { token: user.token, body: { password: NEW_PASSWORD } })).status, 204);
  });

  it('clears the failures counted against the session when the current password is right', async () => {
    const user = await registerUser(auth.url);
    for (let i = 0; i < 2; i += 1) assert.equal((await change(user, { currentPassword: 'not my password', newPassword: NEW_PASSWORD })).status, 400);
    assert.equal((await change(user, { currentPassword: user.password, newPassword: NEW_PASSWORD })).status, 204);
    for (let i = 0; i < 2; i += 1) assert.equal((await change(user, { currentPassword: 'not my password', newPassword: 'yet another passphrase' })).status, 400);
    assert.equal((await change(user, { currentPassword: NEW_PASSWORD, newPassword: 'yet another passphrase' })).status, 204);
  });

  it('tells the owner of a wrong current password at their next login, as of any failed login', async () => {
    const user = await registerUser(auth.url);
    assert.equal((await change(user, { currentPassword: 'not my password', newPassword: NEW_PASSWORD })).status, 400);
    const next = await login(user, user.password);
    assert.equal(next.body.failedLoginAttempts, 1);
  });

  it('answers 400 PASSWORD_TOO_WEAK naming the rule, before checking (and counting) the current password', async () => {
    const user = await registerUser(auth.url);
    const cases: Array<[string, RegExp]> = [
      ['short', /at least 12 characters/],
      ['x'.repeat(129), /at most 128 characters/],
      ['qwertyqwerty', /most common passwords/],
    ];
    for (let i = 0; i < 2; i += 1) {
      for (const [newPassword, rule] of cases) {
        const res = await change(user, { currentPassword: 'not even my password', newPassword });
        assert.equal(res.status, 400);
        assert.equal(res.body.error.code, 'PASSWORD_TOO_WEAK');
        assert.match(res.body.error.message, rule);
      }
    }
    assert.equal((await change(user, { currentPassword: user.password, newPassword: NEW_PASSWORD })).status, 204);
  });

  it('answers 400 PASSWORD_TOO_WEAK when the new password is the current one', async () => {
    const user = await registerUser(auth.url);
    const res = await change(user, { currentPassword: user.password, newPassword: user.password });
    assert.equal(res.status, 400);
    assert.equal(res.body.error.code, 'PASSWORD_TOO_WEAK');
    assert.match(res.body.error.message, /differ/);
  });

  it('voids the reset links not yet used', async () => {
    const user = await registerUser(auth.url);
    const token = await linkToken(auth, user, 'reset_password');
    assert.equal((await change(user, { currentPassword: user.password, newPassword: NEW_PASSWORD })).status, 204);
    const reset = await api(auth.url, 'POST', '/password/reset', { body: { token, newPassword: 'yet another passphrase' } });
    assert.equal(reset.status, 400);
    assert.equal(reset.body.error.code, 'TOKEN_INVALID');
  });

  it('answers 400 naming the field for a missing or malformed body, and 401 without a token', async () => {
    const user = await registerUser(auth.url);
    const missing = await change(user, { newPassword: NEW_PASSWORD });
    assert.equal(missing.status, 400);
    assert.equal(missing.body.error.field, 'currentPassword');
    const nul = await change(user, { currentPassword: user.password, newPassword: `${NEW_PASSWORD}\u0000` });
    assert.equal(nul.status, 400);
    assert.equal(nul.body.error.field, 'newPassword');
    const anonymous = await api(auth.url, 'POST', '/password', { body: { currentPassword: user.password, newPassword: NEW_PASSWORD } });
    assert.equal(anonymous.status, 401);
  });

  it('refuses a cookie-authenticated change from another site', async () => {
    const user = await registerUser(auth.url);
    const res = await api(auth.url, 'POST', '/password', {
      cookie: user.cookie,
      headers: { origin: 'https://evil.example' },
      body: { currentPassword: user.password, newPassword: NEW_PASSWORD },
    });
    assert.equal(res.status, 403);
    assert.equal((await login(user, user.password)).status, 200);
  });
});
