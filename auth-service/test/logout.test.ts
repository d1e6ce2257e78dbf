import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createLogger } from '@murmur/shared/logger';
import { openPlatform, type Platform } from '@murmur/shared/platform';
import { loadPublicKey } from '@murmur/shared/auth';
import { api, nextEvent, testDatabaseUrl, testKeyPair } from '@murmur/shared/testing';
import { registerUser, startAuthService, type AuthUnderTest } from '../src/testing.js';

const platformConfig = () => ({ DATABASE_URL: testDatabaseUrl(), JWT_ISSUER: 'murmur-auth', JWT_AUDIENCE: 'murmur' });
const openVerifier = () => openPlatform(platformConfig(), loadPublicKey(testKeyPair().publicKey), createLogger('test', 'silent'));

describe('POST /logout', () => {
  let auth: AuthUnderTest;
  /** Stand-ins for user-service and ws-service: each service verifies through its own Platform. */
  let otherServices: Platform[];
  before(async () => {
    auth = await startAuthService();
    otherServices = [await openVerifier(), await openVerifier()];
  });
  after(async () => {
    await Promise.all(otherServices.map((p) => p.close()));
    await auth.close();
  });

  it('answers 202, clears the cookie, and the token is refused afterwards', async () => {
    const user = await registerUser(auth.url);
    const res = await api(auth.url, 'POST', '/logout', { token: user.token });
    assert.equal(res.status, 202);
    const cleared = res.headers.getSetCookie().find((c) => c.startsWith('murmur_token='));
    assert.ok(cleared && /Expires=Thu, 01 Jan 1970/.test(cleared), 'the cookie is expired');
    const again = await api(auth.url, 'POST', '/logout', { token: user.token });
    assert.equal(again.status, 401);
    assert.equal(again.body.error.code, 'SESSION_REVOKED');
  });

  it('is refused by every service within one second, though each had the session cached', async () => {
    const user = await registerUser(auth.url);
    for (const service of otherServices) {
      assert.equal((await service.verification.verifyToken(user.token)).id, user.id);
    }
    const revoked = otherServices.map((service) => nextEvent((resolve) => service.verification.authEvents.on('auth_event', resolve), 1_000));
    const started = performance.now();
    assert.equal((await api(auth.url, 'POST', '/logout', { token: user.token })).status, 202);
    await Promise.all(revoked);
    for (const service of otherServices) {
      await assert.rejects(service.verification.verifyToken(user.token), { code: 'SESSION_REVOKED' });
    }
    assert.ok(performance.now() - started < 1_000);
  });

  it("keeps the same user's other sessions valid", async () => {
    const user = await registerUser(auth.url);
    const second = await api(auth.url, 'POST', '/login', { body: { email: user.email, password: user.password } });
    assert.equal((await api(auth.url, 'POST', '/logout', { token: user.token })).status, 202);
    const verified = await otherServices[0]!.verification.verifyToken(second.body.token);
    assert.equal(verified.id, user.id);
    assert.equal((await api(auth.url, 'POST', '/logout', { token: second.body.token })).status, 202);
  });

  it('is still refused by a service that restarts', async () => {
    const user = await registerUser(auth.url);
    assert.equal((await api(auth.url, 'POST', '/logout', { token: user.token })).status, 202);
    const restarted = await openVerifier();
    try {
      await assert.rejects(restarted.verification.verifyToken(user.token), { code: 'SESSION_REVOKED' });
    } finally {
      await restarted.close();
    }
  });

  it('answers 401 without a token', async () => {
    const res = await api(auth.url, 'POST', '/logout');
    assert.equal(res.status, 401);
    assert.equal(res.body.error.code, 'AUTH_REQUIRED');
  });

  it('works with the cookie from an allowed origin', async () => {
    const user = await registerUser(auth.url);
    const res = await api(auth.url, 'POST', '/logout', { cookie: user.cookie, headers: { origin: 'http://localhost:8081' } });
    assert.equal(res.status, 202);
  });

  it('refuses a cookie-authenticated logout from a cross-site origin with 403', async () => {
    const user = await registerUser(auth.url);
    const byOrigin = await api(auth.url, 'POST', '/logout', { cookie: user.cookie, headers: { origin: 'https://evil.example' } });
    assert.equal(byOrigin.status, 403);
    assert.equal(byOrigin.body.error.code, 'CROSS_SITE_REQUEST');
    const byFetchSite = await api(auth.url, 'POST', '/logout', { cookie: user.cookie, headers: { 'sec-fetch-site': 'cross-site' } });
    assert.equal(byFetchSite.status, 403);
    // The session survived both attempts.
    assert.equal((await otherServices[0]!.verification.verifyToken(user.token)).id, user.id);
  });

  it('lets a bearer-token logout through whatever the Origin, since no browser attaches it', async () => {
    const user = await registerUser(auth.url);
    const res = await api(auth.url, 'POST', '/logout', { token: user.token, headers: { origin: 'https://evil.example' } });
    assert.equal(res.status, 202);
  });
});
