import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { loadPrivateKey } from '@murmur/shared/auth';
import { api, testKeyPair } from '@murmur/shared/testing';
import { createDeviceCookies } from '../src/device-cookies.js';
import { countPasswordChecks, deviceCookieFrom, registerUser, startAuthService, type AuthUnderTest, type RegisteredUser } from '../src/testing.js';
import { linkToken } from './account-helpers.js';

const DAY_MS = 24 * 3600 * 1000;
const NEW_PASSWORD = 'a password changed since';

describe('device-bound lockout', () => {
  let auth: AuthUnderTest;
  before(async () => {
    // Every request comes from 127.0.0.1: the attacker and the owner share the address, whose
    // own limit is raised out of the way here (the test after this one is about it).
    auth = await startAuthService({ LOGIN_MAX_FAILURES_PER_ACCOUNT: '3', LOGIN_MAX_FAILURES_PER_DEVICE: '2', LOGIN_MAX_FAILURES_PER_ADDRESS: '1000' });
  });
  after(() => auth.close());

  /** A login to `user`'s account, from a browser holding `deviceCookie` (none: an unknown device). */
  const login = (user: RegisteredUser, password: string, deviceCookie?: string) =>
    api(auth.url, 'POST', '/login', { body: { email: user.email, password }, cookie: deviceCookie });
  const attackerExhausts = async (user: RegisteredUser) => {
    for (let i = 0; i < 3; i += 1) assert.equal((await login(user, 'a guessed password')).status, 401);
    assert.equal((await login(user, 'a guessed password')).status, 429);
  };

  it("locks out unknown devices after the account's failures, while the owner's device still logs in from the same address", async () => {
    const owner = await registerUser(auth.url);
    await attackerExhausts(owner);
    const withoutCookie = await login(owner, owner.password);
    assert.equal(withoutCookie.status, 429, 'the right password from an unknown device waits too');

    const fromDevice = await login(owner, owner.password, owner.deviceCookie);
    assert.equal(fromDevice.status, 200);
    assert.equal(fromDevice.body.failedLoginAttempts, 3, 'the owner is told of the guesses');
    assert.equal((await login(owner, 'a guessed password')).status, 429, "the owner's login does not reopen the account to unknown devices");
  });

  it("lets the owner's device in although the address is out of attempts", async () => {
    const shared = await startAuthService({ LOGIN_MAX_FAILURES_PER_ADDRESS: '3' });
    try {
      const owner = await registerUser(shared.url);
      const bystander = await registerUser(shared.url);
      for (let i = 0; i < 3; i += 1) {
        assert.equal((await api(shared.url, 'POST', '/login', { body: { email: `ghost${i}@example.com`, password: 'a guessed password' } })).status, 401);
      }
      const unknownDevice = await api(shared.url, 'POST', '/login', { body: { email: bystander.email, password: bystander.password } });
      assert.equal(unknownDevice.status, 429);
      const knownDevice = await api(shared.url, 'POST', '/login', { body: { email: owner.email, password: owner.password }, cookie: owner.deviceCookie });
      assert.equal(knownDevice.status, 200);
    } finally {
      await shared.close();
    }
  });

  it("locks the owner's device after its own failures, before bcrypt runs, without using up the account's allowance", async () => {
    const owner = await registerUser(auth.url);
    for (let i = 0; i < 2; i += 1) assert.equal((await login(owner, 'a mistyped password', owner.deviceCookie)).status, 401);

    const passwordChecks = countPasswordChecks(auth);
    const locked = await login(owner, owner.password, owner.deviceCookie);
    passwordChecks.restore();
    assert.equal(locked.status, 429);
    assert.equal(locked.body.error.code, 'TOO_MANY_ATTEMPTS');
    assert.ok(Number(locked.headers.get('retry-after')) > 0);
    assert.equal(passwordChecks.count, 0, 'bcrypt did not run for the refused attempt');

    const elsewhere = await login(owner, owner.password);
    assert.equal(elsewhere.status, 200, "the device's failures are not the account's");
    assert.equal(elsewhere.body.failedLoginAttempts, 2);
  });

  it("sets a new device cookie on success, and clears the device's failures", async () => {
    const owner = await registerUser(auth.url);
    assert.equal((await login(owner, 'a mistyped password', owner.deviceCookie)).status, 401);
    const res = await login(owner, owner.password, owner.deviceCookie);
    assert.equal(res.status, 200);
    assert.notEqual(deviceCookieFrom(res.headers), owner.deviceCookie);
    // Without the clearing, these would be the third and fourth attempts of a device allowed two.
    assert.equal((await login(owner, 'a mistyped password', owner.deviceCookie)).status, 401);
    assert.equal((await login(owner, owner.password, owner.deviceCookie)).status, 200);
  });

  for (const [change, changePassword] of [
    ['a password change', (owner: RegisteredUser) => api(auth.url, 'POST', '/password', { token: owner.token, body: { currentPassword: owner.password, newPassword: NEW_PASSWORD } })],
    [
      'a password reset',
      async (owner: RegisteredUser) =>
        api(auth.url, 'POST', '/password/reset', { body: { token: await linkToken(auth, owner, 'reset_password'), newPassword: NEW_PASSWORD } }),
    ],
  ] as const) {
    it(`stops honouring the device cookies set before ${change}; the next login sets one that counts`, async () => {
      const owner = await registerUser(auth.url);
      const before = owner.deviceCookie;
      assert.equal((await changePassword(owner)).status, 204);
      const changed = { ...owner, password: NEW_PASSWORD };
      const next = await login(changed, NEW_PASSWORD, before);
      assert.equal(next.status, 200);
      const fresh = deviceCookieFrom(next.headers);

      await attackerExhausts(changed);
      assert.equal((await login(changed, NEW_PASSWORD, before)).status, 429, 'the old cookie is an unknown device');
      assert.equal((await login(changed, NEW_PASSWORD, fresh)).status, 200);
    });
  }

  describe('a device cookie that is not a valid one of the account counts as an unknown device', () => {
    const valueOf = (cookie: string) => cookie.slice(cookie.indexOf('=') + 1);
    /** A cookie for the account as registered: its credentials version is still the first, 0. */
    const signedWith = (privateKey: ReturnType<typeof loadPrivateKey>, now: () => number, userId: number) =>
      `murmur_device=${createDeviceCookies({ privateKey, ttlDays: 1, secure: false, now }).issue(userId, 0)}`;
    const testKey = () => loadPrivateKey(testKeyPair().privateKey);
    const cases: Array<[string, (owner: RegisteredUser) => string | Promise<string>]> = [
      ['garbage', () => 'murmur_device=not-a-device-cookie'],
      [
        'one with another account in it',
        (owner) => {
          const [, version, deviceId, expiresAt, mac] = valueOf(owner.deviceCookie).split('.');
          return `murmur_device=${owner.id + 1}.${version}.${deviceId}.${expiresAt}.${mac}`;
        },
      ],
      [
        'one with a later expiry written in',
        (owner) => {
          const [userId, version, deviceId, expiresAt, mac] = valueOf(owner.deviceCookie).split('.');
          return `murmur_device=${userId}.${version}.${deviceId}.${Number(expiresAt) + 1}.${mac}`;
        },
      ],
      [
        'one with a later credentials version written in',
        (owner) => {
          const [userId, , deviceId, expiresAt, mac] = valueOf(owner.deviceCookie).split('.');
          return `murmur_device=${userId}.1.${deviceId}.${expiresAt}.${mac}`;
        },
      ],
      ['one signed with another key', (owner) => signedWith(generateKeyPairSync('ed25519').privateKey, Date.now, owner.id)],
      ['one expired', (owner) => signedWith(testKey(), () => Date.now() - 2 * DAY_MS, owner.id)],
      ["another account's valid one", async () => (await registerUser(auth.url)).deviceCookie],
    ];
    for (const [what, cookieFor] of cases) {
      it(what, async () => {
        const owner = await registerUser(auth.url);
        const cookie = await cookieFor(owner);
        await attackerExhausts(owner);
        assert.equal((await login(owner, owner.password, cookie)).status, 429);
        assert.equal((await login(owner, owner.password, owner.deviceCookie)).status, 200, 'the real one still works');
      });
    }

    it('a valid cookie of the same key and account, made by the test, is accepted (so the cases above fail for their flaw)', async () => {
      const owner = await registerUser(auth.url);
      await attackerExhausts(owner);
      const cookie = signedWith(testKey(), Date.now, owner.id);
      assert.equal((await login(owner, owner.password, cookie)).status, 200);
    });
  });

  it('reports the failures since the last successful login once, then none', async () => {
    const owner = await registerUser(auth.url);
    assert.equal((await login(owner, 'a guessed password')).status, 401);
    assert.equal((await login(owner, 'another guess')).status, 401);
    assert.equal((await api(auth.url, 'POST', '/login', { body: { email: `nobody_${owner.email}`, password: 'x' } })).status, 401);
    const first = await login(owner, owner.password, owner.deviceCookie);
    assert.equal(first.body.failedLoginAttempts, 2, "guesses at other accounts are not this one's");
    const second = await login(owner, owner.password, owner.deviceCookie);
    assert.equal(second.body.failedLoginAttempts, 0);
  });
});
