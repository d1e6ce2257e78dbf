/** The one API client of the app: through the gateway's origin, authenticated by its cookie. */
import { createApiClient } from '../api/client.js';
import { ApiError } from '../api/api-error.js';

export const api = createApiClient();

/** A message fit to show for a failed call. */
export function errorText(err: unknown): string {
  if (err instanceof ApiError) return err.message;
  // The app's own refusals are plain Errors; a failed fetch is a TypeError with nothing to tell a reader.
  if (err instanceof Error && err.name === 'Error') return err.message;
  return 'Something went wrong. Check your connection and try again.';
}

export const isUnauthorized = (err: unknown): boolean => err instanceof ApiError && err.status === 401;
