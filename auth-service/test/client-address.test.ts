import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { addressLimitKey } from '@murmur/shared/http';
import { api, uniqueName } from '@murmur/shared/testing';
import { startAuthService, type AuthUnderTest } from '../src/testing.js';

describe('per-address limits and IPv6', () => {
  it('count an IPv6 address by its /64, and any other address as it is', () => {
    const cases: Array<[string, string]> = [
      ['2001:db8:1:2:3:4:5:6', '2001:db8:1:2::/64'],
      ['2001:DB8:1:2::abcd', '2001:db8:1:2::/64'],
      ['2001:0db8:0001:0002:ffff:ffff:ffff:ffff', '2001:db8:1:2::/64'],
      ['2001:db8::1', '2001:db8:0:0::/64'],
      ['::1', '0:0:0:0::/64'],
      ['fe80::1%eth0', 'fe80:0:0:0::/64'],
      ['64:ff9b:1:2::192.0.2.1', '64:ff9b:1:2::/64'],
      // IPv4, and IPv4 as a dual-stack socket reports it: one address each, as before.
      ['192.0.2.1', '192.0.2.1'],
      ['::ffff:192.0.2.1', '::ffff:192.0.2.1'],
      ['::ffff:c000:201', '::ffff:c000:201'],
      ['unknown', 'unknown'],
    ];
    for (const [address, key] of cases) assert.equal(addressLimitKey(address), key, address);
  });

  describe('through auth-service behind a proxy', () => {
    let auth: AuthUnderTest;
    before(async () => {
      auth = await startAuthService({ TRUST_PROXY_HOPS: '1', LOGIN_MAX_FAILURES_PER_ADDRESS: '2' });
    });
    after(() => auth.close());

    /** A failed login from `address`, each at an account of its own, so that only the address's limit is reached. */
    const guessFrom = (address: string) =>
      api(auth.url, 'POST', '/login', {
        body: { email: `${uniqueName('nobody')}@example.com`, password: 'a guessed password' },
        headers: { 'x-forwarded-for': address },
      });

    it('counts the addresses of one /64 together, and another /64 apart', async () => {
      assert.equal((await guessFrom('2001:db8:a:b::1')).status, 401);
      assert.equal((await guessFrom('2001:db8:a:b:ffff::2')).status, 401);
      assert.equal((await guessFrom('2001:db8:a:b::3')).status, 429, 'a third address of the same /64');
      assert.equal((await guessFrom('2001:db8:a:c::1')).status, 401, 'the next /64');
    });

    it('counts IPv4 addresses one by one', async () => {
      for (let i = 0; i < 2; i += 1) assert.equal((await guessFrom('192.0.2.1')).status, 401);
      assert.equal((await guessFrom('192.0.2.1')).status, 429);
      assert.equal((await guessFrom('192.0.2.2')).status, 401);
    });
  });
});
