import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { sql } from 'drizzle-orm';
import { api } from '@murmur/shared/testing';
import { registerUser, startAuthService, type AuthUnderTest } from '../src/testing.js';
import { logIn, untilRefused } from './account-helpers.js';

interface SessionItem {
  id: string;
  createdAt: string;
  lastUsedAt: string | null;
  userAgent: string | null;
  current: boolean;
}

describe('sessions', () => {
  let auth: AuthUnderTest;
  before(async () => {
    auth = await startAuthService();
  });
  after(() => auth.close());

  const list = async (token: string): Promise<SessionItem[]> => {
    const res = await api(auth.url, 'GET', '/sessions', { token });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return res.body.items;
  };

  it('GET /sessions lists the active sessions, newest first, with their browser, the current one marked', async () => {
    const user = await registerUser(auth.url);
    const phone = await logIn(auth.url, user, { headers: { 'user-agent': 'MurmurPhone/2.0' } });
    const laptop = await logIn(auth.url, user, { headers: { 'user-agent': 'MurmurLaptop/1.0' } });
    const sessions = await list(phone);
    assert.deepEqual(
      sessions.map((s) => [s.userAgent, s.current]),
      [
        ['MurmurLaptop/1.0', false],
        ['MurmurPhone/2.0', true],
        [sessions[2]!.userAgent, false],
      ],
    );
    for (const session of sessions) {
      assert.ok(session.lastUsedAt !== null && Date.parse(session.lastUsedAt) >= Date.parse(session.createdAt), 'a login counts as a use');
    }
    assert.deepEqual((await list(laptop)).map((s) => s.current), [true, false, false]);
  });

  it('lists neither ended, expired nor other accounts’ sessions', async () => {
    const user = await registerUser(auth.url);
    const other = await registerUser(auth.url);
    const ended = await logIn(auth.url, user);
    const expiring = await logIn(auth.url, user);
    assert.equal((await api(auth.url, 'POST', '/logout', { token: ended })).status, 202);
    const expiringId = (await list(expiring)).find((s) => s.current)!.id;
    await auth.deps.service.db.execute(sql`UPDATE sessions SET expires_at = now() - interval '1 second' WHERE id = ${expiringId}`);
    const sessions = await list(user.token);
    assert.equal(sessions.length, 1);
    assert.equal(sessions[0]!.current, true);
    assert.equal((await list(other.token)).length, 1);
  });

  it('keeps at most 512 characters of a User-Agent', async () => {
    const user = await registerUser(auth.url);
    const token = await logIn(auth.url, user, { headers: { 'user-agent': 'A'.repeat(600) } });
    const mine = (await list(token)).find((s) => s.current)!;
    assert.equal(mine.userAgent, 'A'.repeat(512));
  });

  it('DELETE /sessions/:id ends that session everywhere and keeps the others', async () => {
    const user = await registerUser(auth.url);
    const second = await logIn(auth.url, user);
    const secondId = (await list(second)).find((s) => s.current)!.id;
    const res = await api(auth.url, 'DELETE', `/sessions/${secondId}`, { token: user.token });
    assert.equal(res.status, 204);
    assert.equal(res.headers.getSetCookie().length, 0, 'ending another session is no logout');
    await untilRefused(auth.url, second);
    assert.deepEqual((await list(user.token)).map((s) => s.current), [true]);
    const again = await api(auth.url, 'DELETE', `/sessions/${secondId}`, { token: user.token });
    assert.equal(again.status, 404);
    assert.equal(again.body.error.code, 'SESSION_NOT_FOUND');
  });

  it('DELETE /sessions/:id of the current session is a logout: the cookie is cleared', async () => {
    const user = await registerUser(auth.url);
    const currentId = (await list(user.token)).find((s) => s.current)!.id;
    const res = await api(auth.url, 'DELETE', `/sessions/${currentId}`, { token: user.token });
    assert.equal(res.status, 204);
    const cleared = res.headers.getSetCookie().find((c) => c.startsWith('murmur_token='));
    assert.ok(cleared && /Expires=Thu, 01 Jan 1970/.test(cleared), 'the auth cookie is expired');
    await untilRefused(auth.url, user.token);
  });

  it('DELETE /sessions/:id answers 404 for another account’s session, which stays, and for an unknown one', async () => {
    const user = await registerUser(auth.url);
    const other = await registerUser(auth.url);
    const otherId = (await list(other.token)).find((s) => s.current)!.id;
    for (const id of [otherId, randomUUID()]) {
      const res = await api(auth.url, 'DELETE', `/sessions/${id}`, { token: user.token });
      assert.equal(res.status, 404);
      assert.equal(res.body.error.code, 'SESSION_NOT_FOUND');
    }
    assert.equal((await list(other.token)).length, 1);
  });

  it('DELETE /sessions/:id answers 400 naming the id when it is not a UUID', async () => {
    const user = await registerUser(auth.url);
    const res = await api(auth.url, 'DELETE', '/sessions/12345', { token: user.token });
    assert.equal(res.status, 400);
    assert.equal(res.body.error.code, 'VALIDATION_FAILED');
    assert.equal(res.body.error.field, 'id');
  });

  it('DELETE /sessions ends every session but the current one', async () => {
    const user = await registerUser(auth.url);
    const others = [await logIn(auth.url, user), await logIn(auth.url, user)];
    const bystander = await registerUser(auth.url);
    assert.equal((await api(auth.url, 'DELETE', '/sessions', { token: user.token })).status, 204);
    for (const token of others) await untilRefused(auth.url, token);
    assert.deepEqual((await list(user.token)).map((s) => s.current), [true]);
    assert.equal((await list(bystander.token)).length, 1);
  });

  it('answers 401 without a token', async () => {
    assert.equal((await api(auth.url, 'GET', '/sessions')).status, 401);
    assert.equal((await api(auth.url, 'DELETE', '/sessions')).status, 401);
    assert.equal((await api(auth.url, 'DELETE', `/sessions/${randomUUID()}`)).status, 401);
  });
});

describe('sessions per account', () => {
  let auth: AuthUnderTest;
  before(async () => {
    auth = await startAuthService({ SESSIONS_MAX_PER_ACCOUNT: '3' });
  });
  after(() => auth.close());

  it('past SESSIONS_MAX_PER_ACCOUNT, a new login ends the oldest session', async () => {
    const user = await registerUser(auth.url);
    const logins = [await logIn(auth.url, user), await logIn(auth.url, user)];
    assert.equal((await api(auth.url, 'GET', '/sessions', { token: user.token })).body.items.length, 3, 'up to the limit, none ends');

    const newest = await logIn(auth.url, user);
    await untilRefused(auth.url, user.token);
    const { items } = (await api(auth.url, 'GET', '/sessions', { token: newest })).body as { items: unknown[] };
    assert.equal(items.length, 3);
    for (const token of logins) assert.equal((await api(auth.url, 'GET', '/sessions', { token })).status, 200);
  });
});
