/** Queries on the users table for registration and login. */
import { eq, or, sql } from 'drizzle-orm';
import { schema, type Db } from '@murmur/shared/db';

const { users } = schema;

export interface UserRecord {
  id: number;
  username: string;
  email: string;
  createdAt: Date;
}

export interface UserWithPassword extends UserRecord {
  passwordHash: string;
  /** A moderator suspended the account: it may not log in. */
  suspended: boolean;
}

const publicColumns = { id: users.id, username: users.username, email: users.email, createdAt: users.createdAt };

/** Which of `username` and `email` are taken, compared case-insensitively. */
export async function findTakenIdentifiers(
  db: Db,
  username: string,
  email: string,
): Promise<{ usernameTaken: boolean; emailTaken: boolean }> {
  const rows = await db
    .select({ username: users.username, email: users.email })
    .from(users)
    .where(or(eq(sql`lower(${users.username})`, username.toLowerCase()), eq(sql`lower(${users.email})`, email.toLowerCase())));
  return {
    usernameTaken: rows.some((r) => r.username.toLowerCase() === username.toLowerCase()),
    emailTaken: rows.some((r) => r.email.toLowerCase() === email.toLowerCase()),
  };
}

export async function insertUser(
  db: Db,
  user: { username: string; email: string; passwordHash: string },
): Promise<UserRecord> {
  const [row] = await db.insert(users).values(user).returning(publicColumns);
  if (!row) throw new Error('insert returned no row');
  return row;
}

/** Finds a user by email or username, case-insensitively, through the lower() unique indexes. */
export async function findUserForLogin(
  db: Db,
  by: { email: string } | { username: string },
): Promise<UserWithPassword | undefined> {
  const condition =
    'email' in by
      ? eq(sql`lower(${users.email})`, by.email.toLowerCase())
      : eq(sql`lower(${users.username})`, by.username.toLowerCase());
  const [row] = await db
    .select({ ...publicColumns, passwordHash: users.passwordHash, suspended: sql<boolean>`${users.suspendedAt} IS NOT NULL` })
    .from(users)
    .where(condition)
    .limit(1);
  return row;
}

/** Replaces a user's password hash (a re-hash at the configured cost). */
export async function updatePasswordHash(db: Db, userId: number, passwordHash: string): Promise<void> {
  await db.update(users).set({ passwordHash }).where(eq(users.id, userId));
}
