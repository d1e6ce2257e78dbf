/**
 * The database's own rule for owners (the room_members_pass_ownership trigger of migration
 * 0006), under the concurrency that the API alone cannot stage deterministically: two members
 * leaving at the same moment, one of them the owner.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { eventually, testDatabaseUrl, uniqueName } from '@murmur/shared/testing';

describe('ownership passing on inside the database', () => {
  let pool: pg.Pool;
  before(() => {
    pool = new pg.Pool({ connectionString: testDatabaseUrl(), max: 4 });
  });
  after(() => pool.end());

  /** A room owned by the first of `roles.length` new users, with the given roles, who joined in that order. */
  const roomWith = async (roles: string[]): Promise<{ roomId: number; users: number[] }> => {
    const users: number[] = [];
    for (let i = 0; i < roles.length; i += 1) {
      const name = uniqueName('owner');
      const { rows } = await pool.query<{ id: number }>(
        `INSERT INTO users (username, email, password_hash) VALUES ($1, $1 || '@example.com', 'x') RETURNING id`,
        [name],
      );
      users.push(rows[0]!.id);
    }
    const { rows } = await pool.query<{ id: number }>(`INSERT INTO rooms (name, kind, created_by) VALUES ('owned', 'private', $1) RETURNING id`, [users[0]]);
    const roomId = rows[0]!.id;
    for (const [i, role] of roles.entries()) {
      await pool.query(`INSERT INTO room_members (room_id, user_id, role, joined_at) VALUES ($1, $2, $3, now() + make_interval(secs => $4))`, [
        roomId,
        users[i],
        role,
        i,
      ]);
    }
    return { roomId, users };
  };

  const roles = async (roomId: number) =>
    (await pool.query<{ user_id: number; role: string }>('SELECT user_id, role FROM room_members WHERE room_id = $1 ORDER BY user_id', [roomId])).rows;

  it('still finds an owner when the member it would choose leaves at the same moment', async () => {
    const { roomId, users } = await roomWith(['owner', 'moderator', 'member']);
    const moderatorLeaving = await pool.connect();
    const ownerLeaving = await pool.connect();
    try {
      await moderatorLeaving.query('BEGIN');
      await moderatorLeaving.query('DELETE FROM room_members WHERE room_id = $1 AND user_id = $2', [roomId, users[1]]);
      // The owner's leave picks the moderator, whose row is locked by the uncommitted leave: it waits.
      const ownerLeft = ownerLeaving.query('DELETE FROM room_members WHERE room_id = $1 AND user_id = $2', [roomId, users[0]]);
      await eventually(async () => {
        const { rows } = await pool.query(
          `SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE 'DELETE FROM room_members%' AND datname = current_database()`,
        );
        assert.equal(rows.length, 1, 'the owner leaving waits on the moderator leaving');
      });
      await moderatorLeaving.query('COMMIT');
      await ownerLeft;
      assert.deepEqual(await roles(roomId), [{ user_id: users[2], role: 'owner' }]);
    } finally {
      moderatorLeaving.release();
      ownerLeaving.release();
    }
  });
});
