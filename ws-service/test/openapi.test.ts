import { after, before, describe, it } from 'node:test';
import { checkContract } from '@murmur/shared/api-contract';
import { api, serviceRouteCalls } from '@murmur/shared/testing';
import { registerUser, type RegisteredUser } from '@murmur/auth-service/testing';
import { createApp } from '../src/app.js';
import { createRoom, join, startStack, type Stack } from './helpers.js';

describe('ws-service OpenAPI document', () => {
  let stack: Stack;
  let alice: RegisteredUser;
  let bob: RegisteredUser;
  before(async () => {
    stack = await startStack();
    [alice, bob] = [await registerUser(stack.auth.url), await registerUser(stack.auth.url)];
  });
  after(() => stack.close());

  it('documents every route it serves, and every answer matches the document', async () => {
    const url = stack.ws.url;
    const call = (method: string, path: string, options: Parameters<typeof api>[3] = {}) => api(url, method, path, options);
    const roomId = await createRoom(url, alice.token, 'documented');
    const { socket } = await join(stack.ws.wsUrl, roomId, { token: alice.token });
    await socket.say('in the history');
    await socket.close();
    const privateRoom = (await call('POST', '/ws/createRoom', { token: alice.token, body: { name: 'secret', visibility: 'private' } })).body.id as number;

    await checkContract(url, createApp(stack.ws.deps, stack.ws.service.presence, stack.ws.service.notifications), {
      ...serviceRouteCalls(url),
      'POST /ws/createRoom': async () => [
        await call('POST', '/ws/createRoom', { token: alice.token, body: { name: 'another' } }),
        await call('POST', '/ws/createRoom', { token: alice.token, body: { name: '' } }),
        await call('POST', '/ws/createRoom', { body: { name: 'anonymous' } }),
      ],
      'POST /ws/direct/{userId}': async () => [
        await call('POST', `/ws/direct/${bob.id}`, { token: alice.token }),
        await call('POST', `/ws/direct/${alice.id}`, { token: alice.token }),
        await call('POST', '/ws/direct/2000000000', { token: alice.token }),
      ],
      'GET /ws/getRooms': async () => [await call('GET', `/ws/getRooms?cursor=${roomId - 1}&limit=2`, { token: bob.token }), await call('GET', '/ws/getRooms?limit=0', { token: bob.token })],
      'GET /ws/getClients/{roomId}': async () => [
        await call('GET', `/ws/getClients/${roomId}`, { token: bob.token }),
        await call('GET', `/ws/getClients/${privateRoom}`, { token: bob.token }),
      ],
      'GET /ws/rooms/{roomId}': async () => [
        await call('GET', `/ws/rooms/${roomId}`, { token: bob.token }),
        await call('GET', `/ws/rooms/${privateRoom}`, { token: bob.token }),
      ],
      'GET /ws/rooms/{roomId}/messages': async () => [
        await call('GET', `/ws/rooms/${roomId}/messages?limit=1`, { token: bob.token }),
        await call('GET', `/ws/rooms/${roomId}/messages?cursor=x`, { token: bob.token }),
      ],
      'GET /ws/rooms/{roomId}/members': async () => [await call('GET', `/ws/rooms/${privateRoom}/members`, { token: alice.token })],
      'PUT /ws/rooms/{roomId}/members/{userId}': async () => [
        await call('PUT', `/ws/rooms/${privateRoom}/members/${bob.id}`, { token: alice.token }),
        await call('PUT', `/ws/rooms/${privateRoom}/members/${bob.id}`, { token: alice.token, body: { role: 'moderator' } }),
        await call('PUT', `/ws/rooms/${privateRoom}/members/${alice.id}`, { token: bob.token, body: { role: 'member' } }),
        await call('PUT', `/ws/rooms/${privateRoom}/members/${bob.id}`, { token: alice.token, body: { role: 'king' } }),
      ],
      'DELETE /ws/rooms/{roomId}/members/{userId}': async () => [
        await call('DELETE', `/ws/rooms/${privateRoom}/members/${alice.id}`, { token: bob.token }),
        await call('DELETE', `/ws/rooms/${privateRoom}/members/${bob.id}`, { token: alice.token }),
      ],
      'GET /ws/search': async () => [
        await call('GET', '/ws/search?q=history', { token: bob.token }),
        await call('GET', `/ws/search?q=history&roomId=${privateRoom}`, { token: bob.token }),
        await call('GET', '/ws/search?q=history'),
        await call('GET', '/ws/search', { token: bob.token }),
      ],
      'GET /ws/joinRoom/{roomId}': async () => [await call('GET', `/ws/joinRoom/${roomId}`, { token: alice.token }), await call('GET', `/ws/joinRoom/${roomId}`)],
      'GET /ws/stream': async () => [await call('GET', '/ws/stream', { token: alice.token }), await call('GET', '/ws/stream'), await call('GET', '/ws/stream?since=x', { token: alice.token })],
    });
  });
});
