/** Database access shared by the services: the pool, the schema and migrations. */
export * from './db/client.js';
export * from './db/outage.js';
export * as schema from './db/schema.js';
export * from './db/migrate.js';
export * from './db/pg-listener.js';
export * from './db/transaction.js';
