/** Development signing keys for `npm start`, generated once and kept under .data/keys. */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { generateKeyPairPem } from '@murmur/shared/auth';

export function ensureDevKeys(dir: string): { privateKeyFile: string; publicKeyFile: string } {
  const privateKeyFile = path.join(dir, 'jwt-private.pem');
  const publicKeyFile = path.join(dir, 'jwt-public.pem');
  if (!existsSync(privateKeyFile) || !existsSync(publicKeyFile)) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const pair = generateKeyPairPem();
    writeFileSync(privateKeyFile, pair.privateKey, { mode: 0o600 });
    writeFileSync(publicKeyFile, pair.publicKey);
    console.log(`generated development signing keys in ${dir}`);
  }
  return { privateKeyFile, publicKeyFile };
}
