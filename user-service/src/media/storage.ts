/**
 * Where the files of pictures are kept: a folder (`local`) or any S3-compatible store (`s3`),
 * chosen by MEDIA_STORAGE. Files live in two areas, `public` (anyone with the URL) and `private`
 * (served after a check), and are named at random by the caller; a stored file never changes.
 */
import type { Readable } from 'node:stream';
import type { MediaVisibility } from '@murmur/shared/media';

export interface StoredFile {
  body: Readable;
  /** Bytes, when the store tells. */
  size?: number;
}

export interface MediaStorage {
  /** Stores the file at `sourcePath` as `name` in `area`; it is readable only once this resolves. */
  put(area: MediaVisibility, name: string, sourcePath: string, contentType: string): Promise<void>;
  /** The file, or undefined when there is none. */
  open(area: MediaVisibility, name: string): Promise<StoredFile | undefined>;
  /** Removes the file; resolves false when there was none here (no error: it may be another store's). */
  remove(area: MediaVisibility, name: string): Promise<boolean>;
}
