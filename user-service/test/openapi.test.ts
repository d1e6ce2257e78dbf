import { after, before, describe, it } from 'node:test';
import { checkContract } from '@murmur/shared/api-contract';
import { api, serviceRouteCalls } from '@murmur/shared/testing';
import { registerUser, type RegisteredUser } from '@murmur/auth-service/testing';
import { createApp } from '../src/app.js';
import { startServices, type Services } from './helpers.js';

describe('user-service OpenAPI document', () => {
  let s: Services;
  let alice: RegisteredUser;
  let bob: RegisteredUser;
  before(async () => {
    s = await startServices();
    [alice, bob] = [await registerUser(s.auth.url), await registerUser(s.auth.url)];
  });
  after(() => s.close());

  it('documents every route it serves, and every answer matches the document', async () => {
    const call = (method: string, path: string, options: Parameters<typeof api>[3] = {}) => api(s.userUrl, method, path, options);
    const newPost = async () => (await call('POST', '/posts', { token: alice.token, body: { text: 'documented' } })).body.id as number;
    await checkContract(s.userUrl, createApp(s.userDeps), {
      ...serviceRouteCalls(s.userUrl),
      'POST /follow': async () => [
        await call('POST', `/follow?toFollowId=${alice.id}`, { token: bob.token }),
        await call('POST', `/follow?toFollowId=${bob.id}`, { token: bob.token }),
        await call('POST', '/follow?toFollowId=2000000000', { token: bob.token }),
        await call('POST', '/follow?toFollowId=x', { token: bob.token }),
        await call('POST', `/follow?toFollowId=${alice.id}`),
      ],
      'POST /unfollow': async () => [
        await call('POST', `/unfollow?toUnfollowId=${alice.id}`, { token: bob.token }),
        await call('POST', '/unfollow', { token: bob.token }),
      ],
      'GET /me': async () => [await call('GET', '/me', { token: alice.token }), await call('GET', '/me')],
      'DELETE /delete': async () => {
        const doomed = await registerUser(s.auth.url);
        return [await call('DELETE', '/delete', { token: doomed.token }), await call('DELETE', '/delete', { token: doomed.token })];
      },
      'GET /users/{id}': async () => [await call('GET', `/users/${alice.id}`), await call('GET', `/users/${alice.id}`, { token: bob.token }), await call('GET', '/users/2000000000'), await call('GET', '/users/0')],
      'GET /users/{id}/followers': async () => [await call('GET', `/users/${alice.id}/followers?limit=1`), await call('GET', `/users/${alice.id}/followers?limit=0`)],
      'GET /users/{id}/following': async () => [await call('GET', `/users/${bob.id}/following`), await call('GET', `/users/${bob.id}/following?cursor=x`)],
      'POST /posts': async () => [
        await call('POST', '/posts', { token: alice.token, body: { text: 'hello' }, headers: { 'Idempotency-Key': 'k1' } }),
        await call('POST', '/posts', { token: alice.token, body: { text: '' } }),
        await call('POST', '/posts', { token: alice.token, rawBody: 'text=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } }),
      ],
      'GET /posts/{id}': async () => [await call('GET', `/posts/${await newPost()}`), await call('GET', '/posts/9007199254740991')],
      'DELETE /posts/{id}': async () => {
        const id = await newPost();
        return [await call('DELETE', `/posts/${id}`, { token: bob.token }), await call('DELETE', `/posts/${id}`, { token: alice.token })];
      },
      'GET /users/{id}/posts': async () => [await call('GET', `/users/${alice.id}/posts?limit=1`), await call('GET', '/users/2000000000/posts')],
      'GET /users/search': async () => [
        await call('GET', `/users/search?q=${alice.username.slice(0, 4)}&limit=1`),
        await call('GET', '/users/search?q='),
        await call('GET', '/users/search?q=user&cursor=not-one'),
      ],
      'GET /posts/search': async () => [await call('GET', '/posts/search?q=documented'), await call('GET', `/posts/search?q=${'x'.repeat(201)}`)],
      'GET /timeline': async () => [await call('GET', '/timeline', { token: bob.token }), await call('GET', '/timeline', { token: 'forged' })],
    });
  });
});
