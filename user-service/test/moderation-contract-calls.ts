/**
 * The calls that exercise the reports and moderators' routes for the OpenAPI contract test, and
 * what the moderation tests share: accounts given a role, and chat rooms and messages written as
 * ws-service stores them.
 */
import type pg from 'pg';
import { api, type ApiResponse } from '@murmur/shared/testing';
import { registerUser, type RegisteredUser } from '@murmur/auth-service/testing';
import type { Services } from './helpers.js';

type Role = 'user' | 'moderator' | 'admin';

/** A new account with `role`, set as `npm run admin -- role` sets it. */
export async function registerWithRole(s: Services, role: Role, prefix: string = role): Promise<RegisteredUser> {
  const user = await registerUser(s.auth.url, prefix);
  await s.userDeps.database.pool.query('UPDATE users SET role = $1 WHERE id = $2', [role, user.id]);
  return user;
}

/** A room as ws-service stores it, with its members; the first is its owner. */
export async function createRoom(pool: pg.Pool, kind: 'public' | 'private' | 'direct', members: RegisteredUser[]): Promise<number> {
  const { rows } = await pool.query<{ id: number }>(`INSERT INTO rooms (name, kind, created_by) VALUES ($1, $2, $3) RETURNING id`, [
    `room of ${members[0]!.username}`,
    kind,
    members[0]!.id,
  ]);
  const roomId = rows[0]!.id;
  for (const [i, member] of members.entries()) {
    await pool.query('INSERT INTO room_members (room_id, user_id, role) VALUES ($1, $2, $3)', [roomId, member.id, i === 0 ? 'owner' : 'member']);
  }
  return roomId;
}

/** A message as ws-service stores it: the room's next seq, under the room row's lock. */
export async function postMessage(pool: pg.Pool, roomId: number, author: RegisteredUser, text: string): Promise<number> {
  const { rows } = await pool.query<{ seq: number }>(
    `WITH bumped AS (UPDATE rooms SET last_seq = last_seq + 1 WHERE id = $1 RETURNING last_seq)
     INSERT INTO messages (room_id, seq, user_id, text) SELECT $1, last_seq, $2, $3 FROM bumped RETURNING seq`,
    [roomId, author.id, text],
  );
  return rows[0]!.seq;
}

