/** Calls that the tests of replies, likes, reposts, tags and profiles share. */
import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import { api, type ApiResponse } from '@murmur/shared/testing';
import { registerUser, type RegisteredUser } from '@murmur/auth-service/testing';
import type { Post } from '../src/repos/post-view.repo.js';
import { startServices, type Services } from './helpers.js';

/** A post as the API answers it: the service's Post, its times as JSON gives them. */
export type PostAnswer = Omit<Post, 'createdAt' | 'editedAt'> & { createdAt: string; editedAt: string | null };

/** The calls of one user-service, as `user` (or anonymously). */
export function socialClient(userUrl: string) {
  const as = (user: RegisteredUser | undefined) => (user ? { token: user.token } : {});
  return {
    async post(user: RegisteredUser, text: string, inReplyToId?: number): Promise<PostAnswer> {
      const res = await api(userUrl, 'POST', '/posts', { ...as(user), body: { text, inReplyToId } });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      return res.body as PostAnswer;
    },
    async get(postId: number, user?: RegisteredUser): Promise<PostAnswer> {
      const res = await api(userUrl, 'GET', `/posts/${postId}`, as(user));
      assert.equal(res.status, 200, JSON.stringify(res.body));
      return res.body as PostAnswer;
    },
    /** Every item of a list, following nextCursor to the end. */
    async all<T = PostAnswer>(path: string, user?: RegisteredUser, limit = 100): Promise<T[]> {
      const items: T[] = [];
      let cursor: string | null = null;
      do {
        const separator = path.includes('?') ? '&' : '?';
        const res: ApiResponse = await api(userUrl, 'GET', `${path}${separator}limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`, as(user));
        assert.equal(res.status, 200, JSON.stringify(res.body));
        items.push(...(res.body.items as T[]));
        cursor = res.body.nextCursor as string | null;
      } while (cursor !== null);
      return items;
    },
    follow: (follower: RegisteredUser, followee: RegisteredUser) => api(userUrl, 'POST', `/follow?toFollowId=${followee.id}`, as(follower)),
    call: (user: RegisteredUser | undefined, method: string, path: string, body?: unknown) => api(userUrl, method, path, { ...as(user), body }),
  };
}

/** What a suite of these tests works with: the services, a client of user-service, new accounts. */
export interface SocialSuite {
  s: Services;
  c: ReturnType<typeof socialClient>;
  /** `n` new accounts, registered one after another. */
  register(n: number): Promise<RegisteredUser[]>;
}

/** Starts the services before the suite's tests (`env` overrides user-service's) and stops them after. */
export function socialSuite(env: Record<string, string> = {}): SocialSuite {
  const suite = {
    async register(n: number) {
      const users: RegisteredUser[] = [];
      for (let i = 0; i < n; i += 1) users.push(await registerUser(suite.s.auth.url));
      return users;
    },
  } as SocialSuite;
  before(async () => {
    suite.s = await startServices(env);
    suite.c = socialClient(suite.s.userUrl);
  });
  after(() => suite.s.close());
  return suite;
}
