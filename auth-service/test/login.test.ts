import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import bcrypt from 'bcrypt';
import { api, eventually, startFaultProxy, testDatabaseUrl, uniqueName, within } from '@murmur/shared/testing';
import { failedLoginsCounterKey } from '../src/repos/failed-logins.repo.js';
import { countPasswordChecks, registerUser, startAuthService, type AuthUnderTest } from '../src/testing.js';

describe('POST /login', () => {
  let auth: AuthUnderTest;
  before(async () => {
    auth = await startAuthService();
  });
  after(() => auth.close());

  it('logs in by email, in any case, with 200, the user, a token and the cookie', async () => {
    const user = await registerUser(auth.url);
    const res = await api(auth.url, 'POST', '/login', { body: { email: user.email.toUpperCase(), password: user.password } });
    assert.equal(res.status, 200);
    assert.equal(res.body.user.id, user.id);
    assert.equal(res.body.user.username, user.username);
    assert.ok(res.body.token);
    assert.ok(res.headers.getSetCookie().some((c) => c.startsWith('murmur_token=') && /HttpOnly/.test(c)));
  });

  it('logs in by username, in any case', async () => {
    const user = await registerUser(auth.url);
    const res = await api(auth.url, 'POST', '/login', { body: { username: user.username.toUpperCase(), password: user.password } });
    assert.equal(res.status, 200);
    assert.equal(res.body.user.id, user.id);
  });

  it('gives a wrong password and an unknown user the same 401 body', async () => {
    const user = await registerUser(auth.url);
    const wrong = await api(auth.url, 'POST', '/login', { body: { email: user.email, password: 'wrong password!' } });
    const unknown = await api(auth.url, 'POST', '/login', { body: { email: `nobody_${user.email}`, password: 'wrong password!' } });
    assert.equal(wrong.status, 401);
    assert.equal(unknown.status, 401);
    assert.deepEqual(wrong.body, unknown.body);
    assert.equal(wrong.body.error.code, 'INVALID_CREDENTIALS');
  });

  it('answers 400 for a body with neither email nor username', async () => {
    const res = await api(auth.url, 'POST', '/login', { body: { password: 'whatever123' } });
    assert.equal(res.status, 400);
    assert.equal(res.body.error.code, 'VALIDATION_FAILED');
  });

  it('answers 400 naming the password for one over 128 characters', async () => {
    const user = await registerUser(auth.url);
    const res = await api(auth.url, 'POST', '/login', { body: { email: user.email, password: 'x'.repeat(129) } });
    assert.equal(res.status, 400);
    assert.equal(res.body.error.field, 'password');
  });

  it('answers 200 with the account, failedLoginAttempts, no-store, and both cookies, and keeps the User-Agent', async () => {
    const user = await registerUser(auth.url);
    const userAgent = 'Mozilla/5.0 (X11; Linux x86_64) murmur-test';
    const res = await api(auth.url, 'POST', '/login', { body: { username: user.username, password: user.password }, headers: { 'user-agent': userAgent } });
    assert.equal(res.status, 200);
    assert.deepEqual(Object.keys(res.body).sort(), ['failedLoginAttempts', 'token', 'user']);
    assert.equal(res.body.failedLoginAttempts, 0);
    assert.equal(res.body.user.emailVerified, false);
    assert.equal(res.body.user.totpEnabled, false);
    assert.equal(res.headers.get('cache-control'), 'no-store');
    const device = res.headers.getSetCookie().find((c) => c.startsWith('murmur_device='));
    assert.ok(device, 'sets the device cookie');
    assert.match(device, /HttpOnly/);
    assert.match(device, /SameSite=Lax/);
    const { sid } = JSON.parse(Buffer.from(res.body.token.split('.')[1], 'base64url').toString());
    const { rows } = await auth.deps.database.pool.query('SELECT user_agent FROM sessions WHERE id = $1', [sid]);
    assert.equal(rows[0].user_agent, userAgent);
  });

  it("answers a wrong password without waiting for its owner's failure count, which an unknown account has not", async () => {
    const user = await registerUser(auth.url);
    const wrong = () => api(auth.url, 'POST', '/login', { body: { email: user.email, password: 'wrong password!' } });
    assert.equal((await wrong()).status, 401);
    const counter = failedLoginsCounterKey(user.id);
    const holder = await auth.deps.database.pool.connect();
    try {
      // Holds the owner's counter row: counting the next failure waits for this transaction.
      await holder.query('BEGIN');
      await holder.query('SELECT 1 FROM rate_limits WHERE key = $1 FOR UPDATE', [counter]);
      assert.equal((await within(wrong(), 2_000, 'the answer')).status, 401);
    } finally {
      await holder.query('COMMIT');
      holder.release();
    }
    await eventually(async () => {
      const { rows } = await auth.deps.database.pool.query('SELECT points FROM rate_limits WHERE key = $1', [counter]);
      assert.equal(rows[0]?.points, 2, 'counted all the same, once it could be');
    });
  });

  it('answers 400 MALFORMED_JSON and 415 for non-JSON bodies', async () => {
    const broken = await api(auth.url, 'POST', '/login', { rawBody: '{"email"', headers: { 'content-type': 'application/json' } });
    assert.equal(broken.status, 400);
    const text = await api(auth.url, 'POST', '/login', { rawBody: 'hello', headers: { 'content-type': 'text/plain' } });
    assert.equal(text.status, 415);
  });
});

