/** `npm run admin -- role`, run as the built script against the test database. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { testDatabaseUrl, uniqueName } from '@murmur/shared/testing';
import { REPO_ROOT } from '../repo-paths.js';

const SCRIPT = path.join(REPO_ROOT, 'dist-tools/scripts/admin.js');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the command with `args`; DATABASE_URL is the test database unless `env` says otherwise. */
function admin(args: string[], env: Record<string, string | undefined> = { DATABASE_URL: testDatabaseUrl() }): Promise<Run> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [SCRIPT, ...args], { env: { PATH: process.env.PATH, ...env } }, (_err, stdout, stderr) =>
      resolve({ code: child.exitCode, stdout, stderr }),
    );
  });
}

describe('npm run admin -- role', () => {
  let pool: pg.Pool;
  before(() => {
    pool = new pg.Pool({ connectionString: testDatabaseUrl(), max: 2 });
  });
  after(() => pool.end());

  const newAccount = async () => {
    const username = uniqueName('admin_cmd');
    await pool.query(`INSERT INTO users (username, email, password_hash) VALUES ($1, $2, 'not a hash')`, [username, `${username}@example.com`]);
    return username;
  };
  const accountOf = async (username: string) =>
    (await pool.query<{ id: number; role: string }>('SELECT id, role FROM users WHERE username = $1', [username])).rows[0]!;
  const auditOf = async (userId: number) =>
    (await pool.query('SELECT actor_id, action, details FROM audit_log WHERE target_user_id = $1 ORDER BY id', [userId])).rows;

  it('sets the role, in any case of the name, and logs it with no actor, via the command line', async () => {
    const username = await newAccount();
    const run = await admin(['role', username.toUpperCase(), 'moderator']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, new RegExp(`${username.toUpperCase()} is now a moderator \\(was a user\\)`));
    const account = await accountOf(username);
    assert.equal(account.role, 'moderator');
    assert.deepEqual(await auditOf(account.id), [
      { actor_id: null, action: 'role_set', details: { from: 'user', to: 'moderator', via: 'command line' } },
    ]);

    const promoted = await admin(['role', username, 'admin']);
    assert.equal(promoted.code, 0);
    assert.equal((await accountOf(username)).role, 'admin');
    const again = await admin(['role', username, 'admin']);
    assert.equal(again.code, 0);
    assert.match(again.stdout, /is an admin already/);
    assert.equal((await auditOf(account.id)).length, 2, 'a role the account has already is not logged again');
  });

  it('exits 1 with a clear message for an unknown account, changing nothing', async () => {
    const run = await admin(['role', 'nobody_by_this_name', 'admin']);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /no account named nobody_by_this_name/);
  });

  it('exits 2 with the usage line for a wrong command line', async () => {
    const username = await newAccount();
    for (const args of [[], ['role'], ['role', username], ['role', username, 'owner'], ['grant', username, 'admin'], ['role', username, 'admin', 'extra']]) {
      const run = await admin(args);
      assert.equal(run.code, 2, args.join(' '));
      assert.match(run.stderr, /^usage: npm run admin -- role <username> <user\|moderator\|admin>$/m);
    }
    assert.equal((await accountOf(username)).role, 'user');
  });

  it('exits 78 naming DATABASE_URL when it is not set', async () => {
    const run = await admin(['role', 'anyone', 'admin'], {});
    assert.equal(run.code, 78);
    assert.match(run.stderr, /DATABASE_URL/);
  });
});
