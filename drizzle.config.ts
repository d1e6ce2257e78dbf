import { defineConfig } from 'drizzle-kit';

// drizzle-kit reads the schema from shared and writes reviewed SQL into migrations/.
export default defineConfig({
  dialect: 'postgresql',
  schema: './shared/src/db/schema.ts',
  out: './migrations',
});
