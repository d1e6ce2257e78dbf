import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { api, uniqueName } from '@murmur/shared/testing';
import { cookieFrom, startAuthService, type AuthUnderTest } from '../src/testing.js';

describe('POST /register', () => {
  let auth: AuthUnderTest;
  before(async () => {
    auth = await startAuthService();
  });
  after(() => auth.close());

  const fresh = () => {
    const username = uniqueName('reg');
    return { username, email: `${username}@example.com`, password: 'a good password' };
  };

  it('creates the user, answers 201 with user and token, and sets an HttpOnly SameSite=Lax cookie', async () => {
    const input = fresh();
    const res = await api(auth.url, 'POST', '/register', { body: input });
    assert.equal(res.status, 201);
    assert.equal(typeof res.body.user.id, 'number');
    assert.equal(res.body.user.username, input.username);
    assert.equal(res.body.user.email, input.email);
    assert.ok(!Number.isNaN(Date.parse(res.body.user.createdAt)));
    assert.equal(res.body.user.passwordHash, undefined);
    assert.equal(res.body.user.emailVerified, false);
    assert.equal(res.body.user.totpEnabled, false);
    assert.equal(res.headers.get('cache-control'), 'no-store');
    assert.match(res.body.token, /^[\w-]+\.[\w-]+\.[\w-]+$/);
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith('murmur_token='));
    assert.ok(cookie, 'sets the auth cookie');
    assert.match(cookie, /HttpOnly/);
    assert.match(cookie, /SameSite=Lax/);
    assert.match(cookie, /Path=\//);
    assert.doesNotMatch(cookie, /Secure/);
    assert.ok(
      res.headers.getSetCookie().some((c) => c.startsWith('murmur_device=') && /HttpOnly/.test(c)),
      'sets the device cookie: the browser that made the account is a known device of it',
    );
  });

  it('names both cookies __Host- and marks them Secure with COOKIE_SECURE', async () => {
    const secure = await startAuthService({ COOKIE_SECURE: 'true' });
    try {
      const res = await api(secure.url, 'POST', '/register', { body: fresh() });
      assert.equal(res.status, 201);
      for (const name of ['__Host-murmur_token', '__Host-murmur_device']) {
        const cookie = res.headers.getSetCookie().find((c) => c.startsWith(`${name}=`));
        assert.ok(cookie, name);
        assert.match(cookie, /; Secure/);
        assert.match(cookie, /Path=\//);
        assert.doesNotMatch(cookie, /Domain=/);
      }
      assert.ok(cookieFrom(res.headers).startsWith('__Host-murmur_token='));
    } finally {
      await secure.close();
    }
  });

  it('stores a bcrypt hash, never the password', async () => {
    const input = fresh();
    const res = await api(auth.url, 'POST', '/register', { body: input });
    const { rows } = await auth.deps.database.pool.query('SELECT password_hash FROM users WHERE id = $1', [res.body.user.id]);
    assert.match(rows[0].password_hash, /\$2[aby]\$04\$/);
    assert.doesNotMatch(rows[0].password_hash, new RegExp(input.password));
  });

  it('answers 409 USERNAME_TAKEN for a username taken in any case', async () => {
    const input = fresh();
    assert.equal((await api(auth.url, 'POST', '/register', { body: input })).status, 201);
    const again = await api(auth.url, 'POST', '/register', {
      body: { ...input, username: input.username.toUpperCase(), email: `other_${input.email}` },
    });
    assert.equal(again.status, 409);
    assert.equal(again.body.error.code, 'USERNAME_TAKEN');
  });

  it('answers 409 EMAIL_TAKEN for an email taken in any case', async () => {
    const input = fresh();
    assert.equal((await api(auth.url, 'POST', '/register', { body: input })).status, 201);
    const again = await api(auth.url, 'POST', '/register', {
      body: { ...input, username: `${input.username.slice(0, 25)}_b`, email: input.email.toUpperCase() },
    });
    assert.equal(again.status, 409);
    assert.equal(again.body.error.code, 'EMAIL_TAKEN');
  });

  it('lets only one of two simultaneous registrations of a name succeed', async () => {
    const input = fresh();
    const results = await Promise.all(
      [0, 1, 2, 3].map((i) => api(auth.url, 'POST', '/register', { body: { ...input, email: `${i}${input.email}` } })),
    );
    const statuses = results.map((r) => r.status).sort();
    assert.deepEqual(statuses, [201, 409, 409, 409]);
  });

  const badFields: Array<[string, Record<string, unknown>, string]> = [
    ['a short username', { username: 'ab' }, 'username'],
    ['a username with a space', { username: 'has space' }, 'username'],
    ['a 31-character username', { username: 'a'.repeat(31) }, 'username'],
    ['a missing username', { username: undefined }, 'username'],
    ['a non-string username', { username: 12345 }, 'username'],
    ['an invalid email', { email: 'not-an-email' }, 'email'],
    ['a non-string password', { password: 12345678901234 }, 'password'],
  ];
  for (const [what, override, field] of badFields) {
    it(`answers 400 naming "${field}" for ${what}`, async () => {
      const res = await api(auth.url, 'POST', '/register', { body: { ...fresh(), ...override } });
      assert.equal(res.status, 400);
      assert.equal(res.body.error.code, 'VALIDATION_FAILED');
      assert.equal(res.body.error.field, field);
      assert.match(res.body.error.message, new RegExp(field));
    });
  }

  const weakPasswords: Array<[string, string, RegExp]> = [
    ['11 characters', 'abcdefghijk', /at least 12 characters/],
    ['129 characters', 'a'.repeat(129), /at most 128 characters/],
    ['a common password', 'password1234', /most common passwords/],
  ];
  for (const [what, password, rule] of weakPasswords) {
    it(`answers 400 PASSWORD_TOO_WEAK naming the rule for a password of ${what}, and makes no account`, async () => {
      const input = { ...fresh(), password };
      const res = await api(auth.url, 'POST', '/register', { body: input });
      assert.equal(res.status, 400);
      assert.equal(res.body.error.code, 'PASSWORD_TOO_WEAK');
      assert.match(res.body.error.message, rule);
      const { rows } = await auth.deps.database.pool.query('SELECT 1 FROM users WHERE username = $1', [input.username]);
      assert.equal(rows.length, 0);
    });
  }

  it('accepts a password of 128 four-byte characters, far past the 72 bytes bcrypt reads, and logs in with it', async () => {
    const input = { ...fresh(), password: '😀'.repeat(128) };
    assert.equal((await api(auth.url, 'POST', '/register', { body: input })).status, 201);
    assert.equal((await api(auth.url, 'POST', '/login', { body: { username: input.username, password: input.password } })).status, 200);
  });

  it('answers 400 MALFORMED_JSON for broken JSON', async () => {
    const res = await api(auth.url, 'POST', '/register', { rawBody: '{"username":', headers: { 'content-type': 'application/json' } });
    assert.equal(res.status, 400);
    assert.equal(res.body.error.code, 'MALFORMED_JSON');
  });

  it('answers 400 for a JSON body that is not an object', async () => {
    const res = await api(auth.url, 'POST', '/register', { rawBody: '"just a string"', headers: { 'content-type': 'application/json' } });
    assert.equal(res.status, 400);
  });

  it('answers 415 for a body that is not JSON', async () => {
    const res = await api(auth.url, 'POST', '/register', {
      rawBody: 'username=a&password=b',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    assert.equal(res.status, 415);
    assert.equal(res.body.error.code, 'UNSUPPORTED_MEDIA_TYPE');
  });

  it('answers 413 for a body over the size limit', async () => {
    const res = await api(auth.url, 'POST', '/register', { body: { ...fresh(), padding: 'x'.repeat(100_000) } });
    assert.equal(res.status, 413);
    assert.equal(res.body.error.code, 'BODY_TOO_LARGE');
  });

  it('never answers with X-Powered-By or a stack trace', async () => {
    const res = await api(auth.url, 'POST', '/register', { rawBody: '{', headers: { 'content-type': 'application/json' } });
    assert.equal(res.headers.get('x-powered-by'), null);
    assert.doesNotMatch(JSON.stringify(res.body), /at .*\.js:\d+/);
  });

  it('refuses a registration from a cross-site page with 403', async () => {
    const res = await api(auth.url, 'POST', '/register', { body: fresh(), headers: { origin: 'https://evil.example' } });
    assert.equal(res.status, 403);
    assert.equal(res.body.error.code, 'CROSS_SITE_REQUEST');
  });
});

describe('service endpoints', () => {
  let auth: AuthUnderTest;
  before(async () => {
    auth = await startAuthService();
  });
  after(() => auth.close());

  it('GET / names the service', async () => {
    const res = await api(auth.url, 'GET', '/');
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, { service: 'auth-service', status: 'ok' });
  });

  it('GET /healthz and /readyz answer 200 while the database is up', async () => {
    assert.equal((await api(auth.url, 'GET', '/healthz')).status, 200);
    const ready = await api(auth.url, 'GET', '/readyz');
    assert.equal(ready.status, 200);
    assert.equal(ready.body.database, 'up');
  });

  it('answers 404 in the JSON error shape for an unknown route', async () => {
    const res = await api(auth.url, 'GET', '/nope');
    assert.equal(res.status, 404);
    assert.equal(res.body.error.code, 'NOT_FOUND');
  });
});

describe('NUL characters', () => {
  let auth: AuthUnderTest;
  before(async () => {
    auth = await startAuthService();
  });
  after(() => auth.close());

  it('refuses a NUL in a password (bcrypt would stop reading there) and in login fields, with 400', async () => {
    const username = uniqueName('nul');
    const reg = await api(auth.url, 'POST', '/register', { body: { username, email: `${username}@example.com`, password: 'abcd\u0000efgh' } });
    assert.equal(reg.status, 400);
    assert.equal(reg.body.error.field, 'password');
    const login = await api(auth.url, 'POST', '/login', { body: { username: 'a\u0000b', password: 'whatever1' } });
    assert.equal(login.status, 400);
  });
});
