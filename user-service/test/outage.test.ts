import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { api, startFaultProxy, testDatabaseUrl, type FaultProxy } from '@murmur/shared/testing';
import { registerUser, type RegisteredUser } from '@murmur/auth-service/testing';
import { startServices, type Services } from './helpers.js';

/** Short deadlines, so an outage is answered long before a test's own timeout. */
const READY_TIMEOUT_MS = 300;
const QUERY_TIMEOUT_MS = 800;

/** Resolves with the response and how long it took. */
async function timed(run: () => Promise<{ status: number; headers: Headers }>) {
  const started = performance.now();
  const res = await run();
  return { res, ms: performance.now() - started };
}

describe('a database outage', () => {
  let proxy: FaultProxy;
  let s: Services;
  let alice: RegisteredUser;

  before(async () => {
    proxy = await startFaultProxy(testDatabaseUrl());
    s = await startServices({
      DATABASE_URL: proxy.url,
      READY_TIMEOUT_MS: String(READY_TIMEOUT_MS),
      DB_QUERY_TIMEOUT_MS: String(QUERY_TIMEOUT_MS),
      DB_CONNECT_TIMEOUT_MS: String(QUERY_TIMEOUT_MS),
    });
    alice = await registerUser(s.auth.url);
  });
  after(async () => {
    proxy.restore();
    await s.close();
    await proxy.close();
  });

  it('a stopped database: requests answer 503 with Retry-After at once, and work again when it is back', async () => {
    proxy.cut();
    try {
      const profile = await api(s.userUrl, 'GET', `/users/${alice.id}`);
      assert.equal(profile.status, 503);
      assert.equal(profile.body.error.code, 'SERVICE_UNAVAILABLE');
      assert.ok(Number(profile.headers.get('retry-after')) > 0);
      assert.equal((await api(s.userUrl, 'GET', '/readyz')).status, 503);
    } finally {
      proxy.restore();
    }
    assert.equal((await api(s.userUrl, 'GET', '/readyz')).status, 200);
    assert.equal((await api(s.userUrl, 'GET', `/users/${alice.id}`)).status, 200);
  });

  it('a hung database: /readyz answers 503 within its deadline and requests fail within theirs, then recover', async () => {
    assert.equal((await api(s.userUrl, 'GET', `/users/${alice.id}`)).status, 200);
    proxy.freeze();
    try {
      const ready = await timed(() => api(s.userUrl, 'GET', '/readyz'));
      assert.equal(ready.res.status, 503);
      assert.ok(ready.ms < READY_TIMEOUT_MS * 4, `/readyz took ${ready.ms} ms`);
      const profile = await timed(() => api(s.userUrl, 'GET', `/users/${alice.id}`));
      assert.equal(profile.res.status, 503);
      assert.ok(profile.ms < QUERY_TIMEOUT_MS * 4, `the request took ${profile.ms} ms`);
    } finally {
      proxy.restore();
    }
    assert.equal((await api(s.userUrl, 'GET', '/readyz')).status, 200);
    assert.equal((await api(s.userUrl, 'GET', `/users/${alice.id}`)).status, 200);
  });
});
