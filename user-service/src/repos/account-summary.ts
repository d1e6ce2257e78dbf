/**
 * An account as lists and posts name it, `{id, username, displayName, avatarUrl}`: the SQL of its
 * columns and the row it reads into, one owner for every list (followers, likers, notifications).
 */
import { sql, type SQL } from 'drizzle-orm';
import { avatarUrlSql } from '@murmur/shared/media';

export interface AccountSummary {
  id: number;
  username: string;
  displayName: string | null;
  avatarUrl: string | null;
}

/** The columns of a summary, from the users row `alias`, as `id, username, display_name, avatar_url`. */
export const summaryColumns = (alias: string): SQL =>
  sql.raw(`${alias}.id, ${alias}.username, ${alias}.display_name, ${avatarUrlSql(alias)} AS avatar_url`);

export interface SummaryRow extends Record<string, unknown> {
  id: number;
  username: string;
  display_name: string | null;
  avatar_url: string | null;
}

export const toSummary = (row: SummaryRow): AccountSummary => ({ id: row.id, username: row.username, displayName: row.display_name, avatarUrl: row.avatar_url });