describe('brute-force protection', () => {
  it('refuses an account with 429 after repeated failures, before bcrypt runs, even with the right password', async () => {
    const auth = await startAuthService({ LOGIN_MAX_FAILURES_PER_ACCOUNT: '3' });
    try {
      const user = await registerUser(auth.url);
      for (let i = 0; i < 3; i += 1) {
        const res = await api(auth.url, 'POST', '/login', { body: { email: user.email, password: 'wrong password!' } });
        assert.equal(res.status, 401);
      }
      const passwordChecks = countPasswordChecks(auth);
      const blocked = await api(auth.url, 'POST', '/login', { body: { email: user.email, password: user.password } });
      passwordChecks.restore();
      assert.equal(blocked.status, 429);
      assert.equal(blocked.body.error.code, 'TOO_MANY_ATTEMPTS');
      assert.ok(Number(blocked.headers.get('retry-after')) > 0);
      assert.equal(passwordChecks.count, 0, 'bcrypt did not run for the refused attempt');

      // Another account is unaffected.
      const other = await registerUser(auth.url);
      const ok = await api(auth.url, 'POST', '/login', { body: { email: other.email, password: other.password } });
      assert.equal(ok.status, 200);
    } finally {
      await auth.close();
    }
  });

  it('counts parallel guesses as they arrive, so a burst cannot slip past the limit', async () => {
    const auth = await startAuthService({ LOGIN_MAX_FAILURES_PER_ACCOUNT: '3' });
    try {
      const user = await registerUser(auth.url);
      const guesses = await Promise.all(
        Array.from({ length: 12 }, () => api(auth.url, 'POST', '/login', { body: { email: user.email, password: 'wrong password!' } })),
      );
      const statuses = guesses.map((g) => g.status);
      assert.equal(statuses.filter((s) => s === 401).length, 3);
      assert.equal(statuses.filter((s) => s === 429).length, 9);
    } finally {
      await auth.close();
    }
  });

  it('limits successful logins per address too, before bcrypt runs; failures use none of them', async () => {
    const auth = await startAuthService({ LOGIN_MAX_SUCCESSES_PER_ADDRESS: '2' });
    try {
      const user = await registerUser(auth.url);
      const login = (password: string) => api(auth.url, 'POST', '/login', { body: { email: user.email, password } });
      assert.equal((await login('wrong password!')).status, 401);
      for (let i = 0; i < 2; i += 1) assert.equal((await login(user.password)).status, 200);
      const passwordChecks = countPasswordChecks(auth);
      const limited = await login(user.password);
      passwordChecks.restore();
      assert.equal(limited.status, 429);
      assert.equal(limited.body.error.code, 'TOO_MANY_ATTEMPTS');
      assert.equal(passwordChecks.count, 0, 'bcrypt did not run for the refused attempt');
    } finally {
      await auth.close();
    }
  });

  it('limits registrations per address with 429', async () => {
    const auth = await startAuthService({ REGISTER_MAX_PER_ADDRESS: '2' });
    try {
      await registerUser(auth.url);
      await registerUser(auth.url);
      const third = await api(auth.url, 'POST', '/register', { body: { username: 'one_too_many', email: 'one@too.many', password: 'long enough password' } });
      assert.equal(third.status, 429);
      assert.ok(Number(third.headers.get('retry-after')) > 0);
    } finally {
      await auth.close();
    }
  });

  it('refuses one address with 429 after repeated failures across accounts', async () => {
    const auth = await startAuthService({ LOGIN_MAX_FAILURES_PER_ADDRESS: '4' });
    try {
      for (let i = 0; i < 4; i += 1) {
        const res = await api(auth.url, 'POST', '/login', { body: { email: `ghost${i}@example.com`, password: 'wrong password!' } });
        assert.equal(res.status, 401);
      }
      const user = await registerUser(auth.url);
      const blocked = await api(auth.url, 'POST', '/login', { body: { email: user.email, password: user.password } });
      assert.equal(blocked.status, 429);
    } finally {
      await auth.close();
    }
  });
});

