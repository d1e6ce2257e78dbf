import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Secret, TOTP } from 'otpauth';
import { api } from '@murmur/shared/testing';
import { privateMailOutbox } from '../src/mail/test-outbox.js';
import { startTestSmtpServer, type TestSmtpServer } from '../src/mail/test-smtp-server.js';
import { registerUser, startAuthService, type AuthUnderTest, type RegisteredUser } from '../src/testing.js';

const STEP_MS = 30_000;

/** The code an authenticator app holding `secret` shows at `timestamp`. */
const codeAt = (secret: string, timestamp: number) =>
  new TOTP({ secret: Secret.fromBase32(secret), algorithm: 'SHA1', digits: 6, period: 30 }).generate({ timestamp });

interface TotpUser extends RegisteredUser {
  secret: string;
  recoveryCodes: string[];
}

describe('two-factor login (TOTP and recovery codes)', () => {
  let auth: AuthUnderTest;
  let smtp: TestSmtpServer;
  /** The service's clock, pinned to the middle of a time step so no code changes during a request. */
  let clock = Math.floor(Date.now() / STEP_MS) * STEP_MS + STEP_MS / 2;
  /** Moves the clock well past every step used so far, so a fresh code is always later. */
  const advance = () => {
    clock += 5 * STEP_MS;
  };

  before(async () => {
    smtp = await startTestSmtpServer();
    auth = await startAuthService({ SMTP_URL: smtp.url, MAIL_POLL_MS: '100', DATABASE_URL: await privateMailOutbox() });
    auth.deps.service.now = () => clock;
  });
  after(async () => {
    await auth.close();
    await smtp.stop();
  });

  const login = (user: RegisteredUser, extra: Record<string, unknown> = {}) =>
    api(auth.url, 'POST', '/login', { body: { username: user.username, password: user.password, ...extra } });
  const status = (user: RegisteredUser) => api(auth.url, 'GET', '/2fa', { token: user.token });
  const setUp = async (user: RegisteredUser) => {
    const res = await api(auth.url, 'POST', '/2fa/totp/setup', { token: user.token });
    assert.equal(res.status, 200);
    return res.body.secret as string;
  };
  const enable = (user: RegisteredUser, code: string, password = user.password) =>
    api(auth.url, 'POST', '/2fa/totp/enable', { token: user.token, body: { code, password } });
  const totpColumns = async (user: RegisteredUser) =>
    (
      await auth.deps.database.pool.query('SELECT totp_secret, totp_enabled_at, totp_last_step FROM users WHERE id = $1', [user.id])
    ).rows[0] as { totp_secret: string | null; totp_enabled_at: Date | null; totp_last_step: number | null };

  async function userWithTotp(): Promise<TotpUser> {
    const user = await registerUser(auth.url, 'tfa');
    const secret = await setUp(user);
    const res = await enable(user, codeAt(secret, clock));
    assert.equal(res.status, 200);
    advance();
    return { ...user, secret, recoveryCodes: res.body.recoveryCodes };
  }

  it('GET /2fa answers off, with no recovery codes, for a new account', async () => {
    const user = await registerUser(auth.url);
    const res = await status(user);
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, { totpEnabled: false, recoveryCodesLeft: 0 });
  });

  it('asks for a token on every second-factor route', async () => {
    for (const [method, path] of [['GET', '/2fa'], ['POST', '/2fa/totp/setup'], ['POST', '/2fa/totp/enable'], ['POST', '/2fa/totp/disable']] as const) {
      assert.equal((await api(auth.url, method, path)).status, 401, `${method} ${path}`);
    }
  });

  it('setup answers a 20-byte base32 secret and an otpauth URL for the username, and changes no login until enabled', async () => {
    const user = await registerUser(auth.url);
    const res = await api(auth.url, 'POST', '/2fa/totp/setup', { token: user.token });
    assert.equal(res.status, 200);
    assert.equal(Secret.fromBase32(res.body.secret).bytes.length, 20);
    const url = new URL(res.body.otpauthUrl);
    assert.equal(url.protocol, 'otpauth:');
    assert.equal(url.host, 'totp');
    assert.equal(decodeURIComponent(url.pathname), `/murmur:${user.username}`);
    assert.equal(url.searchParams.get('issuer'), 'murmur');
    assert.equal(url.searchParams.get('secret'), res.body.secret);
    assert.equal(url.searchParams.get('algorithm'), 'SHA1');
    assert.equal(url.searchParams.get('digits'), '6');
    assert.equal(url.searchParams.get('period'), '30');

    const columns = await totpColumns(user);
    assert.equal(columns.totp_secret, res.body.secret);
    assert.equal(columns.totp_enabled_at, null);
    assert.equal((await login(user)).status, 200, 'the password alone still logs in');
    assert.deepEqual((await status(user)).body, { totpEnabled: false, recoveryCodesLeft: 0 });
  });

  it('enable refuses a wrong code with 400 TOTP_INVALID, and answers 409 TOTP_NOT_SET_UP before any setup', async () => {
    const fresh = await registerUser(auth.url);
    const notSetUp = await enable(fresh, '123456');
    assert.equal(notSetUp.status, 409);
    assert.equal(notSetUp.body.error.code, 'TOTP_NOT_SET_UP');

    const secret = await setUp(fresh);
    const wrong = await enable(fresh, codeAt(secret, clock + 3 * STEP_MS));
    assert.equal(wrong.status, 400);
    assert.equal(wrong.body.error.code, 'TOTP_INVALID');
    assert.equal((await totpColumns(fresh)).totp_enabled_at, null);
  });

  it('enable takes the password too: a wrong or missing one is refused (and counted), and nothing is turned on', async () => {
    const user = await registerUser(auth.url);
    const secret = await setUp(user);
    const wrong = await enable(user, codeAt(secret, clock), 'not the password');
    assert.equal(wrong.status, 400);
    assert.equal(wrong.body.error.code, 'INVALID_CREDENTIALS');
    const missing = await api(auth.url, 'POST', '/2fa/totp/enable', { token: user.token, body: { code: codeAt(secret, clock) } });
    assert.equal(missing.status, 400);
    assert.equal(missing.body.error.field, 'password');
    assert.equal((await totpColumns(user)).totp_enabled_at, null);
    assert.equal((await login(user)).body.failedLoginAttempts, 1, 'the owner is told of the wrong password');
    assert.equal((await enable(user, codeAt(secret, clock))).status, 200);
    advance();
  });

  it('enable with a code of a replaced secret fails: setting up again replaces a secret never enabled', async () => {
    const user = await registerUser(auth.url);
    const first = await setUp(user);
    const second = await setUp(user);
    assert.notEqual(first, second);
    assert.equal((await enable(user, codeAt(first, clock))).status, 400);
    assert.equal((await enable(user, codeAt(second, clock))).status, 200);
    advance();
  });

  it('enable answers 10 distinct recovery codes, turns it on, records the step, ends other sessions and mails the owner', async () => {
    const user = await registerUser(auth.url, 'tfa');
    const otherSession = (await login(user)).body.token as string;
    const secret = await setUp(user);
    const res = await enable(user, ` ${codeAt(secret, clock).replace(/^(\d{3})/, '$1 ')} `);
    assert.equal(res.status, 200);
    const codes = res.body.recoveryCodes as string[];
    assert.equal(codes.length, 10);
    assert.equal(new Set(codes).size, 10);
    for (const code of codes) assert.match(code, /^[0-9a-hjkmnp-tv-z]{5}-[0-9a-hjkmnp-tv-z]{5}$/);

    const columns = await totpColumns(user);
    assert.ok(columns.totp_enabled_at);
    assert.equal(columns.totp_last_step, Math.floor(clock / STEP_MS));
    const { rows } = await auth.deps.database.pool.query('SELECT code_hash FROM recovery_codes WHERE user_id = $1', [user.id]);
    assert.equal(rows.length, 10);
    assert.ok(rows.every((row) => /^[0-9a-f]{64}$/.test(row.code_hash) && !codes.includes(row.code_hash)), 'only hashes are stored');

    assert.deepEqual((await status(user)).body, { totpEnabled: true, recoveryCodesLeft: 10 }, 'the enabling session goes on');
    const ended = await api(auth.url, 'GET', '/2fa', { token: otherSession });
    assert.equal(ended.status, 401);
    assert.equal(ended.body.error.code, 'SESSION_REVOKED');
    const mail = await smtp.nextMail((m) => m.to.includes(user.email) && /Two-factor login is on/.test(m.subject));
    assert.match(mail.text, /Every other session/);

    for (const again of [await api(auth.url, 'POST', '/2fa/totp/setup', { token: user.token }), await enable(user, codeAt(secret, clock + STEP_MS))]) {
      assert.equal(again.status, 409);
      assert.equal(again.body.error.code, 'TOTP_ALREADY_ENABLED');
    }
    assert.equal((await totpColumns(user)).totp_secret, secret, 'a setup never replaces the secret in force');
    advance();
  });

  it('answers 401 TOTP_REQUIRED to the right password alone, and INVALID_CREDENTIALS to a wrong one, as to an unknown user', async () => {
    const user = await userWithTotp();
    const required = await login(user);
    assert.equal(required.status, 401);
    assert.equal(required.body.error.code, 'TOTP_REQUIRED');
    assert.equal(required.headers.getSetCookie().length, 0);

    const wrong = await login({ ...user, password: 'not the password' }, { totp: codeAt(user.secret, clock) });
    const unknown = await api(auth.url, 'POST', '/login', { body: { username: `no_${user.username}`.slice(0, 30), password: 'not the password' } });
    assert.equal(wrong.status, 401);
    assert.deepEqual(wrong.body, unknown.body);
    assert.equal(wrong.body.error.code, 'INVALID_CREDENTIALS');
  });

  it('logs in with the password and a current code, and the account says totpEnabled', async () => {
    const user = await userWithTotp();
    const res = await login(user, { totp: codeAt(user.secret, clock) });
    assert.equal(res.status, 200);
    assert.equal(res.body.user.totpEnabled, true);
    assert.equal(res.body.failedLoginAttempts, 0, 'TOTP_REQUIRED is not a failure');
  });

  it('accepts a code one step before or after the server clock, and refuses one two steps off', async () => {
    const user = await userWithTotp();
    for (const steps of [-1, 0, 1]) {
      advance();
      const res = await login(user, { totp: codeAt(user.secret, clock + steps * STEP_MS) });
      assert.equal(res.status, 200, `a code ${steps} step(s) off`);
    }
    for (const steps of [-2, 2]) {
      advance();
      const res = await login(user, { totp: codeAt(user.secret, clock + steps * STEP_MS) });
      assert.equal(res.status, 401, `a code ${steps} steps off`);
      assert.equal(res.body.error.code, 'TOTP_INVALID');
    }
  });

  it('accepts each code once, logs and mails the owner when one comes again, and refuses a code older than one used', async () => {
    const user = await userWithTotp();
    const code = codeAt(user.secret, clock);
    assert.equal((await login(user, { totp: code })).status, 200);
    const again = await login(user, { totp: code });
    assert.equal(again.status, 401);
    assert.equal(again.body.error.code, 'TOTP_INVALID');
    await smtp.nextMail((m) => m.to.includes(user.email) && /used twice/.test(m.subject));

    advance();
    assert.equal((await login(user, { totp: codeAt(user.secret, clock + STEP_MS) })).status, 200);
    const older = await login(user, { totp: codeAt(user.secret, clock) });
    assert.equal(older.status, 401, 'the step before the last one accepted');
  });

  it('lets exactly one of two logins racing with one code through', async () => {
    const user = await userWithTotp();
    const code = codeAt(user.secret, clock);
    const results = await Promise.all([login(user, { totp: code }), login(user, { totp: code })]);
    assert.deepEqual(results.map((r) => r.status).sort(), [200, 401]);
  });

  it('takes each recovery code once, in any case and without its dash, and counts what is left', async () => {
    const user = await userWithTotp();
    const [first, second] = user.recoveryCodes as [string, string];
    assert.equal((await login(user, { recoveryCode: first })).status, 200);
    const reused = await login(user, { recoveryCode: first });
    assert.equal(reused.status, 401);
    assert.equal(reused.body.error.code, 'TOTP_INVALID');
    assert.equal((await login(user, { recoveryCode: second.replace('-', '').toUpperCase() })).status, 200);
    assert.equal((await login(user, { recoveryCode: 'zzzzz-zzzzz' })).status, 401);
    assert.deepEqual((await status(user)).body, { totpEnabled: true, recoveryCodesLeft: 8 });

    const other = await userWithTotp();
    const foreign = await login(other, { recoveryCode: user.recoveryCodes[2] });
    assert.equal(foreign.status, 401, "another account's code");
  });

  it('counts wrong and used codes as failed logins, and a login waiting for its code not at all', async () => {
    const user = await userWithTotp();
    assert.equal((await login(user)).body.error.code, 'TOTP_REQUIRED');
    assert.equal((await login(user, { totp: codeAt(user.secret, clock + 4 * STEP_MS) })).body.error.code, 'TOTP_INVALID');
    assert.equal((await login(user, { recoveryCode: 'aaaaa-aaaaa' })).body.error.code, 'TOTP_INVALID');
    const res = await login(user, { totp: codeAt(user.secret, clock) });
    assert.equal(res.status, 200);
    assert.equal(res.body.failedLoginAttempts, 2);
  });

  it('tells a suspended account so after its password, and uses up none of its codes', async () => {
    const user = await userWithTotp();
    await auth.deps.database.pool.query('UPDATE users SET suspended_at = now() WHERE id = $1', [user.id]);
    const res = await login(user, { recoveryCode: user.recoveryCodes[0] });
    assert.equal(res.status, 403);
    assert.equal(res.body.error.code, 'ACCOUNT_SUSPENDED');
    await auth.deps.database.pool.query('UPDATE users SET suspended_at = NULL WHERE id = $1', [user.id]);
    assert.deepEqual((await status(user)).body, { totpEnabled: true, recoveryCodesLeft: 10 });
  });

  it('refuses a body with both a code and a recovery code, or a code that is not 6 digits, with 400', async () => {
    const user = await userWithTotp();
    const both = await login(user, { totp: '123456', recoveryCode: user.recoveryCodes[0] });
    assert.equal(both.status, 400);
    assert.equal(both.body.error.field, 'recoveryCode');
    const short = await login(user, { totp: '12345' });
    assert.equal(short.status, 400);
    assert.equal(short.body.error.field, 'totp');
  });

  it('disable takes the password (a wrong one is 400 and counted), then forgets the secret and the codes and mails the owner', async () => {
    const user = await userWithTotp();
    const disable = (password: string) => api(auth.url, 'POST', '/2fa/totp/disable', { token: user.token, body: { password } });

    const wrong = await disable('not the password');
    assert.equal(wrong.status, 400);
    assert.equal(wrong.body.error.code, 'INVALID_CREDENTIALS');
    assert.equal((await status(user)).body.totpEnabled, true);

    assert.equal((await disable(user.password)).status, 204);
    assert.deepEqual(await totpColumns(user), { totp_secret: null, totp_enabled_at: null, totp_last_step: null });
    const { rows } = await auth.deps.database.pool.query('SELECT 1 FROM recovery_codes WHERE user_id = $1', [user.id]);
    assert.equal(rows.length, 0);
    assert.deepEqual((await status(user)).body, { totpEnabled: false, recoveryCodesLeft: 0 });
    await smtp.nextMail((m) => m.to.includes(user.email) && /Two-factor login is off/.test(m.subject));

    assert.equal((await login(user)).status, 200, 'the password alone logs in again');

    const again = await disable(user.password);
    assert.equal(again.status, 409);
    assert.equal(again.body.error.code, 'TOTP_NOT_ENABLED');
  });
});

