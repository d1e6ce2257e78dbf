import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { openDatabase } from '../src/db/client.js';
import { z } from 'zod';
import { createServiceApp, type ServiceAppDeps } from '../src/http/service-app.js';
import type { VerifyToken } from '../src/auth/token-verifier.js';
import { authCookieName } from '../src/auth/request-token.js';
import { AppError } from '../src/errors.js';
import { createLogger } from '../src/logger.js';
import { api, serve, type Served } from '../src/testing.js';

const refuseEveryToken: VerifyToken = () => Promise.reject(new AppError(401, 'TOKEN_INVALID', 'the token is not valid'));

/** What the skeleton needs, for an app with no real dependencies. */
function skeletonDeps(isReady: () => Promise<boolean>, verifyToken = refuseEveryToken, cookieSecure = false): ServiceAppDeps {
  return {
    logger: createLogger('test', 'silent'),
    database: { isReachable: isReady },
    verification: { verifyToken },
    config: { ALLOWED_ORIGINS: [], TRUST_PROXY_HOPS: 0, COOKIE_SECURE: cookieSecure },
  };
}

/** Accepts the token `good` as user 7, `seven`; refuses any other. */
const acceptGood: VerifyToken = (token) =>
  token === 'good' ? Promise.resolve({ id: 7, username: 'seven', sessionId: 's', expiresAtMs: Date.now() + 60_000 }) : refuseEveryToken(token);

/** An app with one optional-auth route, GET /who, answering who asked. */
async function serveWhoAmI(cookieSecure: boolean): Promise<Served> {
  const app = createServiceApp({
    service: 'who-test',
    description: 'who is asking',
    deps: skeletonDeps(() => Promise.resolve(true), acceptGood, cookieSecure),
    routes: (a) => {
      a.add(plainGet('/who', 'optional'), (_input, req) => ({ user: req.user?.username ?? null }));
    },
  });
  return serve(app);
}

/** A GET route with no input, for the tests of the skeleton around it. */
const plainGet = (path: string, auth: 'none' | 'optional' = 'none') =>
  ({ method: 'get', path, tag: 'test', summary: path, auth, response: { description: 'ok', body: z.unknown() } }) as const;

describe('the service skeleton', () => {
  let served: Served;
  const logger = createLogger('test', 'silent');
  // Nothing listens on port 1: the pool can never connect, as when the database is down.
  const database = openDatabase({ url: 'postgres://postgres@127.0.0.1:1/none', logger, connectionTimeoutMs: 500 });

  before(async () => {
    const app = createServiceApp({
      service: 'test-service',
      description: 'a skeleton under test',
      deps: skeletonDeps(() => database.isReachable()),
      routes: (a) => {
        a.add(plainGet('/boom'), () => {
          throw new Error('secret internals');
        });
      },
    });
    served = await serve(app);
  });
  after(async () => {
    await served.close();
    await database.close();
  });

  it('GET /readyz answers 503 when the database is unreachable, while /healthz stays 200', async () => {
    const ready = await api(served.url, 'GET', '/readyz');
    assert.equal(ready.status, 503);
    assert.equal(ready.body.database, 'down');
    assert.equal((await api(served.url, 'GET', '/healthz')).status, 200);
  });

  it('answers an unexpected error with a 500 carrying the request id and no internals', async () => {
    const res = await api(served.url, 'GET', '/boom', { headers: { 'x-request-id': 'req-123' } });
    assert.equal(res.status, 500);
    assert.equal(res.body.error.code, 'INTERNAL');
    assert.match(res.body.error.message, /req-123/);
    assert.doesNotMatch(JSON.stringify(res.body), /secret internals|\.js:\d+/);
  });

  it('sets helmet security headers and no X-Powered-By', async () => {
    const res = await api(served.url, 'GET', '/');
    assert.equal(res.headers.get('x-powered-by'), null);
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
  });
});

