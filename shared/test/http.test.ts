import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { openDatabase } from '../src/db/client.js';
import { createServiceApp } from '../src/http/service-app.js';
import { createLogger } from '../src/logger.js';
import { api, serve, type Served } from '../src/testing.js';

describe('the service skeleton', () => {
  let served: Served;
  const logger = createLogger('test', 'silent');
  // Nothing listens on port 1: the pool can never connect, as when the database is down.
  const database = openDatabase({ url: 'postgres://postgres@127.0.0.1:1/none', logger, connectionTimeoutMs: 500 });

  before(async () => {
    const app = createServiceApp({
      service: 'test-service',
      logger,
      isReady: () => database.isReachable(),
      routes: (a) => {
        a.get('/boom', () => {
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
