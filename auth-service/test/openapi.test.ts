import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Secret, TOTP } from 'otpauth';
import { checkContract } from '@murmur/shared/api-contract';
import { api, serviceRouteCalls, uniqueName } from '@murmur/shared/testing';
import { createApp } from '../src/app.js';
import { registerUser, startAuthService, type AuthUnderTest } from '../src/testing.js';
import { accountContractCalls } from './account-helpers.js';

/** The code an authenticator app shows now for `secret`. */
const codeNow = (secret: string) => new TOTP({ secret: Secret.fromBase32(secret) }).generate();

describe('auth-service OpenAPI document', () => {
  let auth: AuthUnderTest;
  before(async () => {
    auth = await startAuthService();
  });
  after(() => auth.close());

  it('documents every route it serves, and every answer matches the document', async () => {
    const name = uniqueName('doc');
    await checkContract(auth.url, createApp(auth.deps), {
      ...serviceRouteCalls(auth.url),
      'POST /register': async () => [
        await api(auth.url, 'POST', '/register', { body: { username: name, email: `${name}@example.com`, password: 'long enough password' } }),
        await api(auth.url, 'POST', '/register', { body: { username: name, email: `${name}@example.com`, password: 'long enough password' } }),
        await api(auth.url, 'POST', '/register', { body: { username: 'x' } }),
        await api(auth.url, 'POST', '/register', { rawBody: '{', headers: { 'content-type': 'application/json' } }),
      ],
      'POST /login': async () => [
        await api(auth.url, 'POST', '/login', { body: { username: name, password: 'long enough password' } }),
        await api(auth.url, 'POST', '/login', { body: { username: name, password: 'wrong password' } }),
      ],
      ...accountContractCalls(auth),
      'GET /2fa': async () => {
        const user = await registerUser(auth.url);
        return [await api(auth.url, 'GET', '/2fa', { token: user.token }), await api(auth.url, 'GET', '/2fa')];
      },
      'POST /2fa/totp/setup': async () => {
        const user = await registerUser(auth.url);
        return [await api(auth.url, 'POST', '/2fa/totp/setup', { token: user.token })];
      },
      'POST /2fa/totp/enable': async () => {
        const user = await registerUser(auth.url);
        const enable = (body: Record<string, unknown>) => api(auth.url, 'POST', '/2fa/totp/enable', { token: user.token, body });
        const notSetUp = await enable({ code: '123456', password: user.password });
        const { secret } = (await api(auth.url, 'POST', '/2fa/totp/setup', { token: user.token })).body;
        const code = codeNow(secret);
        const wrongCode = await enable({ code: code === '000000' ? '111111' : '000000', password: user.password });
        const wrongPassword = await enable({ code, password: 'not the password' });
        const noPassword = await enable({ code });
        return [notSetUp, wrongCode, wrongPassword, noPassword, await enable({ code, password: user.password })];
      },
      'POST /2fa/totp/disable': async () => {
        const user = await registerUser(auth.url);
        const notEnabled = await api(auth.url, 'POST', '/2fa/totp/disable', { token: user.token, body: { password: user.password } });
        const { secret } = (await api(auth.url, 'POST', '/2fa/totp/setup', { token: user.token })).body;
        await api(auth.url, 'POST', '/2fa/totp/enable', { token: user.token, body: { code: codeNow(secret), password: user.password } });
        const wrong = await api(auth.url, 'POST', '/2fa/totp/disable', { token: user.token, body: { password: 'not the password' } });
        return [notEnabled, wrong, await api(auth.url, 'POST', '/2fa/totp/disable', { token: user.token, body: { password: user.password } })];
      },
      'POST /logout': async () => {
        const user = await registerUser(auth.url);
        return [await api(auth.url, 'POST', '/logout', { token: user.token }), await api(auth.url, 'POST', '/logout'), await api(auth.url, 'POST', '/logout', { token: 'forged' })];
      },
    });
  });

  it('serves a readable reference at /docs from its own files', async () => {
    const page = await fetch(`${auth.url}/docs`);
    assert.equal(page.status, 200);
    const html = await page.text();
    const files = [...html.matchAll(/(?:src|href)="(docs\/[^"]+)"/g)].map((m) => m[1]!);
    assert.ok(files.includes('docs/swagger-ui-bundle.js'), 'the page loads Swagger UI');
    for (const file of files) assert.equal((await fetch(`${auth.url}/${file}`)).status, 200, file);
    assert.equal((await fetch(`${auth.url}/docs/index.html`)).status, 400, 'nothing else of the package is served');
  });
});
