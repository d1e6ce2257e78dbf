import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { api, eventually } from '@murmur/shared/testing';
import { registerUser, startAuthService, type AuthUnderTest, type RegisteredUser } from '../src/testing.js';

describe('POST /login of a suspended account', () => {
  let auth: AuthUnderTest;
  before(async () => {
    auth = await startAuthService();
  });
  after(() => auth.close());

  const pool = () => auth.deps.database.pool;
  const login = (user: RegisteredUser, password = user.password) => api(auth.url, 'POST', '/login', { body: { email: user.email, password } });
  const sessionsOf = async (user: RegisteredUser) =>
    (await pool().query<{ count: number }>('SELECT count(*)::int AS count FROM sessions WHERE user_id = $1', [user.id])).rows[0]!.count;

  it('answers 403 ACCOUNT_SUSPENDED to the right password and starts no session; a wrong password stays 401', async () => {
    const user = await registerUser(auth.url);
    await pool().query('UPDATE users SET suspended_at = now() WHERE id = $1', [user.id]);
    const refused = await login(user);
    assert.equal(refused.status, 403);
    assert.equal(refused.body.error.code, 'ACCOUNT_SUSPENDED');
    assert.equal(refused.headers.getSetCookie().length, 0);
    assert.equal(await sessionsOf(user), 1, 'only the session registering started');

    const wrong = await login(user, 'a wrong password');
    const unknown = await api(auth.url, 'POST', '/login', { body: { email: `nobody_${user.email}`, password: 'a wrong password' } });
    assert.equal(wrong.status, 401);
    assert.deepEqual(wrong.body, unknown.body, 'nothing tells a stranger the account is suspended');

    await pool().query('UPDATE users SET suspended_at = NULL WHERE id = $1', [user.id]);
    assert.equal((await login(user)).status, 200);
  });

  it('starts no session for an account suspended while its login is under way', async () => {
    const user = await registerUser(auth.url);
    const suspension = await pool().connect();
    try {
      // A suspension in flight: the account's row is held, and the change not yet committed.
      await suspension.query('BEGIN');
      await suspension.query('SELECT 1 FROM users WHERE id = $1 FOR UPDATE', [user.id]);
      await suspension.query('UPDATE users SET suspended_at = now() WHERE id = $1', [user.id]);
      const attempt = login(user);
      // The login has checked the password and now waits on the account's row to start its session.
      await eventually(async () => {
        const { rows } = await pool().query(
          `SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%INSERT INTO sessions%'`,
        );
        assert.equal(rows.length, 1);
      });
      await suspension.query('COMMIT');
      const refused = await attempt;
      assert.equal(refused.status, 403);
      assert.equal(refused.body.error.code, 'ACCOUNT_SUSPENDED');
      assert.equal(await sessionsOf(user), 1);
    } finally {
      suspension.release();
    }
  });
});
