/**
 * The rules a new password must keep (sign-up, change, reset), said before sending and checked
 * as far as a browser can: the length. Whether it is among the common passwords only the server
 * knows (its list is too large to ship), and it says so with 400 PASSWORD_TOO_WEAK.
 */
import { MAX_PASSWORD_CHARACTERS, MIN_PASSWORD_CHARACTERS } from '../api/types.js';
import { characters } from '../components/characters.js';

/** Shown under every new-password field. */
export const PASSWORD_RULES = `${MIN_PASSWORD_CHARACTERS} to ${MAX_PASSWORD_CHARACTERS} characters, and not a commonly used password.`;

/** What is wrong with `password` as a new one, or undefined when the browser sees nothing wrong. */
export function newPasswordProblem(password: string): string | undefined {
  const length = characters(password);
  if (length < MIN_PASSWORD_CHARACTERS) return `The password needs at least ${MIN_PASSWORD_CHARACTERS} characters (it has ${length}).`;
  if (length > MAX_PASSWORD_CHARACTERS) return `The password may have at most ${MAX_PASSWORD_CHARACTERS} characters (it has ${length}).`;
  return undefined;
}

/** The same, for a new password typed twice. */
export function newPasswordPairProblem(password: string, confirmation: string): string | undefined {
  return newPasswordProblem(password) ?? (password === confirmation ? undefined : 'The two new passwords are not the same.');
}

/**
 * Throws the problem of a new password (and its confirmation, when typed twice) as an Error in
 * words, for the form's submit to show; returns when the browser sees nothing wrong.
 */
export function assertNewPassword(password: string, confirmation = password): void {
  const problem = newPasswordPairProblem(password, confirmation);
  if (problem) throw new Error(problem);
}
