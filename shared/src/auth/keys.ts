/**
 * Token keys, loaded once as KeyObjects (jsonwebtoken re-parses string keys on every call).
 * Tokens are signed with RS256: only auth-service holds the private key, every service can verify,
 * and RSA verification is the fastest of the asymmetric choices jsonwebtoken supports.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { ConfigError } from '../config.js';

export const JWT_ALGORITHM = 'RS256';
const RSA_MODULUS_BITS = 2048;

export function loadPublicKey(pem: string, variable = 'JWT_PUBLIC_KEY'): KeyObject {
  return loadKey(() => createPublicKey(pem), variable);
}

export function loadPrivateKey(pem: string, variable = 'JWT_PRIVATE_KEY'): KeyObject {
  return loadKey(() => createPrivateKey(pem), variable);
}

function loadKey(create: () => KeyObject, variable: string): KeyObject {
  let key: KeyObject;
  try {
    key = create();
  } catch (err) {
    throw new ConfigError(`invalid configuration:\n  ${variable}: not a PEM key (${(err as Error).message})`);
  }
  if (key.asymmetricKeyType !== 'rsa') {
    throw new ConfigError(`invalid configuration:\n  ${variable}: must be an RSA key for ${JWT_ALGORITHM}`);
  }
  return key;
}

/** A fresh key pair as PEM, for development and tests. */
export function generateKeyPairPem(): { publicKey: string; privateKey: string } {
  return generateKeyPairSync('rsa', {
    modulusLength: RSA_MODULUS_BITS,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
}
