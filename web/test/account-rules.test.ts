/**
 * The client's own rules for the account's security: a session's device in plain words, what a
 * new password must be before it is sent, the second factor as typed, and what the pages say
 * (failed attempts, recovery codes), and the token read from a mailed link.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { failedAttemptsNotice, recoveryCodesFile, recoveryCodesLeftText } from '../src/account/account-words.js';
import { linkToken } from '../src/account/link-token.js';
import { assertNewPassword, newPasswordPairProblem, newPasswordProblem } from '../src/account/password-rules.js';
import { qrPath } from '../src/account/qr-path.js';
import { secondFactor, totpCode } from '../src/account/second-factor.js';
import { describeUserAgent } from '../src/account/user-agent.js';

describe('a session’s device in plain words', () => {
  const cases: Array<[string, string]> = [
    ['Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0', 'Firefox on Windows'],
    ['Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36', 'Chrome on Windows'],
    [
      'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36 Edg/126.0.2592.87',
      'Edge on Windows',
    ],
    ['Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15', 'Safari on macOS'],
    [
      'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1',
      'Safari on iPhone',
    ],
    [
      'Mozilla/5.0 (iPad; CPU OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/126.0.6478.54 Mobile/15E148 Safari/604.1',
      'Chrome on iPad',
    ],
    ['Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.6478.122 Mobile Safari/537.36', 'Chrome on Android'],
    [
      'Mozilla/5.0 (Linux; Android 14; SM-S921B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/25.0 Chrome/121.0.0.0 Mobile Safari/537.36',
      'Samsung Internet on Android',
    ],
    ['Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36', 'Chrome on ChromeOS'],
    ['Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/140.0.0.0 Safari/537.36', 'Chrome on Linux'],
    [
      'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36 OPR/111.0.0.0',
      'Opera on Linux',
    ],
  ];
  for (const [userAgent, words] of cases) {
    it(`reads ${words}`, () => assert.equal(describeUserAgent(userAgent), words));
  }

  it('names a program by its own name, and says when it cannot tell', () => {
    assert.equal(describeUserAgent('curl/8.5.0'), 'curl');
    assert.equal(describeUserAgent('node'), 'Unknown device');
    assert.equal(describeUserAgent('Mozilla/5.0 (compatible)'), 'Unknown device');
    assert.equal(describeUserAgent(''), 'Unknown device');
    assert.equal(describeUserAgent(null), 'Unknown device');
  });

  it('says the system alone when the browser is not one it knows', () => {
    assert.equal(describeUserAgent('Mozilla/5.0 (X11; Linux x86_64) SomeBrowser/1.0'), 'Linux');
  });
});

describe('a new password, before it is sent', () => {
  it('takes 12 to 128 characters and says how many it has otherwise', () => {
    assert.match(newPasswordProblem('x'.repeat(11)) ?? '', /at least 12 characters \(it has 11\)/);
    assert.equal(newPasswordProblem('x'.repeat(12)), undefined);
    assert.equal(newPasswordProblem('x'.repeat(128)), undefined);
    assert.match(newPasswordProblem('x'.repeat(129)) ?? '', /at most 128 characters \(it has 129\)/);
  });

  it('counts characters as the server does: an emoji is one', () => {
    assert.match(newPasswordProblem('🔑'.repeat(11)) ?? '', /it has 11/);
    assert.equal(newPasswordProblem('🔑'.repeat(12)), undefined);
  });

  it('wants the same password typed twice, the rules first', () => {
    assert.equal(newPasswordPairProblem('a long passphrase', 'a long passphrase'), undefined);
    assert.equal(newPasswordPairProblem('a long passphrase', 'a long passphrasE'), 'The two new passwords are not the same.');
    assert.match(newPasswordPairProblem('short', 'other') ?? '', /at least 12/);
  });

  it('stops a form’s submit with the problem in words', () => {
    assert.doesNotThrow(() => assertNewPassword('a long passphrase'));
    assert.doesNotThrow(() => assertNewPassword('a long passphrase', 'a long passphrase'));
    assert.throws(() => assertNewPassword('a long passphrase', 'another one'), { message: 'The two new passwords are not the same.' });
    assert.throws(() => assertNewPassword('short'), /at least 12 characters/);
  });
});

describe('the second factor as typed', () => {
  it('takes the 6 digits with the spaces or dashes apps show them with', () => {
    assert.equal(totpCode('123456'), '123456');
    assert.equal(totpCode(' 123 456 '), '123456');
    assert.equal(totpCode('123-456'), '123456');
    assert.equal(totpCode('12345'), undefined);
    assert.equal(totpCode('1234567'), undefined);
    assert.equal(totpCode('12345a'), undefined);
  });

  it('sends a code or a recovery code, and refuses to send nothing', () => {
    assert.deepEqual(secondFactor('totp', '123 456'), { totp: '123456' });
    assert.deepEqual(secondFactor('recoveryCode', '  abcd-efgh \n'), { recoveryCode: 'abcd-efgh' });
    assert.throws(() => secondFactor('totp', '12'), /6 digits/);
    assert.throws(() => secondFactor('recoveryCode', '   '), /recovery codes/);
  });
});

describe('what the account’s pages say', () => {
  it('tells of failed login attempts, and says nothing without any', () => {
    assert.equal(failedAttemptsNotice(0), undefined);
    assert.match(failedAttemptsNotice(1) ?? '', /^1 failed login attempt since your last login\./);
    assert.match(failedAttemptsNotice(1234) ?? '', /^1,234 failed login attempts since your last login\./);
  });

  it('counts the recovery codes left, and says what to do when they run low', () => {
    assert.equal(recoveryCodesLeftText(10), 'You have 10 recovery codes left.');
    assert.match(recoveryCodesLeftText(3), /^You have 3 recovery codes left\. Running low/);
    assert.match(recoveryCodesLeftText(1), /^You have 1 recovery code left\. Running low/);
    assert.match(recoveryCodesLeftText(0), /no recovery codes left/);
  });

  it('saves the recovery codes one a line, saying whose they are', () => {
    const file = recoveryCodesFile('alice', ['aaaa-bbbb', 'cccc-dddd'], new Date('2026-03-04T10:00:00Z'));
    const lines = file.split('\n');
    assert.equal(lines[0], 'murmur recovery codes for alice');
    assert.match(lines[1] ?? '', /^Made 2026-03-04\./);
    assert.deepEqual(lines.slice(3, 5), ['aaaa-bbbb', 'cccc-dddd']);
  });
});

describe('a mailed link’s token', () => {
  it('is read from the query, and absent when the link has none', () => {
    assert.equal(linkToken('?token=abc_DEF-123'), 'abc_DEF-123');
    assert.equal(linkToken('?other=1&token=x%2By'), 'x+y');
    assert.equal(linkToken('?token='), undefined);
    assert.equal(linkToken(''), undefined);
  });
});

describe('the QR code’s drawing', () => {
  it('draws one unit square for each dark module, where it is', () => {
    assert.equal(
      qrPath([
        [true, false],
        [false, true],
      ]),
      'M0 0h1v1h-1zM1 1h1v1h-1z',
    );
    assert.equal(qrPath([[false]]), '');
  });
});
