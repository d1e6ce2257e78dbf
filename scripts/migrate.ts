/** `npm run migrate`: applies the migrations to DATABASE_URL. */
import { applyMigrations } from '@murmur/shared/db';

const url = process.env.DATABASE_URL;
if (!url) {
  console.error('DATABASE_URL: missing (set it to the postgres:// URL to migrate)');
  process.exit(78);
}
await applyMigrations(url);
console.log('migrations applied');
