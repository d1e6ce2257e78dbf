import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import pg from 'pg';
import { applyMigrations } from '../src/db/migrate.js';
import { testDatabaseUrl, testKeyPair } from '../src/testing.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** Runs a service's compiled main.js with `env` and collects how it ended. */
function runService(service: string, env: NodeJS.ProcessEnv): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(repoRoot, service, 'dist/src/main.js')], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('exit', (code) => resolve({ code, stderr }));
  });
}

describe('boot', () => {
  const baseEnv = { PATH: process.env.PATH, DATABASE_URL: testDatabaseUrl(), LOG_LEVEL: 'silent', PORT: '0' };

  it('auth-service refuses to start without its private key and names the variable', async () => {
    const result = await runService('auth-service', baseEnv);
    assert.equal(result.code, 78);
    assert.match(result.stderr, /JWT_PRIVATE_KEY/);
  });

  for (const service of ['user-service', 'ws-service']) {
    it(`${service} refuses to start without the public key and names the variable`, async () => {
      const result = await runService(service, baseEnv);
      assert.equal(result.code, 78);
      assert.match(result.stderr, /JWT_PUBLIC_KEY/);
    });
  }

  it('a service refuses a malformed DATABASE_URL and names it', async () => {
    const result = await runService('user-service', { ...baseEnv, DATABASE_URL: 'nonsense', JWT_PUBLIC_KEY: testKeyPair().publicKey });
    assert.equal(result.code, 78);
    assert.match(result.stderr, /DATABASE_URL/);
  });

  it('a service stops cleanly with exit 0 on SIGTERM', async () => {
    const child = spawn(process.execPath, [path.join(repoRoot, 'user-service/dist/src/main.js')], {
      env: { ...baseEnv, JWT_PUBLIC_KEY: testKeyPair().publicKey, LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise<void>((resolve) => {
      child.stdout.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes('listening')) resolve();
      });
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
  });
});

describe('migrations', () => {
  it('apply to an empty database and create the tables', async () => {
    const admin = new pg.Client({ connectionString: testDatabaseUrl() });
    await admin.connect();
    const name = `murmur_migrate_${process.pid}_${Date.now()}`;
    await admin.query(`CREATE DATABASE ${name}`);
    try {
      const url = new URL(testDatabaseUrl());
      url.pathname = `/${name}`;
      await applyMigrations(url.toString());
      await applyMigrations(url.toString()); // a second run is a no-op
      const client = new pg.Client({ connectionString: url.toString() });
      await client.connect();
      const { rows } = await client.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1`);
      await client.end();
      const tables = rows.map((r: { table_name: string }) => r.table_name);
      assert.ok(tables.includes('users') && tables.includes('sessions'), `tables: ${tables.join(', ')}`);
    } finally {
      await admin.query(`DROP DATABASE ${name} WITH (FORCE)`);
      await admin.end();
    }
  });
});
