/**
 * `npm start`: the whole platform on one machine. Uses DATABASE_URL if set, else an embedded
 * PostgreSQL kept under .data/; applies migrations; starts each service as its own process;
 * stops everything cleanly on Ctrl-C.
 */
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { applyMigrations } from '@murmur/shared/db';
import { ensureDevKeys } from './dev-keys.js';
import { createDatabaseIfMissing, databaseUrl, startEmbeddedPostgres, type LocalPostgres } from './local-postgres.js';
import { DATA_DIR, SERVICES, type ServiceName } from './repo-paths.js';
import { spawnService, stopProcess, waitUntilHealthy } from './service-process.js';

const EMBEDDED_PG_PORT = Number(process.env.EMBEDDED_PG_PORT ?? 54329);
const PORTS: Record<ServiceName, number> = {
  'auth-service': Number(process.env.AUTH_PORT ?? 8081),
  'user-service': Number(process.env.USER_PORT ?? 8082),
  'ws-service': Number(process.env.WS_PORT ?? 8083),
};

let embedded: LocalPostgres | undefined;
const children = new Map<ServiceName, ChildProcess>();
let stopping = false;

async function resolveDatabaseUrl(): Promise<string> {
  if (process.env.DATABASE_URL) return process.env.DATABASE_URL;
  console.log(`starting embedded PostgreSQL on port ${EMBEDDED_PG_PORT} (data in .data/postgres)`);
  embedded = await startEmbeddedPostgres({ dataDir: path.join(DATA_DIR, 'postgres'), port: EMBEDDED_PG_PORT, persistent: true });
  await createDatabaseIfMissing(embedded.adminUrl, 'murmur');
  return databaseUrl(embedded.adminUrl, 'murmur');
}

/** Keys from the environment when given (production); otherwise development keys under .data/. */
function keyEnv(): NodeJS.ProcessEnv {
  const has = (name: string) => Boolean(process.env[name] || process.env[`${name}_FILE`]);
  if (has('JWT_PRIVATE_KEY') && has('JWT_PUBLIC_KEY')) return {};
  const keys = ensureDevKeys(path.join(DATA_DIR, 'keys'));
  return { JWT_PRIVATE_KEY_FILE: keys.privateKeyFile, JWT_PUBLIC_KEY_FILE: keys.publicKeyFile };
}

function startService(name: ServiceName, env: NodeJS.ProcessEnv): ChildProcess {
  const child = spawnService(name, PORTS[name], env);
  child.on('exit', (code, signal) => {
    children.delete(name);
    if (!stopping) {
      console.error(`${name} exited (${signal ?? code}); stopping the platform`);
      void stopAll(1);
    }
  });
  children.set(name, child);
  return child;
}

async function stopAll(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    await Promise.all([...children.values()].map(stopProcess));
    if (embedded) await embedded.stop().catch((err: unknown) => console.error('stopping PostgreSQL failed:', err));
    console.log('murmur stopped');
  }
  process.exit(code);
}

async function main(): Promise<void> {
  process.on('SIGINT', () => void stopAll(0));
  process.on('SIGTERM', () => void stopAll(0));

  const url = await resolveDatabaseUrl();
  await applyMigrations(url);
  const env = { DATABASE_URL: url, ...keyEnv() };
  await Promise.all(SERVICES.map((name) => waitUntilHealthy(startService(name, env), PORTS[name])));

  console.log('\nmurmur is running:');
  for (const name of SERVICES) console.log(`  ${name.padEnd(13)} http://localhost:${PORTS[name]}`);
  console.log('press Ctrl-C to stop\n');
}

main().catch(async (err: unknown) => {
  console.error('murmur failed to start:', err instanceof Error ? err.message : err);
  await stopAll(1);
});
