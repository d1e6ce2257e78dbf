/**
 * A mail outbox of a test's own. Every auth-service a test run starts, in all the test files
 * running at once, delivers the one mail_outbox of the test database, so one test's mail could
 * be sent by another test's service, to that test's mail server. Not used by production code.
 */
import { openDatabase } from '@murmur/shared/db';
import { createLogger } from '@murmur/shared/logger';
import { testDatabaseUrl, uniqueName } from '@murmur/shared/testing';

/**
 * Creates an empty mail_outbox in a schema of its own and returns a DATABASE_URL whose
 * search_path finds it first; every other table is still the shared one. Services (and senders)
 * given the same URL share that outbox.
 */
export async function privateMailOutbox(databaseUrl = testDatabaseUrl()): Promise<string> {
  const schemaName = uniqueName('outbox').toLowerCase();
  const database = openDatabase({ url: databaseUrl, logger: createLogger('test', 'silent') });
  try {
    await database.pool.query(`CREATE SCHEMA ${schemaName}`);
    await database.pool.query(`CREATE TABLE ${schemaName}.mail_outbox (LIKE public.mail_outbox INCLUDING ALL)`);
  } finally {
    await database.close();
  }
  const url = new URL(databaseUrl);
  url.searchParams.set('options', `-c search_path=${schemaName},public`);
  return url.toString();
}
