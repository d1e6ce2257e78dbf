/** The one API client of the app: through the gateway's origin, authenticated by its cookie. */
import { createApiClient } from '../api/client.js';
import { ApiError } from '../api/api-error.js';
import { refusalText } from '../api/refusal-text.js';

export const api = createApiClient();

/** A message fit to show for a failed call. */
export function errorText(err: unknown): string {
  if (err instanceof ApiError) return refusalText(err.code, err.message);
  // The app's own refusals are plain Errors; a failed fetch is a TypeError with nothing to tell a reader.
  if (err instanceof Error && err.name === 'Error') return err.message;
  return 'Something went wrong. Check your connection and try again.';
}

export const isUnauthorized = (err: unknown): boolean => err instanceof ApiError && err.status === 401;

/** The server refused with this code. */
export const isRefusal = (err: unknown, code: string): boolean => err instanceof ApiError && err.code === code;

/** The answer, or undefined when there is nothing there for the caller to see (404). */
export async function unlessNotFound<T>(call: Promise<T>): Promise<T | undefined> {
  try {
    return await call;
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) return undefined;
    throw err;
  }
}
