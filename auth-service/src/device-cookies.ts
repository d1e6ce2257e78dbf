/**
 * Device cookies (OWASP, "Slow Down Online Guessing Attacks with Device Cookies"): a successful
 * login leaves in the browser a signed cookie naming the account and a random device id. A later
 * login to that account presenting it is counted against that device alone, so failures others
 * cause (which lock the account for unknown devices) never lock its owner out.
 *
 * The value is `<userId>.<credentialsVersion>.<deviceId>.<expiresAt>.<mac>`: the HMAC-SHA-256 of
 * the first four parts, under a key derived from the JWT signing key (HKDF), so there is no other
 * secret to configure. Rotating the signing key makes every device unknown again, which is safe.
 * The expiry is signed too, so a cookie kept past its lifetime is refused whatever the browser
 * does. So is the account's credentials version at the login that set it: a cookie is worth
 * something only while the password and second factor it was earned with are in force, so a
 * change or a reset voids every device cookie, however many someone who knew the old password
 * collected (each would have had a failure allowance of its own).
 */
import { createHmac, hkdfSync, randomBytes, timingSafeEqual, type KeyObject } from 'node:crypto';

/** Separates this key from anything else ever derived from the signing key. */
const KEY_PURPOSE = 'murmur device cookie v1';
const DEVICE_ID_BYTES = 16;
const SECONDS_PER_DAY = 24 * 3600;

/** The device a valid cookie names. */
export interface KnownDevice {
  userId: number;
  /** The account's credentials version when the cookie was set; it counts only while still the current one. */
  credentialsVersion: number;
  deviceId: string;
}

export interface DeviceCookies {
  /** See deviceCookieName. */
  readonly name: string;
  /** How long a new cookie is honoured; also its Max-Age. */
  readonly ttlMs: number;
  /** A cookie value naming a new device of `userId`, valid while its credentials version is `credentialsVersion`. */
  issue(userId: number, credentialsVersion: number): string;
  /** The device `value` names; undefined when it is missing, malformed, forged, altered or expired. */
  read(value: string | undefined): KnownDevice | undefined;
}

export interface DeviceCookiesOptions {
  /** The JWT signing key, which the MAC key is derived from. */
  privateKey: KeyObject;
  ttlDays: number;
  /** COOKIE_SECURE. */
  secure: boolean;
  now?: () => number;
}

/** `murmur_device`, or `__Host-murmur_device` behind HTTPS: no sibling subdomain can set that one. */
export function deviceCookieName(secure: boolean): string {
  return secure ? '__Host-murmur_device' : 'murmur_device';
}

const VALUE_PATTERN = /^([1-9]\d{0,15})\.(\d{1,10})\.([\w-]{22})\.(\d{1,12})\.([\w-]{43})$/;

export function createDeviceCookies(options: DeviceCookiesOptions): DeviceCookies {
  const now = options.now ?? Date.now;
  const keyMaterial = options.privateKey.export({ format: 'der', type: 'pkcs8' });
  const macKey = Buffer.from(hkdfSync('sha256', keyMaterial, Buffer.alloc(0), KEY_PURPOSE, 32));
  const mac = (payload: string) => createHmac('sha256', macKey).update(payload).digest();
  const ttlMs = options.ttlDays * SECONDS_PER_DAY * 1000;

  return {
    name: deviceCookieName(options.secure),
    ttlMs,
    issue(userId, credentialsVersion) {
      const deviceId = randomBytes(DEVICE_ID_BYTES).toString('base64url');
      const expiresAt = Math.floor((now() + ttlMs) / 1000);
      const payload = `${userId}.${credentialsVersion}.${deviceId}.${expiresAt}`;
      return `${payload}.${mac(payload).toString('base64url')}`;
    },
    read(value) {
      const parts = value === undefined ? null : VALUE_PATTERN.exec(value);
      if (!parts) return undefined;
      const [, userId, credentialsVersion, deviceId, expiresAt, signature] = parts as unknown as [string, string, string, string, string, string];
      const valid = timingSafeEqual(mac(`${userId}.${credentialsVersion}.${deviceId}.${expiresAt}`), Buffer.from(signature, 'base64url'));
      if (!valid || Number(expiresAt) * 1000 <= now()) return undefined;
      return { userId: Number(userId), credentialsVersion: Number(credentialsVersion), deviceId };
    },
  };
}
