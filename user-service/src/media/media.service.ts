/**
 * Uploading a picture: admitted to the bounded image work, received, processed, then stored so
 * that nothing is ever half-written: the row is added (not ready) before the files are stored
 * and marked ready after, and a failure between deletes the row, whose trigger queues the files
 * for the sweeper. A crash between leaves a row that is never ready, which the sweeper removes too.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Request, Response } from 'express';
import { z } from 'zod';
import type { Db } from '@murmur/shared/db';
import type { Logger } from '@murmur/shared/logger';
import { AppError, notFound, unauthorized } from '@murmur/shared/errors';
import { parseInput, withoutNul } from '@murmur/shared/http';
import { MAX_ALT_CHARACTERS, type MediaAttachment, type MediaVisibility } from '@murmur/shared/media';
import { CONTENT_TYPES, FILE_EXTENSIONS, processImage, type StoredFormat } from './image-processing.js';
import { deleteMedia, insertMedia, markReady, roomForUpload } from './media.repo.js';
import type { MediaStorage } from './storage.js';
import { receiveUpload } from './upload-reception.js';
import type { WorkSlots } from './work-slots.js';

export interface UploadLimits {
  maxBytes: number;
  maxPixels: number;
  timeoutMs: number;
  /** Longest the image work of one picture may take. */
  processTimeoutSeconds: number;
  /** Where uploads are written while they arrive. */
  tmpDir?: string;
}

export interface MediaContext {
  db: Db;
  logger: Logger;
  storage: MediaStorage;
  slots: WorkSlots;
  limits: UploadLimits;
}

/** The text fields of an upload's form. */
export const uploadFields = z.object({
  alt: z
    .string()
    .trim()
    .refine(...withoutNul)
    .refine((t) => [...t].length <= MAX_ALT_CHARACTERS, `must be at most ${MAX_ALT_CHARACTERS} characters`)
    .default('')
    .describe(`what the picture shows, read out in its place (at most ${MAX_ALT_CHARACTERS} characters)`),
  roomId: z.coerce
    .number({ error: 'must be a room id' })
    .int('must be a room id')
    .min(1, 'must be a room id')
    .max(2_147_483_647, 'must be a room id')
    .optional()
    .describe("the chat room the picture is for: in a private or direct room (the caller must be a member), it is seen by the room's members alone"),
});

/** A random file name: 128 bits, never guessable from anything else. */
const randomName = (extension: string) => `${randomBytes(16).toString('base64url')}.${extension}`;

/** Where an upload's files go: public, or private to the members of a private or direct room. */
async function destinationOf(db: Db, ownerId: number, roomId: number | undefined): Promise<{ visibility: MediaVisibility; roomId: number | null }> {
  if (roomId === undefined) return { visibility: 'public', roomId: null };
  const room = await roomForUpload(db, roomId, ownerId);
  if (!room || (room.kind !== 'public' && !room.member)) throw notFound('ROOM_NOT_FOUND', `no room with id ${roomId}`);
  return { visibility: room.kind === 'public' ? 'public' : 'private', roomId };
}

