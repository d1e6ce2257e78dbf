import assert from 'node:assert/strict';
import { createHmac, randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import jwt from 'jsonwebtoken';
import pg from 'pg';
import { createLogger } from '../src/logger.js';
import { loadPrivateKey, loadPublicKey, generateKeyPairPem } from '../src/auth/keys.js';
import { openPlatform, type Platform } from '../src/platform.js';
import { eventually, testDatabaseUrl, testKeyPair, uniqueName } from '../src/testing.js';
import { ConfigError } from '../src/config.js';

const ISSUER = 'murmur-auth';
const AUDIENCE = 'murmur';
const base64url = (value: object | string) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

describe('the shared token verifier', () => {
  let platform: Platform;
  let pool: pg.Pool;
  let userId: number;
  let username: string;
  const privateKey = () => loadPrivateKey(testKeyPair().privateKey);

  /** A session row like auth-service writes, for a user made directly in the database. */
  async function newSession(expiresInSeconds = 3600): Promise<string> {
    const sessionId = randomUUID();
    await pool.query(`INSERT INTO sessions (id, user_id, expires_at) VALUES ($1, $2, now() + make_interval(secs => $3))`, [
      sessionId,
      userId,
      expiresInSeconds,
    ]);
    return sessionId;
  }

  /** Signs like auth-service; `exp: undefined` in claims leaves the token without one. */
  function sign(claims: Record<string, unknown>, options: jwt.SignOptions = {}): string {
    const payload: Record<string, unknown> = { sub: String(userId), name: 'jwt_user', exp: Math.floor(Date.now() / 1000) + 600, ...claims };
    if (payload.exp === undefined) delete payload.exp;
    return jwt.sign(payload, privateKey(), { algorithm: 'RS256', issuer: ISSUER, audience: AUDIENCE, ...options });
  }

  before(async () => {
    platform = await openPlatform(
      { DATABASE_URL: testDatabaseUrl(), JWT_ISSUER: ISSUER, JWT_AUDIENCE: AUDIENCE },
      loadPublicKey(testKeyPair().publicKey),
      createLogger('test', 'silent'),
    );
    pool = platform.database.pool;
    username = uniqueName('jwt');
    const { rows } = await pool.query(`INSERT INTO users (username, email, password_hash) VALUES ($1, $1 || '@example.com', 'x') RETURNING id`, [
      username,
    ]);
    userId = rows[0].id;
  });
  after(() => platform.close());

  it('accepts a well-formed token for a live session and returns the user', async () => {
    const sid = await newSession();
    const token = sign({ sid });
    const user = await platform.verification.verifyToken(token);
    const exp = (jwt.decode(token) as jwt.JwtPayload).exp!;
    assert.deepEqual(user, { id: userId, username, sessionId: sid, expiresAtMs: exp * 1000 });
  });

  it("names the user by the account's username, never by the token's name claim", async () => {
    const token = sign({ sid: await newSession(), name: 'admin' });
    assert.equal((jwt.decode(token) as jwt.JwtPayload).name, 'admin');
    assert.equal((await platform.verification.verifyToken(token)).username, username);
    // The second time the session comes from the cache, with the same name.
    assert.equal((await platform.verification.verifyToken(token)).username, username);
  });

  it('records when the session was last used', async () => {
    const sid = await newSession();
    await platform.verification.verifyToken(sign({ sid }));
    const lastUsedAt = await eventually(async () => {
      const { rows } = await pool.query<{ last_used_at: Date | null }>('SELECT last_used_at FROM sessions WHERE id = $1', [sid]);
      assert.ok(rows[0]!.last_used_at, 'last_used_at is written');
      return rows[0]!.last_used_at;
    });
    assert.ok(Math.abs(lastUsedAt.getTime() - Date.now()) < 60_000);
  });

  it('refuses a tampered signature', async () => {
    const token = sign({ sid: await newSession() });
    const [header, payload, signature] = token.split('.');
    const flipped = signature!.slice(0, -2) + (signature!.endsWith('AA') ? 'BB' : 'AA');
    await assert.rejects(platform.verification.verifyToken(`${header}.${payload}.${flipped}`), { code: 'TOKEN_INVALID' });
  });

  it('refuses a tampered payload', async () => {
    const token = sign({ sid: await newSession() });
    const [header, , signature] = token.split('.');
    const forged = base64url({ sub: '1', sid: randomUUID(), name: 'admin', iss: ISSUER, aud: AUDIENCE, exp: 9_999_999_999 });
    await assert.rejects(platform.verification.verifyToken(`${header}.${forged}.${signature}`), { code: 'TOKEN_INVALID' });
  });

  it('refuses an expired token', async () => {
    const sid = await newSession();
    const token = sign({ sid, exp: Math.floor(Date.now() / 1000) - 10 });
    await assert.rejects(platform.verification.verifyToken(token), { code: 'TOKEN_EXPIRED' });
  });

  it('refuses a token with no exp', async () => {
    const token = sign({ sid: await newSession(), exp: undefined });
    assert.equal((jwt.decode(token) as jwt.JwtPayload).exp, undefined);
    await assert.rejects(platform.verification.verifyToken(token), { code: 'TOKEN_INVALID' });
  });

  it('refuses a wrong issuer and a wrong audience', async () => {
    const sid = await newSession();
    await assert.rejects(platform.verification.verifyToken(sign({ sid }, { issuer: 'someone-else' })), { code: 'TOKEN_INVALID' });
    await assert.rejects(platform.verification.verifyToken(sign({ sid }, { audience: 'another-app' })), { code: 'TOKEN_INVALID' });
  });

  it('refuses alg "none"', async () => {
    const sid = await newSession();
    const claims = { sub: String(userId), sid, name: 'jwt_user', iss: ISSUER, aud: AUDIENCE, exp: Math.floor(Date.now() / 1000) + 600 };
    const token = `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url(claims)}.`;
    await assert.rejects(platform.verification.verifyToken(token), { code: 'TOKEN_INVALID' });
  });

  it('refuses an HS256 token signed with the public key as its secret', async () => {
    const sid = await newSession();
    const claims = { sub: String(userId), sid, name: 'jwt_user', iss: ISSUER, aud: AUDIENCE, exp: Math.floor(Date.now() / 1000) + 600 };
    const signingInput = `${base64url({ alg: 'HS256', typ: 'JWT' })}.${base64url(claims)}`;
    const signature = createHmac('sha256', testKeyPair().publicKey).update(signingInput).digest('base64url');
    await assert.rejects(platform.verification.verifyToken(`${signingInput}.${signature}`), { code: 'TOKEN_INVALID' });
  });

  it('refuses a token signed by another key pair', async () => {
    const stranger = loadPrivateKey(generateKeyPairPem().privateKey);
    const token = jwt.sign({ sub: String(userId), sid: await newSession(), name: 'x' }, stranger, {
      algorithm: 'RS256',
      issuer: ISSUER,
      audience: AUDIENCE,
      expiresIn: 600,
    });
    await assert.rejects(platform.verification.verifyToken(token), { code: 'TOKEN_INVALID' });
  });

  it('refuses a revoked session, even one it had cached', async () => {
    const sid = await newSession();
    const token = sign({ sid });
    await platform.verification.verifyToken(token);
    const evicted = new Promise<void>((resolve) => platform.verification.authEvents.on('auth_event', () => resolve()));
    await pool.query('BEGIN');
    await pool.query('UPDATE sessions SET revoked_at = now() WHERE id = $1', [sid]);
    await pool.query(`SELECT pg_notify('murmur_auth_events', $1)`, [JSON.stringify({ type: 'session_revoked', sessionId: sid, userId })]);
    await pool.query('COMMIT');
    await evicted;
    await assert.rejects(platform.verification.verifyToken(token), { code: 'SESSION_REVOKED' });
  });

  it('refuses a session that does not exist, and one that belongs to another user', async () => {
    await assert.rejects(platform.verification.verifyToken(sign({ sid: randomUUID() })), { code: 'SESSION_REVOKED' });
    const sid = await newSession();
    await assert.rejects(platform.verification.verifyToken(sign({ sid, sub: String(userId + 1_000_000) })), { code: 'SESSION_REVOKED' });
  });

  it('refuses malformed claims: a non-numeric subject, a missing session id, garbage', async () => {
    await assert.rejects(platform.verification.verifyToken(sign({ sid: await newSession(), sub: 'alice' })), { code: 'TOKEN_INVALID' });
    await assert.rejects(platform.verification.verifyToken(sign({})), { code: 'TOKEN_INVALID' });
    await assert.rejects(platform.verification.verifyToken('not.a.token'), { code: 'TOKEN_INVALID' });
    await assert.rejects(platform.verification.verifyToken(''), { code: 'TOKEN_INVALID' });
  });
});

describe('key loading', () => {
  it('refuses a key that is not PEM, naming the variable', () => {
    assert.throws(() => loadPublicKey('garbage'), (err: unknown) => err instanceof ConfigError && /JWT_PUBLIC_KEY/.test(err.message));
  });

  it('refuses a non-RSA key', async () => {
    const { generateKeyPairSync } = await import('node:crypto');
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
    assert.throws(() => loadPublicKey(ec), /must be an RSA key/);
  });
});

describe('the auth-events connection', () => {
  it('survives being cut (as in a database restart) and, once back, still sees revocations', async () => {
    const platform = await openPlatform(
      { DATABASE_URL: testDatabaseUrl(), JWT_ISSUER: ISSUER, JWT_AUDIENCE: AUDIENCE },
      loadPublicKey(testKeyPair().publicKey),
      createLogger('test', 'silent'),
    );
    try {
      const events = platform.verification.authEvents;
      const backAgain = new Promise<void>((resolve) => {
        events.on('reset', () => {
          if (events.live) resolve();
        });
      });
      await platform.database.pool.query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'murmur-listener' AND pid <> pg_backend_pid()`,
      );
      await backAgain;
      const seen = new Promise<unknown>((resolve) => events.on('auth_event', resolve));
      await platform.database.pool.query(`SELECT pg_notify('murmur_auth_events', $1)`, [
        JSON.stringify({ type: 'user_deleted', userId: 42 }),
      ]);
      assert.deepEqual(await seen, { type: 'user_deleted', userId: 42 });
    } finally {
      await platform.close();
    }
  });
});
