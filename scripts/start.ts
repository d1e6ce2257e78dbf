/**
 * `npm start`: the whole platform on one machine. Uses DATABASE_URL if set, else an embedded
 * PostgreSQL kept under .data/; applies migrations; starts each service as its own process, and
 * the gateway in front of them, the one URL a browser needs; stops everything cleanly on Ctrl-C.
 */
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { DEFAULT_ALLOWED_ORIGINS } from '@murmur/shared/config';
import { applyMigrations } from '@murmur/shared/db';
import { ensureDevKeys } from './dev-keys.js';
import { createDatabaseIfMissing, databaseUrl, startEmbeddedPostgres, type LocalPostgres } from './local-postgres.js';
import { DATA_DIR, GATEWAY, SERVICES, type ProcessName } from './repo-paths.js';
import { spawnService, stopProcess, waitUntilHealthy } from './service-process.js';

const EMBEDDED_PG_PORT = Number(process.env.EMBEDDED_PG_PORT ?? 54329);
const PORTS: Record<ProcessName, number> = {
  gateway: Number(process.env.GATEWAY_PORT ?? 8080),
  'auth-service': Number(process.env.AUTH_PORT ?? 8081),
  'user-service': Number(process.env.USER_PORT ?? 8082),
  'ws-service': Number(process.env.WS_PORT ?? 8083),
};

let embedded: LocalPostgres | undefined;
const children = new Map<ProcessName, ChildProcess>();
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

/**
 * The browser's origin is the gateway's: the services must allow it on whatever port it runs
 * (the default list has 8080). An ALLOWED_ORIGINS of the operator's own is left as it is.
 */
function originEnv(): NodeJS.ProcessEnv {
  if (process.env.ALLOWED_ORIGINS) return {};
  const gateway = ['localhost', '127.0.0.1'].map((host) => `http://${host}:${PORTS.gateway}`);
  return { ALLOWED_ORIGINS: [...new Set([...gateway, ...DEFAULT_ALLOWED_ORIGINS])].join(',') };
}

/**
 * user-service's pictures: kept under .data/ with the rest of the local state (unless
 * MEDIA_LOCAL_DIR says otherwise), and sent by user-service itself: the development gateway
 * forwards /media/ to it and cannot follow nginx's X-Accel-Redirect, so that is never set here.
 */
function mediaEnv(): NodeJS.ProcessEnv {
  return { MEDIA_LOCAL_DIR: process.env.MEDIA_LOCAL_DIR ?? path.join(DATA_DIR, 'media'), MEDIA_ACCEL_REDIRECT: undefined };
}

/** Where the gateway finds each service. */
function gatewayEnv(): NodeJS.ProcessEnv {
  const at = (name: ProcessName) => `http://127.0.0.1:${PORTS[name]}`;
  return { AUTH_SERVICE_URL: at('auth-service'), USER_SERVICE_URL: at('user-service'), WS_SERVICE_URL: at('ws-service') };
}

function startProcess(name: ProcessName, env: NodeJS.ProcessEnv): ChildProcess {
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
  // ws-service reads a reconnecting stream's missed notifications from user-service, wherever it runs.
  const env = { DATABASE_URL: url, WS_USER_SERVICE_URL: `http://127.0.0.1:${PORTS['user-service']}`, ...keyEnv(), ...originEnv() };
  await Promise.all([
    ...SERVICES.map((name) => waitUntilHealthy(startProcess(name, name === 'user-service' ? { ...env, ...mediaEnv() } : env), PORTS[name])),
    waitUntilHealthy(startProcess(GATEWAY, gatewayEnv()), PORTS.gateway),
  ]);

  console.log(`\nmurmur is running: open http://localhost:${PORTS.gateway}`);
  console.log(`  ${GATEWAY.padEnd(13)} http://localhost:${PORTS.gateway}   the web client, and the API under /api`);
  for (const name of SERVICES) console.log(`  ${name.padEnd(13)} http://localhost:${PORTS[name]}`);
  console.log('press Ctrl-C to stop\n');
}

main().catch(async (err: unknown) => {
  console.error('murmur failed to start:', err instanceof Error ? err.message : err);
  await stopAll(1);
});
