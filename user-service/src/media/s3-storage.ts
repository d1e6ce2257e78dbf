/**
 * `MEDIA_STORAGE=s3`: files in one bucket of any S3-compatible store, under `public/` and
 * `private/`, through the AWS SDK. Public objects carry their long cache lifetime themselves, so
 * a CDN or nginx in front of the bucket serves them as the service would.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, NoSuchKey, NotFound, PutObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { isMediaFileName, type MediaVisibility } from '@murmur/shared/media';
import type { MediaStorage, StoredFile } from './storage.js';
import { cacheControlFor } from './media-headers.js';

export interface S3StorageOptions {
  endpoint?: string;
  bucket: string;
  region: string;
  accessKeyId?: string;
  secretAccessKey?: string;
  forcePathStyle: boolean;
}

/** How long the store may take to accept a connection, and to answer once a request is sent. */
const STORE_CONNECT_TIMEOUT_MS = 5_000;
const STORE_REQUEST_TIMEOUT_MS = 30_000;

const isMissing = (err: unknown) => err instanceof NoSuchKey || err instanceof NotFound || (err instanceof S3ServiceException && err.$metadata.httpStatusCode === 404);

export class S3Storage implements MediaStorage {
  private readonly client: S3Client;
  private readonly bucket: string;

  constructor(options: S3StorageOptions) {
    this.bucket = options.bucket;
    this.client = new S3Client({
      endpoint: options.endpoint,
      region: options.region,
      forcePathStyle: options.forcePathStyle,
      ...(options.accessKeyId && options.secretAccessKey && { credentials: { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey } }),
      // Since 3.729 the SDK sends a streamed body as aws-chunked with a trailing CRC32 unless told
      // otherwise; S3-compatible stores that do not know that encoding (s3rver, older MinIO and
      // Ceph, …) store the chunk framing as part of the object, and every picture comes back
      // corrupt. Off AWS, checksums are sent and checked only where an operation requires them.
      ...(options.endpoint && { requestChecksumCalculation: 'WHEN_REQUIRED' as const, responseChecksumValidation: 'WHEN_REQUIRED' as const }),
      // A store that stops answering fails the call instead of holding it (and an upload's
      // place, or the sweeper's batch) for ever: by default the SDK only warns.
      requestHandler: { connectionTimeout: STORE_CONNECT_TIMEOUT_MS, requestTimeout: STORE_REQUEST_TIMEOUT_MS, throwOnRequestTimeout: true },
    });
  }

  private key(area: MediaVisibility, name: string): string {
    // Only the names the service gives are keys: `..` or a slash could reach the other area.
    if (!isMediaFileName(name)) throw new Error(`not a media file name: ${name}`);
    return `${area}/${name}`;
  }

  async put(area: MediaVisibility, name: string, sourcePath: string, contentType: string): Promise<void> {
    const { size } = await stat(sourcePath);
    const body = createReadStream(sourcePath);
    try {
      await this.client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: this.key(area, name),
          Body: body,
          ContentLength: size,
          ContentType: contentType,
          CacheControl: cacheControlFor(area),
        }),
      );
    } finally {
      // A request that failed before reading the whole file would leave its descriptor open.
      body.destroy();
    }
  }

  async open(area: MediaVisibility, name: string): Promise<StoredFile | undefined> {
    try {
      const object = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.key(area, name) }));
      return object.Body ? { body: object.Body as Readable, size: object.ContentLength } : undefined;
    } catch (err) {
      if (isMissing(err)) return undefined;
      throw err;
    }
  }

  async remove(area: MediaVisibility, name: string): Promise<boolean> {
    const key = { Bucket: this.bucket, Key: this.key(area, name) };
    // DELETE answers the same whether the object was there or not; HEAD tells.
    try {
      await this.client.send(new HeadObjectCommand(key));
    } catch (err) {
      if (isMissing(err)) return false;
      throw err;
    }
    await this.client.send(new DeleteObjectCommand(key));
    return true;
  }

  close(): void {
    this.client.destroy();
  }
}
