/** Uploading pictures, and serving their files (public ones to anyone, private ones to their room). */
import { pipeline } from 'node:stream/promises';
import type { Request, Response } from 'express';
import { z } from 'zod';
import { notFound } from '@murmur/shared/errors';
import { currentUser, type ApiRoutes } from '@murmur/shared/http';
import { isMediaFileName, mediaAttachmentSchema, type MediaVisibility } from '@murmur/shared/media';
import type { SharedLimit } from '@murmur/shared/rate-limits';
import { contentTypeOf, mediaHeaders } from './media-headers.js';
import { maySeePrivateFile } from './media.repo.js';
import { storageUnavailable, uploadFields, uploadPicture, type MediaContext } from './media.service.js';

export interface MediaRoutesOptions {
  context: MediaContext;
  /** Uploads per account per hour. */
  uploadLimit: SharedLimit;
  /** Set behind nginx (MEDIA_ACCEL_REDIRECT): files are sent by nginx from this internal location. */
  accelRedirect?: string;
}

const fileParams = z.object({ file: z.string().max(100).describe('the file name, as the picture’s url ends') });

const fileNotFound = () => notFound('MEDIA_NOT_FOUND', 'no such picture');

const fileResponse = {
  description: 'the file, with its type, `nosniff`, a sandboxing Content-Security-Policy and its cache lifetime',
  body: z.string().describe('the picture’s bytes'),
  contentType: 'image/*',
};

export function declareMediaRoutes(api: ApiRoutes, options: MediaRoutesOptions): void {
  const { context } = options;

  api.add(
    {
      method: 'post',
      path: '/media',
      tag: 'media',
      summary: 'Upload a picture',
      description:
        'JPEG, PNG, WebP, GIF (its first frame) or AVIF, recognised by its content. It is stored re-encoded, turned upright, without any metadata (EXIF, GPS, XMP), with a preview at most 640 pixels on its longest side. It stays unattached until a post, a message or the profile takes it (`mediaIds`, `avatarMediaId`), and is removed if none does within MEDIA_UNATTACHED_TTL_HOURS.',
      auth: 'required',
      form: uploadFields.extend({ file: z.string().describe('the picture (binary)').meta({ format: 'binary' }) }),
      response: { status: 201, description: 'the stored picture', body: mediaAttachmentSchema },
      errors: {
        404: ['ROOM_NOT_FOUND'],
        408: ['UPLOAD_TIMEOUT'],
        413: ['MEDIA_TOO_LARGE'],
        415: ['UNSUPPORTED_MEDIA_TYPE'],
        422: ['MEDIA_TOO_LARGE', 'MEDIA_UNREADABLE'],
        429: ['TOO_MANY_UPLOADS'],
        503: ['MEDIA_BUSY', 'MEDIA_STORAGE_UNAVAILABLE'],
      },
    },
    (_input, req, res) => {
      const { id } = currentUser(req);
      return options.uploadLimit.charge(String(id), () => uploadPicture(context, id, req, res));
    },
  );

  const serve = (area: MediaVisibility) => async (file: string, req: Request, res: Response) => {
    const contentType = contentTypeOf(file);
    if (!contentType || !isMediaFileName(file)) throw fileNotFound();
    if (options.accelRedirect) {
      res.set(mediaHeaders(area, contentType)).set('X-Accel-Redirect', `${options.accelRedirect}${area}/${file}`).end();
      return;
    }
    const stored = await context.storage.open(area, file).catch((err: unknown) => {
      throw storageUnavailable(context, err, `could not read the picture ${area}/${file}`);
    });
    if (!stored) throw fileNotFound();
    res.set(mediaHeaders(area, contentType));
    if (stored.size !== undefined) res.set('Content-Length', String(stored.size));
    if (req.method === 'HEAD') {
      stored.body.destroy();
      res.end();
      return;
    }
    // A client that goes away mid-file ends the pipeline; there is nobody left to answer.
    await pipeline(stored.body, res).catch(() => undefined);
  };
  const servePublic = serve('public');
  const servePrivate = serve('private');

  api.add(
    {
      method: 'get',
      path: '/media/private/:file',
      tag: 'media',
      summary: 'A picture of a private or direct room',
      description: 'Served to the members of its room and its uploader (and to moderators once its message is reported) alone, with `Cache-Control: private`; to anyone else it does not exist.',
      auth: 'optional',
      params: fileParams,
      response: fileResponse,
      errors: { 404: ['MEDIA_NOT_FOUND'], 503: ['MEDIA_STORAGE_UNAVAILABLE'] },
    },
    async ({ params }, req, res) => {
      if (!isMediaFileName(params.file) || !(await maySeePrivateFile(context.db, params.file, req.user?.id))) throw fileNotFound();
      await servePrivate(params.file, req, res);
    },
  );

  api.add(
    {
      method: 'get',
      path: '/media/:file',
      tag: 'media',
      summary: 'A picture',
      description: 'Its name is random and it never changes: cached for a year. nginx serves these straight from storage.',
      auth: 'none',
      params: fileParams,
      response: fileResponse,
      errors: { 404: ['MEDIA_NOT_FOUND'], 503: ['MEDIA_STORAGE_UNAVAILABLE'] },
    },
    ({ params }, req, res) => servePublic(params.file, req, res),
  );
}
