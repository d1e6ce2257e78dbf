import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { api, nextEvent, testDatabaseUrl } from '@murmur/shared/testing';
import type { AuthEvent } from '@murmur/shared/auth';
import { registerUser } from '@murmur/auth-service/testing';
import { startServices, type Services } from './helpers.js';

describe('a database restart', () => {
  let s: Services;
  before(async () => {
    s = await startServices();
  });
  after(() => s.close());

  it('never crashes the service: once the connections are back, requests and revocation work again', async () => {
    const alice = await registerUser(s.auth.url);
    assert.equal((await api(s.userUrl, 'GET', '/me', { token: alice.token })).status, 200);

    const events = s.userDeps.verification.authEvents;
    const listenerBack = new Promise<void>((resolve) => events.on('reset', () => events.live && resolve()));
    // What a restart does to every open connection: the server ends them.
    const admin = new pg.Client({ connectionString: testDatabaseUrl() });
    await admin.connect();
    await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()');
    await admin.end();
    await listenerBack;

    assert.equal((await api(s.userUrl, 'GET', '/readyz')).status, 200);
    assert.equal((await api(s.userUrl, 'GET', `/users/${alice.id}`)).status, 200);
    assert.equal((await api(s.userUrl, 'GET', '/me', { token: alice.token })).status, 200);
    // Revocation still reaches the service over the new event connection (its event is awaited:
    // the logout answers when it commits, the event arrives a moment later).
    const revoked = nextEvent<AuthEvent>((listener) => events.once('auth_event', listener));
    assert.equal((await api(s.auth.url, 'POST', '/logout', { token: alice.token })).status, 202);
    assert.equal((await revoked).type, 'session_revoked');
    const refused = await api(s.userUrl, 'GET', '/me', { token: alice.token });
    assert.equal(refused.status, 401);
  });
});