describe('two-factor login and the brute-force limits', () => {
  let auth: AuthUnderTest;
  let clock = Math.floor(Date.now() / STEP_MS) * STEP_MS + STEP_MS / 2;
  before(async () => {
    auth = await startAuthService({ LOGIN_MAX_FAILURES_PER_ACCOUNT: '3' });
    auth.deps.service.now = () => clock;
  });
  after(() => auth.close());

  it('locks the account after repeated wrong codes, and never for logins waiting for their code', async () => {
    const user = await registerUser(auth.url);
    const secret = (await api(auth.url, 'POST', '/2fa/totp/setup', { token: user.token })).body.secret as string;
    const enabled = await api(auth.url, 'POST', '/2fa/totp/enable', { token: user.token, body: { code: codeAt(secret, clock), password: user.password } });
    assert.equal(enabled.status, 200);
    clock += 5 * STEP_MS;
    const login = (extra: Record<string, unknown> = {}) => api(auth.url, 'POST', '/login', { body: { email: user.email, password: user.password, ...extra } });

    for (let i = 0; i < 5; i += 1) assert.equal((await login()).body.error.code, 'TOTP_REQUIRED');
    for (let i = 0; i < 3; i += 1) assert.equal((await login({ totp: codeAt(secret, clock + 3 * STEP_MS) })).body.error.code, 'TOTP_INVALID');
    const locked = await login({ totp: codeAt(secret, clock) });
    assert.equal(locked.status, 429);
    assert.equal(locked.body.error.code, 'TOO_MANY_ATTEMPTS');
  });

  it('counts a login waiting for its code against the address: the right password alone cannot spend bcrypt time without end', async () => {
    const limited = await startAuthService({ LOGIN_MAX_FAILURES_PER_ADDRESS: '3' });
    limited.deps.service.now = () => clock;
    try {
      const user = await registerUser(limited.url);
      const secret = (await api(limited.url, 'POST', '/2fa/totp/setup', { token: user.token })).body.secret as string;
      const enable = { code: codeAt(secret, clock), password: user.password };
      assert.equal((await api(limited.url, 'POST', '/2fa/totp/enable', { token: user.token, body: enable })).status, 200);
      clock += 5 * STEP_MS;
      const login = () => api(limited.url, 'POST', '/login', { body: { email: user.email, password: user.password } });
      for (let i = 0; i < 3; i += 1) assert.equal((await login()).body.error.code, 'TOTP_REQUIRED');
      const refused = await login();
      assert.equal(refused.status, 429);
      assert.equal(refused.body.error.code, 'TOO_MANY_ATTEMPTS');
    } finally {
      await limited.close();
    }
  });
});
