/** What to tell someone whose picture was refused, by the server's code. */
import { ApiError } from '../api/api-error.js';
import { errorText } from '../app/api.js';

const UPLOAD_REFUSALS: Record<string, string> = {
  UNSUPPORTED_MEDIA_TYPE: 'That file is not a picture murmur takes (JPEG, PNG, WebP, GIF or AVIF).',
  MEDIA_TOO_LARGE: 'That picture is too large. Try a smaller one.',
  MEDIA_UNREADABLE: 'That picture could not be read. The file may be damaged.',
  TOO_MANY_UPLOADS: 'You have uploaded a lot of pictures lately. Try again later.',
  MEDIA_BUSY: 'murmur is busy with other pictures right now. Try again in a moment.',
  UPLOAD_TIMEOUT: 'The upload took too long. Check your connection and try again.',
};

export function uploadErrorText(err: unknown): string {
  if (err instanceof ApiError && err.code in UPLOAD_REFUSALS) return UPLOAD_REFUSALS[err.code]!;
  return errorText(err);
}

/** What the file picker may hand over that is plainly no picture (a PDF picked under "All files"). */
export const NOT_A_PICTURE = UPLOAD_REFUSALS.UNSUPPORTED_MEDIA_TYPE!;
