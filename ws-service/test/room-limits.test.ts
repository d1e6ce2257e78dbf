import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { registerUser } from '@murmur/auth-service/testing';
import { api } from '@murmur/shared/testing';
import { startStack, startWsService, type Stack, type WsUnderTest } from './helpers.js';

describe('rooms created per account', () => {
  let stack: Stack;
  let second: WsUnderTest;
  before(async () => {
    stack = await startStack({ WS_ROOMS_MAX_PER_HOUR: '2' });
    second = await startWsService({ WS_ROOMS_MAX_PER_HOUR: '2' });
  });
  after(async () => {
    await second.close();
    await stack.close();
  });

  const create = (url: string, token: string, name: unknown = 'room') => api(url, 'POST', '/ws/createRoom', { token, body: { name } });

  it('answers 429 TOO_MANY_ROOMS with Retry-After past WS_ROOMS_MAX_PER_HOUR, counted across instances and per account', async () => {
    const alice = await registerUser(stack.auth.url, 'alice');
    const bob = await registerUser(stack.auth.url, 'bob');
    assert.equal((await create(stack.ws.url, alice.token, '')).status, 400, 'invalid input is not counted');
    assert.equal((await create(stack.ws.url, alice.token)).status, 200);
    assert.equal((await create(second.url, alice.token)).status, 200);
    const refused = await create(stack.ws.url, alice.token);
    assert.equal(refused.status, 429);
    assert.equal(refused.body.error.code, 'TOO_MANY_ROOMS');
    assert.ok(Number(refused.headers.get('retry-after')) > 3000);
    assert.equal((await create(second.url, alice.token)).status, 429);
    assert.equal((await create(second.url, bob.token)).status, 200);
  });
});
