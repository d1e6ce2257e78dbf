import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import bcrypt from 'bcrypt';
import { Secret, TOTP } from 'otpauth';
import { api } from '@murmur/shared/testing';
import { registerUser, startAuthService, type AuthUnderTest, type RegisteredUser } from '../src/testing.js';
import { duringNextPasswordCheck, linkToken, logIn } from './account-helpers.js';

const NEW_PASSWORD = 'a password set meanwhile';

/**
 * Each test lets a request check a password, then commits a change of the account's credentials
 * (through the API) before that request goes on: what it does next must see the change.
 */
describe('a change of credentials committed while a request had checked the old ones', () => {
  let auth: AuthUnderTest;
  before(async () => {
    auth = await startAuthService();
  });
  after(() => auth.close());

  const login = (user: RegisteredUser, password = user.password) => api(auth.url, 'POST', '/login', { body: { email: user.email, password } });
  const reset = async (user: RegisteredUser) =>
    api(auth.url, 'POST', '/password/reset', { body: { token: await linkToken(auth, user, 'reset_password'), newPassword: NEW_PASSWORD } });
  const activeSessions = async (user: RegisteredUser) => {
    const { rows } = await auth.deps.database.pool.query('SELECT id FROM sessions WHERE user_id = $1 AND revoked_at IS NULL', [user.id]);
    return rows.map((row: { id: string }) => row.id);
  };
  const credentialsVersion = async (user: RegisteredUser) =>
    (await auth.deps.database.pool.query('SELECT credentials_version FROM users WHERE id = $1', [user.id])).rows[0].credentials_version as number;
  const sessionIdOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()).sid as string;
  /** Sets up an authenticator app for `user`: the code it shows now. */
  const totpCodeFor = async (user: RegisteredUser) => {
    const { secret } = (await api(auth.url, 'POST', '/2fa/totp/setup', { token: user.token })).body as { secret: string };
    return new TOTP({ secret: Secret.fromBase32(secret) }).generate();
  };

  it('a login starts no session after a reset, and answers 401 INVALID_CREDENTIALS', async () => {
    const user = await registerUser(auth.url);
    const resetting = duringNextPasswordCheck(auth, () => reset(user));
    const res = await login(user);
    assert.equal((await resetting).status, 204);
    assert.equal(res.status, 401);
    assert.equal(res.body.error.code, 'INVALID_CREDENTIALS');
    assert.deepEqual(res.headers.getSetCookie(), []);
    assert.deepEqual(await activeSessions(user), []);
    assert.equal((await login(user, NEW_PASSWORD)).status, 200);
  });

  it('a login starts no session after two-factor login was turned on: it would have no second factor', async () => {
    const user = await registerUser(auth.url);
    const code = await totpCodeFor(user);
    const enabling = duringNextPasswordCheck(auth, () =>
      api(auth.url, 'POST', '/2fa/totp/enable', { token: user.token, body: { code, password: user.password } }),
    );
    const res = await login(user);
    assert.equal((await enabling).status, 200);
    assert.equal(res.status, 401);
    assert.equal(res.body.error.code, 'INVALID_CREDENTIALS');
    assert.deepEqual(await activeSessions(user), [sessionIdOf(user.token)], 'only the session that turned it on');
    assert.equal((await login(user)).body.error.code, 'TOTP_REQUIRED');
  });

  it("a login's re-hash never writes the old password back over a reset", async () => {
    const user = await registerUser(auth.url);
    // A hash from before pre-hashing: the next login replaces it.
    await auth.deps.database.pool.query('UPDATE users SET password_hash = $2 WHERE id = $1', [user.id, await bcrypt.hash(user.password, 4)]);
    const resetting = duringNextPasswordCheck(auth, () => reset(user));
    assert.equal((await login(user)).status, 401);
    assert.equal((await resetting).status, 204);
    assert.equal((await login(user, NEW_PASSWORD)).status, 200, 'the password set by the reset stands');
    assert.equal((await login(user)).status, 401);
  });

  it('a password change changes nothing after a reset, and answers 400 INVALID_CREDENTIALS', async () => {
    const user = await registerUser(auth.url);
    const resetting = duringNextPasswordCheck(auth, () => reset(user));
    const res = await api(auth.url, 'POST', '/password', { token: user.token, body: { currentPassword: user.password, newPassword: 'the change that lost' } });
    assert.equal((await resetting).status, 204);
    assert.equal(res.status, 400);
    assert.equal(res.body.error.code, 'INVALID_CREDENTIALS');
    assert.equal((await login(user, NEW_PASSWORD)).status, 200, 'the password set by the reset stands');
  });

  it('a password change changes nothing once its session was ended from another, and answers 401 SESSION_REVOKED', async () => {
    const user = await registerUser(auth.url);
    const other = await logIn(auth.url, user);
    const ending = duringNextPasswordCheck(auth, () => api(auth.url, 'DELETE', `/sessions/${sessionIdOf(user.token)}`, { token: other }));
    const res = await api(auth.url, 'POST', '/password', { token: user.token, body: { currentPassword: user.password, newPassword: NEW_PASSWORD } });
    assert.equal((await ending).status, 204);
    assert.equal(res.status, 401);
    assert.equal(res.body.error.code, 'SESSION_REVOKED');
    assert.equal((await login(user)).status, 200, 'the password is unchanged');
    assert.ok((await activeSessions(user)).includes(sessionIdOf(other)), 'the other session goes on');
  });

  it('every change of the password or the second factor moves the credentials version on', async () => {
    const user = await registerUser(auth.url);
    assert.equal(await credentialsVersion(user), 0);
    const changed = await api(auth.url, 'POST', '/password', { token: user.token, body: { currentPassword: user.password, newPassword: 'a changed passphrase' } });
    assert.equal(changed.status, 204);
    assert.equal(await credentialsVersion(user), 1, 'a change');
    assert.equal((await reset(user)).status, 204);
    assert.equal(await credentialsVersion(user), 2, 'a reset');

    const token = await logIn(auth.url, user, { password: NEW_PASSWORD });
    const owner = { ...user, password: NEW_PASSWORD, token };
    const code = await totpCodeFor(owner);
    assert.equal(await credentialsVersion(user), 2, 'a setup, not yet in force, is no change');
    assert.equal((await api(auth.url, 'POST', '/2fa/totp/enable', { token, body: { code, password: NEW_PASSWORD } })).status, 200);
    assert.equal(await credentialsVersion(user), 3, 'two-factor login on');
    assert.equal((await api(auth.url, 'POST', '/2fa/totp/disable', { token, body: { password: NEW_PASSWORD } })).status, 204);
    assert.equal(await credentialsVersion(user), 4, 'two-factor login off');
  });
});
