import { after, before, describe, it } from 'node:test';
import { checkContract } from '@murmur/shared/api-contract';
import { api, serviceRouteCalls } from '@murmur/shared/testing';
import { registerUser, type RegisteredUser } from '@murmur/auth-service/testing';
import { createApp } from '../src/app.js';
import { makePng, uploadPicture } from '../src/testing.js';
import { startServices, type Services } from './helpers.js';
import { moderationContractCalls } from './moderation-contract-calls.js';

/** A GET whose answer may be a file: its body is read as JSON only when it is JSON. */
async function fetchAnswer(url: string, token?: string) {
  const res = await fetch(url, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text };
}

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
    /** Two new accounts, the first blocking the second, and a post of the first's. */
    const blockedPair = async () => {
      const [blocker, blocked] = [await registerUser(s.auth.url), await registerUser(s.auth.url)];
      const postId = (await call('POST', '/posts', { token: blocker.token, body: { text: `@${blocked.username} documented` } })).body.id as number;
      await call('PUT', `/users/${blocked.id}/block`, { token: blocker.token });
      return { blocker, blocked, postId };
    };
    await checkContract(s.userUrl, createApp(s.userDeps), {
      ...serviceRouteCalls(s.userUrl),
      'POST /follow': async () => [
        await call('POST', `/follow?toFollowId=${alice.id}`, { token: bob.token }),
        await call('POST', `/follow?toFollowId=${bob.id}`, { token: bob.token }),
        await call('POST', '/follow?toFollowId=2000000000', { token: bob.token }),
        await call('POST', '/follow?toFollowId=x', { token: bob.token }),
        await call('POST', `/follow?toFollowId=${alice.id}`),
        await blockedPair().then(({ blocker, blocked }) => call('POST', `/follow?toFollowId=${blocker.id}`, { token: blocked.token })),
      ],
      'POST /unfollow': async () => [
        await call('POST', `/unfollow?toUnfollowId=${alice.id}`, { token: bob.token }),
        await call('POST', '/unfollow', { token: bob.token }),
      ],
      'POST /media': async () => [
        await uploadPicture(s.userUrl, await makePng(), { token: alice.token, alt: 'documented' }),
        await uploadPicture(s.userUrl, Buffer.from('not a picture'), { token: alice.token }),
        await uploadPicture(s.userUrl, await makePng()),
      ],
      'GET /media/{file}': async () => {
        const { body } = await uploadPicture(s.userUrl, await makePng(), { token: alice.token });
        return [await fetchAnswer(`${s.userUrl}${body.url}`), await fetchAnswer(`${s.userUrl}/media/unknown.png`)];
      },
      'GET /media/private/{file}': async () => [await fetchAnswer(`${s.userUrl}/media/private/unknown.png`, alice.token)],
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
        await blockedPair().then(({ blocked, postId }) => call('POST', '/posts', { token: blocked.token, body: { text: 'no', inReplyToId: postId } })),
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
      'GET /timeline': async () => {
        const reposted = await newPost();
        await call('POST', `/follow?toFollowId=${alice.id}`, { token: bob.token });
        await call('PUT', `/posts/${reposted}/repost`, { token: alice.token });
        return [await call('GET', '/timeline', { token: bob.token }), await call('GET', '/timeline', { token: 'forged' })];
      },
      'PATCH /me': async () => [
        await call('PATCH', '/me', { token: alice.token, body: { displayName: 'Alice A.', bio: 'writes #docs' } }),
        await call('PATCH', '/me', { token: alice.token, body: { displayName: 'x'.repeat(51) } }),
        await call('PATCH', '/me', { body: { bio: '' } }),
      ],
      'PATCH /posts/{id}': async () => {
        const id = await newPost();
        const { blocker, blocked } = await blockedPair();
        const mentioning = (await call('POST', '/posts', { token: blocked.token, body: { text: 'soon mentioning' } })).body.id as number;
        return [
          await call('PATCH', `/posts/${mentioning}`, { token: blocked.token, body: { text: `@${blocker.username} hello` } }),
          await call('PATCH', `/posts/${id}`, { token: alice.token, body: { text: 'documented, #edited' } }),
          await call('PATCH', `/posts/${id}`, { token: bob.token, body: { text: 'not mine' } }),
          await call('PATCH', '/posts/9007199254740991', { token: alice.token, body: { text: 'gone' } }),
          await call('PATCH', `/posts/${id}`, { token: alice.token, body: { text: '' } }),
        ];
      },
      'GET /posts/{id}/edits': async () => {
        const id = await newPost();
        await call('PATCH', `/posts/${id}`, { token: alice.token, body: { text: 'second' } });
        return [await call('GET', `/posts/${id}/edits`), await call('GET', '/posts/9007199254740991/edits')];
      },
      'GET /posts/{id}/ancestors': async () => {
        const root = await newPost();
        const reply = await call('POST', '/posts', { token: bob.token, body: { text: `@${alice.username} yes`, inReplyToId: root } });
        return [await call('GET', `/posts/${reply.body.id}/ancestors`, { token: alice.token }), await call('GET', '/posts/9007199254740991/ancestors')];
      },
      'GET /posts/{id}/replies': async () => {
        const root = await newPost();
        await call('POST', '/posts', { token: bob.token, body: { text: 'a reply', inReplyToId: root } });
        return [await call('GET', `/posts/${root}/replies`), await call('GET', '/posts/9007199254740991/replies')];
      },
      'PUT /posts/{id}/like': async () => [
        await call('PUT', `/posts/${await newPost()}/like`, { token: bob.token }),
        await call('PUT', '/posts/9007199254740991/like', { token: bob.token }),
        await blockedPair().then(({ blocked, postId }) => call('PUT', `/posts/${postId}/like`, { token: blocked.token })),
      ],
      'DELETE /posts/{id}/like': async () => [
        await call('DELETE', `/posts/${await newPost()}/like`, { token: bob.token }),
        await call('DELETE', '/posts/9007199254740991/like', { token: bob.token }),
      ],
      'GET /posts/{id}/likes': async () => {
        const id = await newPost();
        await call('PUT', `/posts/${id}/like`, { token: bob.token });
        return [await call('GET', `/posts/${id}/likes`), await call('GET', '/posts/9007199254740991/likes')];
      },
      'PUT /posts/{id}/repost': async () => [
        await call('PUT', `/posts/${await newPost()}/repost`, { token: bob.token }),
        await call('PUT', '/posts/9007199254740991/repost', { token: bob.token }),
        await blockedPair().then(({ blocked, postId }) => call('PUT', `/posts/${postId}/repost`, { token: blocked.token })),
      ],
      'DELETE /posts/{id}/repost': async () => [
        await call('DELETE', `/posts/${await newPost()}/repost`, { token: bob.token }),
        await call('DELETE', '/posts/9007199254740991/repost', { token: bob.token }),
      ],
      'GET /tags/{tag}/posts': async () => {
        await call('POST', '/posts', { token: alice.token, body: { text: 'about #Contracts' } });
        return [await call('GET', '/tags/CONTRACTS/posts', { token: bob.token }), await call('GET', '/tags/123/posts')];
      },
      'GET /tags/trending': async () => [await call('GET', '/tags/trending')],
      'GET /notifications': async () => {
        const liked = await newPost();
        await call('PUT', `/posts/${liked}/like`, { token: bob.token });
        await call('POST', `/follow?toFollowId=${alice.id}`, { token: bob.token });
        return [
          await call('GET', '/notifications', { token: alice.token }),
          await call('GET', '/notifications?types=follow,like&limit=1', { token: alice.token }),
          await call('GET', '/notifications?types=nope', { token: alice.token }),
          await call('GET', '/notifications'),
        ];
      },
      'GET /notifications/unread_count': async () => [await call('GET', '/notifications/unread_count', { token: alice.token }), await call('GET', '/notifications/unread_count')],
      'POST /notifications/read': async () => [
        await call('POST', '/notifications/read', { token: alice.token, body: { upToId: 9007199254740991 } }),
        await call('POST', '/notifications/read', { token: alice.token, body: { upToId: 'x' } }),
      ],
      'PUT /users/{id}/block': async () => {
        const carol = await registerUser(s.auth.url);
        return [
          await call('PUT', `/users/${carol.id}/block`, { token: alice.token }),
          await call('PUT', `/users/${alice.id}/block`, { token: alice.token }),
          await call('PUT', '/users/2000000000/block', { token: alice.token }),
          await call('PUT', '/users/x/block', { token: alice.token }),
          await call('PUT', `/users/${carol.id}/block`),
        ];
      },
      'DELETE /users/{id}/block': async () => {
        const { blocker, blocked } = await blockedPair();
        return [
          await call('DELETE', `/users/${blocked.id}/block`, { token: blocker.token }),
          await call('DELETE', `/users/${blocker.id}/block`, { token: blocker.token }),
          await call('DELETE', '/users/2000000000/block', { token: blocker.token }),
        ];
      },
      'GET /blocks': async () => {
        const { blocker } = await blockedPair();
        return [await call('GET', '/blocks?limit=1', { token: blocker.token }), await call('GET', '/blocks?cursor=x', { token: blocker.token }), await call('GET', '/blocks')];
      },
      'PUT /users/{id}/mute': async () => {
        const carol = await registerUser(s.auth.url);
        return [
          await call('PUT', `/users/${carol.id}/mute`, { token: alice.token }),
          await call('PUT', `/users/${carol.id}/mute`, { token: alice.token, body: { notifications: false } }),
          await call('PUT', `/users/${carol.id}/mute`, { token: alice.token, body: { notifications: 'no' } }),
          await call('PUT', `/users/${alice.id}/mute`, { token: alice.token }),
          await call('PUT', '/users/2000000000/mute', { token: alice.token }),
        ];
      },
      'DELETE /users/{id}/mute': async () => {
        const carol = await registerUser(s.auth.url);
        await call('PUT', `/users/${carol.id}/mute`, { token: bob.token });
        return [
          await call('DELETE', `/users/${carol.id}/mute`, { token: bob.token }),
          await call('DELETE', `/users/${bob.id}/mute`, { token: bob.token }),
          await call('DELETE', '/users/2000000000/mute', { token: bob.token }),
        ];
      },
      'GET /mutes': async () => {
        const carol = await registerUser(s.auth.url);
        await call('PUT', `/users/${carol.id}/mute`, { token: bob.token, body: { notifications: false } });
        return [await call('GET', '/mutes', { token: bob.token }), await call('GET', '/mutes?limit=0', { token: bob.token })];
      },
      ...moderationContractCalls(s),
    });
  });
});
