/**
 * `npm run admin -- role <username> <user|moderator|admin>`: sets an account's role on
 * DATABASE_URL. The first admin can be appointed no other way, and it is the way back when no
 * admin is left. The change is in the audit log like an admin's, with no actor and
 * `details.via = "command line"`.
 */
import pg from 'pg';
import { schema } from '@murmur/shared/db';

const USAGE = `usage: npm run admin -- role <username> <${schema.ACCOUNT_ROLES.join('|')}>`;
/** Exit codes: a wrong command line (as a shell's builtins), something the database refused. */
const EXIT_USAGE = 2;
const EXIT_REFUSED = 1;
/** As `npm run migrate`: a required setting is missing (EX_CONFIG). */
const EXIT_CONFIG = 78;

const isRole = (value: string | undefined): value is schema.AccountRole => schema.ACCOUNT_ROLES.some((role) => role === value);

/** "a moderator", "an admin". */
const aRole = (role: schema.AccountRole) => `${role === 'admin' ? 'an' : 'a'} ${role}`;

function fail(code: number, message: string): never {
  console.error(message);
  process.exit(code);
}

/** Sets the role in one transaction with its audit entry; resolves the role it had, or undefined when there is no such account. */
async function setRole(client: pg.Client, username: string, role: schema.AccountRole): Promise<schema.AccountRole | undefined> {
  await client.query('BEGIN');
  try {
    const { rows } = await client.query<{ id: number; role: schema.AccountRole }>('SELECT id, role FROM users WHERE lower(username) = lower($1) FOR UPDATE', [
      username,
    ]);
    const account = rows[0];
    if (account && account.role !== role) {
      await client.query('UPDATE users SET role = $1 WHERE id = $2', [role, account.id]);
      await client.query(`INSERT INTO audit_log (actor_id, action, target_user_id, details) VALUES (NULL, 'role_set', $1, $2::jsonb)`, [
        account.id,
        JSON.stringify({ from: account.role, to: role, via: 'command line' }),
      ]);
    }
    await client.query('COMMIT');
    return account?.role;
  } catch (err) {
    await client.query('ROLLBACK');
    throw err;
  }
}

const [command, username, role, ...extra] = process.argv.slice(2);
if (command !== 'role' || username === undefined || !isRole(role) || extra.length > 0) fail(EXIT_USAGE, USAGE);
const url = process.env.DATABASE_URL;
if (!url) fail(EXIT_CONFIG, 'DATABASE_URL: missing (set it to the postgres:// URL of the database to change)');

const client = new pg.Client({ connectionString: url });
await client.connect();
try {
  const previous = await setRole(client, username, role);
  if (previous === undefined) fail(EXIT_REFUSED, `no account named ${username}`);
  console.log(previous === role ? `${username} is ${aRole(role)} already` : `${username} is now ${aRole(role)} (was ${aRole(previous)})`);
} finally {
  await client.end();
}
