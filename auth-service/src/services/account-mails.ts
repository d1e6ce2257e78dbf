/**
 * The mails of the account's lifecycle, in plain text: the two that carry a link, and the
 * notices that tell the owner a credential of theirs changed, or that one of their codes was
 * presented twice (OWASP ASVS 2.2.3, 2.5.5 and 2.8.5), so that a change they did not make does
 * not go unnoticed.
 */
import type { OutgoingMail } from '../mail/outbox.js';

/** "30 minutes", "1 hour": a link's lifetime as the mail states it. */
const lifetime = (count: number, unit: 'minute' | 'hour') => `${count} ${unit}${count === 1 ? '' : 's'}`;

const mail = (to: string, subject: string, paragraphs: string[][]): OutgoingMail => ({
  to,
  subject,
  text: paragraphs.map((lines) => lines.join('\n')).join('\n\n'),
});

export function passwordResetMail(to: string, link: string, ttlMinutes: number): OutgoingMail {
  return mail(to, 'Reset your murmur password', [
    ['Someone, hopefully you, asked to reset the password of the murmur account with this address.'],
    [`To choose a new password, open this link within ${lifetime(ttlMinutes, 'minute')}:`],
    [link],
    ['The link works once. Setting a new password logs the account out everywhere.'],
    ['If you did not ask, you can ignore this mail: your password stays as it is.'],
  ]);
}

export function emailVerificationMail(to: string, link: string, ttlHours: number): OutgoingMail {
  return mail(to, 'Confirm your email address for murmur', [
    [`To confirm that this is the address of your murmur account, open this link within ${lifetime(ttlHours, 'hour')}:`],
    [link],
    ['If you did not make a murmur account, you can ignore this mail.'],
  ]);
}

/**
 * What a notice of a new password says last. Whoever made the change had the old password or the
 * mailbox: a reset through the mailbox is the way back, and then the site's people can help.
 */
const IF_PASSWORD_CHANGE_NOT_YOU = [
  'If this was not you, someone else can use your account: reset your password now ("Forgot',
  'password?" on the login page), and ask the people who run this murmur site for help.',
];

export function passwordChangedMail(to: string): OutgoingMail {
  return mail(to, 'Your murmur password was changed', [
    ['The password of the murmur account with this address was just changed. Every other session of', 'the account was logged out.'],
    IF_PASSWORD_CHANGE_NOT_YOU,
  ]);
}

export function passwordResetDoneMail(to: string): OutgoingMail {
  return mail(to, 'Your murmur password was reset', [
    ['The password of the murmur account with this address was just set anew with a reset link mailed', 'here. Every session of the account was logged out.'],
    IF_PASSWORD_CHANGE_NOT_YOU,
  ]);
}

export function totpEnabledMail(to: string): OutgoingMail {
  return mail(to, 'Two-factor login is on for your murmur account', [
    [
      'Two-factor login was just turned on for the murmur account with this address: logging in now',
      'takes a code from the authenticator app (or one of the recovery codes) besides the password.',
      'Every other session of the account was logged out.',
    ],
    ['If this was not you, someone else can use your account: ask the people who run this murmur', 'site for help at once.'],
  ]);
}

export function totpDisabledMail(to: string): OutgoingMail {
  return mail(to, 'Two-factor login is off for your murmur account', [
    ['Two-factor login was just turned off for the murmur account with this address: logging in', 'takes only the password now. Its recovery codes no longer work.'],
    ['If this was not you, someone knows your password: change it now, and turn two-factor login', 'on again.'],
  ]);
}

export function totpCodeReusedMail(to: string): OutgoingMail {
  return mail(to, 'A code of your murmur account was used twice', [
    [
      'Someone logged in to the murmur account with this address using its password and a code from',
      'the authenticator app that had already been used (or an older one). The login was refused.',
    ],
    ['If this was not you (say, by logging in twice at once), someone knows your password and saw one', 'of your codes: change your password now.'],
  ]);
}
