/** What the account's pages say about events the person should know of, in one place to test. */

/** Said after a login that follows failed attempts, so the owner learns of someone guessing. */
export function failedAttemptsNotice(failedLoginAttempts: number): string | undefined {
  if (failedLoginAttempts <= 0) return undefined;
  const attempts = failedLoginAttempts === 1 ? '1 failed login attempt' : `${failedLoginAttempts.toLocaleString('en')} failed login attempts`;
  return `${attempts} since your last login. If that was not you, change your password.`;
}

/** The file `Download codes` saves: the codes and what they are, for someone who finds it later. */
export function recoveryCodesFile(username: string, codes: readonly string[], made: Date): string {
  return [
    `murmur recovery codes for ${username}`,
    `Made ${made.toISOString().slice(0, 10)}. Each code logs in once instead of an authenticator code.`,
    '',
    ...codes,
    '',
  ].join('\n');
}

/** How many recovery codes are left, with what to do when they run low. */
export function recoveryCodesLeftText(left: number): string {
  if (left === 0) {
    return 'You have no recovery codes left: if you lose your authenticator app, you cannot log in. Turn two-factor authentication off and on again to get new codes.';
  }
  const count = left === 1 ? '1 recovery code' : `${left} recovery codes`;
  const low = left <= LOW_RECOVERY_CODES ? ' Running low: turn two-factor authentication off and on again to get new codes.' : '';
  return `You have ${count} left.${low}`;
}

/** At this many codes left or fewer, the page suggests getting new ones. */
const LOW_RECOVERY_CODES = 3;
