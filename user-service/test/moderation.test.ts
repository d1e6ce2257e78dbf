import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ContractChecker } from '@murmur/shared/api-contract';
import { loadPublicKey, type AuthEvent } from '@murmur/shared/auth';
import { createLogger } from '@murmur/shared/logger';
import { openPlatform, type Platform } from '@murmur/shared/platform';
import { api, nextEvent, testDatabaseUrl, testKeyPair } from '@murmur/shared/testing';
import { registerUser, type RegisteredUser } from '@murmur/auth-service/testing';
import { makePng, uploadPicture } from '../src/testing.js';
import { startServices, type Services } from './helpers.js';
import { createRoom, moderationContractCalls, postMessage, registerWithRole } from './moderation-contract-calls.js';

describe('moderation', () => {
  let s: Services;
  /** Listens to the auth events as ws-service does. */
  let listener: Platform;
  let moderator: RegisteredUser;
  let admin: RegisteredUser;
  before(async () => {
    s = await startServices();
    listener = await openPlatform(
      { DATABASE_URL: testDatabaseUrl(), JWT_ISSUER: 'murmur-auth', JWT_AUDIENCE: 'murmur' },
      loadPublicKey(testKeyPair().publicKey),
      createLogger('test', 'silent'),
    );
    moderator = await registerWithRole(s, 'moderator');
    admin = await registerWithRole(s, 'admin');
  });
  after(async () => {
    await listener.close();
    await s.close();
  });

  const pool = () => s.userDeps.database.pool;
  const call = (user: RegisteredUser | undefined, method: string, path: string, body?: unknown) =>
    api(s.userUrl, method, path, { ...(user ? { token: user.token } : {}), body });
  const login = (user: RegisteredUser, password = user.password) => api(s.auth.url, 'POST', '/login', { body: { username: user.username, password } });
  /** The first auth event `match` accepts, as ws-service would hear it. */
  const authEvent = (match: (event: AuthEvent) => boolean) =>
    nextEvent<AuthEvent>((resolve) => listener.verification.authEvents.on('auth_event', (event: AuthEvent) => match(event) && resolve(event)));
  const report = async (reporter: RegisteredUser, body: Record<string, unknown>) => {
    const res = await call(reporter, 'POST', '/reports', body);
    assert.equal(res.status, 201, JSON.stringify(res.body));
    return res.body.id as number;
  };
  const post = async (author: RegisteredUser, text: string) => {
    const res = await call(author, 'POST', '/posts', { text });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    return res.body.id as number;
  };
  const resolve = (reportId: number, action: string, by = moderator, note?: string) => call(by, 'POST', `/admin/reports/${reportId}/resolve`, { action, note });
  const queued = async (reportId: number, status = 'open') => {
    const res = await call(moderator, 'GET', `/admin/reports?status=${status}&limit=100`);
    assert.equal(res.status, 200);
    return res.body.items.find((item: { id: number }) => item.id === reportId);
  };
  /** The entries of the whole audit log that `filter` keeps, newest first. */
  const auditOf = async (filter: (entry: any) => boolean) => {
    const entries: any[] = [];
    let cursor: string | null = null;
    do {
      const res = await call(moderator, 'GET', `/admin/audit?limit=100${cursor === null ? '' : `&cursor=${cursor}`}`);
      assert.equal(res.status, 200);
      entries.push(...res.body.items);
      cursor = res.body.nextCursor;
    } while (cursor !== null);
    return entries.filter(filter);
  };

  describe('POST /reports', () => {
    it('files a report of a post that keeps the post as it was, through an edit and a deletion', async () => {
      const [reporter, author] = [await registerUser(s.auth.url), await registerUser(s.auth.url)];
      const postId = await post(author, 'the words reported');
      const id = await report(reporter, { accountId: author.id, postId, comment: '  harassment  ' });
      await call(author, 'PATCH', `/posts/${postId}`, { text: 'innocent words' });
      await call(author, 'DELETE', `/posts/${postId}`);
      const item = await queued(id);
      assert.equal(item.status, 'open');
      assert.equal(item.comment, 'harassment');
      assert.deepEqual(item.reporter, { id: reporter.id, username: reporter.username, displayName: null, avatarUrl: null });
      assert.equal(item.account.id, author.id);
      assert.equal(item.account.suspended, false);
      assert.equal(item.account.role, 'user');
      assert.equal(item.post.id, postId);
      assert.equal(item.post.text, 'the words reported');
      assert.deepEqual(item.post.media, []);
      assert.equal(item.message, null);
      assert.equal(item.resolution, null);
    });

    it('keeps the pictures of a post and of a message as they were', async () => {
      const [reporter, author] = [await registerUser(s.auth.url), await registerUser(s.auth.url)];
      const picture = await uploadPicture(s.userUrl, await makePng(), { token: author.token, alt: 'a picture' });
      const posted = await call(author, 'POST', '/posts', { text: 'with a picture', mediaIds: [picture.body.id] });
      assert.equal(posted.status, 201);
      const item = await queued(await report(reporter, { accountId: author.id, postId: posted.body.id }));
      assert.deepEqual(item.post.media, posted.body.media);
      assert.equal(item.post.media[0].alt, 'a picture');

      const roomId = await createRoom(pool(), 'public', [author]);
      const seq = await postMessage(pool(), roomId, author, 'and in a room');
      const media = [{ ...posted.body.media[0], id: picture.body.id + 1_000_000 }];
      await pool().query('UPDATE messages SET media = $1::jsonb WHERE room_id = $2 AND seq = $3', [JSON.stringify(media), roomId, seq]);
      assert.deepEqual((await queued(await report(reporter, { accountId: author.id, roomId, messageSeq: seq }))).message.media, media);
    });

    it('answers the open report again, with 201 and the same id, and a new one once it is resolved', async () => {
      const [reporter, other] = [await registerUser(s.auth.url), await registerUser(s.auth.url)];
      const first = await report(reporter, { accountId: other.id, comment: 'first' });
      assert.equal(await report(reporter, { accountId: other.id, comment: 'again' }), first);
      assert.equal((await queued(first)).comment, 'first');
      assert.equal((await resolve(first, 'none')).status, 200);
      assert.notEqual(await report(reporter, { accountId: other.id }), first);
    });

    it('keeps a public room’s message as it was, with its room; a private room’s message only for its members', async () => {
      const [reporter, author, outsider] = [await registerUser(s.auth.url), await registerUser(s.auth.url), await registerUser(s.auth.url)];
      const publicRoom = await createRoom(pool(), 'public', [author]);
      const seq = await postMessage(pool(), publicRoom, author, 'shouted in public');
      const id = await report(outsider, { accountId: author.id, roomId: publicRoom, messageSeq: seq, comment: 'rude' });
      const item = await queued(id);
      assert.deepEqual({ ...item.message, createdAt: undefined }, {
        roomId: publicRoom,
        roomName: `room of ${author.username}`,
        seq,
        text: 'shouted in public',
        createdAt: undefined,
        media: [],
      });
      assert.equal(item.post, null);

      const privateRoom = await createRoom(pool(), 'private', [author, reporter]);
      const secret = await postMessage(pool(), privateRoom, author, 'whispered');
      const hidden = await call(outsider, 'POST', '/reports', { accountId: author.id, roomId: privateRoom, messageSeq: secret });
      assert.equal(hidden.status, 404);
      assert.equal(hidden.body.error.code, 'MESSAGE_NOT_FOUND');
      const direct = await createRoom(pool(), 'direct', [author, reporter]);
      const directSeq = await postMessage(pool(), direct, author, 'sent to me alone');
      assert.equal((await call(outsider, 'POST', '/reports', { accountId: author.id, roomId: direct, messageSeq: directSeq })).status, 404);
      assert.equal((await queued(await report(reporter, { accountId: author.id, roomId: privateRoom, messageSeq: secret }))).message.text, 'whispered');
      assert.equal((await queued(await report(reporter, { accountId: author.id, roomId: direct, messageSeq: directSeq }))).message.text, 'sent to me alone');
    });

    it('refuses a report of oneself, of no account, of a post or message not the account’s, and bad input', async () => {
      const [reporter, author, other] = [await registerUser(s.auth.url), await registerUser(s.auth.url), await registerUser(s.auth.url)];
      const othersPost = await post(other, 'not by the account reported');
      const room = await createRoom(pool(), 'public', [author, other]);
      const othersMessage = await postMessage(pool(), room, other, 'by someone else');
      const cases: Array<[Record<string, unknown>, number, string]> = [
        [{ accountId: reporter.id }, 400, 'CANNOT_REPORT_SELF'],
        [{ accountId: 2_000_000_000 }, 404, 'USER_NOT_FOUND'],
        [{ accountId: author.id, postId: othersPost }, 404, 'POST_NOT_FOUND'],
        [{ accountId: author.id, postId: 9_007_199_254_740_991 }, 404, 'POST_NOT_FOUND'],
        [{ accountId: author.id, roomId: room, messageSeq: othersMessage }, 404, 'MESSAGE_NOT_FOUND'],
        [{ accountId: author.id, roomId: room, messageSeq: 999 }, 404, 'MESSAGE_NOT_FOUND'],
        [{ accountId: author.id, messageSeq: othersMessage }, 400, 'VALIDATION_FAILED'],
        [{ accountId: author.id, roomId: room }, 400, 'VALIDATION_FAILED'],
        [{ accountId: author.id, postId: othersPost, roomId: room, messageSeq: othersMessage }, 400, 'VALIDATION_FAILED'],
        [{ accountId: author.id, comment: 'x'.repeat(1001) }, 400, 'VALIDATION_FAILED'],
        [{ accountId: author.id, comment: 'a\u0000b' }, 400, 'VALIDATION_FAILED'],
        [{ accountId: '7' }, 400, 'VALIDATION_FAILED'],
        [{}, 400, 'VALIDATION_FAILED'],
      ];
      for (const [body, status, code] of cases) {
        const res = await call(reporter, 'POST', '/reports', body);
        assert.equal(res.status, status, JSON.stringify(body));
        assert.equal(res.body.error.code, code, JSON.stringify(body));
      }
      // A thousand characters as a person counts them: emoji are one each.
      assert.equal((await call(reporter, 'POST', '/reports', { accountId: author.id, comment: '🙂'.repeat(1000) })).status, 201);
      assert.equal((await call(undefined, 'POST', '/reports', { accountId: author.id })).status, 401);
    });

    it('refuses reports past REPORTS_PER_HOUR with 429 TOO_MANY_REPORTS and Retry-After; a repeat is not counted', async () => {
      const limited = await startServices({ REPORTS_PER_HOUR: '2' });
      try {
        const users: RegisteredUser[] = [];
        for (let i = 0; i < 4; i += 1) users.push(await registerUser(limited.auth.url));
        const [reporter, a, b, c] = users as [RegisteredUser, RegisteredUser, RegisteredUser, RegisteredUser];
        const send = (accountId: number) => api(limited.userUrl, 'POST', '/reports', { token: reporter.token, body: { accountId } });
        assert.equal((await send(a.id)).status, 201);
        assert.equal((await send(a.id)).status, 201);
        assert.equal((await send(b.id)).status, 201);
        const refused = await send(c.id);
        assert.equal(refused.status, 429);
        assert.equal(refused.body.error.code, 'TOO_MANY_REPORTS');
        assert.ok(Number(refused.headers.get('retry-after')) > 0);
      } finally {
        await limited.close();
      }
    });
  });

  describe('roles', () => {
    const adminRoutes: Array<[string, string, unknown?]> = [
      ['GET', '/admin/reports'],
      ['POST', '/admin/reports/1/resolve', { action: 'none' }],
      ['POST', '/admin/accounts/1/suspend', {}],
      ['POST', '/admin/accounts/1/unsuspend'],
      ['GET', '/admin/accounts?suspended=true'],
      ['GET', '/admin/accounts/1'],
      ['PUT', '/admin/accounts/1/role', { role: 'moderator' }],
      ['GET', '/admin/audit'],
    ];

    it('answers 401 logged out and 403 to a plain user on every moderators’ route', async () => {
      const user = await registerUser(s.auth.url);
      const documented = (await api(s.userUrl, 'GET', '/openapi.json')).body;
      const adminPaths = Object.entries(documented.paths as Record<string, object>)
        .filter(([path]) => path.startsWith('/admin/'))
        .flatMap(([path, operations]) => Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`));
      assert.equal(adminPaths.length, adminRoutes.length, 'every moderators’ route is in this list');
      for (const [method, path, body] of adminRoutes) {
        const anonymous = await call(undefined, method, path, body);
        assert.equal(anonymous.status, 401, `${method} ${path}`);
        const refused = await call(user, method, path, body);
        assert.equal(refused.status, 403, `${method} ${path}`);
        assert.equal(refused.body.error.code, path.endsWith('/role') ? 'NOT_AN_ADMIN' : 'NOT_A_MODERATOR', `${method} ${path}`);
      }
    });

    it('lets admins alone set roles, and a role taken away takes effect on the next request', async () => {
      const target = await registerUser(s.auth.url);
      const refused = await call(moderator, 'PUT', `/admin/accounts/${target.id}/role`, { role: 'moderator' });
      assert.equal(refused.status, 403);
      assert.equal(refused.body.error.code, 'NOT_AN_ADMIN');

      const promoted = await call(admin, 'PUT', `/admin/accounts/${target.id}/role`, { role: 'moderator' });
      assert.equal(promoted.status, 200);
      assert.deepEqual(promoted.body.account, {
        id: target.id,
        username: target.username,
        displayName: null,
        avatarUrl: null,
        role: 'moderator',
        suspended: false,
        suspendedAt: null,
      });
      assert.equal((await call(target, 'GET', '/admin/reports')).status, 200);
      assert.equal((await call(admin, 'PUT', `/admin/accounts/${target.id}/role`, { role: 'moderator' })).status, 200);
      assert.equal((await call(admin, 'PUT', `/admin/accounts/${target.id}/role`, { role: 'user' })).body.account.role, 'user');
      assert.equal((await call(target, 'GET', '/admin/reports')).status, 403);

      const entries = await auditOf((entry) => entry.action === 'role_set' && entry.targetUserId === target.id);
      assert.deepEqual(
        entries.map((entry: any) => [entry.actor.id, entry.details]),
        [
          [admin.id, { from: 'moderator', to: 'user' }],
          [admin.id, { from: 'user', to: 'moderator' }],
        ],
        'the repeated role is not logged again',
      );
      const admins = await call(moderator, 'GET', '/admin/accounts?role=admin&limit=100');
      assert.ok(admins.body.items.some((account: { id: number }) => account.id === admin.id));
      assert.ok(admins.body.items.every((account: { role: string }) => account.role === 'admin'));
      const unknown = await call(admin, 'PUT', '/admin/accounts/2000000000/role', { role: 'user' });
      assert.equal(unknown.status, 404);
      assert.equal((await call(admin, 'PUT', `/admin/accounts/${target.id}/role`, { role: 'owner' })).status, 400);
    });
  });

  describe('suspension', () => {
    it('ends every session at once, refuses login with 403, hides the profile; nothing is deleted, and unsuspending restores it', async () => {
      const target = await registerUser(s.auth.url);
      const second = await login(target);
      assert.equal(second.status, 200);
      const postId = await post(target, 'still here after');
      const suspendedEvent = authEvent((event) => event.type === 'user_suspended' && event.userId === target.id);

      const res = await call(moderator, 'POST', `/admin/accounts/${target.id}/suspend`, { note: 'spam' });
      assert.equal(res.status, 200);
      assert.equal(res.body.account.suspended, true);
      assert.ok(Date.parse(res.body.account.suspendedAt) > 0);
      await suspendedEvent;
      for (const token of [target.token, second.body.token]) {
        assert.equal((await api(s.userUrl, 'GET', '/me', { token })).status, 401);
      }
      const { rows } = await pool().query('SELECT count(*)::int AS open FROM sessions WHERE user_id = $1 AND revoked_at IS NULL', [target.id]);
      assert.equal(rows[0].open, 0);

      const refused = await login(target);
      assert.equal(refused.status, 403);
      assert.equal(refused.body.error.code, 'ACCOUNT_SUSPENDED');
      assert.equal((await login(target, 'a wrong password')).status, 401, 'a wrong password says nothing of the suspension');

      // These hold once the read side hides suspended accounts (profiles and posts: 404).
      assert.equal((await call(undefined, 'GET', `/users/${target.id}`)).status, 404);
      assert.equal((await call(moderator, 'GET', `/posts/${postId}`)).status, 404);
      const seen = await call(moderator, 'GET', `/admin/accounts/${target.id}`);
      assert.equal(seen.status, 200);
      assert.equal(seen.body.suspended, true);
      const listed = await call(moderator, 'GET', '/admin/accounts?suspended=true&limit=100');
      assert.ok(listed.body.items.some((account: { id: number }) => account.id === target.id));
      assert.ok(listed.body.items.every((account: { suspended: boolean }) => account.suspended));

      const again = await call(moderator, 'POST', `/admin/accounts/${target.id}/suspend`);
      assert.equal(again.status, 200);
      assert.equal(again.body.account.suspendedAt, res.body.account.suspendedAt, 'suspending again changes nothing');

      const unsuspendedEvent = authEvent((event) => event.type === 'user_unsuspended' && event.userId === target.id);
      const restored = await call(moderator, 'POST', `/admin/accounts/${target.id}/unsuspend`);
      assert.equal(restored.status, 200);
      assert.equal(restored.body.account.suspended, false);
      assert.equal(restored.body.account.suspendedAt, null);
      await unsuspendedEvent;
      const back = await login(target);
      assert.equal(back.status, 200);
      assert.equal((await api(s.userUrl, 'GET', '/me', { token: back.body.token })).status, 200);
      assert.equal((await call(undefined, 'GET', `/users/${target.id}`)).status, 200);
      assert.equal((await call(moderator, 'GET', `/posts/${postId}`)).body.text, 'still here after');
      assert.equal((await call(moderator, 'POST', `/admin/accounts/${target.id}/unsuspend`)).status, 200);

      const entries = await auditOf((entry) => entry.targetUserId === target.id);
      assert.deepEqual(
        entries.map((entry: any) => [entry.action, entry.actor.id, entry.details]),
        [
          ['account_unsuspended', moderator.id, { note: '' }],
          ['account_suspended', moderator.id, { note: 'spam' }],
        ],
      );
    });

    it('lets nobody suspend themselves, a moderator suspend no moderator or admin, and an admin suspend a moderator', async () => {
      const otherModerator = await registerWithRole(s, 'moderator');
      const self = await call(moderator, 'POST', `/admin/accounts/${moderator.id}/suspend`);
      assert.equal(self.status, 400);
      assert.equal(self.body.error.code, 'CANNOT_SUSPEND_SELF');
      assert.equal((await call(admin, 'POST', `/admin/accounts/${admin.id}/suspend`)).body.error.code, 'CANNOT_SUSPEND_SELF');
      for (const target of [otherModerator, admin]) {
        const refused = await call(moderator, 'POST', `/admin/accounts/${target.id}/suspend`);
        assert.equal(refused.status, 403);
        assert.equal(refused.body.error.code, 'NOT_ALLOWED');
      }
      const byAdmin = await call(admin, 'POST', `/admin/accounts/${otherModerator.id}/suspend`);
      assert.equal(byAdmin.status, 200);
      assert.equal(byAdmin.body.account.role, 'moderator');
      assert.equal((await login(otherModerator)).body.error.code, 'ACCOUNT_SUSPENDED');
      assert.equal((await call(moderator, 'POST', `/admin/accounts/${otherModerator.id}/unsuspend`)).body.error.code, 'NOT_ALLOWED');
      assert.equal((await call(admin, 'POST', `/admin/accounts/${otherModerator.id}/unsuspend`)).status, 200);
      const unknown = await call(moderator, 'POST', '/admin/accounts/2000000000/suspend');
      assert.equal(unknown.status, 404);
      assert.equal(unknown.body.error.code, 'USER_NOT_FOUND');
      assert.equal((await call(moderator, 'POST', `/admin/accounts/${otherModerator.id}/suspend`, { note: 'x'.repeat(1001) })).status, 400);
    });
  });

  describe('POST /admin/reports/:id/resolve', () => {
    it('with none: resolves the report and every open report of the same subject, each audited once', async () => {
      const [first, second, third, author] = [
        await registerUser(s.auth.url),
        await registerUser(s.auth.url),
        await registerUser(s.auth.url),
        await registerUser(s.auth.url),
      ];
      const postId = await post(author, 'reported thrice');
      const ids = [
        await report(first, { accountId: author.id, postId }),
        await report(second, { accountId: author.id, postId }),
        await report(third, { accountId: author.id, postId }),
      ];
      const profileReport = await report(first, { accountId: author.id });

      const res = await resolve(ids[1]!, 'none', moderator, 'not against the rules');
      assert.equal(res.status, 200);
      assert.equal(res.body.id, ids[1]);
      assert.equal(res.body.status, 'resolved');
      assert.equal(res.body.resolution.action, 'none');
      assert.equal(res.body.resolution.note, 'not against the rules');
      assert.deepEqual(res.body.resolution.moderator, { id: moderator.id, username: moderator.username, displayName: null, avatarUrl: null });
      for (const id of ids) assert.equal((await queued(id, 'resolved')).resolution.action, 'none');
      assert.equal((await queued(profileReport)).status, 'open', 'a report of the profile is another subject');
      assert.equal((await call(author, 'GET', `/posts/${postId}`)).status, 200);

      const entries = await auditOf((entry) => entry.action === 'report_resolved' && ids.includes(entry.reportId));
      assert.deepEqual(entries.map((entry: any) => entry.reportId).sort(), [...ids].sort());
      assert.ok(entries.every((entry: any) => entry.actor.id === moderator.id && entry.targetUserId === author.id));

      const again = await resolve(ids[0]!, 'delete_post');
      assert.equal(again.status, 409);
      assert.equal(again.body.error.code, 'REPORT_RESOLVED');
      assert.equal((await call(author, 'GET', `/posts/${postId}`)).status, 200, 'a refused resolution takes no action');
      const missing = await resolve(9_007_199_254_740_991, 'none');
      assert.equal(missing.status, 404);
      assert.equal(missing.body.error.code, 'REPORT_NOT_FOUND');
    });

    it('lets one of two moderators resolving reports of one subject at once win; the other gets 409', async () => {
      const [first, second, author] = [await registerUser(s.auth.url), await registerUser(s.auth.url), await registerUser(s.auth.url)];
      const otherModerator = await registerWithRole(s, 'moderator');
      const postId = await post(author, 'reported twice');
      const [a, b] = [await report(first, { accountId: author.id, postId }), await report(second, { accountId: author.id, postId })];
      const answers = await Promise.all([resolve(a, 'none', moderator), resolve(b, 'delete_post', otherModerator)]);
      assert.deepEqual(answers.map((answer) => answer.status).sort(), [200, 409]);
      const winner = answers.find((answer) => answer.status === 200)!.body;
      for (const id of [a, b]) assert.equal((await queued(id, 'resolved')).resolution.action, winner.resolution.action);
      assert.equal((await auditOf((entry) => entry.action === 'report_resolved' && [a, b].includes(entry.reportId))).length, 2);
    });

    it('with delete_post: the post leaves timelines and counts as its author’s own deletion does; already gone is fine', async () => {
      const [reporter, author, follower] = [await registerUser(s.auth.url), await registerUser(s.auth.url), await registerUser(s.auth.url)];
      await call(follower, 'POST', `/follow?toFollowId=${author.id}`);
      const postId = await post(author, 'to be removed');
      const reposted = await call(follower, 'PUT', `/posts/${postId}/repost`);
      assert.equal(reposted.status, 200);
      const id = await report(reporter, { accountId: author.id, postId });

      const res = await resolve(id, 'delete_post', moderator, 'hate');
      assert.equal(res.status, 200);
      assert.equal(res.body.resolution.action, 'delete_post');
      assert.equal(res.body.post.text, 'to be removed', 'the report keeps the post as it was');
      assert.equal((await call(undefined, 'GET', `/posts/${postId}`)).status, 404);
      const timeline = await call(follower, 'GET', '/timeline');
      assert.ok(!timeline.body.items.some((item: { id: number }) => item.id === postId));
      assert.equal((await call(undefined, 'GET', `/users/${author.id}`)).body.postsCount, 0);
      const [deleted] = await auditOf((entry) => entry.action === 'post_deleted' && entry.reportId === id);
      assert.equal(deleted.actor.id, moderator.id);
      assert.equal(deleted.targetUserId, author.id);
      assert.deepEqual(deleted.details, { postId });

      const gonePost = await post(author, 'deleted by its author first');
      const goneReport = await report(reporter, { accountId: author.id, postId: gonePost });
      await call(author, 'DELETE', `/posts/${gonePost}`);
      assert.equal((await resolve(goneReport, 'delete_post')).status, 200);
      assert.deepEqual(await auditOf((entry) => entry.action === 'post_deleted' && entry.reportId === goneReport), []);

      const profileReport = await report(reporter, { accountId: author.id });
      const refused = await resolve(profileReport, 'delete_post');
      assert.equal(refused.status, 400);
      assert.equal(refused.body.error.code, 'NO_POST_TO_DELETE');
      assert.equal((await queued(profileReport)).status, 'open');
    });

    it('with delete_message: the message becomes a tombstone, the deletion an event of the room, and ws-service is told', async () => {
      const [reporter, author] = [await registerUser(s.auth.url), await registerUser(s.auth.url)];
      const roomId = await createRoom(pool(), 'private', [author, reporter]);
      const seq = await postMessage(pool(), roomId, author, 'abuse in a private room');
      const id = await report(reporter, { accountId: author.id, roomId, messageSeq: seq });
      const told = authEvent((event) => event.type === 'message_removed' && event.roomId === roomId);

      const res = await resolve(id, 'delete_message');
      assert.equal(res.status, 200);
      assert.equal(res.body.message.text, 'abuse in a private room');
      const event = await told;
      assert.deepEqual({ ...event, deletedAt: undefined }, {
        type: 'message_removed',
        roomId,
        seq: seq + 1,
        target: seq,
        moderator: { id: moderator.id, username: moderator.username },
        deletedAt: undefined,
      });
      const { rows } = await pool().query('SELECT seq, kind, text, deleted_at, target_seq FROM messages WHERE room_id = $1 ORDER BY seq', [roomId]);
      assert.equal(rows.length, 2);
      assert.equal(rows[0].text, null);
      assert.ok(rows[0].deleted_at instanceof Date);
      assert.equal(rows[1].kind, 'delete');
      assert.equal(Number(rows[1].target_seq), seq);
      const [deleted] = await auditOf((entry) => entry.action === 'message_deleted' && entry.reportId === id);
      assert.deepEqual(deleted.details, { roomId, seq, deletionSeq: seq + 1 });
      assert.equal(deleted.actor.id, moderator.id);

      const postReport = await report(reporter, { accountId: author.id, postId: await post(author, 'a post') });
      const refused = await resolve(postReport, 'delete_message');
      assert.equal(refused.status, 400);
      assert.equal(refused.body.error.code, 'NO_MESSAGE_TO_DELETE');
    });

    it('with suspend: suspends the account reported, in the same transaction as the resolution', async () => {
      const [reporter, author] = [await registerUser(s.auth.url), await registerUser(s.auth.url)];
      const id = await report(reporter, { accountId: author.id, comment: 'a spam account' });
      const suspended = authEvent((event) => event.type === 'user_suspended' && event.userId === author.id);
      const res = await resolve(id, 'suspend', moderator, 'spam');
      assert.equal(res.status, 200);
      assert.equal(res.body.account.suspended, true);
      await suspended;
      assert.equal((await login(author)).body.error.code, 'ACCOUNT_SUSPENDED');
      assert.equal((await api(s.userUrl, 'GET', '/me', { token: author.token })).status, 401);
      const entries = await auditOf((entry) => entry.reportId === id);
      assert.deepEqual(entries.map((entry: any) => [entry.action, entry.actor.id, entry.targetUserId]).sort(), [
        ['account_suspended', moderator.id, author.id],
        ['report_resolved', moderator.id, author.id],
      ]);

      const reportOfAdmin = await report(reporter, { accountId: admin.id });
      const refused = await resolve(reportOfAdmin, 'suspend');
      assert.equal(refused.status, 403);
      assert.equal(refused.body.error.code, 'NOT_ALLOWED');
      assert.equal((await queued(reportOfAdmin)).status, 'open', 'a refused action leaves the report open');
    });
  });

  it('lets moderators fetch the pictures of a reported private message, and no others', async () => {
    const [author, reporter] = [await registerUser(s.auth.url, 'pictured'), await registerUser(s.auth.url, 'witness')];
    const roomId = await createRoom(pool(), 'private', [author, reporter]);
    const upload = await uploadPicture(s.userUrl, await makePng(), { token: author.token, roomId });
    assert.equal(upload.status, 201, JSON.stringify(upload.body));
    const seq = await postMessage(pool(), roomId, author, 'look');
    // As ws-service's claim and store leave it: the picture belongs to the stored message.
    await pool().query(
      `UPDATE media SET used_as = 'message', message_id = (SELECT id FROM messages WHERE room_id = $1 AND seq = $2), attached_at = now() WHERE id = $3`,
      [roomId, seq, upload.body.id],
    );
    const fetchAs = async (user: RegisteredUser) =>
      (await fetch(`${s.userUrl}${upload.body.url}`, { headers: { authorization: `Bearer ${user.token}` } })).status;
    assert.equal(await fetchAs(reporter), 200, 'a member sees it');
    assert.equal(await fetchAs(moderator), 404, 'a moderator does not, while nobody reported the message');
    await report(reporter, { accountId: author.id, roomId, messageSeq: seq, comment: 'unwanted picture' });
    assert.equal(await fetchAs(moderator), 200, 'the moderator sees what the report shows');
    const stranger = await registerUser(s.auth.url, 'stranger');
    assert.equal(await fetchAs(stranger), 404, 'anyone else still does not');
  });

  it('answers every moderation route as its OpenAPI document says', async () => {
    const document = (await api(s.userUrl, 'GET', '/openapi.json')).body;
    const checker = new ContractChecker(document);
    for (const [route, exercise] of Object.entries(moderationContractCalls(s))) {
      const answers = await exercise();
      for (const answer of Array.isArray(answers) ? answers : [answers]) {
        checker.check(route, answer.status, answer.body, answer.headers.get('content-type') ?? '');
      }
    }
  });
});