describe('brute-force limits shared and fair', () => {
  it('counts an account once whichever identifier names it, across two instances', async () => {
    const shared = { LOGIN_MAX_FAILURES_PER_ACCOUNT: '4', RATE_LIMIT_KEY_PREFIX: uniqueName('shared') };
    const [first, second] = await Promise.all([startAuthService(shared), startAuthService(shared)]);
    try {
      const user = await registerUser(first.url);
      const guesses: Array<[string, object]> = [
        [first.url, { email: user.email }],
        [second.url, { username: user.username }],
        [first.url, { username: user.username.toUpperCase() }],
        [second.url, { email: user.email }],
      ];
      for (const [url, identifier] of guesses) {
        assert.equal((await api(url, 'POST', '/login', { body: { ...identifier, password: 'wrong password!' } })).status, 401);
      }
      for (const url of [first.url, second.url]) {
        const blocked = await api(url, 'POST', '/login', { body: { username: user.username, password: user.password } });
        assert.equal(blocked.status, 429);
        assert.ok(Number(blocked.headers.get('retry-after')) > 0);
      }
    } finally {
      await Promise.all([first.close(), second.close()]);
    }
  });

  it('does not count attempts that failed because the database was down', async () => {
    const proxy = await startFaultProxy(testDatabaseUrl());
    const auth = await startAuthService({ DATABASE_URL: proxy.url, LOGIN_MAX_FAILURES_PER_ACCOUNT: '2', LOGIN_MAX_FAILURES_PER_ADDRESS: '2' });
    try {
      const user = await registerUser(auth.url);
      proxy.cut();
      for (let i = 0; i < 5; i += 1) {
        const res = await api(auth.url, 'POST', '/login', { body: { email: user.email, password: user.password } });
        assert.equal(res.status, 503);
        assert.equal(res.body.error.code, 'SERVICE_UNAVAILABLE');
      }
      proxy.restore();
      const back = await api(auth.url, 'POST', '/login', { body: { email: user.email, password: user.password } });
      assert.equal(back.status, 200);
    } finally {
      proxy.restore();
      await auth.close();
      await proxy.close();
    }
  });
});

/** The bcrypt hash inside a stored password hash (which may carry a pre-hashing prefix). */
const bcryptPart = (stored: string) => stored.slice(stored.indexOf('$2'));

describe('password hashes follow the configured cost', () => {
  it('re-hashes at login a hash made at a lower cost', async () => {
    const cheap = await startAuthService({ BCRYPT_COST: '4' });
    const current = await startAuthService({ BCRYPT_COST: '6' });
    try {
      const user = await registerUser(cheap.url);
      const storedHash = async () => {
        const { rows } = await current.deps.database.pool.query('SELECT password_hash FROM users WHERE id = $1', [user.id]);
        return rows[0].password_hash as string;
      };
      assert.equal(bcrypt.getRounds(bcryptPart(await storedHash())), 4);
      assert.equal((await api(current.url, 'POST', '/login', { body: { email: user.email, password: user.password } })).status, 200);
      const upgraded = await storedHash();
      assert.equal(bcrypt.getRounds(bcryptPart(upgraded)), 6);
      assert.ok(await current.deps.service.passwords.verify(user.password, upgraded));
      assert.equal((await api(cheap.url, 'POST', '/login', { body: { username: user.username, password: user.password } })).status, 200);
    } finally {
      await Promise.all([cheap.close(), current.close()]);
    }
  });
});

describe('bcrypt at a real cost', () => {
  let auth: AuthUnderTest;
  before(async () => {
    // In-flight logins count against the account until they succeed; the storm below is one account.
    auth = await startAuthService({ BCRYPT_COST: '10', LOGIN_MAX_FAILURES_PER_ACCOUNT: '100' });
  });
  after(() => auth.close());

  it('hashes with the configured cost', async () => {
    const user = await registerUser(auth.url);
    const { rows } = await auth.deps.database.pool.query('SELECT password_hash FROM users WHERE id = $1', [user.id]);
    assert.match(bcryptPart(rows[0].password_hash), /^\$2[aby]\$10\$/);
  });

  it('spends bcrypt time on an unknown user too, so timing does not reveal which accounts exist', async () => {
    const user = await registerUser(auth.url);
    const time = async (email: string) => {
      const started = performance.now();
      const res = await api(auth.url, 'POST', '/login', { body: { email, password: 'wrong password!' } });
      assert.equal(res.status, 401);
      return performance.now() - started;
    };
    const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const wrong: number[] = [];
    const unknown: number[] = [];
    for (let i = 0; i < 3; i += 1) {
      wrong.push(await time(user.email));
      unknown.push(await time(`missing${i}_${user.email}`));
    }
    // Without the dummy comparison an unknown user would answer in ~1 ms against ~50 ms.
    assert.ok(median(unknown) > median(wrong) * 0.4, `unknown ${median(unknown)} ms vs wrong ${median(wrong)} ms`);
  });

  it('keeps other endpoints responsive during a login storm', async () => {
    const user = await registerUser(auth.url);
    const storm = Array.from({ length: 12 }, () =>
      api(auth.url, 'POST', '/login', { body: { email: user.email, password: user.password } }),
    );
    let firstLoginDone = false;
    void Promise.race(storm).then(() => {
      firstLoginDone = true;
    });
    // The logins queue on the bcrypt thread pool; the event loop must still answer this at once.
    const banner = await api(auth.url, 'GET', '/');
    assert.equal(banner.status, 200);
    assert.equal(firstLoginDone, false, 'GET / answered before any login finished');
    const results = await Promise.all(storm);
    assert.ok(results.every((r) => r.status === 200));
  });
});
