import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import bcrypt from 'bcrypt';
import { sql } from 'drizzle-orm';
import { api } from '@murmur/shared/testing';
import { assertAcceptablePassword } from '../src/password-policy.js';
import { createPasswords, type Passwords } from '../src/passwords.js';
import { registerUser, startAuthService, type AuthUnderTest } from '../src/testing.js';

/** The message of the 400 `PASSWORD_TOO_WEAK` that `password` gets, or undefined if it is accepted. */
function refusal(password: string): string | undefined {
  try {
    assertAcceptablePassword(password);
    return undefined;
  } catch (err) {
    assert.equal((err as { status: number }).status, 400);
    assert.equal((err as { code: string }).code, 'PASSWORD_TOO_WEAK');
    return (err as Error).message;
  }
}

describe('password policy', () => {
  it('accepts 12 to 128 characters, and names the rule a password breaks', () => {
    assert.equal(refusal('plum kite 42'), undefined);
    assert.equal(refusal('plum kite '.repeat(13).slice(0, 128)), undefined);
    assert.match(refusal('c'.repeat(11)) ?? '', /at least 12 characters/);
    assert.match(refusal('d'.repeat(129)) ?? '', /at most 128 characters/);
    assert.match(refusal('') ?? '', /at least 12 characters/);
  });

  it('counts characters, not UTF-16 units or bytes', () => {
    // Each emoji is one character, two UTF-16 units and four bytes.
    assert.match(refusal('😀'.repeat(11)) ?? '', /at least 12/);
    assert.equal(refusal('😀'.repeat(12)), undefined);
    assert.equal(refusal('😀'.repeat(128)), undefined);
    assert.match(refusal('😀'.repeat(129)) ?? '', /at most 128/);
  });

  it('refuses the 100,000 most common passwords in any case, and only those', () => {
    assert.match(refusal('1qaz2wsx3edc') ?? '', /most common passwords/);
    assert.match(refusal('1QAZ2WSX3EDC') ?? '', /most common passwords/);
    // The last long one within the 100,000, and the first one after them.
    assert.match(refusal('1111111111111') ?? '', /most common passwords/);
    assert.equal(refusal('zaqxswcdevfr'), undefined);
  });
});

describe('password hashing', () => {
  let passwords: Passwords;
  before(async () => {
    passwords = await createPasswords(4);
  });

  it('counts every character of a long password, past bcrypt’s 72 bytes', async () => {
    const long = 'x'.repeat(100);
    const hash = await passwords.hash(long);
    assert.ok(hash.startsWith('$murmur-sha256$'), hash);
    assert.equal(await passwords.verify(long, hash), true);
    assert.equal(await passwords.verify(`${'x'.repeat(99)}y`, hash), false);
    assert.equal(await passwords.verify('😀'.repeat(128), await passwords.hash('😀'.repeat(128))), true);
  });

  it('still verifies a plain bcrypt hash made before pre-hashing, and asks for it to be replaced', async () => {
    const legacy = await bcrypt.hash('an old password', 4);
    assert.equal(await passwords.verify('an old password', legacy), true);
    assert.equal(await passwords.verify('another password', legacy), false);
    assert.equal(passwords.needsRehash(legacy), true);
    assert.equal(passwords.needsRehash(await passwords.hash('a new password')), false);
  });

  it('does not let a password over 72 bytes match an old hash on its first 72 bytes', async () => {
    const seventyTwo = 'y'.repeat(72);
    const legacy = await bcrypt.hash(seventyTwo, 4);
    assert.equal(await passwords.verify(seventyTwo, legacy), true);
    assert.equal(await passwords.verify(`${seventyTwo}and more`, legacy), false);
  });

  it('asks for a hash made at a lower cost to be replaced', async () => {
    const cheap = await (await createPasswords(4)).hash('some password');
    assert.equal((await createPasswords(5)).needsRehash(cheap), true);
  });

  it('answers false for no user at all', async () => {
    assert.equal(await passwords.verify('any password', undefined), false);
  });
});

describe('passwords through the API', () => {
  let auth: AuthUnderTest;
  before(async () => {
    auth = await startAuthService();
  });
  after(() => auth.close());

  it('a login with an old plain bcrypt hash works and replaces it with a pre-hashed one', async () => {
    const user = await registerUser(auth.url);
    const oldPassword = 'an eight!';
    await auth.deps.service.db.execute(sql`UPDATE users SET password_hash = ${await bcrypt.hash(oldPassword, 4)} WHERE id = ${user.id}`);
    const res = await api(auth.url, 'POST', '/login', { body: { email: user.email, password: oldPassword } });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const { rows } = await auth.deps.service.db.execute<{ password_hash: string }>(sql`SELECT password_hash FROM users WHERE id = ${user.id}`);
    assert.ok(rows[0]!.password_hash.startsWith('$murmur-sha256$'));
    assert.equal((await api(auth.url, 'POST', '/login', { body: { email: user.email, password: oldPassword } })).status, 200);
  });
});
