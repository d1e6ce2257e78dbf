/** Runs a service's (or the gateway's) compiled main.js as its own process, as `npm start` and the benchmark do. */
import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import path from 'node:path';
import { REPO_ROOT, type ProcessName } from './repo-paths.js';

/** How long a service may take to answer /healthz after it is spawned. */
const READY_TIMEOUT_MS = 30_000;
const READY_POLL_INTERVAL_MS = 100;

export function spawnService(
  name: ProcessName,
  port: number,
  env: NodeJS.ProcessEnv,
  stdio: StdioOptions = 'inherit',
  nodeFlags: string[] = [],
): ChildProcess {
  return spawn(process.execPath, [...nodeFlags, path.join(REPO_ROOT, name, 'dist/src/main.js')], {
    env: { ...process.env, ...env, PORT: String(port) },
    stdio,
  });
}

/** Resolves once the service answers /healthz; rejects if it exits first or takes too long. */
export async function waitUntilHealthy(child: ChildProcess, port: number): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  const url = `http://127.0.0.1:${port}/healthz`;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${url}: the service exited before it was ready`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, READY_POLL_INTERVAL_MS));
  }
  throw new Error(`${url} did not answer within ${READY_TIMEOUT_MS} ms`);
}

/** Sends SIGTERM and resolves when the process has exited. */
export function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}
