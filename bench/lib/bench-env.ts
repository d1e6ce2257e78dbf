/**
 * A database and services for one benchmark run: a fresh database (created here, dropped at
 * the end), signing keys, services spawned as their own processes, and tokens for bulk users.
 */
import type { ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { applyMigrations } from '@murmur/shared/db';
import { generateKeyPairPem, loadPrivateKey } from '@murmur/shared/auth';
import { createTokenSigner, type TokenSigner } from '@murmur/auth-service/tokens';
import { freePort } from '@murmur/shared/testing';
import { databaseUrl, dropDatabase, startEmbeddedPostgres, withAdminClient, type LocalPostgres } from '../../scripts/local-postgres.js';
import type { ServiceName } from '../../scripts/repo-paths.js';
import { spawnService, stopProcess, waitUntilHealthy } from '../../scripts/service-process.js';

/** A user the benchmark made, as it signs tokens for them. */
export interface BenchUser {
  id: number;
  username: string;
}

export interface RunningService {
  child: ChildProcess;
  pid: number;
  url: string;
  stop(): Promise<void>;
}

export class BenchEnv {
  private readonly services: RunningService[] = [];
  /** Where services write CPU profiles, when profiling. */
  profileDir: string | undefined;

  private constructor(
    readonly databaseUrl: string,
    readonly pool: pg.Pool,
    readonly keys: { privateKey: string; publicKey: string; privateKeyFile: string; publicKeyFile: string },
    private readonly signer: TokenSigner,
    private readonly cleanup: () => Promise<void>,
  ) {}

  /** Uses BENCH_DATABASE_URL's server if set (any database on it), else an embedded PostgreSQL. */
  static async open(): Promise<BenchEnv> {
    const tempDir = mkdtempSync(path.join(os.tmpdir(), 'murmur-bench-'));
    let embedded: LocalPostgres | undefined;
    let serverUrl = process.env.BENCH_DATABASE_URL;
    if (!serverUrl) {
      chmodSync(tempDir, 0o755); // the server may run as another user, who must reach its data dir
      embedded = await startEmbeddedPostgres({ dataDir: path.join(tempDir, 'pg'), port: await freePort(), persistent: false });
      serverUrl = embedded.adminUrl;
    }
    const name = `murmur_bench_${Date.now()}_${process.pid}`;
    await withAdminClient(serverUrl, (client) => client.query(`CREATE DATABASE ${name}`));
    const url = databaseUrl(serverUrl, name);
    await applyMigrations(url);

    const pair = generateKeyPairPem();
    const privateKeyFile = path.join(tempDir, 'jwt-private.pem');
    const publicKeyFile = path.join(tempDir, 'jwt-public.pem');
    writeFileSync(privateKeyFile, pair.privateKey);
    writeFileSync(publicKeyFile, pair.publicKey);
    const signer = createTokenSigner({
      privateKey: loadPrivateKey(pair.privateKey),
      issuer: 'murmur-auth',
      audience: 'murmur',
      ttlSeconds: 3600,
    });
    const pool = new pg.Pool({ connectionString: url, max: 10 });
    pool.on('error', () => undefined);
    return new BenchEnv(url, pool, { ...pair, privateKeyFile, publicKeyFile }, signer, async () => {
      await pool.end();
      await dropDatabase(serverUrl, name);
      if (embedded) await embedded.stop();
      rmSync(tempDir, { recursive: true, force: true });
    });
  }

  /** Spawns a service on a free port against the bench database and waits until it is healthy. */
  async startService(name: ServiceName, env: Record<string, string> = {}): Promise<RunningService> {
    const port = await freePort();
    const child = spawnService(
      name,
      port,
      {
        DATABASE_URL: this.databaseUrl,
        JWT_PRIVATE_KEY_FILE: this.keys.privateKeyFile,
        JWT_PUBLIC_KEY_FILE: this.keys.publicKeyFile,
        LOG_LEVEL: 'warn',
        NODE_ENV: 'production',
        ...env,
      },
      ['ignore', 'inherit', 'inherit'],
      // `npm run bench -- --profile DIR` writes a CPU profile of every service into DIR.
      this.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${this.profileDir}`] : [],
    );
    await waitUntilHealthy(child, port);
    const service: RunningService = { child, pid: child.pid!, url: `http://127.0.0.1:${port}`, stop: () => stopProcess(child) };
    this.services.push(service);
    return service;
  }

  /**
   * Several instances of one service, e.g. ws-service joined through Redis (pass REDIS_URL in
   * `env`). Started one after another: each takes its free port before the next looks for one.
   */
  async startServices(name: ServiceName, count: number, env: Record<string, string> = {}): Promise<RunningService[]> {
    const started: RunningService[] = [];
    for (let i = 0; i < count; i += 1) started.push(await this.startService(name, env));
    return started;
  }

  /** The name of the bench database, e.g. to tell its PostgreSQL backends from others. */
  get databaseName(): string {
    return new URL(this.databaseUrl).pathname.slice(1);
  }

  /** A token for a user, with its session row, exactly as auth-service issues one. */
  async issueToken(user: BenchUser): Promise<string> {
    const [token] = await this.issueTokens([user]);
    return token!;
  }

  /** Tokens for many users, their session rows inserted in one statement; in the users' order. */
  async issueTokens(users: readonly BenchUser[]): Promise<string[]> {
    const issued = users.map((user) => this.signer.issue(user));
    await this.pool.query(
      'INSERT INTO sessions (id, user_id, expires_at) SELECT * FROM unnest($1::uuid[], $2::int[], $3::timestamptz[])',
      [issued.map((i) => i.sessionId), users.map((u) => u.id), issued.map((i) => i.expiresAt)],
    );
    return issued.map((i) => i.token);
  }

  /** Inserts `count` users named `<prefix>_<n>` in one statement; returns them in id order. */
  async bulkUsers(prefix: string, count: number): Promise<BenchUser[]> {
    const { rows } = await this.pool.query<BenchUser>(
      `INSERT INTO users (username, email, password_hash)
       SELECT $1 || '_' || i, $1 || '_' || i || '@bench.invalid', 'not-a-hash' FROM generate_series(1, $2::int) AS i
       RETURNING id, username`,
      [prefix, count],
    );
    return rows.sort((a, b) => a.id - b.id);
  }

  async close(): Promise<void> {
    await Promise.all(this.services.map((s) => s.stop()));
    await this.cleanup();
  }
}
