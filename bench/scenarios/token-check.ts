/**
 * Token check: the shared verifier (signature, claims, session guard) against a bare
 * `jsonwebtoken.verify` with a KeyObject, on one core, in this process.
 */
import jwt from 'jsonwebtoken';
import { createLogger } from '@murmur/shared/logger';
import { loadPublicKey } from '@murmur/shared/auth';
import { openPlatform } from '@murmur/shared/platform';
import type { BenchEnv } from '../lib/bench-env.js';
import type { ResultRow } from '../lib/report.js';

/** Measurement rounds per subject; odd, so the median is one of them. */
const ROUNDS = 5;

export async function tokenCheckScenario(env: BenchEnv, iterations: number): Promise<ResultRow[]> {
  const scenario = 'token check, one core';
  const [user] = await env.bulkUsers('token', 1);
  const token = await env.issueToken(user!);
  const publicKey = loadPublicKey(env.keys.publicKey);
  const platform = await openPlatform(
    { DATABASE_URL: env.databaseUrl, JWT_ISSUER: 'murmur-auth', JWT_AUDIENCE: 'murmur' },
    publicKey,
    createLogger('bench', 'silent'),
  );
  const options: jwt.VerifyOptions = { algorithms: ['RS256'], issuer: 'murmur-auth', audience: 'murmur' };

  const time = async (verify: () => unknown) => {
    const started = performance.now();
    for (let i = 0; i < iterations; i += 1) await verify();
    return (iterations / (performance.now() - started)) * 1000;
  };
  const verifyMurmur = () => platform.verification.verifyToken(token);
  const verifyBaseline = () => jwt.verify(token, publicKey, options);
  for (let i = 0; i < 1_000; i += 1) {
    await verifyMurmur(); // warm-up: JIT and the session cache
    verifyBaseline();
  }
  // Alternating rounds, median of each: a GC pause or a noisy neighbour hits both alike.
  const murmurRounds: number[] = [];
  const baselineRounds: number[] = [];
  for (let round = 0; round < ROUNDS; round += 1) {
    murmurRounds.push(await time(verifyMurmur));
    baselineRounds.push(await time(verifyBaseline));
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const murmur = median(murmurRounds);
  const baseline = median(baselineRounds);
  await platform.close();

  return [
    {
      scenario,
      subject: 'murmur verifyToken',
      throughputPerSecond: murmur,
      unit: 'verifications/s',
      ratio: murmur / baseline,
      ratioOf: 'vs jsonwebtoken',
      goal: '≥ 20,000 verifications/s',
      goalMet: murmur >= 20_000,
    },
    { scenario, subject: 'baseline: jsonwebtoken.verify, KeyObject', throughputPerSecond: baseline, unit: 'verifications/s' },
  ];
}