describe('GET /metrics', () => {
  it('serves Prometheus metrics with request durations labelled by route pattern, not raw path', async () => {
    const app = createServiceApp({
      service: 'metrics-test',
      description: 'metrics under test',
      deps: skeletonDeps(() => Promise.resolve(true)),
      routes: (a) => {
        a.add(plainGet('/things/:id'), () => ({ ok: true }));
      },
    });
    const served = await serve(app);
    try {
      await api(served.url, 'GET', '/things/1');
      await api(served.url, 'GET', '/things/2');
      await api(served.url, 'GET', '/no/such/path');
      const res = await fetch(`${served.url}/metrics`);
      assert.equal(res.status, 200);
      const text = await res.text();
      assert.match(text, /http_request_duration_seconds_count\{[^}]*route="\/things\/:id"[^}]*\} 2/);
      assert.match(text, /route="unmatched"/);
      assert.doesNotMatch(text, /\/things\/1/);
      assert.match(text, /process_resident_memory_bytes\{service="metrics-test"\}/);
    } finally {
      await served.close();
    }
  });
});

describe('optionalAuth', () => {
  it('passes a request without a token through anonymously, and still refuses an invalid one with 401', async () => {
    const served = await serveWhoAmI(false);
    try {
      assert.deepEqual((await api(served.url, 'GET', '/who')).body, { user: null });
      assert.deepEqual((await api(served.url, 'GET', '/who', { token: 'good' })).body, { user: 'seven' });
      const bad = await api(served.url, 'GET', '/who', { token: 'forged' });
      assert.equal(bad.status, 401);
      assert.equal(bad.body.error.code, 'TOKEN_INVALID');
    } finally {
      await served.close();
    }
  });
});

describe('the auth cookie', () => {
  it('is read as murmur_token without COOKIE_SECURE, and a __Host- one is not taken for it', async () => {
    assert.equal(authCookieName(false), 'murmur_token');
    const served = await serveWhoAmI(false);
    try {
      assert.deepEqual((await api(served.url, 'GET', '/who', { cookie: 'murmur_token=good' })).body, { user: 'seven' });
      assert.deepEqual((await api(served.url, 'GET', '/who', { cookie: '__Host-murmur_token=good' })).body, { user: null });
    } finally {
      await served.close();
    }
  });

  it('is read only as __Host-murmur_token with COOKIE_SECURE: a plain murmur_token, which a sibling subdomain could plant, is ignored', async () => {
    assert.equal(authCookieName(true), '__Host-murmur_token');
    const served = await serveWhoAmI(true);
    try {
      assert.deepEqual((await api(served.url, 'GET', '/who', { cookie: '__Host-murmur_token=good' })).body, { user: 'seven' });
      assert.deepEqual((await api(served.url, 'GET', '/who', { cookie: 'murmur_token=good' })).body, { user: null });
      // A planted plain cookie beside the real one changes nothing.
      const both = await api(served.url, 'GET', '/who', { cookie: 'murmur_token=forged; __Host-murmur_token=good' });
      assert.deepEqual(both.body, { user: 'seven' });
    } finally {
      await served.close();
    }
  });
});

describe('Cache-Control', () => {
  let served: Served;

  before(async () => {
    const app = createServiceApp({
      service: 'cache-test',
      description: 'caching under test',
      deps: skeletonDeps(() => Promise.resolve(true), acceptGood),
      routes: (a) => {
        a.add(plainGet('/who', 'optional'), (_input, req) => ({ user: req.user?.username ?? null }));
        a.add(plainGet('/picture'), (_input, _req, res) => {
          res.set('Cache-Control', 'public, max-age=31536000, immutable').type('png').end();
        });
      },
    });
    served = await serve(app);
  });
  after(() => served.close());

  it('is no-store on every answer of the service’s routes, authenticated or not, and on its errors', async () => {
    for (const options of [{ token: 'good' }, { cookie: 'murmur_token=good' }, {}]) {
      const res = await api(served.url, 'GET', '/who', options);
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('cache-control'), 'no-store');
    }
    const refused = await api(served.url, 'GET', '/who', { token: 'forged' });
    assert.equal(refused.status, 401);
    assert.equal(refused.headers.get('cache-control'), 'no-store');
    assert.equal((await api(served.url, 'GET', '/nothing-here')).headers.get('cache-control'), 'no-store');
  });

  it('is left to a route that serves a file with its own, and to the reference page’s files', async () => {
    assert.equal((await api(served.url, 'GET', '/picture')).headers.get('cache-control'), 'public, max-age=31536000, immutable');
    const asset = await api(served.url, 'GET', '/docs/swagger-ui.css');
    assert.equal(asset.status, 200);
    assert.equal(asset.headers.get('cache-control'), 'public, max-age=86400');
  });
});