/** For each reports and moderators' route, the requests that exercise it: a success and its errors. */
export function moderationContractCalls(s: Services): Record<string, () => Promise<ApiResponse | ApiResponse[]>> {
  const call = (method: string, path: string, options: Parameters<typeof api>[3] = {}) => api(s.userUrl, method, path, options);
  let people: Promise<{ reporter: RegisteredUser; reported: RegisteredUser; moderator: RegisteredUser; admin: RegisteredUser }> | undefined;
  const cast = () =>
    (people ??= (async () => ({
      reporter: await registerUser(s.auth.url, 'reporter'),
      reported: await registerUser(s.auth.url, 'reported'),
      moderator: await registerWithRole(s, 'moderator'),
      admin: await registerWithRole(s, 'admin'),
    }))());
  /** A new open report of a new post of `reported`'s, with a comment. */
  const newReport = async () => {
    const { reporter, reported } = await cast();
    const post = await call('POST', '/posts', { token: reported.token, body: { text: 'reported' } });
    const report = await call('POST', '/reports', { token: reporter.token, body: { accountId: reported.id, postId: post.body.id, comment: 'spam' } });
    return report.body.id as number;
  };
  return {
    'POST /reports': async () => {
      const { reporter, reported } = await cast();
      const roomId = await createRoom(s.userDeps.database.pool, 'public', [reported]);
      const seq = await postMessage(s.userDeps.database.pool, roomId, reported, 'reported message');
      return [
        await call('POST', '/reports', { token: reporter.token, body: { accountId: reported.id, comment: 'a profile' } }),
        await call('POST', '/reports', { token: reporter.token, body: { accountId: reported.id, roomId, messageSeq: seq } }),
        await call('POST', '/reports', { token: reporter.token, body: { accountId: reporter.id } }),
        await call('POST', '/reports', { token: reporter.token, body: { accountId: 2000000000 } }),
        await call('POST', '/reports', { token: reporter.token, body: { accountId: reported.id, postId: 9007199254740991 } }),
        await call('POST', '/reports', { token: reporter.token, body: { accountId: reported.id, comment: 'x'.repeat(1001) } }),
        await call('POST', '/reports', { body: { accountId: reported.id } }),
      ];
    },
    'GET /admin/reports': async () => {
      const { moderator, reporter } = await cast();
      await newReport();
      return [
        await call('GET', '/admin/reports?limit=1', { token: moderator.token }),
        await call('GET', '/admin/reports?status=resolved', { token: moderator.token }),
        await call('GET', '/admin/reports?status=closed', { token: moderator.token }),
        await call('GET', '/admin/reports', { token: reporter.token }),
      ];
    },
    'POST /admin/reports/{id}/resolve': async () => {
      const { moderator, reporter } = await cast();
      const id = await newReport();
      const other = await newReport();
      return [
        await call('POST', `/admin/reports/${id}/resolve`, { token: moderator.token, body: { action: 'delete_post', note: 'spam' } }),
        await call('POST', `/admin/reports/${id}/resolve`, { token: moderator.token, body: { action: 'none' } }),
        await call('POST', `/admin/reports/${other}/resolve`, { token: moderator.token, body: { action: 'delete_message' } }),
        await call('POST', '/admin/reports/9007199254740991/resolve', { token: moderator.token, body: { action: 'none' } }),
        await call('POST', `/admin/reports/${other}/resolve`, { token: moderator.token, body: { action: 'ban' } }),
        await call('POST', `/admin/reports/${other}/resolve`, { token: reporter.token, body: { action: 'none' } }),
      ];
    },
    'POST /admin/accounts/{id}/suspend': async () => {
      const { moderator, admin } = await cast();
      const target = await registerUser(s.auth.url, 'suspended');
      return [
        await call('POST', `/admin/accounts/${target.id}/suspend`, { token: moderator.token, body: { note: 'spam' } }),
        await call('POST', `/admin/accounts/${target.id}/suspend`, { token: moderator.token }),
        await call('POST', `/admin/accounts/${moderator.id}/suspend`, { token: moderator.token }),
        await call('POST', `/admin/accounts/${admin.id}/suspend`, { token: moderator.token }),
        await call('POST', '/admin/accounts/2000000000/suspend', { token: moderator.token }),
      ];
    },
    'POST /admin/accounts/{id}/unsuspend': async () => {
      const { moderator, reporter } = await cast();
      const target = await registerUser(s.auth.url, 'restored');
      await call('POST', `/admin/accounts/${target.id}/suspend`, { token: moderator.token });
      return [
        await call('POST', `/admin/accounts/${target.id}/unsuspend`, { token: moderator.token }),
        await call('POST', `/admin/accounts/${target.id}/unsuspend`, { token: reporter.token }),
      ];
    },
    'GET /admin/accounts': async () => {
      const { moderator } = await cast();
      return [
        await call('GET', '/admin/accounts?suspended=true&limit=1', { token: moderator.token }),
        await call('GET', '/admin/accounts?role=moderator', { token: moderator.token }),
        await call('GET', '/admin/accounts?suspended=yes', { token: moderator.token }),
      ];
    },
    'GET /admin/accounts/{id}': async () => {
      const { moderator, reported } = await cast();
      return [
        await call('GET', `/admin/accounts/${reported.id}`, { token: moderator.token }),
        await call('GET', '/admin/accounts/2000000000', { token: moderator.token }),
        await call('GET', `/admin/accounts/${reported.id}`),
      ];
    },
    'PUT /admin/accounts/{id}/role': async () => {
      const { moderator, admin } = await cast();
      const target = await registerUser(s.auth.url, 'promoted');
      return [
        await call('PUT', `/admin/accounts/${target.id}/role`, { token: admin.token, body: { role: 'moderator' } }),
        await call('PUT', `/admin/accounts/${target.id}/role`, { token: admin.token, body: { role: 'owner' } }),
        await call('PUT', `/admin/accounts/${target.id}/role`, { token: moderator.token, body: { role: 'user' } }),
        await call('PUT', '/admin/accounts/2000000000/role', { token: admin.token, body: { role: 'user' } }),
      ];
    },
    'GET /admin/audit': async () => {
      const { moderator, reporter } = await cast();
      return [await call('GET', '/admin/audit?limit=2', { token: moderator.token }), await call('GET', '/admin/audit', { token: reporter.token })];
    },
  };
}
