/**
 * A real three-master Redis Cluster on this machine, for the tests and benchmark scenarios that
 * run ws-service on a cluster (sharded pub/sub): three `redis-server --cluster-enabled yes` on
 * free ports in a temporary folder, joined with `redis-cli --cluster create`, stopped and removed
 * afterwards. Needs Redis 7 (SPUBLISH / SSUBSCRIBE).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '@murmur/shared/testing';
import { redisAnswers } from './redis-probe.js';

/** Masters in the cluster: the fewest Redis Cluster accepts. */
const MASTERS = 3;
/** How long the servers may take to answer, and the cluster to agree on its slots. */
const START_TIMEOUT_MS = 20_000;

export interface LocalRedisCluster {
  /** `host:port,host:port,host:port`, as REDIS_CLUSTER_NODES takes them. */
  nodes: string;
  stop(): Promise<void>;
}

/** True when this machine can run a cluster: redis-server and redis-cli are on PATH. */
export function canStartRedisCluster(): boolean {
  return ['redis-server', 'redis-cli'].every((tool) => spawnSync(tool, ['--version'], { stdio: 'ignore' }).status === 0);
}

export async function startRedisCluster(): Promise<LocalRedisCluster> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'murmur-redis-cluster-'));
  const ports: number[] = [];
  for (let i = 0; i < MASTERS; i += 1) ports.push(await freePort());
  const servers: ChildProcess[] = ports.map((port) =>
    spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--cluster-enabled', 'yes', '--cluster-config-file', `nodes-${port}.conf`, '--dir', dir, '--save', '', '--appendonly', 'no'],
      { stdio: 'ignore' },
    ),
  );
  const stop = async () => {
    await Promise.all(
      servers.map(
        (server) =>
          new Promise<void>((resolve) => {
            if (server.exitCode !== null || server.signalCode !== null) return resolve();
            server.once('exit', () => resolve());
            server.kill('SIGTERM');
          }),
      ),
    );
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const deadline = Date.now() + START_TIMEOUT_MS;
    for (const port of ports) await until(() => redisAnswers(`redis://127.0.0.1:${port}`), deadline, `redis-server on port ${port}`);
    const nodes = ports.map((port) => `127.0.0.1:${port}`);
    const created = spawnSync('redis-cli', ['--cluster', 'create', ...nodes, '--cluster-replicas', '0', '--cluster-yes'], { encoding: 'utf8' });
    if (created.status !== 0) throw new Error(`redis-cli --cluster create failed: ${created.stderr || created.stdout}`);
    for (const port of ports) await until(() => Promise.resolve(clusterIsOk(port)), deadline, `the cluster, as the node on port ${port} sees it`);
    return { nodes: nodes.join(','), stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

function clusterIsOk(port: number): boolean {
  const info = spawnSync('redis-cli', ['-p', String(port), 'cluster', 'info'], { encoding: 'utf8' });
  return info.stdout.includes('cluster_state:ok');
}

/** Asks `check` again on each turn of a short timer until it answers true, or fails at `deadline`. */
async function until(check: () => Promise<boolean>, deadline: number, what: string): Promise<void> {
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
