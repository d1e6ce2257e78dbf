/**
 * Test support: the three services as `npm start` runs them (each its built main.js in its own
 * process) on free ports of 127.0.0.1, against the test database, so the gateways in front of
 * them are tested against the real thing.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { eventually, freePort, testEnv, uniqueName } from '@murmur/shared/testing';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
/** Booting a service (a database pool, migrations checked, keys read) takes a second or two on a busy machine. */
const BOOT_TIMEOUT_MS = 30_000;

export const SERVICE_NAMES = ['auth-service', 'user-service', 'ws-service'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];
export type ServicePorts = Record<ServiceName, number>;

export async function freeServicePorts(): Promise<ServicePorts> {
  return { 'auth-service': await freePort(), 'user-service': await freePort(), 'ws-service': await freePort() };
}

export const serviceUrl = (port: number) => `http://127.0.0.1:${port}`;

export interface Platform {
  /** Each service's own address, for what the tests ask of it directly. */
  urls: Record<ServiceName, string>;
  /** Stops one service, as an outage would. */
  stop(name: ServiceName): Promise<void>;
  close(): Promise<void>;
}

function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

function stopChild(child: ChildProcess): Promise<void> {
  if (exited(child)) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/**
 * Starts the services on `ports`; `allowedOrigin` is the gateway's, the one origin the browser
 * uses; `extraEnv` is added to every service's environment (user-service's pictures' folder,
 * say). bcrypt cost 4 and a high registration limit keep the tests fast, as in the services' own.
 */
export async function startPlatform(ports: ServicePorts, allowedOrigin: string, extraEnv: Record<string, string> = {}): Promise<Platform> {
  const env = testEnv({
    BCRYPT_COST: '4',
    REGISTER_MAX_PER_ADDRESS: '100000',
    LOGIN_MAX_SUCCESSES_PER_ADDRESS: '100000',
    RATE_LIMIT_KEY_PREFIX: uniqueName('limits'),
    ALLOWED_ORIGINS: allowedOrigin,
    ...extraEnv,
  });
  const children = new Map<ServiceName, ChildProcess>();
  // A test process that dies must not leave services behind.
  const killAll = () => children.forEach((child) => child.kill('SIGKILL'));
  process.once('exit', killAll);
  const platform: Platform = {
    urls: { 'auth-service': serviceUrl(ports['auth-service']), 'user-service': serviceUrl(ports['user-service']), 'ws-service': serviceUrl(ports['ws-service']) },
    async stop(name) {
      const child = children.get(name);
      if (child) await stopChild(child);
    },
    async close() {
      await Promise.all([...children.values()].map(stopChild));
      process.off('exit', killAll);
    },
  };
  for (const name of SERVICE_NAMES) {
    const child = spawn(process.execPath, [path.join(REPO_ROOT, name, 'dist/src/main.js')], {
      env: { ...process.env, ...env, PORT: String(ports[name]) },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    children.set(name, child);
  }
  try {
    await Promise.all(
      SERVICE_NAMES.map((name) =>
        eventually(async () => {
          if (exited(children.get(name)!)) throw new Error(`${name} exited before it was ready`);
          const res = await fetch(`${serviceUrl(ports[name])}/healthz`);
          if (!res.ok) throw new Error(`${name} answered /healthz with ${res.status}`);
        }, BOOT_TIMEOUT_MS),
      ),
    );
  } catch (err) {
    await platform.close();
    throw err;
  }
  return platform;
}