/** Receives, processes and stores the picture of `req`, uploaded by `ownerId`. */
export async function uploadPicture(context: MediaContext, ownerId: number, req: Request, res: Response): Promise<MediaAttachment> {
  const admission = context.slots.admit(String(ownerId));
  let directory: string | undefined;
  try {
    const workDir = await mkdtemp(path.join(context.limits.tmpDir ?? tmpdir(), UPLOAD_DIR_PREFIX)).catch((err: unknown) => {
      throw storageUnavailable(context, err, 'could not make a folder for an upload');
    });
    directory = workDir;
    const upload = await receiveUpload(req, res, workDir, context.limits).catch((err: unknown) => {
      // The request's faults are its answer; the temporary folder's (a full disk) are ours.
      throw err instanceof AppError ? err : storageUnavailable(context, err, 'could not write an upload to the temporary folder');
    });
    const fields = parseInput(uploadFields, Object.fromEntries(upload.fields), 'body');
    const destination = await destinationOf(context.db, ownerId, fields.roomId);
    const previewPath = path.join(workDir, 'preview.webp');
    let originalPath = '';
    const image = await admission.run(() =>
      processImage({
        input: upload.path,
        sniffed: upload.format,
        originalPath: (format) => (originalPath = path.join(workDir, `original.${FILE_EXTENSIONS[format]}`)),
        previewPath,
        maxPixels: context.limits.maxPixels,
        timeoutSeconds: context.limits.processTimeoutSeconds,
      }),
    );
    const file = randomName(FILE_EXTENSIONS[image.format]);
    const previewFile = randomName('webp');
    const id = await insertMedia(context.db, {
      ownerId,
      ...destination,
      file,
      previewFile,
      width: image.width,
      height: image.height,
      blurhash: image.blurhash,
      alt: fields.alt,
      bytes: image.originalBytes + image.previewBytes,
    });
    if (id === undefined) {
      if (fields.roomId !== undefined) throw notFound('ROOM_NOT_FOUND', `no room with id ${fields.roomId}`);
      throw unauthorized('SESSION_REVOKED', 'the account no longer exists');
    }
    try {
      await storeFile(context, destination.visibility, file, originalPath, contentTypeOfFormat(image.format));
      await storeFile(context, destination.visibility, previewFile, previewPath, CONTENT_TYPES.webp!);
      const stored = await markReady(context.db, id);
      if (!stored) throw notFound('MEDIA_NOT_FOUND', 'the upload was removed while it was stored');
      return stored;
    } catch (err) {
      // Should the database be unreachable too, the row stays not ready, and the sweeper takes it.
      await deleteMedia(context.db, id).catch(() => undefined);
      throw err;
    }
  } finally {
    admission.release();
    // A folder left behind is removed at the next start (removeStaleUploads); the answer stands.
    if (directory) await rm(directory, { recursive: true, force: true }).catch((err: unknown) => context.logger.warn({ err, directory }, 'could not remove an upload folder'));
  }
}

/** The names of the temporary folders of uploads, under MEDIA_TMP_DIR. */
export const UPLOAD_DIR_PREFIX = 'murmur-upload-';

/** Age past which an upload's temporary folder is surely no upload's in progress. */
const STALE_UPLOAD_MS = 60 * 60 * 1000;

/**
 * Removes the temporary folders that uploads of a process that died left behind (run at start;
 * a live upload takes at most MEDIA_UPLOAD_TIMEOUT_MS and its image work, far under the age).
 */
export async function removeStaleUploads(tmpDir: string | undefined): Promise<void> {
  const root = tmpDir ?? tmpdir();
  for (const name of await readdir(root).catch(() => [])) {
    if (!name.startsWith(UPLOAD_DIR_PREFIX)) continue;
    const folder = path.join(root, name);
    const info = await stat(folder).catch(() => undefined);
    if (info && Date.now() - info.mtimeMs > STALE_UPLOAD_MS) await rm(folder, { recursive: true, force: true }).catch(() => undefined);
  }
}

/** A failure of ours to keep a picture (storage, the temporary folder): logged, and a 503 to retry. */
export function storageUnavailable(context: Pick<MediaContext, 'logger'>, err: unknown, what: string): AppError {
  context.logger.error({ err }, what);
  return new AppError(503, 'MEDIA_STORAGE_UNAVAILABLE', 'pictures cannot be stored right now; try again shortly', { 'Retry-After': String(STORAGE_RETRY_AFTER_SECONDS) });
}

/** Seconds a client is told to wait when storage fails. */
const STORAGE_RETRY_AFTER_SECONDS = 30;

/** Stores one file; a store that fails is a 503 the client may retry, not a fault of the request. */
async function storeFile(context: MediaContext, area: MediaVisibility, name: string, sourcePath: string, contentType: string): Promise<void> {
  try {
    await context.storage.put(area, name, sourcePath, contentType);
  } catch (err) {
    throw storageUnavailable(context, err, `could not store the picture ${area}/${name}`);
  }
}

const contentTypeOfFormat = (format: StoredFormat) => CONTENT_TYPES[FILE_EXTENSIONS[format]]!;
